// Reading an environment's deployment history for a rollback (issue 7): the last known good to
// restore, the deployment that failed, and whether a rollback was already made, so that a re-run
// never rolls back twice and a rollback is never rolled back.
import type { Statement } from '@countersign/core';
import type { GitHubClient } from '../client.js';
import { explained, type CallContext } from './errors.js';
import {
  ROLLBACK_TASK,
  attestedDigest,
  deploymentInfo,
  newestFirst,
  payloadDigest,
  sameEnvironment,
  standing,
  type DeploymentInfo,
  type RawDeployment,
} from './shape.js';

/** GitHub's largest page. */
const MAX_PER_PAGE = 100;
/**
 * Deployments examined before giving up. Each costs a request for its statuses, and a known good
 * further back than this is too old to restore blindly; the caller then fails loudly.
 */
const DEFAULT_MAX_DEPLOYMENTS = 500;

export interface KnownGoodOptions {
  owner: string;
  repo: string;
  environment: string;
  /**
   * The deployment being rolled back: never its own known good, and deployments after it are not
   * either. Without it there is no cut-off, and a deployment made after the failed one can be
   * returned: a caller rolling back must pass it (the rollback action refuses to look up without it).
   */
  currentDeploymentId?: number | null | undefined;
  /** The commit being rolled back: a deployment of the same commit cannot restore anything. */
  currentSha?: string | null | undefined;
  /** Approval attestations whose signatures the caller has verified; the digest falls back to them. */
  verifiedAttestations?: readonly Statement[] | undefined;
  /** Deployments per listed page (at most 100, the default). */
  perPage?: number | undefined;
  /** Deployments examined before giving up (default 500). */
  maxDeployments?: number | undefined;
  /** Told, newest first, why each deployment passed over is not the known good; for progress and the record. */
  explain?: ((line: string) => void) | undefined;
}

export interface KnownGood {
  deploymentId: number;
  sha: string;
  ref: string;
  /** `sha256:<64 hex>`, or null when neither the payload nor a verified attestation names one. */
  digest: string | null;
  source: 'payload' | 'attestation' | null;
  /** Digests seen but not trusted (a malformed payload digest, attestations that disagree). */
  notes: string[];
}

/**
 * The newest deployment to the environment, older than the current one, that succeeded and was not
 * failed afterwards; transient environments and failed rollbacks are passed over. Null when there
 * is none within `maxDeployments`: the caller fails loudly rather than guessing.
 */
export async function findLastKnownGood(client: GitHubClient, options: KnownGoodOptions): Promise<KnownGood | null> {
  const { owner, repo, environment } = options;
  const explain = options.explain ?? (() => undefined);
  const limit = options.maxDeployments ?? DEFAULT_MAX_DEPLOYMENTS;
  const context: CallContext = { owner, repo, environment };
  // Deployments some rollback undid, by the rollback's id. A rollback is made after what it undoes,
  // so newest first it is met before its target: the target is passed over even when marking it
  // failed did not happen (an older tool, a write that failed).
  const undoneBy = new Map<number, number>();
  let examined = 0;
  for await (const deployment of listDeployments(client, context, { environment }, options.perPage)) {
    if (examined++ >= limit) {
      explain(`gave up after the newest ${limit} deployments to ${JSON.stringify(environment)}`);
      return null;
    }
    if (deployment.rollbackOf !== null && !undoneBy.has(deployment.rollbackOf)) {
      undoneBy.set(deployment.rollbackOf, deployment.id);
    }
    const rolledBack = undoneBy.get(deployment.id);
    const passedOver =
      cheapReason(deployment, options) ?? (rolledBack === undefined ? null : `deployment ${rolledBack} rolled it back`);
    const reason = passedOver ?? (await standingReason(client, context, deployment));
    if (reason !== null) {
      explain(`deployment ${deployment.id} (${short(deployment.sha)}) is not the known good: ${reason}`);
      continue;
    }
    return knownGood(deployment, options);
  }
  return null;
}

/** Reasons that need no request, checked first because every status look-up costs one. */
function cheapReason(deployment: DeploymentInfo, options: KnownGoodOptions): string | null {
  const current = options.currentDeploymentId ?? null;
  if (!sameEnvironment(deployment.environment, options.environment))
    return `it went to ${JSON.stringify(deployment.environment)}`;
  if (current !== null && deployment.id === current) return 'it is the current deployment';
  // Ids grow with creation. A deployment made after the current one was not running before it, so
  // putting it back would not undo the current change; the known good is what preceded it.
  if (current !== null && deployment.id > current) return 'it was made after the current deployment';
  const sha = options.currentSha?.toLowerCase();
  if (sha !== undefined && deployment.sha.toLowerCase() === sha) return 'it deploys the commit being rolled back';
  if (deployment.transient) return 'its environment is transient';
  return null;
}

async function standingReason(
  client: GitHubClient,
  context: CallContext,
  deployment: DeploymentInfo,
): Promise<string | null> {
  const statuses = await explained(`read the statuses of deployment ${deployment.id}`, context, 'read', () =>
    client.paginate('GET /repos/{owner}/{repo}/deployments/{deployment_id}/statuses', {
      owner: context.owner,
      repo: context.repo,
      deployment_id: deployment.id,
      per_page: MAX_PER_PAGE,
    }),
  );
  const kind = deployment.isRollback ? 'a rollback that' : 'it';
  switch (standing(statuses)) {
    case 'good':
      return null;
    case 'undone':
      return `${kind} was marked failed after it had succeeded`;
    case 'failed':
      return `${kind} failed`;
    case 'never-succeeded':
      return `${kind} has not succeeded (no success status)`;
  }
}

function knownGood(deployment: DeploymentInfo, options: KnownGoodOptions): KnownGood {
  const found = { deploymentId: deployment.id, sha: deployment.sha, ref: deployment.ref };
  const notes: string[] = [];
  const fromPayload = payloadDigest(deployment.payload);
  const fromAttestation = attestedDigest(options.verifiedAttestations ?? [], deployment.sha, options.environment);
  // Anyone with deployments: write can set a payload; signed evidence for the same commit outranks it.
  if (fromPayload.digest !== null && fromAttestation.digest !== null && fromPayload.digest !== fromAttestation.digest)
    notes.push(
      `deployment ${deployment.id}: its payload names ${fromPayload.digest}, but the verified approval of ${short(deployment.sha)} names ${fromAttestation.digest}; the approval is trusted`,
    );
  else if (fromPayload.digest !== null) return { ...found, digest: fromPayload.digest, source: 'payload', notes };
  if (fromPayload.digest === null && fromPayload.problem !== null)
    notes.push(`deployment ${deployment.id}: ${fromPayload.problem}; not trusted`);
  if (fromAttestation.digest !== null) {
    return { ...found, digest: fromAttestation.digest, source: 'attestation', notes };
  }
  if (fromAttestation.problem !== null) notes.push(`commit ${short(deployment.sha)}: ${fromAttestation.problem}`);
  return { ...found, digest: null, source: null, notes };
}

export interface CurrentDeploymentOptions {
  owner: string;
  repo: string;
  environment: string;
  sha: string;
}

/** The newest deployment of `sha` to the environment (the one a failed probe condemns), or null. */
export async function findCurrentDeployment(
  client: GitHubClient,
  options: CurrentDeploymentOptions,
): Promise<DeploymentInfo | null> {
  const { owner, repo, environment, sha } = options;
  const context: CallContext = { owner, repo, environment };
  for await (const deployment of listDeployments(client, context, { environment, sha })) {
    if (sameEnvironment(deployment.environment, environment)) return deployment;
  }
  return null;
}

export interface GetDeploymentOptions {
  owner: string;
  repo: string;
  deploymentId: number;
  /** For messages only. */
  environment?: string | undefined;
}

/** One deployment by id, e.g. the current one when the deploy step reported its id. */
export async function getDeployment(client: GitHubClient, options: GetDeploymentOptions): Promise<DeploymentInfo> {
  const { owner, repo, deploymentId } = options;
  const response = await explained(
    `read deployment ${deploymentId}`,
    { owner, repo, environment: options.environment },
    'read',
    () =>
      client.request('GET /repos/{owner}/{repo}/deployments/{deployment_id}', {
        owner,
        repo,
        deployment_id: deploymentId,
      }),
  );
  return deploymentInfo(response.data);
}

export interface RollbackOfOptions {
  owner: string;
  repo: string;
  environment: string;
  failedDeploymentId: number;
}

/**
 * The rollback deployment an earlier attempt made for `failedDeploymentId`, whatever became of it.
 * Listed by task only: deployment ids are unique across environments, and an environment filter
 * would miss a rollback recorded under a differently cased name, which would mean rolling back twice.
 */
export async function findRollbackOf(client: GitHubClient, options: RollbackOfOptions): Promise<DeploymentInfo | null> {
  const { owner, repo, environment, failedDeploymentId } = options;
  for await (const deployment of listDeployments(client, { owner, repo, environment }, { task: ROLLBACK_TASK })) {
    if (deployment.rollbackOf === failedDeploymentId) return deployment;
  }
  return null;
}

/** True when a rollback of `failedDeploymentId` exists already: a re-run must not roll back twice. */
export async function rollbackAlreadyDone(client: GitHubClient, options: RollbackOfOptions): Promise<boolean> {
  return (await findRollbackOf(client, options)) !== null;
}

/** Deployments newest first, page by page, so a search that ends early reads no further. */
async function* listDeployments(
  client: GitHubClient,
  context: CallContext,
  filters: { environment?: string; sha?: string; task?: string },
  perPage = MAX_PER_PAGE,
): AsyncGenerator<DeploymentInfo> {
  const pages = client.paginate.iterator('GET /repos/{owner}/{repo}/deployments', {
    owner: context.owner,
    repo: context.repo,
    ...filters,
    per_page: Math.min(Math.max(1, perPage), MAX_PER_PAGE),
  });
  const iterator = pages[Symbol.asyncIterator]();
  for (;;) {
    const next = await explained('list deployments', context, 'read', () => iterator.next());
    if (next.done === true) return;
    for (const raw of newestFirst<RawDeployment>(next.value.data)) yield deploymentInfo(raw);
  }
}

function short(sha: string): string {
  return sha.slice(0, 7);
}
