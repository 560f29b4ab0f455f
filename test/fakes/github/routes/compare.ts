// GET /repos/{owner}/{repo}/compare/{basehead}, with GitHub's limits for large comparisons:
// unpaginated, at most 250 commits; paginated (page or per_page given), every commit page by page;
// files only on the first page and at most 300 for the whole comparison.
import { notFound } from '../errors.js';
import { compare } from '../git.js';
import { pageRequest, paginate } from '../pagination.js';
import { requireRepo, type Route } from '../router.js';
import { commit, encodePath, repoApi, repoHtml, sha1, type Json, type View } from '../shapes.js';
import type { FakeFileChange, FakeRepo } from '../state.js';

export const COMPARE_MAX_COMMITS = 250;
export const COMPARE_MAX_FILES = 300;

const DOCS = 'https://docs.github.com/rest/commits/commits#compare-two-commits';

export const compareRoutes: Route[] = [
  {
    method: 'GET',
    path: '/repos/{owner}/{repo}/compare/{basehead}',
    docs: DOCS,
    handle(ctx) {
      const repo = requireRepo(ctx);
      const basehead = ctx.params['basehead'] ?? '';
      const split = basehead.indexOf('...');
      if (split <= 0 || split + 3 >= basehead.length) throw notFound(DOCS);
      const baseRef = basehead.slice(0, split);
      const headRef = basehead.slice(split + 3);
      const outcome = compare(repo, baseRef, headRef);
      if (!outcome.ok) {
        throw outcome.reason === 'unrelated'
          ? notFound(DOCS, `No common ancestor between ${baseRef} and ${headRef}.`)
          : notFound(DOCS);
      }
      const { base, head, mergeBase, ahead, behindBy, files } = outcome.comparison;
      const paginated = ctx.query.has('page') || ctx.query.has('per_page');
      const page = paginated ? paginate(ahead, ctx.query, ctx.linkBase) : undefined;
      const commits = page ? page.items : ahead.slice(0, COMPARE_MAX_COMMITS);
      const firstPage = pageRequest(ctx.query).page === 1;
      const aheadBy = ahead.length;
      const status =
        aheadBy === 0 && behindBy === 0
          ? 'identical'
          : behindBy === 0
            ? 'ahead'
            : aheadBy === 0
              ? 'behind'
              : 'diverged';
      const api = repoApi(ctx, repo);
      const html = repoHtml(repo);
      return {
        link: page?.link,
        body: {
          url: `${api}/compare/${encodePath(basehead)}`,
          html_url: `${html}/compare/${encodePath(basehead)}`,
          permalink_url: `${html}/compare/${repo.owner}:${base.sha.slice(0, 7)}...${repo.owner}:${head.sha.slice(0, 7)}`,
          diff_url: `${html}/compare/${encodePath(basehead)}.diff`,
          patch_url: `${html}/compare/${encodePath(basehead)}.patch`,
          base_commit: commit(ctx, repo, base),
          merge_base_commit: commit(ctx, repo, mergeBase),
          status,
          ahead_by: aheadBy,
          behind_by: behindBy,
          total_commits: aheadBy,
          commits: commits.map((c) => commit(ctx, repo, c)),
          files: firstPage ? files.slice(0, COMPARE_MAX_FILES).map((f) => diffEntry(ctx, repo, head.sha, f)) : [],
        },
      };
    },
  },
];

export function diffEntry(view: View, repo: FakeRepo, headSha: string, f: FakeFileChange): Json {
  const api = repoApi(view, repo);
  const html = repoHtml(repo);
  const path = encodePath(f.filename);
  const entry: Json = {
    sha: f.status === 'removed' ? null : sha1(`blob ${f.content ?? `${headSha}:${f.filename}`}`),
    filename: f.filename,
    status: f.status,
    additions: f.additions,
    deletions: f.deletions,
    changes: f.additions + f.deletions,
    blob_url: `${html}/blob/${headSha}/${path}`,
    raw_url: `${html}/raw/${headSha}/${path}`,
    contents_url: `${api}/contents/${path}?ref=${headSha}`,
  };
  if (f.patch !== undefined) entry['patch'] = f.patch;
  if (f.previous_filename !== undefined) entry['previous_filename'] = f.previous_filename;
  return entry;
}
