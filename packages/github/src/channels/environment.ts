// Decisions given through GitHub's own environment protection (required reviewers) for this run,
// so that Countersign's separation of duties applies on top of GitHub's reviewer list.
import type { Approval } from '@countersign/core';
import type { GitHubClient } from '../client.js';
import { accountType, type ChannelResult } from './types.js';

export const ENVIRONMENT_SOURCE = 'environment';

export interface EnvironmentApprovalOptions {
  client: GitHubClient;
  owner: string;
  repo: string;
  runId: number;
  environment: string;
  /** The run's head sha: an environment approval approves this run, so this commit. */
  head: string;
  /**
   * GitHub records no time on an environment approval. When the caller knows a time every
   * approval of this run must follow (when the job waiting on the environment was queued), that
   * lower bound is used as its time; otherwise it has none, and the core cannot count it.
   */
  givenAfter?: string | null;
}

/** The fields of an entry in GitHub's environment approval log that this channel reads. */
interface EnvironmentApproval {
  state: string;
  user: { login: string; type?: string } | null;
  environments: Array<{ name?: string }>;
  comment?: string | null;
}

const DECISIONS: Record<string, Approval['decision']> = { approved: 'approve', rejected: 'reject' };

export async function readEnvironmentApprovals(options: EnvironmentApprovalOptions): Promise<ChannelResult> {
  const { client, owner, repo, runId } = options;
  const response = await client.request('GET /repos/{owner}/{repo}/actions/runs/{run_id}/approvals', {
    owner,
    repo,
    run_id: runId,
  });
  const records: EnvironmentApproval[] = response.data;
  const wanted = options.environment.toLowerCase();
  const approvals = records.flatMap((record) => {
    const decision = DECISIONS[record.state.toLowerCase()];
    const here = record.environments.some((environment) => environment.name?.toLowerCase() === wanted);
    return decision !== undefined && here ? [approvalOf(record, decision, options)] : [];
  });
  const notes = approvals.some((approval) => approval.at === null)
    ? [
        'GitHub records no time for environment approvals and none was known for this run; they cannot be shown to follow the request.',
      ]
    : [];
  return { approvals, notes };
}

function approvalOf(
  record: EnvironmentApproval,
  decision: Approval['decision'],
  options: EnvironmentApprovalOptions,
): Approval {
  return {
    login: record.user?.login ?? null,
    type: accountType(record.user?.type),
    decision,
    at: recordTime(record) ?? options.givenAfter ?? null,
    edited_at: null,
    sha: options.head,
    source: ENVIRONMENT_SOURCE,
    url: null,
    reason: record.comment?.trim() || null,
  };
}

/** A time on the record itself, should the server give one (GitHub's schema has none today). */
function recordTime(record: EnvironmentApproval): string | null {
  const extra = record as EnvironmentApproval & { submitted_at?: unknown; created_at?: unknown };
  for (const value of [extra.submitted_at, extra.created_at])
    if (typeof value === 'string' && value !== '') return value;
  return null;
}
