// The compare API, read whole: every page of commits, the files, and whether GitHub cut the answer
// short. GitHub lists at most 300 files for a comparison (only on the first page) and pages through
// the commits; a comparison it could not answer in full must never be decided on.
import type { ChangedFile, Commit, FileStatus } from '@countersign/core';
import type { GitHubClient } from './client.js';

/** GitHub's file list stops here; a list this long may be missing files. */
export const COMPARE_FILE_LIMIT = 300;
/** GitHub's commit list without pagination stops here (named in messages). */
export const COMPARE_COMMIT_LIMIT = 250;

const PER_PAGE = 100;
// 100 pages of 100: far beyond any change a person reviews; past it, the answer counts as cut short.
const MAX_PAGES = 100;
const FULL_SHA = /^[0-9a-f]{40}$/i;

export interface Comparison {
  base: string;
  head: string;
  /** 'ahead', 'behind', 'diverged' or 'identical', as GitHub says. */
  status: string;
  totalCommits: number;
  commits: Commit[];
  files: ChangedFile[];
  /** Why the comparison is incomplete, or null when it is whole. */
  truncated: string | null;
}

interface Target {
  client: GitHubClient;
  owner: string;
  repo: string;
}

type ComparePage = Awaited<ReturnType<typeof requestPage>>['data'];
type CompareCommit = ComparePage['commits'][number];
type CompareFile = NonNullable<ComparePage['files']>[number];

function requestPage({ client, owner, repo }: Target, basehead: string, page: number) {
  return client.request('GET /repos/{owner}/{repo}/compare/{basehead}', {
    owner,
    repo,
    basehead,
    per_page: PER_PAGE,
    page,
  });
}

export async function compare(target: Target, base: string, head: string): Promise<Comparison> {
  const headSha = await resolveSha(target, head);
  const basehead = `${base}...${headSha}`;
  const commits = new Map<string, Commit>();
  const files = new Map<string, ChangedFile>();
  let first: ComparePage | null = null;
  let page = 1;
  let more = true;
  while (more && page <= MAX_PAGES) {
    const response = await requestPage(target, basehead, page);
    const data = response.data;
    first ??= data;
    for (const commit of data.commits) commits.set(commit.sha, commitOf(commit));
    for (const file of data.files ?? []) files.set(file.filename, fileOf(file));
    more = hasNext(response.headers.link) || (data.commits.length > 0 && page * PER_PAGE < data.total_commits);
    page += 1;
  }
  if (first === null) throw new Error('unreachable: the compare loop runs at least once');
  const list = [...commits.values()];
  return {
    base: first.base_commit.sha,
    head: headSha,
    status: first.status,
    totalCommits: first.total_commits,
    commits: list,
    files: [...files.values()],
    truncated: truncation(list.length, first.total_commits, files.size, more),
  };
}

function truncation(commits: number, total: number, files: number, pagesLeft: boolean): string | null {
  if (files >= COMPARE_FILE_LIMIT) return `${files} files listed, GitHub's limit, so some may be missing`;
  if (pagesLeft || commits < total) return `${commits} of ${total} commits returned`;
  return null;
}

function hasNext(link: string | undefined): boolean {
  return link !== undefined && /rel="next"/.test(link);
}

/** A full sha for `ref`: as given when it is one, else GitHub's answer for the commit it names. */
export async function resolveSha({ client, owner, repo }: Target, ref: string): Promise<string> {
  if (FULL_SHA.test(ref)) return ref.toLowerCase();
  const response = await client.request('GET /repos/{owner}/{repo}/commits/{ref}', { owner, repo, ref });
  return response.data.sha;
}

function commitOf(commit: CompareCommit): Commit {
  const git = commit.commit;
  return {
    sha: commit.sha,
    message: git.message,
    author: { login: commit.author?.login ?? null, email: git.author?.email ?? null, name: git.author?.name ?? null },
    committer: {
      login: commit.committer?.login ?? null,
      email: git.committer?.email ?? null,
      name: git.committer?.name ?? null,
    },
  };
}

const STATUS: Record<CompareFile['status'], FileStatus> = {
  added: 'added',
  removed: 'removed',
  modified: 'modified',
  renamed: 'renamed',
  // A copy is a new file at its path; `changed` is a mode change: both are changes a rule must see.
  copied: 'added',
  changed: 'modified',
  unchanged: 'modified',
};

function fileOf(file: CompareFile): ChangedFile {
  return {
    path: file.filename,
    status: STATUS[file.status] ?? 'modified',
    additions: file.additions,
    deletions: file.deletions,
    previous_path: file.previous_filename ?? null,
    // Absent for binary and very large files; the core then treats the content as unknown.
    patch: file.patch ?? null,
  };
}
