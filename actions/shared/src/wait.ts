// The wait step: read the approvals from each chosen source, learn about the approvers, let the core
// decide, keep the request issue current, until the decision is final or time runs out. The change
// and policy are fixed by base and head, so they are read once; only approvals are polled, and
// polls of unchanged lists are 304s that cost no rate limit.
import { setTimeout as sleep } from 'node:timers/promises';
import * as core from '@actions/core';
import { ConfigurationError, decide, isConfigurationError, type Approval, type Decision } from '@countersign/core';
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

/**
 * The wait's sense of time. The system clock in every run; a bench passes a simulated one to show
 * what an hour of polling costs without waiting an hour. No action input reaches it.
 */
export interface WaitClock {
  now(): number;
  sleep(ms: number): Promise<void>;
}

export const SYSTEM_CLOCK: WaitClock = { now: () => Date.now(), sleep: (ms) => sleep(ms) };

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
  clock: WaitClock;
  /** The body last written without its time, and the time it shows. */
  shown: { text: string; at: string } | null;
}

export async function waitForApproval(
  client: GitHubClient,
  runner: Runner,
  inputs: WaitStepInputs,
  known?: Judged,
  clock: WaitClock = SYSTEM_CLOCK,
): Promise<WaitOutcome> {
  const judged = known ?? (await judge(client, runner, inputs));
  const issue =
    inputs.requestId === null
      ? { requestedAt: new Date(clock.now()).toISOString(), closed: false }
      : await requestFacts(client, runner, inputs.requestId);
  const { requestedAt } = issue;
  const directory = createDirectory({ client, owner: runner.owner, repo: runner.repo, roles: judged.policy.roles });
  const poll: Poll = { client, runner, inputs, judged, requestedAt, directory, clock, shown: null };
  const deadline = clock.now() + inputs.timeoutMs;
  let last = '';
  let decision: Decision | null = null;
  for (;;) {
    try {
      decision = await pollOnce(poll, issue);
    } catch (error) {
      // One bad poll in hours of waiting must not end the wait: the next poll asks again. Only
      // what GitHub may answer differently a moment later is forgiven, and never past the deadline.
      if (!transient(error) || clock.now() + inputs.pollMs > deadline) throw error;
      core.warning(`A poll failed and is tried again in ${inputs.pollMs / 1000} s: ${messageOf(error)}`);
      await clock.sleep(inputs.pollMs);
      continue;
    }
    const line = progress(decision);
    if (line !== last) core.info(line);
    last = line;
    if (decision.status !== 'pending' || clock.now() + inputs.pollMs > deadline) break;
    await clock.sleep(inputs.pollMs);
  }
  if (inputs.requestId !== null)
    await closeWithDecision({ ...target(poll), number: inputs.requestId, decision, body: bodyFor(poll, decision) });
  return { decision, status: decision.status === 'pending' ? 'timed-out' : decision.status };
}

async function pollOnce(poll: Poll, issue: { closed: boolean }): Promise<Decision> {
  const { inputs } = poll;
  const decision = await decideOnce(poll);
  if (inputs.requestId === null && decision.status === 'pending')
    throw new ConfigurationError({
      message: "input request-id is empty, but this change needs approval: pass the request step's request-id output",
    });
  // A final decision's body goes with the close, in one write.
  if (inputs.requestId !== null && decision.status === 'pending') await keepCurrent(poll, inputs.requestId, decision);
  // After keepCurrent, which has checked that the issue is this request's: a wrong request-id must
  // not reopen somebody else's issue.
  if (inputs.requestId !== null && issue.closed && decision.status === 'pending') {
    await reopen(poll, inputs.requestId);
    issue.closed = false;
  }
  return decision;
}

/** No answer, a server error or a rate limit: GitHub may well answer the same request a moment later. */
function transient(error: unknown): boolean {
  if (!(error instanceof Error) || isConfigurationError(error)) return false;
  const status = statusOf(error);
  if (status === null) return error.name === 'GitHubApiError';
  return status >= 500 || status === 429 || (status === 403 && /rate limit/i.test(error.message));
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
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

/**
 * When the request was made (approvals given before it are discounted by the core), and whether an
 * earlier attempt closed it.
 */
async function requestFacts(
  client: GitHubClient,
  runner: Runner,
  number: number,
): Promise<{ requestedAt: string; closed: boolean }> {
  const { data } = await client.request('GET /repos/{owner}/{repo}/issues/{issue_number}', {
    owner: runner.owner,
    repo: runner.repo,
    issue_number: number,
  });
  return { requestedAt: data.created_at, closed: data.state === 'closed' };
}

/**
 * A re-run after a timeout finds the request its first attempt closed. Waiting on a closed issue
 * would hide the request from the people who must act on it, and a second issue for the same head
 * would split its history (and its approvals) in two; so the same issue is opened again, and the
 * approvals already on it, including any given after the timeout, count as before.
 */
async function reopen({ client, runner }: Poll, number: number): Promise<void> {
  await client.request('PATCH /repos/{owner}/{repo}/issues/{issue_number}', {
    owner: runner.owner,
    repo: runner.repo,
    issue_number: number,
    state: 'open',
  });
  core.info(`Request #${number} was closed by an earlier attempt; reopened it to wait for approvals again.`);
}

async function decideOnce(poll: Poll): Promise<Decision> {
  const { approvals, notes } = await collect(poll);
  const enriched = await poll.directory.enrich(approvals);
  const decision = decide({
    policy: poll.judged.policy,
    change: { ...poll.judged.change, requested_at: poll.requestedAt },
    approvals: enriched.approvals,
    at: new Date(poll.clock.now()),
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
  await updateRequestIssue({ ...target(poll), number, body: bodyFor(poll, decision) });
}

/**
 * The body says when the decision last changed, not when it was last looked at: a time that moved
 * with every poll would rewrite the issue every poll, each write (and the 200 that the next read of
 * the issue then gets instead of a 304) spending rate limit while nothing happens.
 */
function bodyFor(poll: Poll, decision: Decision): string {
  const stable = render(poll, decision, '');
  if (poll.shown?.text !== stable) poll.shown = { text: stable, at: decision.classification.at };
  return render(poll, decision, poll.shown.at);
}

function render(poll: Poll, decision: Decision, at: string): string {
  return renderRequestBody({
    classification: { ...decision.classification, at },
    change: { head: poll.judged.head, base: poll.judged.base, commits: poll.judged.change.commits },
    subjectDigest: poll.inputs.subjectDigest,
    environment: poll.inputs.environment,
    decision,
    howToApprove: { sources: poll.inputs.sources },
  });
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
