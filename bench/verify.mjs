// bench/verify: how fast attestations open — JSON.parse, strict envelope parsing (base64 checks), PAE and
// Ed25519 verification — for 5,000 envelopes with ~3 KB in-toto statements, on one core (all of it is
// synchronous on the main thread). The baseline is the bare crypto.verify calls on the same PAE bytes,
// so the ratio shows what our parsing and bookkeeping cost on top of the cryptography itself.
//
//   npx tsc -b && node bench/verify.mjs [--envelopes 5000] [--rounds 3] [--keys 1]
//
// --keys N puts the signing key last in a keyring of N; the keyid hint still lets it be tried first.

import { createHash, verify } from 'node:crypto';
import { parseArgs } from 'node:util';
import { openEnvelope, pae, signEnvelope, PAYLOAD_TYPE_IN_TOTO } from '../packages/core/dist/attestation/dsse.js';
import { generateKeyPair, parsePrivateKey, parsePublicKey } from '../packages/core/dist/attestation/keys.js';
import { keySigner } from '../packages/core/dist/attestation/signer.js';

const { values } = parseArgs({
  options: {
    envelopes: { type: 'string', default: '5000' },
    rounds: { type: 'string', default: '3' },
    keys: { type: 'string', default: '1' },
  },
});
const COUNT = Number(values.envelopes);
const ROUNDS = Number(values.rounds);
const KEYRING = Math.max(1, Number(values.keys));
const TARGET_PER_SECOND = 5_000;

/** mulberry32: repeatable fixtures, so every run measures the same work. */
function seeded(seed) {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = Math.imul(state ^ (state >>> 15), state | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const random = seeded(0xc0ffee);
const pick = (list) => list[Math.floor(random() * list.length)];
const hex = (bytes) =>
  createHash('sha256')
    .update(String(random()))
    .digest('hex')
    .slice(0, bytes * 2);
const PEOPLE = ['alice', 'bob', 'carol', 'dave', 'erin', 'frank', 'grace', 'heidi', 'ivan', 'judy'];
const ENVIRONMENTS = ['dev', 'staging', 'production'];
const REASONS = [
  'touches services/payments/** (rule: payments-core)',
  'adds a database migration under db/migrations/',
  'changes infra/terraform/production/*.tf',
  'modifies .github/workflows/deploy.yml (trusted path)',
  'more than 400 changed lines',
  'dependency manifest changed: package-lock.json',
];

/** An approval attestation shaped like ours (SPEC §5), padded with realistic detail to about 3 KB. */
function statement(index) {
  const environment = pick(ENVIRONMENTS);
  const approvals = [];
  while (approvals.length < 4) {
    const login = pick(PEOPLE);
    approvals.push({
      login,
      email: `${login}@corp.example`,
      role: pick(['payments-owner', 'sre', 'security', 'release-manager']),
      submittedAt: new Date(Date.UTC(2026, 10, 1 + (index % 28), 9, approvals.length * 7)).toISOString(),
      commit: hex(20),
      counted: random() > 0.2,
      reason: random() > 0.2 ? 'distinct from every participant' : 'approver co-authored a commit in the change',
    });
  }
  const body = {
    _type: 'https://in-toto.io/Statement/v1',
    subject: [{ name: `ghcr.io/acme/payments-api:${index}`, digest: { sha256: hex(32) } }],
    predicateType: 'https://countersign.dev/deployment-approval/v1',
    predicate: {
      environment,
      repository: 'github.com/acme/payments',
      base: hex(20),
      head: hex(20),
      participants: PEOPLE.slice(0, 3 + (index % 4)).map((login) => ({
        login,
        email: `${login}@corp.example`,
        kind: 'author',
      })),
      policy: { sha256: hex(32), path: '.countersign.yml' },
      risk: pick(['low', 'medium', 'high', 'critical']),
      reasons: [],
      approvals,
      run: {
        platform: 'github-actions',
        id: String(9_000_000 + index),
        url: `https://github.com/acme/payments/actions/runs/${9_000_000 + index}`,
        actor: pick(PEOPLE),
      },
      time: new Date(Date.UTC(2026, 10, 1, 12, 0, index)).toISOString(),
      previous: environment === 'dev' ? null : { sha256: hex(32) },
    },
  };
  while (JSON.stringify(body).length < 3_000) body.predicate.reasons.push(pick(REASONS));
  return Buffer.from(JSON.stringify(body));
}

function best(fn) {
  let fastest = Infinity;
  let value;
  for (let round = 0; round < ROUNDS; round += 1) {
    const start = process.hrtime.bigint();
    value = fn();
    fastest = Math.min(fastest, Number(process.hrtime.bigint() - start) / 1e6);
  }
  return { ms: fastest, value };
}

const pair = generateKeyPair('ed25519');
const signer = keySigner(parsePrivateKey(pair.privatePem, 'bench'));
const decoys = Array.from({ length: KEYRING - 1 }, () => parsePublicKey(generateKeyPair('ed25519').publicPem, 'bench'));
const keys = [...decoys, parsePublicKey(pair.publicPem, 'bench')];

const payloads = Array.from({ length: COUNT }, (_, index) => statement(index));
const envelopes = await Promise.all(payloads.map((payload) => signEnvelope(PAYLOAD_TYPE_IN_TOTO, payload, [signer])));
const texts = envelopes.map((envelope) => JSON.stringify(envelope));
const averageBytes = texts.reduce((sum, text) => sum + text.length, 0) / COUNT;
const averagePayload = payloads.reduce((sum, payload) => sum + payload.length, 0) / COUNT;

// The bare baseline gets everything precomputed: only the signature checks are timed.
const messages = payloads.map((payload) => pae(PAYLOAD_TYPE_IN_TOTO, payload));
const signatures = envelopes.map((envelope) => Buffer.from(envelope.signatures[0].sig, 'base64'));
const publicKey = keys[keys.length - 1].key;

const ours = best(() => {
  let verified = 0;
  for (const text of texts) {
    const opened = openEnvelope(JSON.parse(text), keys);
    if (opened.ok && opened.verified) verified += 1;
  }
  return verified;
});
const bare = best(() => {
  let verified = 0;
  for (let index = 0; index < COUNT; index += 1) {
    if (verify(null, messages[index], publicKey, signatures[index])) verified += 1;
  }
  return verified;
});

const perSecond = (ms) => Math.round((COUNT / ms) * 1000).toLocaleString('en-US');
const met = (COUNT / ours.ms) * 1000 >= TARGET_PER_SECOND;
console.log(
  `bench/verify: ${COUNT.toLocaleString('en-US')} Ed25519 envelopes, payload ~${Math.round(averagePayload)} B ` +
    `(envelope JSON ~${Math.round(averageBytes)} B), keyring of ${KEYRING}, ${process.version}, best of ${ROUNDS}`,
);
console.log(
  `  ours: JSON.parse + parse + verify  ${ours.ms.toFixed(1)} ms   ${perSecond(ours.ms)} envelopes/s   [target >= ${TARGET_PER_SECOND.toLocaleString('en-US')}/s] ${met ? 'met' : 'MISSED'}`,
);
console.log(`  bare crypto.verify on the same PAE  ${bare.ms.toFixed(1)} ms   ${perSecond(bare.ms)} verifies/s`);
console.log(`  ratio ours / bare (time): ${(ours.ms / bare.ms).toFixed(2)}x`);
console.log(`  verified: ours ${ours.value}/${COUNT}, bare ${bare.value}/${COUNT}`);
if (ours.value !== COUNT || bare.value !== COUNT) {
  console.error('bench/verify: not every envelope verified');
  process.exitCode = 1;
}
if (!met) process.exitCode = 1;
