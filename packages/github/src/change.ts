// The change being deployed, in the core's shape: commits and files from the compare API, or from
// the local checkout when GitHub's answer is cut short, and the pull requests the commits came in.
import type { Change, Commit } from '@countersign/core';
import { ConfigurationError, isConfigurationError } from '@countersign/core';
import { readChange } from '@countersign/git';
import type { GitHubClient } from './client.js';
import { compare, COMPARE_COMMIT_LIMIT, COMPARE_FILE_LIMIT, type Comparison } from './compare.js';
import { pullRequestsOf } from './pulls.js';

export interface GatherChangeOptions {
  client: GitHubClient;
  owner: string;
  repo: string;
  /** A sha or ref: what is deployed now (see defaultBase). */
  base: string;
  /** A sha or ref: what is about to be deployed. */
  head: string;
  environment: string | null;
  /** `github.triggering_actor`: the person who started this attempt, not the run's first actor. */
  triggeringActor: string | null;
  branch?: string | null;
  /** A checkout to read the change from when the compare API cannot give all of it. */
  localGitCwd?: string | null;
  /** Labels given for the change itself (pull request labels are gathered separately). */
  labels?: readonly string[];
}

export async function gatherChange(options: GatherChangeOptions): Promise<Change> {
  const target = { client: options.client, owner: options.owner, repo: options.repo };
  const comparison = await compare(target, options.base, options.head);
  const { commits, files } =
    comparison.truncated === null ? comparison : await fromLocalGit(options.localGitCwd ?? null, comparison);
  const pullRequests = await pullRequestsOf(
    target,
    commits.map((commit) => commit.sha),
  );
  return {
    repository: `${options.owner}/${options.repo}`,
    environment: options.environment,
    branch: options.branch ?? null,
    base: comparison.base,
    head: comparison.head,
    labels: [...(options.labels ?? [])],
    files,
    commits,
    pull_requests: pullRequests,
    triggering_actor: options.triggeringActor,
  };
}

async function fromLocalGit(cwd: string | null, comparison: Comparison): Promise<Pick<Change, 'commits' | 'files'>> {
  if (cwd === null) throw tooLarge(comparison, 'no local checkout was given');
  let local: Change;
  try {
    local = await readChange({ cwd, base: comparison.base, head: comparison.head, withPatches: true });
  } catch (error) {
    if (isConfigurationError(error))
      throw tooLarge(comparison, `the local checkout cannot supply it: ${error.message}`);
    throw error;
  }
  return { commits: withLogins(local.commits, comparison.commits), files: local.files };
}

/**
 * git knows emails, GitHub knows the accounts behind them: where the compare API did return a
 * commit, its author and committer logins are kept on the commit read from git.
 */
function withLogins(commits: readonly Commit[], known: readonly Commit[]): Commit[] {
  const bySha = new Map(known.map((commit) => [commit.sha, commit]));
  return commits.map((commit) => {
    const github = bySha.get(commit.sha);
    if (github === undefined) return commit;
    return {
      ...commit,
      author: { ...commit.author, login: github.author.login ?? commit.author.login ?? null },
      committer: { ...commit.committer, login: github.committer.login ?? commit.committer.login ?? null },
    };
  });
}

function tooLarge(comparison: Comparison, why: string): ConfigurationError {
  return new ConfigurationError({
    message:
      `the change ${comparison.base.slice(0, 12)}...${comparison.head.slice(0, 12)} is too large for GitHub's ` +
      `compare API (${comparison.truncated ?? 'cut short'}; it answers with at most ${COMPARE_FILE_LIMIT} files ` +
      `and ${COMPARE_COMMIT_LIMIT} commits), and ${why}. Check out the repository with its history ` +
      '(actions/checkout with `fetch-depth: 0`) so that the change is read from git; a truncated change is never decided on.',
  });
}
