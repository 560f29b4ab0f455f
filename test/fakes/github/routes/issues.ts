// Issues and issue comments. As on GitHub, pull requests are issues too: they share the number
// sequence, appear in the issue list, and take issue comments.
import { invalidRequest, notFound, validationFailed } from '../errors.js';
import { paginate } from '../pagination.js';
import { intParam, requireRepo, type Route, type RouteContext } from '../router.js';
import {
  authorAssociation,
  label,
  nodeId,
  nullableUser,
  reactions,
  repoApi,
  repoHtml,
  simpleUser,
  type Json,
  type View,
} from '../shapes.js';
import type { FakeComment, FakeIssue, FakePull, FakeRepo, StateReason } from '../state.js';

const DOCS_LIST = 'https://docs.github.com/rest/issues/issues#list-repository-issues';
const DOCS_CREATE = 'https://docs.github.com/rest/issues/issues#create-an-issue';
const DOCS_GET = 'https://docs.github.com/rest/issues/issues#get-an-issue';
const DOCS_UPDATE = 'https://docs.github.com/rest/issues/issues#update-an-issue';
const DOCS_COMMENTS = 'https://docs.github.com/rest/issues/comments#list-issue-comments';
const DOCS_COMMENT = 'https://docs.github.com/rest/issues/comments#create-an-issue-comment';

const STATE_REASONS: readonly string[] = ['completed', 'not_planned', 'reopened', 'duplicate'];

/** An issue or a pull request seen through the issues API. */
type Thread = { kind: 'issue'; issue: FakeIssue } | { kind: 'pull'; pull: FakePull };

export const issueRoutes: Route[] = [
  {
    method: 'GET',
    path: '/repos/{owner}/{repo}/issues',
    docs: DOCS_LIST,
    handle(ctx) {
      const repo = requireRepo(ctx);
      const state = ctx.query.get('state') ?? 'open';
      if (!['open', 'closed', 'all'].includes(state)) {
        throw validationFailed(DOCS_LIST, [{ resource: 'Issue', field: 'state', code: 'invalid' }]);
      }
      const wantedLabels = (ctx.query.get('labels') ?? '')
        .split(',')
        .map((l) => l.trim())
        .filter((l) => l.length > 0);
      const creator = ctx.query.get('creator');
      const since = ctx.query.get('since');
      const sort = ctx.query.get('sort') ?? 'created';
      const direction = ctx.query.get('direction') ?? 'desc';
      const threads = allThreads(repo).filter((t) => {
        const v = fields(t);
        if (state !== 'all' && v.state !== state) return false;
        if (creator !== null && v.user.toLowerCase() !== creator.toLowerCase()) return false;
        if (since !== null && v.updated_at < normaliseTime(since)) return false;
        const names = v.labels.map((l) => l.toLowerCase());
        return wantedLabels.every((l) => names.includes(l.toLowerCase()));
      });
      const key = (t: Thread): string | number => {
        const v = fields(t);
        if (sort === 'updated') return v.updated_at;
        if (sort === 'comments') return repo.comments[v.number]?.length ?? 0;
        return v.created_at;
      };
      threads.sort((a, b) => {
        const ka = key(a);
        const kb = key(b);
        const order = ka < kb ? -1 : ka > kb ? 1 : fields(a).number - fields(b).number;
        return direction === 'asc' ? order : -order;
      });
      const page = paginate(threads, ctx.query, ctx.linkBase);
      return { body: page.items.map((t) => issueJson(ctx, repo, t, false)), link: page.link };
    },
  },
  {
    method: 'POST',
    path: '/repos/{owner}/{repo}/issues',
    docs: DOCS_CREATE,
    handle(ctx) {
      const repo = requireRepo(ctx);
      const input = objectBody(ctx, DOCS_CREATE);
      const title = input['title'];
      if (title === undefined || title === null) throw invalidRequest(DOCS_CREATE, '"title" wasn\'t supplied.');
      if (typeof title !== 'string' && typeof title !== 'number') {
        throw invalidRequest(
          DOCS_CREATE,
          `For 'properties/title', ${JSON.stringify(title)} is not a string or integer.`,
        );
      }
      if (String(title).trim() === '') {
        throw validationFailed(DOCS_CREATE, [{ resource: 'Issue', field: 'title', code: 'missing_field' }]);
      }
      const body = optionalString(input, 'body', DOCS_CREATE);
      const issue = ctx.state.addIssue(fullName(repo), {
        title: String(title),
        body: body ?? null,
        labels: labelNames(input['labels'], DOCS_CREATE),
        assignees: stringArray(input, 'assignees', DOCS_CREATE) ?? [],
        user: ctx.viewer.login,
      });
      const json = issueJson(ctx, repo, { kind: 'issue', issue }, true);
      return { status: 201, body: json, headers: { location: String(json['url']) } };
    },
  },
  {
    method: 'GET',
    path: '/repos/{owner}/{repo}/issues/{issue_number}',
    docs: DOCS_GET,
    handle(ctx) {
      const { repo, thread } = requireThread(ctx);
      return { body: issueJson(ctx, repo, thread, true) };
    },
  },
  {
    method: 'PATCH',
    path: '/repos/{owner}/{repo}/issues/{issue_number}',
    docs: DOCS_UPDATE,
    handle(ctx) {
      const { repo, thread } = requireThread(ctx);
      const input = objectBody(ctx, DOCS_UPDATE);
      const target = thread.kind === 'issue' ? thread.issue : thread.pull;
      const title = input['title'];
      if (title !== undefined && title !== null) {
        if (typeof title !== 'string' && typeof title !== 'number') {
          throw invalidRequest(
            DOCS_UPDATE,
            `For 'properties/title', ${JSON.stringify(title)} is not a string or integer.`,
          );
        }
        target.title = String(title);
      }
      if ('body' in input)
        target.body = input['body'] === null ? null : (optionalString(input, 'body', DOCS_UPDATE) ?? null);
      if (input['labels'] !== undefined) {
        target.labels = labelNames(input['labels'], DOCS_UPDATE);
        for (const l of target.labels) ctx.state.label(fullName(repo), l);
      }
      if (thread.kind === 'issue' && input['assignees'] !== undefined) {
        thread.issue.assignees = stringArray(input, 'assignees', DOCS_UPDATE) ?? [];
      }
      const state = input['state'];
      if (state !== undefined) {
        if (state !== 'open' && state !== 'closed') {
          throw validationFailed(DOCS_UPDATE, [{ resource: 'Issue', field: 'state', code: 'invalid' }]);
        }
        const reason = input['state_reason'];
        if (
          reason !== undefined &&
          reason !== null &&
          (typeof reason !== 'string' || !STATE_REASONS.includes(reason))
        ) {
          throw validationFailed(DOCS_UPDATE, [{ resource: 'Issue', field: 'state_reason', code: 'invalid' }]);
        }
        setState(ctx, target, thread, state, (reason ?? undefined) as StateReason | undefined);
      }
      target.updated_at = ctx.state.now();
      return { body: issueJson(ctx, repo, thread, true) };
    },
  },
  {
    method: 'GET',
    path: '/repos/{owner}/{repo}/issues/{issue_number}/comments',
    docs: DOCS_COMMENTS,
    handle(ctx) {
      const { repo, thread } = requireThread(ctx);
      const number = fields(thread).number;
      const since = ctx.query.get('since');
      const list = (repo.comments[number] ?? []).filter((c) => since === null || c.updated_at >= normaliseTime(since));
      const page = paginate(list, ctx.query, ctx.linkBase);
      return { body: page.items.map((c) => commentJson(ctx, repo, number, c)), link: page.link };
    },
  },
  {
    method: 'POST',
    path: '/repos/{owner}/{repo}/issues/{issue_number}/comments',
    docs: DOCS_COMMENT,
    handle(ctx) {
      const { repo, thread } = requireThread(ctx);
      const input = objectBody(ctx, DOCS_COMMENT);
      const body = input['body'];
      if (body === undefined || body === null) throw invalidRequest(DOCS_COMMENT, '"body" wasn\'t supplied.');
      if (typeof body !== 'string') {
        throw invalidRequest(DOCS_COMMENT, `For 'properties/body', ${JSON.stringify(body)} is not a string.`);
      }
      if (body.trim() === '') {
        throw validationFailed(DOCS_COMMENT, [{ resource: 'IssueComment', field: 'body', code: 'missing_field' }]);
      }
      const number = fields(thread).number;
      const comment = ctx.state.addComment(fullName(repo), number, { user: ctx.viewer.login, body });
      const json = commentJson(ctx, repo, number, comment);
      return { status: 201, body: json, headers: { location: String(json['url']) } };
    },
  },
];

function fullName(repo: FakeRepo): string {
  return `${repo.owner}/${repo.name}`;
}

function allThreads(repo: FakeRepo): Thread[] {
  return [
    ...Object.values(repo.issues).map((issue): Thread => ({ kind: 'issue', issue })),
    ...Object.values(repo.pulls).map((pull): Thread => ({ kind: 'pull', pull })),
  ];
}

function fields(t: Thread): FakeIssue | FakePull {
  return t.kind === 'issue' ? t.issue : t.pull;
}

function requireThread(ctx: RouteContext): { repo: FakeRepo; thread: Thread } {
  const repo = requireRepo(ctx);
  const number = intParam(ctx, 'issue_number');
  const issue = repo.issues[number];
  if (issue) return { repo, thread: { kind: 'issue', issue } };
  const pull = repo.pulls[number];
  if (pull) return { repo, thread: { kind: 'pull', pull } };
  throw notFound(ctx.docs);
}

function setState(
  ctx: RouteContext,
  target: FakeIssue | FakePull,
  thread: Thread,
  state: 'open' | 'closed',
  reason: StateReason | undefined,
): void {
  const was = target.state;
  target.state = state;
  if (state === 'closed' && was === 'open') target.closed_at = ctx.state.now();
  if (state === 'open') target.closed_at = null;
  if (thread.kind === 'issue') {
    const issue = thread.issue;
    if (state === 'closed') {
      issue.state_reason = reason ?? 'completed';
      if (was === 'open') issue.closed_by = ctx.viewer.login;
    } else {
      issue.state_reason = was === 'closed' ? 'reopened' : (reason ?? null);
      issue.closed_by = null;
    }
  }
}

function issueJson(view: View, repo: FakeRepo, t: Thread, single: boolean): Json {
  const v = fields(t);
  const api = repoApi(view, repo);
  const url = `${api}/issues/${v.number}`;
  const html = `${repoHtml(repo)}/${t.kind === 'issue' ? 'issues' : 'pull'}/${v.number}`;
  const assignees = t.kind === 'issue' ? t.issue.assignees : [];
  const json: Json = {
    id: v.id,
    node_id: nodeId(t.kind === 'issue' ? 'Issue' : 'PullRequest', v.id),
    url,
    repository_url: api,
    labels_url: `${url}/labels{/name}`,
    comments_url: `${url}/comments`,
    events_url: `${url}/events`,
    html_url: html,
    number: v.number,
    state: v.state,
    title: v.title,
    body: v.body,
    user: simpleUser(view, v.user),
    labels: v.labels.map((l) => label(view, repo, l)),
    assignee: nullableUser(view, assignees[0] ?? null),
    assignees: assignees.map((a) => simpleUser(view, a)),
    milestone: null,
    locked: t.kind === 'issue' ? t.issue.locked : false,
    active_lock_reason: null,
    comments: repo.comments[v.number]?.length ?? 0,
    created_at: v.created_at,
    updated_at: v.updated_at,
    closed_at: v.closed_at,
    author_association: authorAssociation(view.state, repo, v.user),
    type: null,
    reactions: reactions(url),
    timeline_url: `${url}/timeline`,
    performed_via_github_app: null,
    state_reason: t.kind === 'issue' ? t.issue.state_reason : null,
  };
  if (t.kind === 'pull') {
    json['draft'] = t.pull.draft;
    json['pull_request'] = {
      url: `${api}/pulls/${v.number}`,
      html_url: html,
      diff_url: `${html}.diff`,
      patch_url: `${html}.patch`,
      merged_at: t.pull.merged_at,
    };
  }
  // GitHub names who closed an issue only when one issue is asked for, not in lists.
  if (single && t.kind === 'issue') json['closed_by'] = nullableUser(view, t.issue.closed_by);
  return json;
}

function commentJson(view: View, repo: FakeRepo, number: number, c: FakeComment): Json {
  const api = repoApi(view, repo);
  const url = `${api}/issues/comments/${c.id}`;
  const isPull = repo.pulls[number] !== undefined;
  return {
    url,
    html_url: `${repoHtml(repo)}/${isPull ? 'pull' : 'issues'}/${number}#issuecomment-${c.id}`,
    issue_url: `${api}/issues/${number}`,
    id: c.id,
    node_id: nodeId('IssueComment', c.id),
    user: simpleUser(view, c.user),
    created_at: c.created_at,
    updated_at: c.updated_at,
    author_association: authorAssociation(view.state, repo, c.user),
    body: c.body,
    reactions: reactions(url),
    performed_via_github_app: null,
  };
}

function objectBody(ctx: RouteContext, docs: string): Record<string, unknown> {
  const body = ctx.body ?? {};
  if (typeof body !== 'object' || Array.isArray(body)) {
    throw invalidRequest(docs, `${JSON.stringify(body)} is not an object.`);
  }
  return body as Record<string, unknown>;
}

function optionalString(input: Record<string, unknown>, field: string, docs: string): string | undefined {
  const value = input[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') {
    throw invalidRequest(docs, `For 'properties/${field}', ${JSON.stringify(value)} is not a string.`);
  }
  return value;
}

function stringArray(input: Record<string, unknown>, field: string, docs: string): string[] | undefined {
  const value = input[field];
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value) || value.some((v) => typeof v !== 'string')) {
    throw invalidRequest(docs, `For 'properties/${field}', ${JSON.stringify(value)} is not an array of strings.`);
  }
  return value as string[];
}

/** Labels come as names or as `{name}` objects; GitHub creates the ones the repository lacks. */
function labelNames(value: unknown, docs: string): string[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value))
    throw invalidRequest(docs, `For 'properties/labels', ${JSON.stringify(value)} is not an array.`);
  const names = value.map((v: unknown) => {
    if (typeof v === 'string') return v;
    if (typeof v === 'object' && v !== null && typeof (v as { name?: unknown }).name === 'string') {
      return (v as { name: string }).name;
    }
    throw invalidRequest(docs, `For 'items', ${JSON.stringify(v)} is not a string or object with a name.`);
  });
  return [...new Set(names)];
}

/** `since` is ISO 8601; compare in GitHub's whole-second `Z` form so string order is time order. */
function normaliseTime(since: string): string {
  const ms = Date.parse(since);
  if (Number.isNaN(ms)) return since;
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}
