// The policy as it is today on the default branch: what verify re-decides under, where the
// promotion order and the rollback rules come from. Never the checkout, which is the change at hand.
import { loadPolicy, type Policy } from '@countersign/core';
import { readTrustedFile, type GitHubClient } from '@countersign/github';
import type { Runner } from './runner.js';
import { DEFAULT_POLICY } from './subject-inputs.js';

/** Null when there is no such file; a policy that does not load throws its ConfigurationError. */
export async function todaysPolicy(
  client: GitHubClient,
  runner: Runner,
  path: string = DEFAULT_POLICY,
): Promise<Policy | null> {
  const text = await readTrustedFile({ client, owner: runner.owner, repo: runner.repo, ref: null, path });
  return text === null ? null : loadPolicy(text, `default branch:${path}`);
}
