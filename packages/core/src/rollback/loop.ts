// The analysis loop (see LoopOptions for the semantics). Time comes from an injected Clock, so a
// unit test runs a 5 × 2s loop in microseconds and the CLI tests use real 20ms intervals.
import { ConfigurationError } from '../errors.js';
import type {
  Clock,
  HealthOutcome,
  LoopOptions,
  Measurement,
  Phase,
  Probe,
  ProbeAnswer,
  ProbeTally,
  ProgressEvent,
} from './types.js';

export const systemClock: Clock = {
  now: () => new Date(),
  monotonic: () => performance.now(),
  sleep: (ms, signal) =>
    new Promise((resolve, reject) => {
      if (ms <= 0) return resolve();
      const timer = setTimeout(resolve, ms);
      signal?.addEventListener(
        'abort',
        () => {
          clearTimeout(timer);
          reject(signal.reason as Error);
        },
        { once: true },
      );
    }),
};

/** Checks the numbers once, naming the option in the error. */
export function checkLoopOptions(loop: LoopOptions): void {
  const whole = (name: string, value: number | undefined, min: number) => {
    if (value !== undefined && (!Number.isSafeInteger(value) || value < min))
      throw new ConfigurationError({ message: `${name} must be a whole number of at least ${min} (got ${value})` });
  };
  whole('initial-delay', loop.initialDelayMs, 0);
  whole('count', loop.count, 1);
  whole('interval', loop.intervalMs, 0);
  whole('failure-limit', loop.failureLimit, 0);
  whole('consecutive-error-limit', loop.consecutiveErrorLimit, 0);
  whole('consecutive-success-limit', loop.consecutiveSuccessLimit, 1);
}

/** Probe names must be unique: they key the tallies and the record. */
export function checkProbes(probes: readonly Probe[]): void {
  if (probes.length === 0) throw new ConfigurationError({ message: 'at least one probe is needed' });
  const seen = new Set<string>();
  for (const probe of probes) {
    if (seen.has(probe.name))
      throw new ConfigurationError({ message: `two probes are named '${probe.name}'; probe names must be unique` });
    seen.add(probe.name);
  }
}

async function answer(probe: Probe, clock: Clock, signal: AbortSignal | undefined): Promise<ProbeAnswer> {
  try {
    return await probe.run({ monotonic: clock.monotonic, signal });
  } catch (error) {
    // A probe is meant never to throw; one that does has given no answer, which is an error, not a pass.
    return { result: 'error', latencyMs: 0, message: `the probe threw: ${(error as Error).message}` };
  }
}

export interface AnalyseOptions {
  probes: readonly Probe[];
  loop: LoopOptions;
  clock: Clock;
  phase?: Phase | undefined;
  onProgress?: ((event: ProgressEvent) => void) | undefined;
  signal?: AbortSignal | undefined;
}

/** Runs the loop to its outcome. Never throws for an unhealthy service; only for bad options. */
export async function analyse(options: AnalyseOptions): Promise<HealthOutcome> {
  const { probes, loop, clock } = options;
  checkLoopOptions(loop);
  checkProbes(probes);
  const phase = options.phase ?? 'watch';
  const startedAt = clock.now().toISOString();
  const measurements: Measurement[] = [];
  const tallies: ProbeTally[] = probes.map((p) => ({
    probe: p.name,
    critical: p.critical,
    passes: 0,
    failures: 0,
    errors: 0,
    consecutive_errors: 0,
    consecutive_successes: 0,
    broke: null,
  }));
  const done = (status: HealthOutcome['status'], reason: string, rounds: number, early = false): HealthOutcome => ({
    status,
    reason,
    rounds,
    early,
    tallies,
    measurements,
    started_at: startedAt,
    finished_at: clock.now().toISOString(),
  });

  if (loop.initialDelayMs > 0) await clock.sleep(loop.initialDelayMs, options.signal);
  for (let round = 1; round <= loop.count; round++) {
    if (round > 1 && loop.intervalMs > 0) await clock.sleep(loop.intervalMs, options.signal);
    const answers = await Promise.all(probes.map((probe) => answer(probe, clock, options.signal)));
    const time = clock.now().toISOString();
    answers.forEach((a, i) => {
      const probe = probes[i] as Probe;
      const tally = tallies[i] as ProbeTally;
      const measurement: Measurement = {
        time,
        phase,
        round,
        probe: probe.name,
        critical: probe.critical,
        result: a.result,
        latency_ms: a.latencyMs,
        message: a.message,
      };
      measurements.push(measurement);
      if (a.result === 'pass') {
        tally.passes++;
        tally.consecutive_successes++;
        tally.consecutive_errors = 0;
      } else if (a.result === 'fail') {
        tally.failures++;
        tally.consecutive_successes = 0;
        tally.consecutive_errors = 0;
      } else {
        tally.errors++;
        tally.consecutive_errors++;
        tally.consecutive_successes = 0;
      }
      if (tally.broke === null) {
        if (tally.failures > loop.failureLimit)
          tally.broke = `'${probe.name}' failed ${tally.failures} time(s), over the failure limit of ${loop.failureLimit} (last: ${a.message})`;
        else if (tally.consecutive_errors > loop.consecutiveErrorLimit)
          tally.broke = `'${probe.name}' had ${tally.consecutive_errors} errors in a row, over the consecutive error limit of ${loop.consecutiveErrorLimit} (last: ${a.message})`;
      }
      options.onProgress?.({
        kind: 'measurement',
        measurement,
        roundsLeft: loop.count - round,
        count: loop.count,
        failuresLeft: loop.failureLimit - tally.failures,
        errorsLeft: loop.consecutiveErrorLimit - tally.consecutive_errors,
      });
    });
    const broken = tallies.find((t) => t.critical && t.broke !== null);
    if (broken !== undefined) return done('failed', broken.broke as string, round);
    const limit = loop.consecutiveSuccessLimit;
    const critical = tallies.filter((t) => t.critical);
    if (
      limit !== undefined &&
      round < loop.count &&
      critical.length > 0 &&
      critical.every((t) => t.consecutive_successes >= limit)
    ) {
      // An early pass speaks for the critical probes only: a non-critical one that broke, never
      // passed, or is in a run of errors is what the full run would have called degraded.
      for (const t of tallies) if (!t.critical) unresolved(t, round);
      const degraded = tallies.find((t) => t.broke !== null);
      const early = `every critical probe passed ${limit} round(s) in a row: an early pass after ${round} of ${loop.count} rounds`;
      return degraded === undefined
        ? done('healthy', early, round, true)
        : done('degraded', `${early}; but non-critical ${degraded.broke}`, round, true);
    }
  }
  // Errors and failures within the limits are tolerated, but silence is not health: a probe that
  // never once passed, or whose last answers were errors (no pass since, as when the service died
  // after its first round), has failed.
  for (const t of tallies) unresolved(t, loop.count);
  const silent = tallies.find((t) => t.critical && t.broke !== null);
  if (silent !== undefined) return done('failed', silent.broke as string, loop.count);
  const degraded = tallies.find((t) => t.broke !== null);
  if (degraded !== undefined)
    return done('degraded', `only non-critical probes failed: ${degraded.broke as string}`, loop.count);
  const failures = tallies.reduce((n, t) => n + t.failures, 0);
  const errors = tallies.reduce((n, t) => n + t.errors, 0);
  return done(
    'healthy',
    `${loop.count} round(s) within the limits${failures + errors > 0 ? ` (${failures} failed assertion(s), ${errors} error(s) allowed by the limits)` : ''}`,
    loop.count,
  );
}

/** Marks a probe broken when the loop ends with it silent: never passed, or errors since its last pass. */
function unresolved(t: ProbeTally, rounds: number): void {
  if (t.broke !== null) return;
  if (t.passes === 0)
    t.broke = `'${t.probe}' never passed in ${rounds} round(s) (${t.failures} failed, ${t.errors} error(s))`;
  else if (t.consecutive_errors > 0)
    t.broke = `'${t.probe}' gave no answer in its last ${t.consecutive_errors} round(s) (errors since its last pass): silence at the end is not health`;
}
