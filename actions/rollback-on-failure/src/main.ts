// rollback-on-failure: after a deploy, probe the service; when it fails, restore the last known good
// artefact (named, or found in GitHub's deployment history and the verified evidence), record the
// rollback in GitHub's Deployments, and leave a record (signed when a key is given) and a timeline.
//
// The same bundle is the action's `post` step, which runs only when the job failed (`post-if:
// failure()`): with `defer: true` the main step only arms it, so a failed deploy step is followed
// by the watch and the rollback; otherwise the main step does the work and the post step stands down.
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as core from '@actions/core';
import { ConfigurationError, keySigner, type Policy, type PublicKeyInfo } from '@countersign/core';
import {
  deployAttestation,
  indexAttestations,
  masker,
  parseRecord,
  progressLine,
  recordMarkdown,
  recordText,
  runRollback,
  runShell,
  type CommandResult,
  type ReasonLike,
  type RollbackRecord,
  type RollbackRun,
  type RollbackVariables,
} from '@countersign/core/rollback/index';
import { childEnvironment } from '../../shared/src/child-env.js';
import { clientFor } from '../../shared/src/client.js';
import { downloadEvidence, evidenceName, findEvidence, runArtefacts, uploadFiles } from '../../shared/src/evidence.js';
import { guarded } from '../../shared/src/failure.js';
import { readPublicKeys } from '../../shared/src/public-keys.js';
import { readRunner, type Runner } from '../../shared/src/runner.js';
import { setOutputs, writeSummary } from '../../shared/src/summary.js';
import { todaysPolicy } from '../../shared/src/todays-policy.js';
import { RollbackRefusedError, resolveSha } from '@countersign/github';
import { DeploymentLog, knownGoodFinder, priorRollbacks, watched } from './github.js';
import { readInputs, type Inputs } from './inputs.js';

const STATE_POST = 'isPost';
const STATE_DONE = 'done';
export const RECORD_FILE = 'countersign-rollback.json';

export async function run(): Promise<void> {
  const post = core.getState(STATE_POST) === 'true';
  if (!post) core.saveState(STATE_POST, 'true');
  await guarded(async (secrets) => {
    const runner = readRunner();
    const inputs = readInputs(runner);
    secrets.push(...inputs.secrets);
    if (post && core.getState(STATE_DONE) === 'true') {
      core.info('The main step already watched this deployment; nothing more to do.');
      return;
    }
    if (!post && inputs.defer) {
      core.info('Armed: if the job fails, the post step will probe the service and roll back if it is unhealthy.');
      return;
    }
    const outcome = await watchAndRollBack(runner, inputs);
    core.saveState(STATE_DONE, 'true');
    report(outcome.run, outcome.recordPath);
    await writeSummary(recordMarkdown(outcome.run.record));
    const { record } = outcome.run;
    if (record.outcome === 'degraded') core.warning(`Degraded: ${record.health.reason}`);
    if (outcome.run.exitCode !== 0) core.setFailed(`${headline(outcome.run)}: ${record.decision.reason}`);
  });
}

function headline(run: RollbackRun): string {
  switch (run.record.outcome) {
    case 'rolled-back':
      return 'Unhealthy after deploy: rolled back, and the rollback is healthy';
    case 'rollback-failed':
      return 'Unhealthy after deploy, and the rollback did not restore health';
    default:
      return run.repeated ? 'Already rolled back by an earlier attempt' : 'Unhealthy after deploy, not rolled back';
  }
}

function report(run: RollbackRun, recordPath: string): void {
  const { record } = run;
  setOutputs({
    healthy: String(record.outcome === 'healthy' || record.outcome === 'degraded'),
    'rolled-back': String(record.decision.action === 'rolled-back'),
    'restored-digest': record.decision.action === 'rolled-back' ? (record.restored?.digest ?? '') : '',
    'record-path': recordPath,
  });
  core.info(recordText(record));
}

interface Outcome {
  run: RollbackRun;
  recordPath: string;
}

async function watchAndRollBack(runner: Runner, inputs: Inputs): Promise<Outcome> {
  const client = clientFor(inputs.token, runner.apiUrl);
  const runUrl =
    runner.runId === null
      ? undefined
      : `${runner.serverUrl}/${runner.owner}/${runner.repo}/actions/runs/${runner.runId}`;
  const scratch = await mkdtemp(join(process.env['RUNNER_TEMP'] || tmpdir(), 'countersign-rollback-'));
  const mask = masker(inputs.secrets, inputs.urlSecrets);
  const publicKeys =
    inputs.publicKey === null ? [] : await readPublicKeys(client, runner, 'public-key', inputs.publicKey);
  // The rollback command is the deploy's own code and runs beside this step's inputs: with the
  // approval key as signing-key it could sign approvals. A record key must be a key of its own.
  if (inputs.signing !== null && publicKeys.some((k) => k.keyid === inputs.signing?.key.keyid))
    throw new ConfigurationError({
      message:
        'input signing-key is one of the approval keys given in public-key: the rollback command runs beside it and could sign approvals with it; sign rollback records with a key of their own',
    });
  const current = await watched(client, runner, inputs.environment, inputs.deploymentId);
  const log = new DeploymentLog(client, runner, inputs.environment, current.deployment, runUrl);
  // A named ref is resolved now: COUNTERSIGN_ROLLBACK_SHA is a commit, and a branch moves.
  const explicit =
    inputs.restoreDigest !== null || inputs.restoreRef !== null
      ? {
          digest: inputs.restoreDigest,
          ref: inputs.restoreRef,
          sha:
            inputs.restoreRef === null
              ? null
              : await resolveSha({ client, owner: runner.owner, repo: runner.repo }, inputs.restoreRef),
        }
      : null;

  // The user's command, run only after GitHub has been told: the failed deployment is marked, and the
  // rollback deployment opened (which refuses a rollback of a rollback, or of the same failure twice).
  const command = async (variables: RollbackVariables): Promise<CommandResult> => {
    // From here a post step must never start a second rollback, whatever happens next.
    core.saveState(STATE_DONE, 'true');
    // GitHub's Deployments are the record, not the rollback: if they cannot be written (an outage, a
    // token without deployments: write), production is restored anyway and the log says why.
    // Only a refusal (a rollback of a rollback, the same failure twice) stops the command.
    const reason = variables.COUNTERSIGN_ROLLBACK_REASON;
    try {
      await log.markFailed(reason);
      await log.open(
        { sha: variables.COUNTERSIGN_ROLLBACK_SHA || null, digest: variables.COUNTERSIGN_ROLLBACK_DIGEST || null },
        reason,
      );
    } catch (error) {
      if (error instanceof RollbackRefusedError) throw error;
      core.warning(`Rolling back without GitHub's Deployments record: ${mask((error as Error).message)}`);
    }
    const started = new Date();
    const t0 = performance.now();
    const shell = await runShell(inputs.command, {
      env: { ...childEnvironment(), ...variables },
      cwd: runner.workspace,
      mask,
      onOutput: (_stream, text) => core.info(text.replace(/\n$/, '')),
    });
    return {
      exit_code: shell.exitCode,
      signal: shell.signal,
      error: shell.error,
      started_at: started.toISOString(),
      duration_ms: Math.round(performance.now() - t0),
      output: shell.output,
      truncated: shell.truncated,
    };
  };

  const deployed = await deployEvidence(client, runner, inputs, publicKeys, current.failed.digest, scratch);
  if (deployed === null)
    core.warning(
      'No approval evidence of the watched deployment was found (its payload names no digest, or attest stored none): the migration guardrail cannot tell whether it changed the database schema.',
    );
  const run = await runRollback({
    probes: inputs.probes,
    loop: inputs.loop,
    failed: current.failed,
    restore:
      explicit ??
      knownGoodFinder(client, runner, {
        token: inputs.token,
        environment: inputs.environment,
        current,
        keys: publicKeys,
        scratch,
      }),
    command,
    environment: inputs.environment,
    failedIsRollback: current.isRollback,
    prior: [
      ...(await priorRollbacks(client, runner, inputs.environment, current.deployment)),
      ...(await earlierRecords(client, runner, inputs, scratch)),
    ],
    actor: runner.triggeringActor,
    runUrl: runUrl ?? null,
    secrets: inputs.secrets,
    previous: deployed?.previous ?? null,
    reasons: deployed?.reasons ?? [],
    reasonsKnown: deployed !== null,
    allowUnknownMigration: inputs.allowUnknownMigration,
    urlSecrets: inputs.urlSecrets,
    policy: await policyForRollback(client, runner),
    signers: inputs.signing === null ? undefined : [keySigner(inputs.signing.key)],
    onProgress: (event) => core.info(progressLine(event)),
  });

  const { record } = run;
  if (run.signError !== null) core.warning(`The record is not signed: ${run.signError}`);
  if (record.health.status === 'failed' && !run.repeated) await log.markFailed(record.health.reason);
  const rollbackId = await log.finish(record.outcome === 'rolled-back');
  if (rollbackId !== null) core.info(`Rollback recorded as deployment ${rollbackId}.`);

  const folder = join(scratch, 'record');
  await mkdir(folder, { recursive: true });
  const recordPath = join(folder, RECORD_FILE);
  await writeFile(recordPath, `${JSON.stringify(record, null, 2)}\n`);
  const files = [RECORD_FILE];
  if (run.signed !== null) {
    await writeFile(join(folder, SIGNED_FILE), `${run.signed.envelope}\n`);
    files.push(SIGNED_FILE);
  }
  await keepRecord(runner, inputs.environment, folder, files);
  return { run, recordPath };
}

const SIGNED_FILE = 'countersign-rollback.intoto.jsonl';

interface DeployEvidence {
  /** Payload SHA-256 of the approval the failed deploy shipped under: the signed record follows it. */
  previous: string | null;
  /** That change's classification reasons, for the migration guardrail. */
  reasons: ReasonLike[];
}

/**
 * What the failed deploy's own evidence says, when its digest is known and its evidence verifies
 * with the given public keys: the approval to chain the record to, and the classification reasons
 * (a migration rule among them stops an automatic rollback unless the policy allows it). Unsigned
 * or unverifiable evidence says nothing: anyone who can upload an artefact could have written it.
 */
async function deployEvidence(
  client: ReturnType<typeof clientFor>,
  runner: Runner,
  inputs: Inputs,
  publicKeys: readonly PublicKeyInfo[],
  digest: string | null | undefined,
  scratch: string,
): Promise<DeployEvidence | null> {
  const hex = /^sha256:([0-9a-f]{64})$/.exec(digest ?? '')?.[1];
  if (hex === undefined || publicKeys.length === 0) return null;
  try {
    const candidates = await findEvidence(client, runner, evidenceName(inputs.environment, hex), null);
    for (const evidence of candidates.slice(0, 5)) {
      const { text } = await downloadEvidence(runner, inputs.token, evidence, join(scratch, 'deploy-evidence'));
      const index = indexAttestations([{ file: evidence.name, text }], publicKeys, inputs.environment);
      const approval = deployAttestation(index, `sha256:${hex}`);
      if (approval === null) continue;
      const reasons: unknown = approval.predicate.reasons;
      return { previous: approval.payloadSha256, reasons: Array.isArray(reasons) ? (reasons as ReasonLike[]) : [] };
    }
    return null;
  } catch (error) {
    core.warning(`The deploy's evidence could not be read: ${(error as Error).message}`);
    return null;
  }
}

/** Today's policy: its rollback section says which migrations may be undone. */
async function policyForRollback(client: ReturnType<typeof clientFor>, runner: Runner): Promise<Policy | null> {
  try {
    return await todaysPolicy(client, runner);
  } catch (error) {
    core.warning(
      `The policy could not be read, so no migration may be rolled back automatically: ${(error as Error).message}`,
    );
    return null;
  }
}

/**
 * The records earlier attempts of this run kept as artefacts: the re-run guard that holds when
 * GitHub's Deployments have nothing to show (no watched deployment, or a restore named by digest only).
 */
async function earlierRecords(
  client: ReturnType<typeof clientFor>,
  runner: Runner,
  inputs: Inputs,
  scratch: string,
): Promise<RollbackRecord[]> {
  if (runner.runId === null) return [];
  const records: RollbackRecord[] = [];
  try {
    for (const kept of await runArtefacts(
      client,
      runner,
      runner.runId,
      recordPrefix(inputs.environment, runner.runId),
    )) {
      const { text } = await downloadEvidence(runner, inputs.token, kept, join(scratch, 'earlier'), RECORD_FILE);
      records.push(parseRecord(text, kept.name));
    }
  } catch (error) {
    core.warning(`Earlier attempts' records could not be read: ${(error as Error).message}`);
  }
  return records;
}

function recordPrefix(environment: string, runId: number): string {
  return `${evidenceName(environment, '').replace(/^countersign-/, 'countersign-rollback-')}${runId}-`;
}

/** Keeps the record as a workflow artefact of this run, beside the logs an auditor reads. */
async function keepRecord(runner: Runner, environment: string, folder: string, files: string[]): Promise<void> {
  if (runner.runId === null || !process.env['ACTIONS_RUNTIME_TOKEN']) {
    core.info('Not in a workflow run with an artefact service: the record stays on the runner only.');
    return;
  }
  const attempt = process.env['GITHUB_RUN_ATTEMPT'] || '1';
  const name = `${recordPrefix(environment, runner.runId)}${attempt}`;
  try {
    const id = await uploadFiles(name, folder, files);
    core.info(`Stored the rollback record as artefact ${name} (id ${id}).`);
  } catch (error) {
    core.warning(`Could not store the rollback record as an artefact: ${(error as Error).message}`);
  }
}
