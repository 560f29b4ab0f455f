// The last known good from signed attestations, and the signed rollback record beside them.
import { describe, expect, it } from 'vitest';
import { generateKeyPair, parsePrivateKey, parsePublicKey } from '../../../packages/core/src/attestation/keys.js';
import { keySigner } from '../../../packages/core/src/attestation/signer.js';
import { verifyAttestations } from '../../../packages/core/src/attestation/verify.js';
import {
  deployAttestation,
  findKnownGood,
  indexAttestations,
  isRollbackDeployment,
  normaliseDigest,
} from '../../../packages/core/src/rollback/known-good.js';
import { digestSet, signRollbackRecord, verifyRollbackRecords } from '../../../packages/core/src/rollback/record.js';
import { runRollback } from '../../../packages/core/src/rollback/run.js';
import { NoKnownGoodError } from '../../../packages/core/src/rollback/types.js';
import { attestDeploy, fakeClock, scripted } from './helpers.js';

const pair = generateKeyPair('ed25519');
const signer = keySigner(parsePrivateKey(pair.privatePem, 'test key'));
const key = parsePublicKey(pair.publicPem, 'test key');
const other = generateKeyPair('ecdsa-p256');
const otherSigner = keySigner(parsePrivateKey(other.privatePem, 'other key'));

const D1 = '1'.repeat(64);
const D2 = '2'.repeat(64);
const D3 = '3'.repeat(64);
const D4 = '4'.repeat(64);
const NOW = new Date('2026-03-01T12:00:00Z');

async function history(): Promise<string> {
  let file = await attestDeploy(signer, { digest: D1, time: '2026-02-01T10:00:00Z', head: 'a1'.repeat(20) });
  file = await attestDeploy(signer, { digest: D2, time: '2026-02-10T10:00:00Z', head: 'b2'.repeat(20) }, file);
  file = await attestDeploy(signer, { digest: D2, time: '2026-02-10T11:00:00Z', environment: 'staging' }, file);
  file = await attestDeploy(signer, { digest: D3, time: '2026-02-20T10:00:00Z', head: 'c3'.repeat(20) }, file);
  return file;
}

describe('findKnownGood', () => {
  it('picks the newest verified attestation for the environment older than the failed deploy', async () => {
    const index = indexAttestations([{ file: 'a.intoto.jsonl', text: await history() }], [key], 'production');
    expect(index.approvals).toHaveLength(3);
    const target = findKnownGood(index, { failedDigest: `sha256:${D3}`, now: NOW });
    expect(target.artefact).toEqual({ digest: `sha256:${D2}`, sha: 'b2'.repeat(20), name: 'app.tgz' });
    expect(target.source).toMatchObject({ kind: 'attestation', attestation: { file: 'a.intoto.jsonl', line: 2 } });
    // Older than the failed deploy: D3's own time, not now.
    const fromD2 = findKnownGood(index, { failedDigest: D2, now: NOW });
    expect(fromD2.artefact.digest).toBe(`sha256:${D1}`);
  });

  it('ignores attestations signed by another key, for another environment, or not approved', async () => {
    let file = await attestDeploy(signer, { digest: D1, time: '2026-02-01T10:00:00Z' });
    file = await attestDeploy(otherSigner, { digest: D2, time: '2026-02-10T10:00:00Z' }, file);
    file = await attestDeploy(signer, { digest: D3, time: '2026-02-11T10:00:00Z', environment: 'staging' }, file);
    file = await attestDeploy(signer, { digest: D4, time: '2026-02-12T10:00:00Z', status: 'rejected' }, file);
    const index = indexAttestations([{ file: 'f', text: `not json\n${file}` }], [key], 'production');
    expect(index.skipped).toEqual([
      'f line 1: line 1 is not JSON (a truncated or corrupted file?)',
      'f line 3: no signature verifies with the given public key(s)',
    ]);
    expect(findKnownGood(index, { failedDigest: 'e'.repeat(64), before: NOW, now: NOW }).artefact.digest).toBe(
      `sha256:${D1}`,
    );
  });

  it('says "no known good; nothing done" when nothing qualifies', async () => {
    const only = await attestDeploy(signer, { digest: D1, time: '2026-02-01T10:00:00Z' });
    const index = indexAttestations([{ file: 'f', text: only }], [key], 'production');
    expect(() => findKnownGood(index, { failedDigest: D1, now: NOW })).toThrow(NoKnownGoodError);
    expect(() => findKnownGood(index, { failedDigest: D1, now: NOW })).toThrow(
      /^no known good; nothing done: none of the 1/,
    );
    const empty = indexAttestations([], [key], 'production');
    expect(() => findKnownGood(empty, { now: NOW })).toThrow("no verified, approved attestation for 'production'");
  });

  it('skips artefacts named as failed, or as an unhealthy restore, by earlier signed rollback records', async () => {
    let file = await history();
    const clock = fakeClock('2026-02-21T10:00:00Z');
    // An earlier rollback from D2 to D1 that did not come up healthy: neither is known good now.
    const earlier = await runRollback({
      probes: [scripted('api', ['fail'])],
      loop: { initialDelayMs: 0, count: 1, intervalMs: 0, failureLimit: 0, consecutiveErrorLimit: 0 },
      failed: { digest: `sha256:${D2}` },
      restore: { digest: `sha256:${D1}` },
      command: () =>
        Promise.resolve({
          exit_code: 0,
          signal: null,
          error: null,
          started_at: '',
          duration_ms: 1,
          output: '',
          truncated: false,
        }),
      environment: 'production',
      signers: [signer],
      clock,
    });
    expect(earlier.record.outcome).toBe('rollback-failed');
    file += `${earlier.signed?.envelope}\n`;
    const index = indexAttestations([{ file: 'f', text: file }], [key], 'production');
    expect(index.rollbacks).toHaveLength(1);
    expect(() => findKnownGood(index, { failedDigest: D3, now: NOW })).toThrow(NoKnownGoodError);
  });

  it('a signed healthy record says nothing bad: the watched artefact stays known good', async () => {
    let file = await attestDeploy(signer, { digest: D1, time: '2026-02-01T10:00:00Z' });
    file = await attestDeploy(signer, { digest: D2, time: '2026-02-10T10:00:00Z' }, file);
    const healthy = await runRollback({
      probes: [scripted('api', ['pass'])],
      loop: { initialDelayMs: 0, count: 1, intervalMs: 0, failureLimit: 0, consecutiveErrorLimit: 0 },
      failed: { digest: `sha256:${D2}` },
      restore: { digest: `sha256:${D1}` },
      command: 'false',
      environment: 'production',
      signers: [signer],
      clock: fakeClock('2026-02-10T10:05:00Z'),
    });
    expect(healthy.record.outcome).toBe('healthy');
    file += `${healthy.signed?.envelope}\n`;
    file = await attestDeploy(signer, { digest: D3, time: '2026-02-20T10:00:00Z' }, file);
    const index = indexAttestations([{ file: 'f', text: file }], [key], 'production');
    expect(index.rollbacks).toHaveLength(1);
    expect(findKnownGood(index, { failedDigest: D3, now: NOW }).artefact.digest).toBe(`sha256:${D2}`);
  });

  it('a rollback whose command failed does not mark its target bad: it was never deployed', async () => {
    let file = await history();
    const earlier = await runRollback({
      probes: [scripted('api', ['fail'])],
      loop: { initialDelayMs: 0, count: 1, intervalMs: 0, failureLimit: 0, consecutiveErrorLimit: 0 },
      failed: { digest: `sha256:${D3}` },
      restore: { digest: `sha256:${D2}` },
      command: 'exit 4',
      environment: 'production',
      signers: [signer],
      clock: fakeClock('2026-02-21T10:00:00Z'),
    });
    expect(earlier.record).toMatchObject({ outcome: 'rollback-failed', command: { exit_code: 4 } });
    file += `${earlier.signed?.envelope}\n`;
    const index = indexAttestations([{ file: 'f', text: file }], [key], 'production');
    expect(findKnownGood(index, { failedDigest: D3, now: NOW }).artefact.digest).toBe(`sha256:${D2}`);
  });

  it("refuses to guess the cut-off when the failed artefact's own approval is not found", async () => {
    let file = await attestDeploy(signer, { digest: D1, time: '2026-02-01T10:00:00Z' });
    // D2 approved after the failed deploy (maybe never deployed): must not be picked.
    file = await attestDeploy(signer, { digest: D2, time: '2026-02-25T10:00:00Z' }, file);
    const index = indexAttestations([{ file: 'f', text: file }], [key], 'production');
    expect(() => findKnownGood(index, { failedDigest: D3, now: NOW })).toThrow(NoKnownGoodError);
    expect(() => findKnownGood(index, { failedDigest: D3, now: NOW })).toThrow(
      "the failed artefact's own approval (sha256:" + D3 + ') was not found',
    );
    expect(() => findKnownGood(index, { now: NOW })).toThrow('no failed artefact was named');
    const given = findKnownGood(index, { failedDigest: D3, before: new Date('2026-02-20T10:00:00Z'), now: NOW });
    expect(given.artefact.digest).toBe(`sha256:${D1}`);
  });

  it('knows a deployment that a rollback record restored is itself a rollback, until approved again', async () => {
    const file = await history();
    const rollback = await runRollback({
      probes: [scripted('api', ['fail', 'pass'])],
      loop: { initialDelayMs: 0, count: 1, intervalMs: 0, failureLimit: 0, consecutiveErrorLimit: 0 },
      failed: { digest: `sha256:${D3}` },
      restore: { digest: `sha256:${D2}` },
      command: () =>
        Promise.resolve({
          exit_code: 0,
          signal: null,
          error: null,
          started_at: '',
          duration_ms: 1,
          output: '',
          truncated: false,
        }),
      environment: 'production',
      signers: [signer],
      clock: fakeClock('2026-02-21T10:00:00Z'),
    });
    expect(rollback.record.outcome).toBe('rolled-back');
    const withRecord = `${file}${rollback.signed?.envelope}\n`;
    const index = indexAttestations([{ file: 'f', text: withRecord }], [key], 'production');
    expect(isRollbackDeployment(index, D2)?.line).toBe(5);
    expect(isRollbackDeployment(index, D3)).toBeNull();
    const reapproved = await attestDeploy(signer, { digest: D2, time: '2026-02-22T10:00:00Z' }, withRecord);
    expect(
      isRollbackDeployment(indexAttestations([{ file: 'f', text: reapproved }], [key], 'production'), D2),
    ).toBeNull();
    expect(deployAttestation(index, `sha256:${D3}`)?.payloadSha256).toMatch(/^[0-9a-f]{64}$/);
  });
});

describe('the signed rollback record', () => {
  it('is an in-toto statement for the restored artefact, chained to the deploy attestation, and verify never takes it for an approval', async () => {
    const file = await history();
    const index = indexAttestations([{ file: 'f', text: file }], [key], 'production');
    const previous = deployAttestation(index, D3)?.payloadSha256 ?? null;
    const run = await runRollback({
      probes: [scripted('api', ['fail', 'pass'])],
      loop: { initialDelayMs: 0, count: 2, intervalMs: 0, failureLimit: 0, consecutiveErrorLimit: 0 },
      failed: { digest: `sha256:${D3}` },
      restore: () => findKnownGood(index, { failedDigest: D3, now: NOW }),
      command: () =>
        Promise.resolve({
          exit_code: 0,
          signal: null,
          error: null,
          started_at: '',
          duration_ms: 1,
          output: '',
          truncated: false,
        }),
      environment: 'production',
      previous,
      signers: [signer],
      clock: fakeClock('2026-02-21T10:00:00Z'),
    });
    expect(run.signed).not.toBeNull();
    const statement = run.signed?.statement;
    expect(statement?.predicateType).toBe('https://countersign.dev/rollback/v1');
    expect(statement?.subject).toEqual([{ name: 'app.tgz', digest: { sha256: D2 } }]);
    expect(statement?.predicate.previous).toBe(previous);
    expect(statement?.predicate.time).toBe('2026-02-21T10:00:00.000Z');

    const text = `${file}${run.signed?.envelope}\n`;
    const verified = verifyRollbackRecords(text, [key]);
    expect(verified).toHaveLength(1);
    expect(verified[0]?.record.outcome).toBe('rolled-back');
    expect(verifyRollbackRecords(text, [parsePublicKey(other.publicPem, 'other')])).toHaveLength(0);

    // verify still finds D2's approval, and lists the rollback record as failing the predicate type.
    const result = verifyAttestations(`${run.signed?.envelope}\n`, {
      keys: [key],
      digest: { algorithm: 'sha256', value: D2 },
      now: NOW,
    });
    expect(result.verified).toBe(false);
    expect(result.failed).toMatchObject({ name: 'predicate-type' });
    const both = verifyAttestations(text, {
      keys: [key],
      digest: { algorithm: 'sha256', value: D2 },
      environment: 'production',
      now: NOW,
    });
    expect(both.verified).toBe(true);
    expect(both.predicate?.environment).toBe('production');
  });

  it('a tampered record does not verify', async () => {
    const run = await runRollback({
      probes: [scripted('api', ['pass'])],
      loop: { initialDelayMs: 0, count: 1, intervalMs: 0, failureLimit: 0, consecutiveErrorLimit: 0 },
      failed: { digest: `sha256:${D3}` },
      restore: { digest: `sha256:${D2}` },
      command: 'true',
      signers: [signer],
      clock: fakeClock(),
    });
    const envelope = JSON.parse(run.signed?.envelope ?? '{}') as { payload: string };
    const payload = JSON.parse(Buffer.from(envelope.payload, 'base64').toString('utf8')) as {
      predicate: { outcome: string };
    };
    expect(payload.predicate.outcome).toBe('healthy');
    payload.predicate.outcome = 'rolled-back';
    envelope.payload = Buffer.from(JSON.stringify(payload)).toString('base64');
    expect(verifyRollbackRecords(JSON.stringify(envelope), [key])).toHaveLength(0);
  });

  it('reads digests as DigestSets', () => {
    expect(digestSet(`sha256:${D1.toUpperCase()}`)).toEqual({ sha256: D1 });
    expect(digestSet(D1)).toEqual({ sha256: D1 });
    expect(digestSet('sha256:$(touch x)')).toBeNull();
    expect(normaliseDigest(` SHA256:${D1.toUpperCase()} `)).toBe(`sha256:${D1}`);
    expect(normaliseDigest(`ghcr.io/acme/app:1.2@sha256:${D1.toUpperCase()}`)).toBe(`sha256:${D1}`);
    expect(digestSet(`ghcr.io/acme/app@sha256:${D1}`)).toEqual({ sha256: D1 });
  });

  it('refuses to sign a record with no digest to name', async () => {
    await expect(
      signRollbackRecord(
        {
          ...(
            await runRollback({
              probes: [scripted('api', ['pass'])],
              loop: { initialDelayMs: 0, count: 1, intervalMs: 0, failureLimit: 0, consecutiveErrorLimit: 0 },
              failed: { sha: 'abc' },
              restore: { ref: 'v1' },
              command: 'true',
              clock: fakeClock(),
            })
          ).record,
        },
        [signer],
        NOW,
      ),
    ).rejects.toThrow('cannot sign the rollback record');
  });
});
