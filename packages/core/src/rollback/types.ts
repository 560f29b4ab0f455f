// The shapes shared by the rollback modules (issue 7). Platform-neutral on purpose: the CLI, the
// GitHub action and the GitLab component all drive the same `runRollback` and read the same
// record; whatever a platform knows (deployment ids, statuses) arrives as plain data or a callback.

/** `error`: the probe could not get an answer (network, time-out, spawn); `fail`: an answer broke an expectation. */
export type ProbeResult = 'pass' | 'fail' | 'error';

export interface ProbeAnswer {
  result: ProbeResult;
  latencyMs: number;
  /** One line for a person; secrets already masked. */
  message: string;
}

/** What a probe is given on each call. */
export interface ProbeContext {
  /** Monotonic milliseconds, for latency; injectable so tests control it. */
  monotonic: () => number;
  /** Aborts a probe still running when the whole run is cancelled. */
  signal?: AbortSignal | undefined;
}

/**
 * One health check. `httpProbe` and `commandProbe` make the usual ones; a platform may bring its own
 * (anything with this shape), e.g. a probe that reads a load balancer's target health.
 */
export interface Probe {
  /** Unique within a run; shown in every line and the record. Never holds a secret. */
  readonly name: string;
  /** A failing non-critical probe degrades the outcome but never triggers a rollback. */
  readonly critical: boolean;
  run(context: ProbeContext): Promise<ProbeAnswer>;
}

/** One probe answer, as recorded. */
export interface Measurement {
  /** ISO 8601, from the injected clock. */
  time: string;
  /** 'watch' before the decision, 'reprobe' after the rollback command. */
  phase: Phase;
  round: number;
  probe: string;
  critical: boolean;
  result: ProbeResult;
  latency_ms: number;
  message: string;
}

export type Phase = 'watch' | 'reprobe';

/**
 * The analysis loop, as Argo Rollouts' AnalysisRun: after `initialDelayMs`, `count` rounds
 * `intervalMs` apart, each running every probe once. Limits are per probe:
 * - more than `failureLimit` failed assertions → that probe has failed;
 * - more than `consecutiveErrorLimit` errors in a row (a pass or a fail resets the run) → failed;
 * - with `consecutiveSuccessLimit`, once every critical probe has passed that many rounds in a row,
 *   the loop ends early as a pass.
 * A critical probe's failure ends the loop at once with `failed`; a non-critical one's is remembered
 * and the loop goes on, ending `degraded` at worst. A probe that never passed in all `count` rounds
 * (every answer an error or a failure within the limits), or whose last answers were errors (none
 * passed since), has failed too: silence is not health. An early pass is `degraded` when a
 * non-critical probe broke, never passed or ends in errors.
 */
export interface LoopOptions {
  initialDelayMs: number;
  count: number;
  intervalMs: number;
  failureLimit: number;
  consecutiveErrorLimit: number;
  consecutiveSuccessLimit?: number | undefined;
}

export const DEFAULT_LOOP: LoopOptions = {
  initialDelayMs: 0,
  count: 5,
  intervalMs: 2_000,
  failureLimit: 0,
  consecutiveErrorLimit: 4,
};

/** Time, injectable: tests pass a fake whose sleep advances `now` at once. */
export interface Clock {
  now: () => Date;
  /** Milliseconds from an arbitrary origin, never going back; used for latency. */
  monotonic: () => number;
  sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
}

export type HealthStatus = 'healthy' | 'degraded' | 'failed';

export interface ProbeTally {
  probe: string;
  critical: boolean;
  passes: number;
  failures: number;
  errors: number;
  consecutive_errors: number;
  consecutive_successes: number;
  /** Why this probe broke its limits, or null. */
  broke: string | null;
}

export interface HealthOutcome {
  status: HealthStatus;
  /** One sentence: what decided the outcome. */
  reason: string;
  rounds: number;
  /** True when consecutive-success-limit ended the loop before `count` rounds. */
  early: boolean;
  tallies: ProbeTally[];
  measurements: Measurement[];
  started_at: string;
  finished_at: string;
}

/** Progress, reported as it happens so a person watching a log sees the run unfold. */
export type ProgressEvent =
  | { kind: 'phase'; phase: Phase | 'decision' | 'command'; message: string }
  | {
      kind: 'measurement';
      measurement: Measurement;
      /** Rounds still to run after this one. */
      roundsLeft: number;
      count: number;
      /** Failed assertions left before this probe fails (negative: exceeded). */
      failuresLeft: number;
      /** Errors in a row left before this probe fails (negative: exceeded). */
      errorsLeft: number;
    }
  | { kind: 'command-output'; stream: 'stdout' | 'stderr'; text: string };

/** An artefact as deployed: every field optional, since platforms know different things. */
export interface Artefact {
  /** The platform's deployment id (GitHub deployment id, GitLab deployment id), if any. */
  deployment_id: string | null;
  sha: string | null;
  /** As given (`sha256:HEX`, an image digest, ...); passed to the command unchanged. */
  digest: string | null;
  ref: string | null;
  /** The artefact's name, e.g. the attestation subject's name. */
  name: string | null;
}

export interface ArtefactInput {
  deploymentId?: string | null | undefined;
  sha?: string | null | undefined;
  digest?: string | null | undefined;
  ref?: string | null | undefined;
  name?: string | null | undefined;
}

/** Where a restore target came from, for the record. */
export interface RestoreSource {
  kind: 'explicit' | 'attestation' | 'finder';
  detail: string;
  /** When picked from an attestation: which one. */
  attestation?: { file: string; line: number; payload_sha256: string; time: string } | undefined;
}

export interface RestoreTarget {
  artefact: ArtefactInput;
  source: RestoreSource;
}

/** Thrown (or returned as null by a finder) when nothing is known good: the run then does nothing. */
export class NoKnownGoodError extends Error {
  constructor(detail: string) {
    super(`no known good; nothing done: ${detail}`);
    this.name = 'NoKnownGoodError';
  }
}

export type DecisionAction = 'none' | 'rolled-back' | 'refused' | 'skipped';

/** The final word of a run, for exit codes and action outputs. */
export type RunOutcome =
  /** The probes passed; nothing done. */
  | 'healthy'
  /** Only non-critical probes failed; nothing done (a warning). */
  | 'degraded'
  /** Failed, rolled back, and the re-probe passed. */
  | 'rolled-back'
  /** Failed, rolled back, but the command failed or the re-probe did not pass. */
  | 'rollback-failed'
  /** Failed, and no rollback was made (refused by a guardrail, no known good, or already done). */
  | 'failed';

export interface CommandResult {
  exit_code: number | null;
  /** Set when the command was killed (time-out) or could not start. */
  signal: string | null;
  error: string | null;
  started_at: string;
  duration_ms: number;
  /** The tail of stdout and stderr, truncated, secrets masked. */
  output: string;
  truncated: boolean;
}

/** The rollback record (JSON, and the predicate of `https://countersign.dev/rollback/v1`). */
export interface RollbackRecord {
  _type: 'https://countersign.dev/rollback-record/v1';
  environment: string | null;
  started_at: string;
  finished_at: string;
  outcome: RunOutcome;
  /** The deployment that was watched: it is "failed" when the probes failed. */
  failed: Artefact;
  /** What was put back, or null when nothing was. */
  restored: Artefact | null;
  restored_from: RestoreSource | null;
  health: HealthOutcome;
  decision: { action: DecisionAction; reason: string };
  /** The rollback command's result, or null when it was not run. */
  command: CommandResult | null;
  /** The probes after the rollback command, or null when it was not run or failed. */
  reprobe: HealthOutcome | null;
  /** Rule ids of the failed change's classification that mark a database migration. */
  migration_rules: string[];
  /**
   * 'checked': the failed change's classification was read, and `migration_rules` is what it holds;
   * 'unknown': none was found, so `migration_rules: []` means "not known", not "none". Absent in
   * records written before it existed.
   */
  migration_check?: 'checked' | 'unknown' | undefined;
  actor: string | null;
  run_url: string | null;
  /** SHA-256 of the deploy attestation's payload this record follows, or null. */
  previous: string | null;
}
