// Pull requests, their reviews, and the pull requests that carry a commit.
import { HttpError, notFound } from '../errors.js';
import { compare, resolveRef } from '../git.js';
import { paginate } from '../pagination.js';
import { intParam, requireRepo, type Route, type RouteContext } from '../router.js';
import {
  authorAssociation,
  label,
  nodeId,
  nullableUser,
  repoApi,
  repoHtml,
  repository,
  simpleUser,
  type Json,
  type View,
} from '../shapes.js';
import type { FakePull, FakeRepo, FakeReview } from '../state.js';

const DOCS_GET = 'https://docs.github.com/rest/pulls/pulls#get-a-pull-request';
const DOCS_REVIEWS = 'https://docs.github.com/rest/pulls/reviews#list-reviews-for-a-pull-request';
const DOCS_FOR_COMMIT = 'https://docs.github.com/rest/commits/commits#list-pull-requests-associated-with-a-commit';

export const pullRoutes: Route[] = [
  {
    method: 'GET',
    path: '/repos/{owner}/{repo}/commits/{commit_sha}/pulls',
    docs: DOCS_FOR_COMMIT,
    handle(ctx) {
      const repo = requireRepo(ctx);
      const wanted = ctx.params['commit_sha'] ?? '';
      const sha = resolveRef(repo, wanted);
      if (sha === undefined) {
        throw new HttpError(422, { message: `No commit found for SHA: ${wanted}`, documentation_url: DOCS_FOR_COMMIT });
      }
      const pulls = Object.values(repo.pulls)
        .filter((p) => p.commits.includes(sha) || p.head.sha === sha || p.merge_commit_sha === sha)
        .sort((a, b) => b.number - a.number);
      const page = paginate(pulls, ctx.query, ctx.linkBase);
      return { body: page.items.map((p) => pullSimple(ctx, repo, p)), link: page.link };
    },
  },
  {
    method: 'GET',
    path: '/repos/{owner}/{repo}/pulls/{pull_number}',
    docs: DOCS_GET,
    handle(ctx) {
      const { repo, pull } = requirePull(ctx);
      return { body: pullFull(ctx, repo, pull) };
    },
  },
  {
    method: 'GET',
    path: '/repos/{owner}/{repo}/pulls/{pull_number}/reviews',
    docs: DOCS_REVIEWS,
    handle(ctx) {
      const { repo, pull } = requirePull(ctx);
      const page = paginate(repo.reviews[pull.number] ?? [], ctx.query, ctx.linkBase);
      return { body: page.items.map((r) => review(ctx, repo, pull, r)), link: page.link };
    },
  },
];

function requirePull(ctx: RouteContext): { repo: FakeRepo; pull: FakePull } {
  const repo = requireRepo(ctx);
  const pull = repo.pulls[intParam(ctx, 'pull_number')];
  if (!pull) throw notFound(ctx.docs);
  return { repo, pull };
}

function links(view: View, repo: FakeRepo, p: FakePull): Json {
  const api = repoApi(view, repo);
  const self = `${api}/pulls/${p.number}`;
  return {
    self: { href: self },
    html: { href: `${repoHtml(repo)}/pull/${p.number}` },
    issue: { href: `${api}/issues/${p.number}` },
    comments: { href: `${api}/issues/${p.number}/comments` },
    review_comments: { href: `${self}/comments` },
    review_comment: { href: `${api}/pulls/comments{/number}` },
    commits: { href: `${self}/commits` },
    statuses: { href: `${api}/statuses/${p.head.sha}` },
  };
}

function branch(view: View, repo: FakeRepo, ref: string, sha: string): Json {
  return {
    label: `${repo.owner}:${ref}`,
    ref,
    sha,
    user: simpleUser(view, repo.owner),
    repo: repository(view, repo),
  };
}

/** The fields pull-request-simple and pull-request share. */
function pullCommon(view: View, repo: FakeRepo, p: FakePull, nullableLabelDescription: boolean): Json {
  const api = repoApi(view, repo);
  const html = `${repoHtml(repo)}/pull/${p.number}`;
  const self = `${api}/pulls/${p.number}`;
  return {
    url: self,
    id: p.id,
    node_id: nodeId('PullRequest', p.id),
    html_url: html,
    diff_url: `${html}.diff`,
    patch_url: `${html}.patch`,
    issue_url: `${api}/issues/${p.number}`,
    commits_url: `${self}/commits`,
    review_comments_url: `${self}/comments`,
    review_comment_url: `${api}/pulls/comments{/number}`,
    comments_url: `${api}/issues/${p.number}/comments`,
    statuses_url: `${api}/statuses/${p.head.sha}`,
    number: p.number,
    state: p.state,
    locked: false,
    title: p.title,
    user: simpleUser(view, p.user),
    body: p.body,
    labels: p.labels.map((l) => label(view, repo, l, nullableLabelDescription)),
    milestone: null,
    active_lock_reason: null,
    created_at: p.created_at,
    updated_at: p.updated_at,
    closed_at: p.closed_at,
    merged_at: p.merged_at,
    merge_commit_sha: p.merge_commit_sha,
    assignee: null,
    assignees: [],
    requested_reviewers: [],
    requested_teams: [],
    head: branch(view, repo, p.head.ref, p.head.sha),
    base: branch(view, repo, p.base.ref, p.base.sha),
    _links: links(view, repo, p),
    author_association: authorAssociation(view.state, repo, p.user),
    auto_merge: null,
    draft: p.draft,
  };
}

export function pullSimple(view: View, repo: FakeRepo, p: FakePull): Json {
  return pullCommon(view, repo, p, false);
}

export function pullFull(view: View, repo: FakeRepo, p: FakePull): Json {
  const diff = compare(repo, p.base.sha, p.head.sha);
  const files = diff.ok ? diff.comparison.files : [];
  return {
    ...pullCommon(view, repo, p, true),
    merged: p.merged,
    mergeable: p.state === 'open' ? true : null,
    rebaseable: p.state === 'open' ? true : null,
    mergeable_state: p.state === 'open' ? 'clean' : 'unknown',
    merged_by: nullableUser(view, p.merged_by),
    comments: repo.comments[p.number]?.length ?? 0,
    review_comments: 0,
    maintainer_can_modify: false,
    commits: p.commits.length,
    additions: files.reduce((n, f) => n + f.additions, 0),
    deletions: files.reduce((n, f) => n + f.deletions, 0),
    changed_files: files.length,
  };
}

function review(view: View, repo: FakeRepo, p: FakePull, r: FakeReview): Json {
  const api = repoApi(view, repo);
  const html = `${repoHtml(repo)}/pull/${p.number}#pullrequestreview-${r.id}`;
  const body: Json = {
    id: r.id,
    node_id: nodeId('PullRequestReview', r.id),
    user: simpleUser(view, r.user),
    body: r.body,
    state: r.state,
    html_url: html,
    pull_request_url: `${api}/pulls/${p.number}`,
    author_association: authorAssociation(view.state, repo, r.user),
    _links: { html: { href: html }, pull_request: { href: `${api}/pulls/${p.number}` } },
    commit_id: r.commit_id,
  };
  // A pending review has not been submitted, and GitHub leaves the field out rather than sending null.
  if (r.submitted_at !== null) body['submitted_at'] = r.submitted_at;
  return body;
}
