// The wait step: read the approvals from each chosen source, learn about the approvers, let the core
// decide, keep the request issue current, until the decision is final or time runs out. The change
// and policy are fixed by base and head, so they are read once; only approvals are polled, and
// polls of unchanged lists are 304s that cost no rate limit.
import { setTimeout as sleep } from 'node:timers/promises';
import * as core from '@actions/core';
import { ConfigurationError, decide, type Approval, type Decision } from '@countersign/core';
import {
  closeWithDecision,
  createDirectory,
  readEnvironmentApprovals,
  readIssueCommentApprovals,
  readReviewApprovals,
  statusOf,
  renderRequestBody,
  updateRequestIssue,
  type ApprovalSourceName,
  type ChannelResult,
  type GitHubClient,
} from '@countersign/github';
import { judge, type Judged, type Subject } from './context.js';
import type { Runner } from './runner.js';

export interface WaitStepInputs extends Subject {
  /** The request issue's number; null when the request needed no approval. */
  requestId: number | null;
  subjectDigest: string | null;
  tokenLogin: string;
  sources: readonly ApprovalSourceName[];
  timeoutMs: number;
  pollMs: number;
}

export type WaitStatus = 'approved' | 'rejected' | 'frozen' | 'timed-out';

export interface WaitOutcome {
  decision: Decision;
  status: WaitStatus;
}

interface Poll {
  client: GitHubClient;
  runner: Runner;
  inputs: WaitStepInputs;
  judged: Judged;
  requestedAt: string;
  directory: ReturnType<typeof createDirectory>;
}

export async function waitForApproval(
  client: GitHubClient,
  runner: Runner,
  inputs: WaitStepInputs,
  known?: Judged,
): Promise<WaitOutcome> {
  const judged = known ?? (await judge(client, runner, inputs));
  const requestedAt =
    inputs.requestId === null ? new Date().toISOString() : await openedAt(client, runner, inputs.requestId);
  const directory = createDirectory({ client, owner: runner.owner, repo: runner.repo, roles: judged.policy.roles });
  const poll: Poll = { client, runner, inputs, judged, requestedAt, directory };
  const deadline = Date.now() + inputs.timeoutMs;
  let last = '';
  let decision: Decision;
  for (;;) {
    decision = await decideOnce(poll);
    if (inputs.requestId === null && decision.status === 'pending')
      throw new ConfigurationError({
        message: "input request-id is empty, but this change needs approval: pass the request step's request-id output",
      });
    if (inputs.requestId !== null) await keepCurrent(poll, inputs.requestId, decision);
    const line = progress(decision);
    if (line !== last) core.info(line);
    last = line;
    if (decision.status !== 'pending' || Date.now() + inputs.pollMs > deadline) break;
    await sleep(inputs.pollMs);
  }
  if (inputs.requestId !== null) await closeWithDecision({ ...target(poll), number: inputs.requestId, decision });
  return { decision, status: decision.status === 'pending' ? 'timed-out' : decision.status };
}

function target({ client, runner, inputs, judged }: Poll) {
  return {
    client,
    owner: runner.owner,
    repo: runner.repo,
    environment: inputs.environment,
    head: judged.head,
    actorLogin: inputs.tokenLogin,
  };
}

/** When the request was made: approvals given before it are discounted by the core. */
async function openedAt(client: GitHubClient, runner: Runner, number: number): Promise<string> {
  const { data } = await client.request('GET /repos/{owner}/{repo}/issues/{issue_number}', {
    owner: runner.owner,
    repo: runner.repo,
    issue_number: number,
  });
  return data.created_at;
}

async function decideOnce(poll: Poll): Promise<Decision> {
  const { approvals, notes } = await collect(poll);
  const enriched = await poll.directory.enrich(approvals);
  const decision = decide({
    policy: poll.judged.policy,
    change: { ...poll.judged.change, requested_at: poll.requestedAt },
    approvals: enriched.approvals,
    at: new Date(),
    environment: poll.inputs.environment,
    trustedPaths: poll.judged.trustedPaths,
  });
  decision.notes.push(...new Set([...notes, ...enriched.notes]));
  return decision;
}

async function collect({ client, runner, inputs, judged }: Poll): Promise<ChannelResult> {
  const { owner, repo } = runner;
  const reads: Array<Promise<ChannelResult>> = [];
  const skipped: string[] = [];
  for (const source of inputs.sources) {
    if (source === 'issue-comments' && inputs.requestId !== null)
      reads.push(readIssueCommentApprovals({ client, owner, repo, issueNumber: inputs.requestId, head: judged.head }));
    if (source === 'pull-request-reviews')
      reads.push(
        readReviewApprovals({ client, owner, repo, pullNumbers: judged.change.pull_requests.map((p) => p.number) }),
      );
    if (source === 'environment') {
      if (runner.runId === null) skipped.push('Environment approvals were not read: GITHUB_RUN_ID is not set.');
      else
        reads.push(
          refusedAsNote(
            readEnvironmentApprovals({
              client,
              owner,
              repo,
              runId: runner.runId,
              environment: inputs.environment,
              head: judged.head,
            }),
            'Environment approvals',
            'actions: read',
          ),
        );
    }
  }
  const results = await Promise.all(reads);
  const approvals: Approval[] = results.flatMap((r) => r.approvals);
  return { approvals, notes: [...skipped, ...results.flatMap((r) => r.notes)] };
}

/**
 * A source the token may not read (403, or 404 as GitHub answers for private resources) adds
 * nothing and says what the token lacks: its approvals then simply do not count, which is safe,
 * while failing the whole wait would make an optional source a hard requirement.
 */
async function refusedAsNote(read: Promise<ChannelResult>, what: string, permission: string): Promise<ChannelResult> {
  try {
    return await read;
  } catch (error) {
    const status = statusOf(error);
    if (status !== 403 && status !== 404) throw error;
    return {
      approvals: [],
      notes: [`${what} could not be read (HTTP ${status}); the token needs \`${permission}\`. None of them counted.`],
    };
  }
}

async function keepCurrent(poll: Poll, number: number, decision: Decision): Promise<void> {
  const body = renderRequestBody({
    classification: decision.classification,
    change: { head: poll.judged.head, base: poll.judged.base, commits: poll.judged.change.commits },
    subjectDigest: poll.inputs.subjectDigest,
    environment: poll.inputs.environment,
    decision,
    howToApprove: { sources: poll.inputs.sources },
  });
  await updateRequestIssue({ ...target(poll), number, body });
}

function progress(d: Decision): string {
  const counted = d.approvers.length > 0 ? d.approvers.join(', ') : 'nobody yet';
  const missing = [
    ...(d.missing.approvals > 0 ? [`${d.missing.approvals} more approval(s)`] : []),
    ...d.missing.roles.map((r) => `${r.count} from ${r.role}`),
  ];
  const discounted = d.discounted.map((x) => `${x.login ?? x.email ?? '?'} (${x.reason})`);
  return (
    `${d.status}: counted ${counted}` +
    (missing.length > 0 ? `; missing ${missing.join(', ')}` : '') +
    (discounted.length > 0 ? `; discounted ${discounted.join(', ')}` : '')
  );
}
