// The analysis loop with scripted probes and a fake clock: limits, early pass, degraded, timing.
import { describe, expect, it } from 'vitest';
import { analyse } from '../../../packages/core/src/rollback/loop.js';
import type { LoopOptions, ProgressEvent } from '../../../packages/core/src/rollback/types.js';
import { fakeClock, scripted } from './helpers.js';

const LOOP: LoopOptions = { initialDelayMs: 0, count: 5, intervalMs: 2_000, failureLimit: 0, consecutiveErrorLimit: 4 };

describe('analyse', () => {
  it('is healthy when every round passes, sleeping interval between rounds and never after the last', async () => {
    const clock = fakeClock();
    const probe = scripted('api', ['pass']);
    const outcome = await analyse({ probes: [probe], loop: { ...LOOP, initialDelayMs: 10_000 }, clock });
    expect(outcome.status).toBe('healthy');
    expect(outcome.rounds).toBe(5);
    expect(probe.calls).toBe(5);
    expect(clock.slept).toEqual([10_000, 2_000, 2_000, 2_000, 2_000]);
    expect(outcome.measurements.map((m) => m.round)).toEqual([1, 2, 3, 4, 5]);
    expect(outcome.measurements[0]?.time).toBe('2026-03-01T12:00:10.000Z');
  });

  it('fails at once when failures exceed the failure limit (0: the first failure)', async () => {
    const probe = scripted('api', ['pass', 'fail', 'pass']);
    const outcome = await analyse({ probes: [probe], loop: LOOP, clock: fakeClock() });
    expect(outcome.status).toBe('failed');
    expect(outcome.rounds).toBe(2);
    expect(probe.calls).toBe(2);
    expect(outcome.reason).toContain("'api' failed 1 time(s), over the failure limit of 0");
  });

  it('tolerates failures up to the limit, so a flapping service passes under failure-limit 2', async () => {
    const flapping = scripted('api', ['pass', 'fail', 'pass', 'fail', 'pass']);
    const outcome = await analyse({ probes: [flapping], loop: { ...LOOP, failureLimit: 2 }, clock: fakeClock() });
    expect(outcome.status).toBe('healthy');
    expect(outcome.tallies[0]).toMatchObject({ passes: 3, failures: 2 });
    const worse = scripted('api', ['fail', 'pass', 'fail', 'pass', 'fail']);
    const failed = await analyse({ probes: [worse], loop: { ...LOOP, failureLimit: 2 }, clock: fakeClock() });
    expect(failed.status).toBe('failed');
    expect(failed.rounds).toBe(5);
  });

  it('counts errors apart from failures: only more than consecutive-error-limit in a row fails', async () => {
    const gappy = scripted('api', ['error', 'error', 'pass', 'error', 'pass']);
    const ok = await analyse({ probes: [gappy], loop: { ...LOOP, consecutiveErrorLimit: 2 }, clock: fakeClock() });
    expect(ok.status).toBe('healthy');
    expect(ok.tallies[0]).toMatchObject({ errors: 3, failures: 0, consecutive_errors: 0 });

    const down = scripted('api', ['pass', 'error', 'error', 'error']);
    const failed = await analyse({ probes: [down], loop: { ...LOOP, consecutiveErrorLimit: 2 }, clock: fakeClock() });
    expect(failed.status).toBe('failed');
    expect(failed.rounds).toBe(4);
    expect(failed.reason).toContain('3 errors in a row, over the consecutive error limit of 2');
  });

  it('a failed assertion resets the run of errors but counts as a failure', async () => {
    const probe = scripted('api', ['error', 'error', 'fail', 'error', 'error']);
    const outcome = await analyse({
      probes: [probe],
      loop: { ...LOOP, consecutiveErrorLimit: 2, failureLimit: 1 },
      clock: fakeClock(),
    });
    // Never passed at all: silence is not health.
    expect(outcome.status).toBe('failed');
    expect(outcome.reason).toContain('never passed');
  });

  it('a service that stops answering after its first round has failed: silence at the end is not health', async () => {
    // Default limits (count 5, consecutive-error-limit 4): four errors in a row stay within the limit,
    // but the loop ends with no answer since the last pass.
    const crashed = scripted('api', ['pass', 'error', 'error', 'error', 'error']);
    const outcome = await analyse({ probes: [crashed], loop: LOOP, clock: fakeClock() });
    expect(outcome.status).toBe('failed');
    expect(outcome.rounds).toBe(5);
    expect(outcome.reason).toContain("'api' gave no answer in its last 4 round(s)");
    // One trailing error is enough: the last word was silence.
    const last = await analyse({
      probes: [scripted('api', ['pass', 'pass', 'pass', 'pass', 'error'])],
      loop: LOOP,
      clock: fakeClock(),
    });
    expect(last.status).toBe('failed');
    // A non-critical probe that ends silent degrades.
    const search = scripted('search', ['pass', 'error'], { critical: false });
    const degraded = await analyse({ probes: [scripted('api', ['pass']), search], loop: LOOP, clock: fakeClock() });
    expect(degraded.status).toBe('degraded');
    expect(degraded.reason).toContain("'search' gave no answer");
  });

  it('ends early with consecutive-success-limit', async () => {
    const clock = fakeClock();
    const probe = scripted('api', ['fail', 'pass', 'pass', 'pass']);
    const outcome = await analyse({
      probes: [probe],
      loop: { ...LOOP, count: 10, failureLimit: 1, consecutiveSuccessLimit: 3 },
      clock,
    });
    expect(outcome).toMatchObject({ status: 'healthy', early: true, rounds: 4 });
    expect(probe.calls).toBe(4);
    expect(clock.elapsed()).toBe(3 * 2_000);
  });

  it('an early pass is degraded, not healthy, when a non-critical probe never passed or ends silent', async () => {
    const loop = { ...LOOP, count: 10, consecutiveSuccessLimit: 2 };
    const neverPassed = scripted('search', ['error'], { critical: false });
    const outcome = await analyse({ probes: [scripted('api', ['pass']), neverPassed], loop, clock: fakeClock() });
    expect(outcome).toMatchObject({ status: 'degraded', early: true, rounds: 2 });
    expect(outcome.reason).toContain("but non-critical 'search' never passed in 2 round(s)");
    const silent = scripted('search', ['pass', 'error'], { critical: false });
    const ended = await analyse({ probes: [scripted('api', ['pass']), silent], loop, clock: fakeClock() });
    expect(ended).toMatchObject({ status: 'degraded', early: true });
    const fine = scripted('search', ['pass'], { critical: false });
    expect(await analyse({ probes: [scripted('api', ['pass']), fine], loop, clock: fakeClock() })).toMatchObject({
      status: 'healthy',
      early: true,
    });
  });

  it('is degraded when only a non-critical probe fails, and keeps watching the critical one', async () => {
    const api = scripted('api', ['pass']);
    const search = scripted('search', ['fail'], { critical: false });
    const outcome = await analyse({ probes: [api, search], loop: LOOP, clock: fakeClock() });
    expect(outcome.status).toBe('degraded');
    expect(outcome.rounds).toBe(5);
    expect(api.calls).toBe(5);
    expect(outcome.reason).toContain("only non-critical probes failed: 'search' failed");
  });

  it('a critical failure beats a non-critical one', async () => {
    const api = scripted('api', ['pass', 'fail']);
    const search = scripted('search', ['fail'], { critical: false });
    const outcome = await analyse({ probes: [api, search], loop: LOOP, clock: fakeClock() });
    expect(outcome.status).toBe('failed');
    expect(outcome.reason).toContain("'api'");
  });

  it('reports every measurement with the remaining budget as it goes', async () => {
    const events: ProgressEvent[] = [];
    await analyse({
      probes: [scripted('api', ['pass', 'fail', 'error', 'pass'])],
      loop: { ...LOOP, count: 4, failureLimit: 1 },
      clock: fakeClock(),
      onProgress: (e) => events.push(e),
    });
    const measured = events.filter((e) => e.kind === 'measurement');
    expect(measured.map((e) => [e.measurement.result, e.failuresLeft, e.errorsLeft, e.roundsLeft])).toEqual([
      ['pass', 1, 4, 3],
      ['fail', 0, 4, 2],
      ['error', 0, 3, 1],
      ['pass', 0, 4, 0],
    ]);
    expect(measured[0]?.measurement.latency_ms).toBe(7);
  });

  it('a probe that throws has given no answer: an error, not a pass', async () => {
    const thrower = { name: 'boom', critical: true, run: () => Promise.reject(new Error('kaput')) };
    const outcome = await analyse({ probes: [thrower], loop: { ...LOOP, count: 2 }, clock: fakeClock() });
    expect(outcome.status).toBe('failed');
    expect(outcome.measurements[0]).toMatchObject({ result: 'error', message: 'the probe threw: kaput' });
  });

  it('refuses bad options, naming them', async () => {
    const probes = [scripted('api', ['pass'])];
    await expect(analyse({ probes, loop: { ...LOOP, count: 0 }, clock: fakeClock() })).rejects.toThrow('count must be');
    await expect(analyse({ probes, loop: { ...LOOP, failureLimit: -1 }, clock: fakeClock() })).rejects.toThrow(
      'failure-limit',
    );
    await expect(analyse({ probes: [], loop: LOOP, clock: fakeClock() })).rejects.toThrow('at least one probe');
    await expect(
      analyse({ probes: [scripted('a', ['pass']), scripted('a', ['pass'])], loop: LOOP, clock: fakeClock() }),
    ).rejects.toThrow("two probes are named 'a'");
  });
});
