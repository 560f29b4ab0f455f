// The request step: judge the change, and when anyone must approve it, open (or find again) the one
// request issue for this repository, environment and head.
import { classify, type Classification } from '@countersign/core';
import {
  findOrOpenRequestIssue,
  renderRequestBody,
  type ApprovalSourceName,
  type GitHubClient,
  type RequestIssue,
} from '@countersign/github';
import { judge, type Judged, type Subject } from './context.js';
import type { Runner } from './runner.js';

export interface RequestStepInputs extends Subject {
  subjectDigest: string | null;
  /** The login the token acts as; only issues it opened are trusted as request issues. */
  tokenLogin: string;
  /** The sources the wait step will read, so the issue explains only those. */
  sources: readonly ApprovalSourceName[];
}

export type RequestStatus = 'approved' | 'pending' | 'frozen';

export interface RequestOutcome {
  judged: Judged;
  classification: Classification;
  /** Null when no approval is needed or the environment is frozen: nobody is asked. */
  issue: RequestIssue | null;
  status: RequestStatus;
}

export function nothingRequired(c: Classification): boolean {
  return c.required.approvals === 0 && c.required.roles.length === 0;
}

export async function requestApproval(
  client: GitHubClient,
  runner: Runner,
  inputs: RequestStepInputs,
  now: Date,
): Promise<RequestOutcome> {
  const judged = await judge(client, runner, inputs);
  const classification = classify(judged.policy, judged.change, {
    environment: inputs.environment,
    at: now,
    trustedPaths: judged.trustedPaths,
  });
  if (classification.frozen) return { judged, classification, issue: null, status: 'frozen' };
  if (nothingRequired(classification)) return { judged, classification, issue: null, status: 'approved' };
  const body = renderRequestBody({
    classification,
    change: { head: judged.head, base: judged.base, commits: judged.change.commits },
    subjectDigest: inputs.subjectDigest,
    environment: inputs.environment,
    howToApprove: { sources: inputs.sources },
  });
  const issue = await findOrOpenRequestIssue({
    client,
    owner: runner.owner,
    repo: runner.repo,
    environment: inputs.environment,
    head: judged.head,
    actorLogin: inputs.tokenLogin,
    title: `Approve deployment of ${judged.head.slice(0, 7)} to ${inputs.environment} (${classification.risk} risk)`,
    body,
  });
  return { judged, classification, issue, status: 'pending' };
}
