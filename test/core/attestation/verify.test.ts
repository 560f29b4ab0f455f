// verifyAttestations on crafted files: junk lines beside a good one, and attestations from the future.
import { describe, expect, it } from 'vitest';
import {
  createAttestation,
  decide,
  generateKeyPair,
  keySigner,
  parsePrivateKey,
  parsePublicKey,
  attestationEnvironment,
  previousLink,
  verifyAttestations,
} from '../../../packages/core/src/index.js';
import { signEnvelope } from '../../../packages/core/src/attestation/dsse.js';
import { PAYLOAD_TYPE, ROLLBACK_PREDICATE, STATEMENT_TYPE } from '../../../packages/core/src/attestation/statement.js';
import { AT, approval, change, policy } from '../../helpers/builders.js';

const pair = generateKeyPair('ed25519');
const signer = keySigner(parsePrivateKey(pair.privatePem, 'test key'));
const key = parsePublicKey(pair.publicPem, 'test key');
const digest = 'd'.repeat(64);

async function attestation(time: Date) {
  const decision = decide({
    policy: policy(),
    change: change({ environment: 'production' }),
    approvals: [approval('bob')],
    at: AT,
    environment: 'production',
  });
  return createAttestation({
    subjects: [{ name: 'app', digest: { sha256: digest } }],
    decision,
    environment: 'production',
    signers: [signer],
    run: { platform: 'local', id: null, url: null, actor: null },
    time,
  });
}

describe('verifyAttestations', () => {
  it('is not thrown off by an unsigned line with junk digests beside a valid attestation', async () => {
    const good = await attestation(AT);
    const junk = JSON.stringify({
      payloadType: 'application/vnd.in-toto+json',
      payload: Buffer.from(
        JSON.stringify({
          _type: 'https://in-toto.io/Statement/v1',
          subject: [{ name: 'x', digest: { sha256: 5 } }],
          predicateType: 'p',
          predicate: {},
        }),
      ).toString('base64'),
      signatures: [{ sig: 'AAAA' }],
    });
    const result = verifyAttestations(`${junk}\n${good.file}`, {
      keys: [key],
      digest: { algorithm: 'sha256', value: digest },
      now: AT,
    });
    expect(result.verified).toBe(true);
  });

  it('refuses an attestation dated in the future when an age is asked for', async () => {
    const future = await attestation(new Date(AT.getTime() + 3_600_000));
    const result = verifyAttestations(future.file, {
      keys: [key],
      digest: { algorithm: 'sha256', value: digest },
      now: AT,
      maxAgeMs: 86_400_000,
    });
    expect(result.failed).toMatchObject({ name: 'age' });
    expect(result.failed?.detail).toContain('in the future');
  });

  it('fails the policy check, rather than crashing, on signed inputs that cannot be decided again', async () => {
    const good = await attestation(AT);
    (good.statement.predicate.inputs as { change: unknown }).change = { files: 'not a list' };
    const bad = await createAttestation({
      subjects: good.statement.subject,
      decision: {
        ...decide({
          policy: policy(),
          change: change({ environment: 'production' }),
          approvals: [approval('bob')],
          at: AT,
          environment: 'production',
        }),
        inputs: good.statement.predicate.inputs,
      },
      environment: 'production',
      signers: [signer],
      run: { platform: 'local', id: null, url: null, actor: null },
      time: AT,
    });
    const result = verifyAttestations(bad.file, {
      keys: [key],
      digest: { algorithm: 'sha256', value: digest },
      now: AT,
      policy: policy(),
    });
    expect(result.failed).toMatchObject({ name: 'policy' });
  });
});

describe('previousLink', () => {
  it('links to the newest approval of the artefact, never to a rollback record in the same file', async () => {
    const approved = await attestation(AT);
    const rollback = {
      _type: STATEMENT_TYPE,
      subject: [{ name: 'app', digest: { sha256: digest } }],
      predicateType: ROLLBACK_PREDICATE,
      predicate: { time: new Date(AT.getTime() + 60_000).toISOString() },
    };
    const envelope = await signEnvelope(PAYLOAD_TYPE, Buffer.from(JSON.stringify(rollback)), [signer]);
    const file = `${approved.file}${JSON.stringify(envelope)}\n`;
    expect(previousLink(file, [{ name: 'app', digest: { sha256: digest } }])).toBe(approved.payloadSha256);
  });
});

describe('attestationEnvironment', () => {
  const decision = (environment: string | null) =>
    decide({
      policy: policy(),
      change: change({ environment }),
      approvals: [approval('bob')],
      at: AT,
      environment,
    });

  it("is the decision's own environment; another is refused, whatever the case of the same one", () => {
    const production = decision('production');
    expect(attestationEnvironment(production, undefined, '--environment', 'd.json')).toBe('production');
    expect(attestationEnvironment(production, 'Production', '--environment', 'd.json')).toBe('production');
    expect(() => attestationEnvironment(production, 'staging', '--environment', 'd.json')).toThrow(
      "--environment staging differs from the decision's environment production",
    );
    expect(() => attestationEnvironment(decision(null), null, '--environment', 'd.json')).toThrow(
      'd.json was decided without an environment',
    );
  });
});
