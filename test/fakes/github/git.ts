// Just enough of git's model over the fake's commit graph for compare, commit look-ups and contents.
import type { FakeCommit, FakeFileChange, FakeRepo } from './state.js';

/** A branch name, a full sha, or an unambiguous sha prefix (GitHub accepts 4 or more characters). */
export function resolveRef(repo: FakeRepo, ref: string): string | undefined {
  const branch = repo.branches[ref] ?? repo.branches[ref.replace(/^refs\/heads\//, '')];
  if (branch !== undefined) return branch;
  if (repo.commits[ref]) return ref;
  if (!/^[0-9a-f]{4,39}$/.test(ref)) return undefined;
  const matches = Object.keys(repo.commits).filter((sha) => sha.startsWith(ref));
  return matches.length === 1 ? matches[0] : undefined;
}

/** Ancestors of `sha` including itself, nearest first (breadth first over parents). */
export function ancestry(repo: FakeRepo, sha: string): string[] {
  const order: string[] = [];
  const seen = new Set<string>([sha]);
  const queue = [sha];
  while (queue.length > 0) {
    const next = queue.shift() as string;
    order.push(next);
    for (const parent of repo.commits[next]?.parents ?? []) {
      if (!seen.has(parent)) {
        seen.add(parent);
        queue.push(parent);
      }
    }
  }
  return order;
}

export interface Comparison {
  base: FakeCommit;
  head: FakeCommit;
  mergeBase: FakeCommit;
  /** Commits in head and not in base, parents before children (GitHub's "chronological" order). */
  ahead: FakeCommit[];
  behindBy: number;
  files: FakeFileChange[];
}

export type CompareOutcome = { ok: true; comparison: Comparison } | { ok: false; reason: 'unknown-ref' | 'unrelated' };

export function compare(repo: FakeRepo, baseRef: string, headRef: string): CompareOutcome {
  const baseSha = resolveRef(repo, baseRef);
  const headSha = resolveRef(repo, headRef);
  const base = baseSha === undefined ? undefined : repo.commits[baseSha];
  const head = headSha === undefined ? undefined : repo.commits[headSha];
  if (!base || !head) return { ok: false, reason: 'unknown-ref' };
  const fromBase = ancestry(repo, base.sha);
  const fromHead = ancestry(repo, head.sha);
  const baseSet = new Set(fromBase);
  const headSet = new Set(fromHead);
  const mergeBaseSha = fromHead.find((sha) => baseSet.has(sha));
  const mergeBase = mergeBaseSha === undefined ? undefined : repo.commits[mergeBaseSha];
  if (!mergeBase) return { ok: false, reason: 'unrelated' };
  const ahead = chronological(repo, head.sha, baseSet);
  const files = repo.compareFiles[`${base.sha}...${head.sha}`] ?? netChanges(ahead);
  return {
    ok: true,
    comparison: {
      base,
      head,
      mergeBase,
      ahead,
      behindBy: fromBase.filter((sha) => !headSet.has(sha)).length,
      files,
    },
  };
}

function chronological(repo: FakeRepo, head: string, exclude: Set<string>): FakeCommit[] {
  const out: FakeCommit[] = [];
  const done = new Set<string>();
  // Iterative post-order so a long history cannot overflow the stack.
  const stack: Array<{ sha: string; expanded: boolean }> = [{ sha: head, expanded: false }];
  while (stack.length > 0) {
    const top = stack.pop() as { sha: string; expanded: boolean };
    if (done.has(top.sha) || exclude.has(top.sha)) continue;
    const commit = repo.commits[top.sha];
    if (!commit) continue;
    if (top.expanded) {
      done.add(top.sha);
      out.push(commit);
      continue;
    }
    stack.push({ sha: top.sha, expanded: true });
    for (const parent of [...commit.parents].reverse()) stack.push({ sha: parent, expanded: false });
  }
  return out;
}

/** Folds per-commit changes into one diff: a file added then removed in the range is not in it. */
function netChanges(commits: FakeCommit[]): FakeFileChange[] {
  const byName = new Map<string, FakeFileChange>();
  for (const commit of commits) {
    for (const change of commit.files) {
      let prior = byName.get(change.filename);
      if (change.status === 'renamed' && change.previous_filename !== undefined) {
        const moved = byName.get(change.previous_filename);
        byName.delete(change.previous_filename);
        if (moved?.status === 'added') prior = moved;
      }
      if (!prior) {
        byName.set(change.filename, { ...change });
        continue;
      }
      if (prior.status === 'added' && change.status === 'removed') {
        byName.delete(change.filename);
        continue;
      }
      const status = prior.status === 'added' ? 'added' : prior.status === 'removed' ? 'modified' : change.status;
      const merged: FakeFileChange = {
        ...change,
        status,
        additions: prior.additions + change.additions,
        deletions: prior.deletions + change.deletions,
      };
      if (status === 'added') delete merged.previous_filename;
      byName.set(change.filename, merged);
    }
  }
  return [...byName.values()].sort((a, b) => (a.filename < b.filename ? -1 : a.filename > b.filename ? 1 : 0));
}

/** The text of `path` at `ref`, or undefined when the file does not exist there (or is unknown). */
export function fileAt(repo: FakeRepo, ref: string, path: string): string | undefined {
  const explicit = repo.contents[ref]?.[path];
  if (explicit !== undefined) return explicit;
  const sha = resolveRef(repo, ref);
  if (sha === undefined) return undefined;
  const branchesHere = Object.entries(repo.branches)
    .filter(([, tip]) => tip === sha)
    .map(([name]) => name);
  for (const name of branchesHere) {
    const onBranch = repo.contents[name]?.[path];
    if (onBranch !== undefined) return onBranch;
  }
  for (const ancestor of ancestry(repo, sha)) {
    const pinned = repo.contents[ancestor]?.[path];
    if (pinned !== undefined) return pinned;
    const commit = repo.commits[ancestor];
    for (const change of commit?.files ?? []) {
      if (change.status === 'renamed' && change.previous_filename === path) return undefined;
      if (change.filename !== path) continue;
      if (change.status === 'removed') return undefined;
      if (change.content !== undefined) return change.content;
    }
  }
  return undefined;
}
