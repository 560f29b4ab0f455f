// What GitHub knows about the deployment being watched, and how a rollback is recorded there: the
// failed deployment gets a `failure` status, the rollback is a deployment of its own (task
// deploy:rollback) that goes in_progress → success / failure. The core decides; this only reads and
// writes GitHub's side of it.
import * as core from '@actions/core';
import type { PublicKeyInfo, Statement } from '@countersign/core';
import { openEnvelope } from '@countersign/core/attestation/dsse';
import {
  NoKnownGoodError,
  type ArtefactInput,
  type RestoreTarget,
  type RollbackRecord,
} from '@countersign/core/rollback/index';
import {
  createRollbackDeployment,
  findCurrentDeployment,
  findLastKnownGood,
  findRollbackOf,
  finishRollbackDeployment,
  getDeployment,
  markDeploymentFailed,
  payloadDigest,
  RollbackRefusedError,
  type DeploymentInfo,
  type GitHubClient,
} from '@countersign/github';
import { downloadEvidence, listEvidence } from '../../shared/src/evidence.js';
import type { Runner } from '../../shared/src/runner.js';

export interface Watched {
  deployment: DeploymentInfo | null;
  failed: ArtefactInput;
  /** Why the watched deployment must never be rolled back, or null. */
  isRollback: string | null;
}

/** The deployment being watched: the one named, else the newest of this commit to the environment. */
export async function watched(
  client: GitHubClient,
  runner: Runner,
  environment: string,
  deploymentId: number | null,
): Promise<Watched> {
  const target = { owner: runner.owner, repo: runner.repo, environment };
  const deployment =
    deploymentId !== null
      ? await getDeployment(client, { ...target, deploymentId })
      : runner.sha === null
        ? null
        : await findCurrentDeployment(client, { ...target, sha: runner.sha });
  if (deployment === null) {
    core.warning(
      `No deployment of ${runner.sha ?? 'this commit'} to ${environment} was found: the rollback is not recorded in GitHub's Deployments, only in the record.`,
    );
    return { deployment: null, failed: { sha: runner.sha }, isRollback: null };
  }
  const digest = payloadDigest(deployment.payload);
  return {
    deployment,
    failed: {
      deploymentId: String(deployment.id),
      sha: deployment.sha,
      ref: deployment.ref,
      digest: digest.digest,
    },
    isRollback: deployment.isRollback ? `deployment ${deployment.id} has task ${deployment.task}` : null,
  };
}

/**
 * An earlier attempt's rollback of this deployment, as the core's re-run guard reads it: GitHub's
 * deployment list is what survives between attempts of a run.
 */
export async function priorRollbacks(
  client: GitHubClient,
  runner: Runner,
  environment: string,
  current: DeploymentInfo | null,
): Promise<RollbackRecord[]> {
  if (current === null) return [];
  const earlier = await findRollbackOf(client, {
    owner: runner.owner,
    repo: runner.repo,
    environment,
    failedDeploymentId: current.id,
  });
  if (earlier === null) return [];
  const digest = payloadDigest(earlier.payload).digest;
  const artefact = (d: DeploymentInfo, dg: string | null) => ({
    deployment_id: String(d.id),
    sha: d.sha,
    digest: dg,
    ref: d.ref,
    name: null,
  });
  const reason = `rollback deployment ${earlier.id} of deployment ${current.id} exists already`;
  return [
    {
      _type: 'https://countersign.dev/rollback-record/v1',
      environment,
      started_at: earlier.createdAt,
      finished_at: earlier.createdAt,
      outcome: 'rolled-back',
      failed: artefact(current, payloadDigest(current.payload).digest),
      restored: artefact(earlier, digest),
      restored_from: { kind: 'finder', detail: reason },
      health: {
        status: 'failed',
        reason,
        rounds: 0,
        early: false,
        tallies: [],
        measurements: [],
        started_at: earlier.createdAt,
        finished_at: earlier.createdAt,
      },
      decision: { action: 'rolled-back', reason },
      command: null,
      reprobe: null,
      migration_rules: [],
      actor: null,
      run_url: null,
      previous: null,
    },
  ];
}

// Enough evidence to cover a few weeks of deploys without downloading a repository's history.
const EVIDENCE_TO_READ = 20;

/** Approval statements for the environment whose signatures verify with the given keys. */
async function verifiedApprovals(
  client: GitHubClient,
  runner: Runner,
  token: string,
  environment: string,
  keys: readonly PublicKeyInfo[],
  scratch: string,
): Promise<Statement[]> {
  if (keys.length === 0) return [];
  const statements: Statement[] = [];
  for (const evidence of await listEvidence(client, runner, environment, EVIDENCE_TO_READ)) {
    let text: string;
    try {
      text = (await downloadEvidence(runner, token, evidence, scratch)).text;
    } catch (error) {
      core.warning(`Skipped evidence ${evidence.name}: ${(error as Error).message}`);
      continue;
    }
    for (const line of text.split('\n')) {
      if (line.trim() === '') continue;
      let json: unknown;
      try {
        json = JSON.parse(line);
      } catch {
        continue;
      }
      const opened = openEnvelope(json, keys);
      if (!opened.ok || !opened.verified) continue;
      try {
        statements.push(JSON.parse(opened.payload.toString('utf8')) as Statement);
      } catch {
        continue;
      }
    }
  }
  return statements;
}

/** The restore finder: GitHub's deployment history, with verified attestations for a missing digest. */
export function knownGoodFinder(
  client: GitHubClient,
  runner: Runner,
  options: { token: string; environment: string; current: Watched; keys: readonly PublicKeyInfo[]; scratch: string },
): () => Promise<RestoreTarget | null> {
  return async () => {
    // Without the watched deployment there is no cut-off: a deployment made after the failed one
    // would qualify, and restoring it would not undo anything. Never guess.
    if (options.current.deployment === null)
      throw new NoKnownGoodError(
        `no deployment of ${options.current.failed.sha ?? 'this commit'} to ${options.environment} was found, so what ran before it cannot be told; give deployment-id, or name restore-digest / restore-ref`,
      );
    const statements = await verifiedApprovals(
      client,
      runner,
      options.token,
      options.environment,
      options.keys,
      options.scratch,
    );
    const found = await findLastKnownGood(client, {
      owner: runner.owner,
      repo: runner.repo,
      environment: options.environment,
      currentDeploymentId: options.current.deployment.id,
      currentSha: options.current.failed.sha ?? null,
      verifiedAttestations: statements,
      explain: (line) => core.info(`  known good: ${line}`),
    });
    if (found === null) return null;
    for (const note of found.notes) core.warning(note);
    return {
      // The deployment's ref may be a branch that has moved on since; its commit is what ran.
      artefact: { deploymentId: String(found.deploymentId), sha: found.sha, ref: found.sha, digest: found.digest },
      source: {
        kind: 'finder',
        detail: `deployment ${found.deploymentId} of ${found.sha.slice(0, 12)}, the newest that succeeded and still stands${
          found.source === null ? ' (no digest recorded)' : `, digest from its ${found.source}`
        }`,
      },
    };
  };
}

/** Records the rollback in GitHub's Deployments as it happens. */
export class DeploymentLog {
  private rollback: DeploymentInfo | null = null;
  private markedFailed = false;

  constructor(
    private readonly client: GitHubClient,
    private readonly runner: Runner,
    private readonly environment: string,
    private readonly current: DeploymentInfo | null,
    private readonly logUrl: string | undefined,
  ) {}

  private get target() {
    return { owner: this.runner.owner, repo: this.runner.repo, environment: this.environment };
  }

  async markFailed(reason: string): Promise<void> {
    if (this.current === null || this.markedFailed) return;
    this.markedFailed = true;
    await markDeploymentFailed(this.client, {
      ...this.target,
      deploymentId: this.current.id,
      description: `Countersign: unhealthy: ${reason}`,
      ...(this.logUrl === undefined ? {} : { logUrl: this.logUrl }),
    });
  }

  /** Opens the rollback's deployment; null when there is no watched deployment to roll back from. */
  async open(restore: { sha: string | null; digest: string | null }, reason: string): Promise<void> {
    if (this.current === null || restore.sha === null) return;
    try {
      this.rollback = await createRollbackDeployment(this.client, {
        ...this.target,
        ref: restore.sha,
        rollbackOf: this.current.id,
        digest: restore.digest,
        description: `Countersign rollback of deployment ${this.current.id}: ${reason}`,
        ...(this.logUrl === undefined ? {} : { logUrl: this.logUrl }),
      });
    } catch (error) {
      if (error instanceof RollbackRefusedError) throw error;
      throw new Error(`could not record the rollback in GitHub's Deployments: ${(error as Error).message}`);
    }
  }

  async finish(ok: boolean): Promise<number | null> {
    if (this.rollback === null) return null;
    await finishRollbackDeployment(this.client, {
      ...this.target,
      deploymentId: this.rollback.id,
      ok,
      ...(this.logUrl === undefined ? {} : { logUrl: this.logUrl }),
    });
    return this.rollback.id;
  }
}
