// The pull requests a change's commits came through: their authors are participants (SPEC section
// 2) and their labels feed rules and break-glass.
import type { PullRequest } from '@countersign/core';
import type { GitHubClient } from './client.js';
import { mapLimit } from './limit.js';

const CONCURRENCY = 4;

interface Target {
  client: GitHubClient;
  owner: string;
  repo: string;
}

/** Every pull request associated with any of the commits, once each, in order of first sight. */
export async function pullRequestsOf(target: Target, shas: readonly string[]): Promise<PullRequest[]> {
  const perCommit = await mapLimit(shas, CONCURRENCY, (sha) => pullsOfCommit(target, sha));
  const byNumber = new Map<number, PullRequest>();
  for (const pulls of perCommit)
    for (const pull of pulls) if (!byNumber.has(pull.number)) byNumber.set(pull.number, pull);
  return [...byNumber.values()];
}

async function pullsOfCommit({ client, owner, repo }: Target, sha: string): Promise<PullRequest[]> {
  const pulls = await client.paginate('GET /repos/{owner}/{repo}/commits/{commit_sha}/pulls', {
    owner,
    repo,
    commit_sha: sha,
    per_page: 100,
  });
  return pulls.map((pull) => ({
    number: pull.number,
    // GitHub shows a deleted account as "ghost"; an empty author names no participant.
    author: pull.user?.login ?? '',
    labels: pull.labels.flatMap((label) => (typeof label.name === 'string' ? [label.name] : [])),
  }));
}
