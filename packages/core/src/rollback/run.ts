// runRollback: watch → decide → roll back → watch again → record. The one entry point every
// platform drives (CLI, GitHub action, GitLab component); platforms bring their own probes,
// restore finder and prior records as data or callbacks, and this module never calls out itself.
import type { Signer } from '../attestation/signer.js';
import { ConfigurationError } from '../errors.js';
import type { Policy } from '../policy/types.js';
import { checkMigration, priorRollback, type MigrationVerdict, type ReasonLike } from './guardrails.js';
import { normaliseDigest } from './known-good.js';
import { analyse, checkLoopOptions, checkProbes, systemClock } from './loop.js';
import { masker } from './mask.js';
import { runShell } from './probe.js';
import { signRollbackRecord, type SignedRecord } from './record.js';
import {
  NoKnownGoodError,
  type Artefact,
  type ArtefactInput,
  type Clock,
  type CommandResult,
  type DecisionAction,
  type HealthOutcome,
  type LoopOptions,
  type Probe,
  type ProgressEvent,
  type RestoreSource,
  type RestoreTarget,
  type RollbackRecord,
  type RunOutcome,
} from './types.js';

/** The values handed to the rollback command, as environment variables only. */
export interface RollbackVariables {
  COUNTERSIGN_ROLLBACK: '1';
  COUNTERSIGN_ROLLBACK_DIGEST: string;
  COUNTERSIGN_ROLLBACK_REF: string;
  COUNTERSIGN_ROLLBACK_SHA: string;
  COUNTERSIGN_FAILED_DIGEST: string;
  COUNTERSIGN_FAILED_SHA: string;
  COUNTERSIGN_ROLLBACK_REASON: string;
}

/**
 * Runs the rollback. A string is the user's command, run by the shell with the variables in its
 * environment (never in its text); a function is a platform's own way (it gets the same values).
 */
export type RollbackCommand =
  string | ((variables: RollbackVariables, signal: AbortSignal | undefined) => Promise<CommandResult>);

/** Finds the restore target only once the probes have failed, so a healthy deploy costs no look-up. */
export type RestoreFinder = () => Promise<RestoreTarget | null> | RestoreTarget | null;

export interface RunRollbackOptions {
  probes: readonly Probe[];
  loop: LoopOptions;
  /** The loop after the rollback command; default: `loop`. */
  reprobeLoop?: LoopOptions | undefined;
  /** The deployment being watched. */
  failed: ArtefactInput;
  /** The explicit target (`--restore-digest/--restore-ref`: no look-up), or a finder. */
  restore: ArtefactInput | RestoreFinder;
  command: RollbackCommand;
  /** The environment the command starts from (default: this process's); the variables are added. */
  env?: NodeJS.ProcessEnv | undefined;
  cwd?: string | undefined;
  /** Default: no limit (a deploy may take long); the CLI passes none either. */
  commandTimeoutMs?: number | undefined;
  environment?: string | null | undefined;
  /**
   * Set when the watched deployment is itself a rollback (a reason, e.g. "deployment 42 has task
   * deploy:rollback"): it is then never rolled back.
   */
  failedIsRollback?: string | null | undefined;
  /** The failed change's classification reasons (from its decision or attestation), for the migration guard. */
  reasons?: readonly ReasonLike[] | undefined;
  /**
   * Whether `reasons` is the failed change's classification (default true). Pass false when none was
   * found: the record then says `migration_check: 'unknown'`, and with a policy that has a rollback
   * section the rollback is refused unless `allowUnknownMigration`.
   */
  reasonsKnown?: boolean | undefined;
  /** Roll back even when `reasonsKnown` is false and the policy has a rollback section (default false). */
  allowUnknownMigration?: boolean | undefined;
  /** For `rollback.allow-with-rules` and the migration rules; without it no migration is allowed. */
  policy?: Policy | null | undefined;
  /** Records of earlier attempts (the record file, signed records, a platform's marker). */
  prior?: readonly RollbackRecord[] | undefined;
  /** SHA-256 of the deploy attestation's payload, chaining the signed record to it. */
  previous?: string | null | undefined;
  actor?: string | null | undefined;
  runUrl?: string | null | undefined;
  /** Values never to print (header values, tokens); they are masked in the command's output too. Shorter than 4 characters: not masked. */
  secrets?: readonly string[] | undefined;
  /** Values taken from probe URLs (query values): masked whatever their length (`displayUrl(url).secrets`). */
  urlSecrets?: readonly string[] | undefined;
  /** Signs the record as https://countersign.dev/rollback/v1 when given. */
  signers?: readonly Signer[] | undefined;
  clock?: Clock | undefined;
  onProgress?: ((event: ProgressEvent) => void) | undefined;
  signal?: AbortSignal | undefined;
}

export interface RollbackRun {
  record: RollbackRecord;
  signed: SignedRecord | null;
  /** True when an earlier attempt already rolled back this failure and nothing was done now. */
  repeated: boolean;
  /**
   * Set when `signers` were given but the record could not be signed (no digest for its subject):
   * the run has acted, so this is reported here rather than thrown; `signed` is then null.
   */
  signError: string | null;
  /** 0 healthy or degraded, 1 otherwise (the record says whether a rollback happened). */
  exitCode: 0 | 1;
}

function artefact(input: ArtefactInput | null | undefined): Artefact {
  return {
    deployment_id: input?.deploymentId ?? null,
    sha: input?.sha ?? null,
    digest: input?.digest ?? null,
    ref: input?.ref ?? null,
    name: input?.name ?? null,
  };
}

function hasControl(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x20 || code === 0x7f) return true;
  }
  return false;
}

/** Values go into environment variables and the record; control characters have no business there. */
function checkValue(label: string, value: string | null | undefined): void {
  if (value === null || value === undefined) return;
  if (hasControl(value) || value.length > 1024)
    throw new ConfigurationError({
      message: `${label} must be one line of at most 1024 characters without control characters`,
    });
}

function checkArtefact(prefix: string, input: ArtefactInput): void {
  checkValue(`${prefix}-digest`, input.digest);
  checkValue(`${prefix}-sha`, input.sha);
  checkValue(`${prefix}-ref`, input.ref);
  checkValue(`${prefix}-deployment`, input.deploymentId);
}

function describe(a: Artefact): string {
  return a.digest ?? a.ref ?? a.sha ?? a.deployment_id ?? 'the deployment';
}

function emptyHealth(clock: Clock, reason: string): HealthOutcome {
  const now = clock.now().toISOString();
  return {
    status: 'failed',
    reason,
    rounds: 0,
    early: false,
    tallies: [],
    measurements: [],
    started_at: now,
    finished_at: now,
  };
}

/**
 * Watches the deployment and, when it fails, rolls back to the restore target, then watches again.
 * Throws only ConfigurationError, before anything runs; every other outcome is in the record.
 */
export async function runRollback(options: RunRollbackOptions): Promise<RollbackRun> {
  const clock = options.clock ?? systemClock;
  checkLoopOptions(options.loop);
  checkProbes(options.probes);
  if (options.reprobeLoop !== undefined) checkLoopOptions(options.reprobeLoop);
  checkArtefact('failed', options.failed);
  if (typeof options.restore !== 'function') checkArtefact('restore', options.restore);
  if (typeof options.command === 'string' && options.command.trim() === '')
    throw new ConfigurationError({ message: 'rollback-command: the command is empty' });
  const emit = options.onProgress ?? (() => undefined);
  const mask = masker(options.secrets ?? [], options.urlSecrets ?? []);
  const startedAt = clock.now().toISOString();
  const failed = artefact(options.failed);

  const finish = async (
    parts: Pick<
      RollbackRecord,
      'outcome' | 'health' | 'decision' | 'command' | 'reprobe' | 'migration_rules' | 'migration_check'
    > & {
      restored: Artefact | null;
      restoredFrom: RestoreSource | null;
    },
    repeated = false,
  ): Promise<RollbackRun> => {
    const record: RollbackRecord = {
      _type: 'https://countersign.dev/rollback-record/v1',
      environment: options.environment ?? null,
      started_at: startedAt,
      finished_at: clock.now().toISOString(),
      outcome: parts.outcome,
      failed,
      restored: parts.restored,
      restored_from: parts.restoredFrom,
      health: parts.health,
      decision: parts.decision,
      command: parts.command,
      reprobe: parts.reprobe,
      migration_rules: parts.migration_rules,
      migration_check: parts.migration_check,
      actor: options.actor ?? null,
      run_url: options.runUrl ?? null,
      previous: options.previous ?? null,
    };
    let signed: SignedRecord | null = null;
    let signError: string | null = null;
    if (options.signers !== undefined && options.signers.length > 0 && !repeated) {
      try {
        signed = await signRollbackRecord(record, options.signers, clock.now());
      } catch (error) {
        // Never throw after acting: the record is the only account of what was done.
        signError = mask((error as Error).message);
      }
    }
    const exitCode = record.outcome === 'healthy' || record.outcome === 'degraded' ? 0 : 1;
    return { record, signed, repeated, exitCode, signError };
  };

  // A re-run of a job that already rolled back must not probe the restored version and roll back again.
  const prior = priorRollback(options.prior ?? [], options.failed, options.runUrl, options.environment);
  if (prior !== null) {
    const reason = `an earlier attempt (${prior.started_at}${prior.run_url ? `, ${prior.run_url}` : ''}) already rolled ${describe(prior.failed)} back to ${prior.restored ? describe(prior.restored) : '?'}; a re-run does nothing twice`;
    emit({ kind: 'phase', phase: 'decision', message: reason });
    return finish(
      {
        outcome: 'failed',
        health: prior.health ?? emptyHealth(clock, 'not probed again'),
        decision: { action: 'skipped', reason },
        command: null,
        reprobe: null,
        migration_rules: prior.migration_rules ?? [],
        migration_check: prior.migration_check,
        restored: prior.restored,
        restoredFrom: prior.restored_from,
      },
      true,
    );
  }

  emit({
    kind: 'phase',
    phase: 'watch',
    message: `watching ${describe(failed)}${options.environment ? ` in ${options.environment}` : ''}: ${options.probes.length} probe(s), ${options.loop.count} round(s)`,
  });
  const health = await analyse({
    probes: options.probes,
    loop: options.loop,
    clock,
    phase: 'watch',
    onProgress: emit,
    signal: options.signal,
  });
  const migration: MigrationVerdict = checkMigration(options.reasons ?? [], options.policy, {
    reasonsKnown: options.reasonsKnown,
    allowUnknown: options.allowUnknownMigration,
  });
  const base = {
    health,
    migration_rules: migration.rules,
    migration_check: migration.check,
    command: null,
    reprobe: null,
  };
  if (health.status !== 'failed') {
    emit({ kind: 'phase', phase: 'decision', message: `${health.status}: ${health.reason}` });
    return finish({
      ...base,
      outcome: health.status,
      decision: { action: 'none', reason: health.reason },
      restored: null,
      restoredFrom: null,
    });
  }

  const refuse = (action: DecisionAction, reason: string) => {
    emit({ kind: 'phase', phase: 'decision', message: `not rolling back: ${reason}` });
    return finish({ ...base, outcome: 'failed', decision: { action, reason }, restored: null, restoredFrom: null });
  };
  if (options.failedIsRollback)
    return refuse(
      'refused',
      `the failed deployment is itself a rollback (${options.failedIsRollback}); a rollback is never rolled back`,
    );
  if (migration.refusal !== null) return refuse('refused', migration.refusal);

  let target: RestoreTarget | null;
  if (typeof options.restore === 'function') {
    try {
      target = await options.restore();
    } catch (error) {
      if (error instanceof ConfigurationError) throw error;
      const message =
        error instanceof NoKnownGoodError
          ? error.message
          : `no known good; nothing done: the look-up failed: ${mask((error as Error).message)}`;
      return refuse('refused', message);
    }
    if (target === null) return refuse('refused', 'no known good; nothing done');
  } else {
    target = {
      artefact: options.restore,
      source: { kind: 'explicit', detail: 'named explicitly (restore digest / ref); no look-up made' },
    };
  }
  const restored = artefact(target.artefact);
  if (restored.digest === null && restored.ref === null && restored.sha === null)
    return refuse('refused', 'no known good; nothing done: the restore target names no digest, ref or sha');
  if (
    restored.digest !== null &&
    failed.digest !== null &&
    normaliseDigest(restored.digest) === normaliseDigest(failed.digest)
  )
    return refuse('refused', `the restore target ${restored.digest} is the artefact that failed; nothing done`);
  if (restored.sha !== null && failed.sha !== null && restored.sha.toLowerCase() === failed.sha.toLowerCase())
    return refuse('refused', `the restore target's commit ${restored.sha} is the commit that failed; nothing done`);

  const reason = mask(health.reason);
  emit({
    kind: 'phase',
    phase: 'decision',
    message: `rolling back ${describe(failed)} → ${describe(restored)} (${target.source.detail})${migration.warning ? `; ${migration.warning}` : ''}`,
  });
  const variables: RollbackVariables = {
    COUNTERSIGN_ROLLBACK: '1',
    COUNTERSIGN_ROLLBACK_DIGEST: restored.digest ?? '',
    COUNTERSIGN_ROLLBACK_REF: restored.ref ?? '',
    COUNTERSIGN_ROLLBACK_SHA: restored.sha ?? '',
    COUNTERSIGN_FAILED_DIGEST: failed.digest ?? '',
    COUNTERSIGN_FAILED_SHA: failed.sha ?? '',
    COUNTERSIGN_ROLLBACK_REASON: reason,
  };
  const command = await runCommand(options, variables, clock, mask, emit);
  const decision = {
    action: 'rolled-back' as const,
    reason: `${reason}${migration.warning ? `; ${migration.warning}` : ''}`,
  };
  const rolledBack = { ...base, decision, command, restored, restoredFrom: target.source };
  if (command.exit_code !== 0) {
    emit({
      kind: 'phase',
      phase: 'command',
      message: `the rollback command failed (${command.error ?? `exit ${command.exit_code ?? command.signal ?? '?'}`})`,
    });
    return finish({ ...rolledBack, outcome: 'rollback-failed' });
  }
  const reprobeLoop = options.reprobeLoop ?? options.loop;
  emit({ kind: 'phase', phase: 'reprobe', message: `watching the rollback: ${reprobeLoop.count} round(s)` });
  const reprobe = await analyse({
    probes: options.probes,
    loop: reprobeLoop,
    clock,
    phase: 'reprobe',
    onProgress: emit,
    signal: options.signal,
  });
  const outcome: RunOutcome = reprobe.status === 'failed' ? 'rollback-failed' : 'rolled-back';
  emit({
    kind: 'phase',
    phase: 'decision',
    message:
      outcome === 'rolled-back'
        ? `rolled back to ${describe(restored)}; the rollback is ${reprobe.status}`
        : `rolled back to ${describe(restored)}, but it is not healthy either: ${reprobe.reason}`,
  });
  return finish({ ...rolledBack, reprobe, outcome });
}

async function runCommand(
  options: RunRollbackOptions,
  variables: RollbackVariables,
  clock: Clock,
  mask: (text: string) => string,
  emit: (event: ProgressEvent) => void,
): Promise<CommandResult> {
  const startedAt = clock.now().toISOString();
  const start = clock.monotonic();
  emit({ kind: 'phase', phase: 'command', message: 'running the rollback command' });
  if (typeof options.command === 'function') {
    try {
      return await options.command(variables, options.signal);
    } catch (error) {
      return {
        exit_code: null,
        signal: null,
        error: mask(`the rollback failed: ${(error as Error).message}`),
        started_at: startedAt,
        duration_ms: Math.round(clock.monotonic() - start),
        output: '',
        truncated: false,
      };
    }
  }
  const run = await runShell(options.command, {
    env: { ...(options.env ?? process.env), ...variables },
    cwd: options.cwd,
    timeoutMs: options.commandTimeoutMs,
    mask,
    onOutput: (stream, text) => emit({ kind: 'command-output', stream, text }),
  });
  return {
    exit_code: run.exitCode,
    signal: run.signal,
    error: run.error === null ? null : mask(run.error),
    started_at: startedAt,
    duration_ms: Math.max(0, Math.round(clock.monotonic() - start)),
    output: run.output,
    truncated: run.truncated,
  };
}
