// runRollback end to end in-process: scripted probes, a fake clock, and a real shell for the command.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recordMarkdown, recordText } from '../../../packages/core/src/rollback/render.js';
import { runRollback, type RunRollbackOptions } from '../../../packages/core/src/rollback/run.js';
import { NoKnownGoodError, type ProgressEvent } from '../../../packages/core/src/rollback/types.js';
import { generateKeyPair, parsePrivateKey } from '../../../packages/core/src/attestation/keys.js';
import { keySigner } from '../../../packages/core/src/attestation/signer.js';
import { fakeClock, scripted } from './helpers.js';

const LOOP = { initialDelayMs: 0, count: 3, intervalMs: 2_000, failureLimit: 0, consecutiveErrorLimit: 1 };
const ENV_DUMP = 'env | grep "^COUNTERSIGN_" | sort > "$OUT_FILE"';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'countersign-run-'));
});
afterAll(async () => rm(dir, { recursive: true, force: true }));

function options(overrides: Partial<RunRollbackOptions>): RunRollbackOptions {
  return {
    probes: [scripted('api', ['pass'])],
    loop: LOOP,
    failed: { digest: 'sha256:aaaa', sha: 'f'.repeat(40) },
    restore: { digest: 'sha256:bbbb', ref: 'v1.2.3', sha: 'e'.repeat(40) },
    command: 'exit 99',
    env: { PATH: process.env['PATH'] },
    environment: 'production',
    clock: fakeClock(),
    ...overrides,
  };
}

describe('runRollback', () => {
  it('healthy: nothing done, and a finder is never asked', async () => {
    let asked = 0;
    const run = await runRollback(
      options({
        restore: () => {
          asked++;
          return null;
        },
      }),
    );
    expect(run.record).toMatchObject({
      outcome: 'healthy',
      decision: { action: 'none' },
      command: null,
      reprobe: null,
    });
    expect(run.exitCode).toBe(0);
    expect(asked).toBe(0);
    expect(recordText(run.record)).toMatch(
      /^Rollback — production: HEALTHY — nothing to do\n {2}12:00:00 {2}watch {4}HEALTHY \(3 round\(s\): 3 pass, 0 fail, 0 error\)/,
    );
  });

  it('degraded: warns, no rollback, exit 0', async () => {
    const run = await runRollback(
      options({ probes: [scripted('api', ['pass']), scripted('search', ['fail'], { critical: false })] }),
    );
    expect(run.record.outcome).toBe('degraded');
    expect(run.record.command).toBeNull();
    expect(run.exitCode).toBe(0);
  });

  it('failed → runs the command with the values in its environment only → probes again → rolled back', async () => {
    const out = join(dir, 'env.txt');
    const events: ProgressEvent[] = [];
    const probe = scripted('api', ['pass', 'fail', 'pass']);
    const run = await runRollback(
      options({
        probes: [probe],
        command: `${ENV_DUMP}; echo rolled`,
        env: { PATH: process.env['PATH'], OUT_FILE: out },
        actor: 'erin',
        runUrl: 'https://ci.example/run/9',
        onProgress: (e) => events.push(e),
      }),
    );
    expect(run.record.outcome).toBe('rolled-back');
    expect(run.exitCode).toBe(1);
    expect(run.record.restored).toEqual({
      deployment_id: null,
      digest: 'sha256:bbbb',
      ref: 'v1.2.3',
      sha: 'e'.repeat(40),
      name: null,
    });
    expect(run.record.command).toMatchObject({ exit_code: 0, output: 'rolled\n' });
    expect(run.record.reprobe?.status).toBe('healthy');
    expect(run.record.health.measurements.map((m) => m.result)).toEqual(['pass', 'fail']);
    expect(run.record.reprobe?.measurements.every((m) => m.phase === 'reprobe')).toBe(true);
    const env = await readFile(out, 'utf8');
    expect(env).toContain('COUNTERSIGN_ROLLBACK=1\n');
    expect(env).toContain('COUNTERSIGN_ROLLBACK_DIGEST=sha256:bbbb\n');
    expect(env).toContain('COUNTERSIGN_ROLLBACK_REF=v1.2.3\n');
    expect(env).toContain(`COUNTERSIGN_ROLLBACK_SHA=${'e'.repeat(40)}\n`);
    expect(env).toContain('COUNTERSIGN_FAILED_DIGEST=sha256:aaaa\n');
    expect(env).toContain(`COUNTERSIGN_FAILED_SHA=${'f'.repeat(40)}\n`);
    expect(env).toMatch(/COUNTERSIGN_ROLLBACK_REASON='api' failed 1 time\(s\)/);
    expect(events.filter((e) => e.kind === 'phase').map((e) => e.phase)).toEqual([
      'watch',
      'decision',
      'command',
      'reprobe',
      'decision',
    ]);
    expect(events.some((e) => e.kind === 'command-output' && e.text === 'rolled\n')).toBe(true);
    const text = recordText(run.record);
    expect(text.split('\n')[0]).toBe('Rollback — production: ROLLED BACK — healthy again');
    expect(text).toContain('decide   roll back sha256:aaaa');
    expect(text).toContain('Run: by erin, https://ci.example/run/9');
    const markdown = recordMarkdown(run.record);
    expect(markdown).toContain('### ↩️ Countersign rollback — production: ROLLED BACK');
    expect(markdown).toContain('| reprobe |');
    expect(markdown).toContain('<details><summary>Every probe measurement</summary>');
  });

  it('a rollback command that fails is rollback-failed, with no re-probe', async () => {
    const run = await runRollback(options({ probes: [scripted('api', ['fail'])], command: 'echo oops >&2; exit 3' }));
    expect(run.record.outcome).toBe('rollback-failed');
    expect(run.record.command).toMatchObject({ exit_code: 3, output: 'oops\n' });
    expect(run.record.reprobe).toBeNull();
    expect(recordText(run.record)).toContain('ROLLBACK FAILED — needs a person now');
  });

  it('a rollback that does not come up healthy is rollback-failed, and is not tried again', async () => {
    let commands = 0;
    const run = await runRollback(
      options({
        probes: [scripted('api', ['fail'])],
        command: () => {
          commands++;
          return Promise.resolve({
            exit_code: 0,
            signal: null,
            error: null,
            started_at: '',
            duration_ms: 0,
            output: '',
            truncated: false,
          });
        },
      }),
    );
    expect(run.record.outcome).toBe('rollback-failed');
    expect(run.record.reprobe?.status).toBe('failed');
    expect(commands).toBe(1);
  });

  it('no known good: nothing done, the command never runs', async () => {
    const neverRun = () => Promise.reject(new Error('must not run'));
    for (const restore of [
      () => null,
      () => {
        throw new NoKnownGoodError('none of the 2 verified attestation(s) fit');
      },
      () => Promise.reject(new Error('lookup failed for token sekrit-token-1')),
    ]) {
      const run = await runRollback(
        options({ probes: [scripted('api', ['fail'])], restore, command: neverRun, secrets: ['sekrit-token-1'] }),
      );
      expect(run.record.outcome).toBe('failed');
      expect(run.record.command).toBeNull();
      expect(run.record.decision.reason).toMatch(/^no known good; nothing done/);
      expect(run.record.decision.reason).not.toContain('sekrit');
    }
  });

  it('refuses to "restore" the artefact that failed', async () => {
    const run = await runRollback(
      options({ probes: [scripted('api', ['fail'])], restore: { digest: 'SHA256:AAAA' }, command: 'exit 0' }),
    );
    expect(run.record.decision).toMatchObject({ action: 'refused' });
    expect(run.record.decision.reason).toContain('is the artefact that failed');
  });

  it('refuses to "restore" the failed commit, or the failed image named by reference', async () => {
    const sameSha = await runRollback(
      options({
        probes: [scripted('api', ['fail'])],
        failed: { sha: 'F'.repeat(40) },
        restore: { sha: 'f'.repeat(40) },
        command: 'exit 0',
      }),
    );
    expect(sameSha.record.decision.action).toBe('refused');
    expect(sameSha.record.decision.reason).toContain('is the commit that failed');
    const image = await runRollback(
      options({
        probes: [scripted('api', ['fail'])],
        failed: { digest: 'ghcr.io/acme/app@sha256:AAAA' },
        restore: { digest: 'sha256:aaaa' },
        command: 'exit 0',
      }),
    );
    expect(image.record.decision.action).toBe('refused');
    expect(image.record.decision.reason).toContain('is the artefact that failed');
  });

  it("masks the command's output a line at a time, and before cutting it to its tail", async () => {
    const events: ProgressEvent[] = [];
    const secret = 'tok-ABCDEFGH-0123456789';
    const run = await runRollback(
      options({
        probes: [scripted('api', ['fail', 'pass'])],
        // The secret arrives in two writes; then enough output to push the cut into its line.
        command: `printf 'using tok-ABCD'; sleep 0.2; printf 'EFGH-0123456789\\n'; head -c 1990 /dev/zero | tr '\\0' x`,
        secrets: [secret],
        onProgress: (e) => events.push(e),
      }),
    );
    const live = events.flatMap((e) => (e.kind === 'command-output' ? [e.text] : [])).join('');
    expect(live).toContain('using ***');
    expect(live).not.toMatch(/ABCD|EFGH|456789/);
    expect(run.record.command?.output).not.toMatch(/ABCD|EFGH|456789/);
  });

  it('never throws after acting when the record cannot be signed: it says so in signError', async () => {
    const pair = generateKeyPair('ed25519');
    const run = await runRollback(
      options({
        failed: { sha: 'f'.repeat(40) },
        signers: [keySigner(parsePrivateKey(pair.privatePem, 'k'))],
      }),
    );
    expect(run.record.outcome).toBe('healthy');
    expect(run.signed).toBeNull();
    expect(run.signError).toContain('cannot sign the rollback record');
  });

  it('refuses bad values before anything runs', async () => {
    const probe = scripted('api', ['pass']);
    await expect(runRollback(options({ probes: [probe], restore: { digest: 'sha256:a\nb' } }))).rejects.toThrow(
      'restore-digest must be one line',
    );
    await expect(runRollback(options({ probes: [probe], command: ' ' }))).rejects.toThrow('rollback-command');
    await expect(runRollback(options({ probes: [probe], loop: { ...LOOP, count: 0 } }))).rejects.toThrow('count');
    expect(probe.calls).toBe(0);
  });
});
