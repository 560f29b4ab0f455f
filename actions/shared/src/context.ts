// The facts both steps judge by, fixed once base and head are known: the change between them and
// the policy as it is at the base (never at the head being approved, SPEC "Trusted inputs").
import { ConfigurationError, DEFAULT_TRUSTED_PATHS, loadPolicy, type Change, type Policy } from '@countersign/core';
import { defaultBase, gatherChange, resolveSha, readTrustedFile, type GitHubClient } from '@countersign/github';
import type { Runner } from './runner.js';

export interface Subject {
  environment: string;
  /** Repository path of the policy, read at the base. */
  policyPath: string;
  /** As given; null means "what is deployed now, else the pull request's base". */
  base: string | null;
  head: string;
  labels: readonly string[];
}

export interface Judged {
  base: string;
  head: string;
  change: Change;
  policy: Policy;
  trustedPaths: string[];
}

export async function judge(client: GitHubClient, runner: Runner, subject: Subject): Promise<Judged> {
  const target = { client, owner: runner.owner, repo: runner.repo };
  const head = await resolveSha(target, subject.head);
  const base = subject.base ?? (await baseFor(client, runner, subject.environment));
  const change = await gatherChange({
    ...target,
    base,
    head,
    environment: subject.environment,
    triggeringActor: runner.triggeringActor,
    branch: runner.branch,
    localGitCwd: runner.checkout,
    labels: subject.labels,
  });
  const text = await readTrustedFile({
    ...target,
    ref: change.base ?? base,
    path: subject.policyPath,
    localGitCwd: runner.checkout,
  });
  if (text === null)
    throw new ConfigurationError({
      message:
        `input policy: ${subject.policyPath} does not exist at the base ${base}. The policy is read from the base, ` +
        'so a change cannot bring its own rules: merge the policy first, or set the base input to a commit that has it.',
    });
  const policy = loadPolicy(text, `${(change.base ?? base).slice(0, 12)}:${subject.policyPath}`);
  return {
    base: change.base ?? base,
    head: change.head ?? head,
    change,
    policy,
    trustedPaths: [...new Set([...DEFAULT_TRUSTED_PATHS, subject.policyPath])],
  };
}

async function baseFor(client: GitHubClient, runner: Runner, environment: string): Promise<string> {
  const found = await defaultBase({
    client,
    owner: runner.owner,
    repo: runner.repo,
    environment,
    prBase: runner.pullRequestBase,
  });
  if (found === null)
    throw new ConfigurationError({
      message:
        `input base is empty, no deployment to ${environment} has succeeded yet and this run is not for a pull request, ` +
        'so there is nothing to compare against: set base to the commit currently deployed (or the first commit for a first deployment).',
    });
  return found;
}
