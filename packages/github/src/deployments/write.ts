// Writing a rollback into GitHub's deployment history (issue 7): the failed deployment gets status
// `failure`, and the rollback is a deployment of its own (task `deploy:rollback`, payload naming the
// deployment it undoes and the digest it restores) that goes `in_progress`, then `success` or
// `failure`. The payload is what find.ts reads back: `rollback_of` stops a second rollback, and
// `digest` makes the rollback itself a known good with a digest once it succeeds.
import { parseDigest } from '@countersign/core';
import type { GitHubClient } from '../client.js';
import { explained } from './errors.js';
import { findRollbackOf, getDeployment } from './find.js';
import { ROLLBACK_TASK, deploymentInfo, type DeploymentInfo } from './shape.js';

/** GitHub refuses a deployment status description longer than this. */
export const MAX_STATUS_DESCRIPTION = 140;

export interface MarkFailedOptions {
  owner: string;
  repo: string;
  deploymentId: number;
  description: string;
  /** The run's URL, shown on the deployment; null for a local run. */
  logUrl?: string | null | undefined;
  /** For messages only. */
  environment?: string | undefined;
}

/** Sets the failed deployment's status to `failure`, so no later look-up takes it for a known good. */
export async function markDeploymentFailed(client: GitHubClient, options: MarkFailedOptions): Promise<void> {
  await setStatus(client, options, 'failure', `mark deployment ${options.deploymentId} failed`);
}

export interface CreateRollbackOptions {
  owner: string;
  repo: string;
  environment: string;
  /** The known good commit sha being restored. */
  ref: string;
  /** The id of the deployment being rolled back. */
  rollbackOf: number;
  /** The restored artefact, `sha256:<64 hex>`, or null when only the commit is known. */
  digest: string | null;
  description: string;
  logUrl?: string | null | undefined;
}

/** A rollback the guardrails forbid: of a rollback, or of a deployment rolled back already. */
export class RollbackRefusedError extends Error {
  readonly reason: 'is-rollback' | 'already-rolled-back';
  /** The rollback deployment that forbids this one. */
  readonly existing: DeploymentInfo;

  constructor(reason: RollbackRefusedError['reason'], existing: DeploymentInfo, message: string) {
    super(message);
    this.name = 'RollbackRefusedError';
    this.reason = reason;
    this.existing = existing;
  }
}

/**
 * Creates the rollback deployment and sets it `in_progress`. The guardrails are checked here too,
 * where the write happens, so no caller can skip them: the deployment rolled back must not be a
 * rollback itself, nor have one already (a re-run); either throws a RollbackRefusedError.
 * `auto_merge: false` because GitHub would otherwise merge the default branch into a ref and deploy
 * that; `required_contexts: []` because the commit being restored ran before and its checks are not
 * what is in question now.
 */
export async function createRollbackDeployment(
  client: GitHubClient,
  options: CreateRollbackOptions,
): Promise<DeploymentInfo> {
  const { owner, repo, environment } = options;
  // The digest is handed to the user's rollback command and read back as a known good later: a
  // malformed one is a bug in the caller, refused before anything is written.
  const digest = options.digest === null ? null : `sha256:${parseDigest(options.digest, 'digest')}`;
  const context = { owner, repo, environment };
  const failed = await getDeployment(client, { owner, repo, environment, deploymentId: options.rollbackOf });
  if (failed.isRollback) {
    throw new RollbackRefusedError(
      'is-rollback',
      failed,
      `Deployment ${failed.id} to ${JSON.stringify(environment)} is itself a rollback; a rollback is never rolled back`,
    );
  }
  const earlier = await findRollbackOf(client, { owner, repo, environment, failedDeploymentId: failed.id });
  if (earlier !== null) {
    throw new RollbackRefusedError(
      'already-rolled-back',
      earlier,
      `Deployment ${failed.id} to ${JSON.stringify(environment)} was rolled back already by deployment ${earlier.id}; a re-run does not roll back twice`,
    );
  }
  const response = await explained(
    `create the rollback deployment of deployment ${options.rollbackOf}`,
    context,
    'write',
    () =>
      client.request('POST /repos/{owner}/{repo}/deployments', {
        owner,
        repo,
        ref: options.ref,
        task: ROLLBACK_TASK,
        environment,
        payload: { rollback_of: options.rollbackOf, digest },
        description: options.description,
        auto_merge: false,
        required_contexts: [],
      }),
  );
  // 202 is GitHub's "merged the default branch in, ask again", which auto_merge: false rules out.
  if (response.status !== 201 || !('id' in response.data)) {
    const message = 'message' in response.data ? response.data.message : '';
    throw new Error(
      `GitHub did not create the rollback deployment for environment ${JSON.stringify(environment)} of ${owner}/${repo} (status ${response.status}${message ? `: ${message}` : ''})`,
    );
  }
  const deployment = deploymentInfo(response.data);
  await setStatus(
    client,
    { owner, repo, environment, deploymentId: deployment.id, description: options.description, logUrl: options.logUrl },
    'in_progress',
    `start rollback deployment ${deployment.id}`,
  );
  return deployment;
}

export interface FinishRollbackOptions {
  owner: string;
  repo: string;
  deploymentId: number;
  /** Whether the rollback command succeeded and the re-probe passed. */
  ok: boolean;
  logUrl?: string | null | undefined;
  description?: string | undefined;
  environment?: string | undefined;
}

/** Ends the rollback deployment as `success` (it becomes the known good) or `failure` (it never will). */
export async function finishRollbackDeployment(client: GitHubClient, options: FinishRollbackOptions): Promise<void> {
  const description =
    options.description ?? (options.ok ? 'Rollback healthy' : 'Rollback failed: the command or the re-probe failed');
  await setStatus(
    client,
    { ...options, description },
    options.ok ? 'success' : 'failure',
    `finish rollback deployment ${options.deploymentId}`,
  );
}

async function setStatus(
  client: GitHubClient,
  options: MarkFailedOptions,
  state: 'failure' | 'in_progress' | 'success',
  doing: string,
): Promise<void> {
  const { owner, repo, deploymentId } = options;
  await explained(doing, { owner, repo, environment: options.environment }, 'write', () =>
    client.request('POST /repos/{owner}/{repo}/deployments/{deployment_id}/statuses', {
      owner,
      repo,
      deployment_id: deploymentId,
      state,
      description: truncate(options.description, MAX_STATUS_DESCRIPTION),
      ...(options.logUrl ? { log_url: options.logUrl } : {}),
    }),
  );
}

function truncate(text: string, max: number): string {
  const chars = [...text];
  return chars.length <= max ? text : `${chars.slice(0, max - 1).join('')}…`;
}
