// attest and verify end to end, as `node dist/index.js` with a runner's environment: the real
// @actions/artifact uploads the evidence to the fake's artefact service and downloads it again in
// another run, over loopback. Every way the evidence can be missing, misused or altered must fail
// verify and name the check that failed; the signing key must never show.
import { createHash } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createAttestation,
  decide,
  generateKeyPair,
  keySigner,
  loadPolicy,
  parsePrivateKey,
  type Decision,
} from '../../packages/core/src/index.js';
import { change, approval, commit, REQUESTED_AT } from '../helpers/builders.js';
import { startFakeGitHub, type FakeGitHub } from '../fakes/github/index.js';
import { errorLines, REPO, runAction, runnerEnv, type Run, type Scene } from './helpers.js';

const POLICY = `version: 1
levels:
  low: { approvals: 0 }
  medium: { approvals: 1 }
  high: { approvals: 2 }
  critical: { approvals: 2 }
environments:
  staging: {}
  production: { minimum-risk: medium }
`;

const key = generateKeyPair('ed25519');
const stranger = generateKeyPair('ed25519');
/** The base64 lines of the private key: none may appear anywhere a run shows or writes. */
const keyLines = key.privatePem.split('\n').filter((l) => l !== '' && !l.startsWith('-----'));

let fake: FakeGitHub;
let runs = 5000;

function decisionFor(environment: string, approvers: string[]): Decision {
  return decide({
    policy: loadPolicy(POLICY, '.countersign.yml'),
    change: change({ environment, commits: [commit('alice')] }),
    approvals: approvers.map((login) => approval(login)),
    at: new Date(Date.parse(REQUESTED_AT) + 3_600_000),
    environment,
  });
}

/** A new workflow run of the repository, as the artefact service knows it. */
function newRun(): Scene {
  runs += 1;
  const run = fake.state.addWorkflowRun(REPO, { id: runs });
  return { base: run.head_sha, head: run.head_sha, pull: 0, runId: run.id };
}

async function step(
  action: 'attest' | 'verify',
  inputs: Record<string, string>,
  files: Record<string, string | Buffer> = {},
  scene: Scene = newRun(),
): Promise<Run> {
  const prepared = await runnerEnv(fake, scene, inputs);
  Object.assign(prepared.env, fake.artifacts.env(scene.runId), { GITHUB_API_URL: fake.url });
  for (const [name, content] of Object.entries(files)) await writeFile(join(prepared.dir, name), content);
  return runAction(action, prepared);
}

const ARTEFACT = Buffer.from('the release tarball, byte for byte\n'.repeat(1000));
const DIGEST = createHash('sha256').update(ARTEFACT).digest('hex');

async function attestFor(
  environment: string,
  approvers = ['bob'],
  signingKey = key.privatePem,
  artefact = ARTEFACT,
  scene?: Scene,
): Promise<Run> {
  return step(
    'attest',
    { 'decision-file': 'decision.json', 'subject-path': 'app.tgz', 'signing-key': signingKey },
    { 'decision.json': JSON.stringify(decisionFor(environment, approvers)), 'app.tgz': artefact },
    scene,
  );
}

async function verifyFor(environment: string, extra: Record<string, string> = {}, artefact = ARTEFACT): Promise<Run> {
  return step(
    'verify',
    { 'subject-path': 'app.tgz', environment, 'public-key': 'countersign.pub', ...extra },
    // The key in the checkout is the change's own: verify must read the default branch's instead.
    { 'app.tgz': artefact, 'countersign.pub': stranger.publicPem },
  );
}

/** What a log reader sees: the runner consumes `::add-mask::` commands and never shows them. */
function shown(run: Run): string {
  return run.everything
    .split('\n')
    .filter((line) => !line.startsWith('::add-mask::'))
    .join('\n');
}

function expectNoKey(run: Run): void {
  for (const line of keyLines) expect(shown(run)).not.toContain(line);
}

function failedCheck(run: Run): string {
  const error = errorLines(run.stdout).join('\n');
  return /check '([a-z-]+)' failed/.exec(error)?.[1] ?? `(no failed check in: ${error || run.stderr})`;
}

beforeAll(async () => {
  fake = await startFakeGitHub();
  fake.state.addRepo(REPO, { files: { '.countersign.yml': POLICY, 'countersign.pub': key.publicPem } });
});
afterAll(() => fake.close());

describe('attest', () => {
  it('stores the signed decision as countersign-<environment>-<digest>, and the key never shows', async () => {
    const run = await attestFor('staging');
    expect(errorLines(run.stdout)).toEqual([]);
    expect(run.code).toBe(0);
    expect(run.outputs['artifact-name']).toBe(`countersign-staging-${DIGEST}`);
    const stored = fake.state.repo(REPO).artifacts.find((a) => a.id === Number(run.outputs['artifact-id']));
    expect(stored?.name).toBe(`countersign-staging-${DIGEST}`);
    const file = await readFile(run.outputs['attestation-path'] ?? '', 'utf8');
    expect(run.outputs['attestation-digest']).toBe(`sha256:${createHash('sha256').update(file).digest('hex')}`);
    expect(run.summary).toContain(`countersign verify --digest sha256:${DIGEST}`);
    expect(run.summary).toContain('bob');
    expectNoKey(run);
  }, 60_000);

  it('refuses a decision made for another environment, and fails with a bad key without echoing it', async () => {
    const other = await step(
      'attest',
      {
        'decision-file': 'decision.json',
        'subject-path': 'app.tgz',
        environment: 'production',
        'signing-key': key.privatePem,
      },
      { 'decision.json': JSON.stringify(decisionFor('staging', ['bob'])), 'app.tgz': ARTEFACT },
    );
    expect(errorLines(other.stdout).join('\n')).toContain("differs from the decision's environment staging");
    expect(other.code).toBe(1);

    const broken = key.privatePem.replace(/\n[A-Za-z0-9+/]{8}/, '\nAAAAAAAA');
    const bad = await attestFor('staging', ['bob'], broken);
    expect(bad.code).toBe(1);
    expect(errorLines(bad.stdout).join('\n')).toContain('input signing-key');
    for (const line of broken.split('\n').filter((l) => l !== '' && !l.startsWith('-----')))
      expect(shown(bad)).not.toContain(line);
  }, 60_000);
});

describe('verify', () => {
  it('build → attest staging → attest production in later runs → verify the chain in another run', async () => {
    const artefact = Buffer.from('promoted build 42\n');
    const hex = createHash('sha256').update(artefact).digest('hex');
    expect((await attestFor('staging', ['bob'], key.privatePem, artefact)).code).toBe(0);
    const production = await attestFor('production', ['carol'], key.privatePem, artefact);
    expect(production.code).toBe(0);
    expect(production.summary).toContain(`countersign-staging-${hex}`);
    expect((await readFile(production.outputs['attestation-path'] ?? '', 'utf8')).trim().split('\n')).toHaveLength(2);

    const run = await verifyFor('production', {}, artefact);
    expect(errorLines(run.stdout)).toEqual([]);
    expect(run.code).toBe(0);
    expect(run.outputs).toMatchObject({ verified: 'true', approvers: 'carol' });
    expect(run.summary).toContain('staging → production');
  }, 90_000);

  it('fails on a digest with no attestation', async () => {
    const run = await step('verify', {
      'subject-digest': `sha256:${'e'.repeat(64)}`,
      environment: 'staging',
      'public-key': key.publicPem,
    });
    expect(run.code).toBe(1);
    expect(failedCheck(run)).toBe('subject');
    expect(run.outputs['verified']).toBe('false');
  }, 60_000);

  it('fails on a tampered artefact: its digest has no evidence', async () => {
    await attestFor('staging');
    const tampered = Buffer.concat([ARTEFACT, Buffer.from('#')]);
    const run = await verifyFor('staging', { chain: 'false' }, tampered);
    expect(run.code).toBe(1);
    expect(failedCheck(run)).toBe('subject');
  }, 90_000);

  it("fails on another environment's attestation stored under this environment's name", async () => {
    const artefact = Buffer.from('copied evidence\n');
    const hex = createHash('sha256').update(artefact).digest('hex');
    const staging = await attestFor('staging', ['bob'], key.privatePem, artefact);
    const evidence = await readFile(staging.outputs['attestation-path'] ?? '', 'utf8');
    fake.state.addArtifact(REPO, {
      runId: newRun().runId,
      name: `countersign-production-${hex}`,
      files: { 'countersign.intoto.jsonl': evidence },
    });
    const run = await verifyFor('production', { chain: 'false' }, artefact);
    expect(run.code).toBe(1);
    expect(failedCheck(run)).toBe('environment');
  }, 90_000);

  it('fails on an attestation signed by a key that is not the given public key', async () => {
    const artefact = Buffer.from('signed by a stranger\n');
    expect((await attestFor('staging', ['bob'], stranger.privatePem, artefact)).code).toBe(0);
    const run = await verifyFor('staging', { chain: 'false' }, artefact);
    expect(run.code).toBe(1);
    expect(failedCheck(run)).toBe('signature');
  }, 90_000);

  it('fails on a production attestation whose chain lacks staging', async () => {
    const artefact = Buffer.from('straight to production\n');
    expect((await attestFor('production', ['bob'], key.privatePem, artefact)).code).toBe(0);
    const run = await verifyFor('production', {}, artefact);
    expect(run.code).toBe(1);
    expect(failedCheck(run)).toBe('chain');
    expect(errorLines(run.stdout).join('\n')).toContain('no staging attestation precedes production');
    const unchained = await verifyFor('production', { chain: 'false' }, artefact);
    expect(unchained.code).toBe(0);
  }, 90_000);

  it("fails when the download does not match the artefact service's digest", async () => {
    const artefact = Buffer.from('altered in storage\n');
    const made = await attestFor('staging', ['bob'], key.privatePem, artefact);
    fake.state.tamperArtifact(REPO, Number(made.outputs['artifact-id']));
    const run = await verifyFor('staging', { chain: 'false' }, artefact);
    expect(run.code).toBe(1);
    expect(errorLines(run.stdout).join('\n')).toContain("does not match the artefact service's digest");
  }, 90_000);

  it('looks only in the given run with run-id', async () => {
    const artefact = Buffer.from('run-scoped\n');
    const made = await attestFor('staging', ['bob'], key.privatePem, artefact);
    const stored = fake.state.repo(REPO).artifacts.find((a) => a.id === Number(made.outputs['artifact-id']));
    const inRun = await verifyFor('staging', { chain: 'false', 'run-id': String(stored?.run_id) }, artefact);
    expect(inRun.code).toBe(0);
    const elsewhere = await verifyFor('staging', { chain: 'false', 'run-id': String(newRun().runId) }, artefact);
    expect(elsewhere.code).toBe(1);
    expect(failedCheck(elsewhere)).toBe('subject');
  }, 90_000);

  it('accepts a fresh attestation under max-age, and re-decides under a stricter policy of today', async () => {
    const artefact = Buffer.from('aged\n');
    expect((await attestFor('staging', ['bob'], key.privatePem, artefact)).code).toBe(0);
    const fresh = await verifyFor('staging', { chain: 'false', 'max-age': '1h' }, artefact);
    expect(fresh.code).toBe(0);
    fake.state.setFile(
      REPO,
      'main',
      'stricter.yml',
      POLICY.replace('medium: { approvals: 1 }', 'medium: { approvals: 3 }').replace(
        'staging: {}',
        'staging: { minimum-risk: medium }',
      ),
    );
    const stricter = await verifyFor('staging', { chain: 'false', policy: 'stricter.yml' }, artefact);
    expect(stricter.code).toBe(1);
    expect(failedCheck(stricter)).toBe('policy');
  }, 90_000);
});

/** A signed attestation of `artefact` for staging made at `time`, as a file of one envelope. */
async function attestationFile(artefact: Buffer, time: Date, signingPem = key.privatePem): Promise<string> {
  const made = await createAttestation({
    subjects: [{ name: 'app.tgz', digest: { sha256: createHash('sha256').update(artefact).digest('hex') } }],
    decision: decisionFor('staging', ['bob']),
    environment: 'staging',
    signers: [keySigner(parsePrivateKey(signingPem, 'test key'))],
    run: { platform: 'github', id: null, url: null, actor: null },
    time,
  });
  return made.file;
}

function seed(artefact: Buffer, file: string, runOptions: { head_repository_id?: number } = {}): void {
  runs += 1;
  fake.state.addWorkflowRun(REPO, { id: runs, ...runOptions });
  fake.state.addArtifact(REPO, {
    runId: runs,
    name: `countersign-staging-${createHash('sha256').update(artefact).digest('hex')}`,
    files: { 'countersign.intoto.jsonl': file },
  });
}

describe('verify against stored evidence that was not made by attest', () => {
  it('refuses an attestation older than max-age', async () => {
    const artefact = Buffer.from('old release\n');
    seed(artefact, await attestationFile(artefact, new Date(Date.now() - 2 * 86_400_000)));
    const run = await verifyFor('staging', { chain: 'false', 'max-age': '24h' }, artefact);
    expect(run.code).toBe(1);
    expect(failedCheck(run)).toBe('age');
    expect((await verifyFor('staging', { chain: 'false', 'max-age': '3d' }, artefact)).code).toBe(0);
  }, 60_000);

  it('refuses an attestation edited after signing, though the service digest of the re-upload is right', async () => {
    const artefact = Buffer.from('edited evidence\n');
    const envelope = JSON.parse((await attestationFile(artefact, new Date())).trim()) as { payload: string };
    const statement = JSON.parse(Buffer.from(envelope.payload, 'base64').toString()) as {
      predicate: { decision: { approvers: string[] } };
    };
    statement.predicate.decision.approvers = ['mallory'];
    envelope.payload = Buffer.from(JSON.stringify(statement)).toString('base64');
    seed(artefact, `${JSON.stringify(envelope)}\n`);
    const run = await verifyFor('staging', { chain: 'false' }, artefact);
    expect(run.code).toBe(1);
    expect(failedCheck(run)).toBe('signature');
  }, 60_000);

  it('is not hidden by a newer upload that does not verify, and ignores a fork pull request’s artefacts', async () => {
    const artefact = Buffer.from('valid, then junk\n');
    seed(artefact, await attestationFile(artefact, new Date()));
    seed(artefact, await attestationFile(artefact, new Date(), stranger.privatePem));
    const run = await verifyFor('staging', { chain: 'false' }, artefact);
    expect(errorLines(run.stdout)).toEqual([]);
    expect(run.outputs['verified']).toBe('true');

    const forked = Buffer.from('from a fork\n');
    seed(forked, await attestationFile(forked, new Date()), { head_repository_id: 424242 });
    const fromFork = await verifyFor('staging', { chain: 'false' }, forked);
    expect(fromFork.code).toBe(1);
    expect(failedCheck(fromFork)).toBe('subject');
  }, 60_000);

  it('finds evidence whatever the case of the environment name', async () => {
    const artefact = Buffer.from('case\n');
    expect((await attestFor('staging', ['bob'], key.privatePem, artefact)).code).toBe(0);
    const run = await verifyFor('STAGING', { chain: 'false' }, artefact);
    expect(errorLines(run.stdout)).toEqual([]);
    expect(run.code).toBe(0);
  }, 60_000);

  it('a re-run of attest in the same run replaces its first attempt’s artefact', async () => {
    const artefact = Buffer.from('re-run\n');
    const scene = newRun();
    const first = await attestFor('staging', ['bob'], key.privatePem, artefact, scene);
    expect(first.code).toBe(0);
    const again = await attestFor('staging', ['bob'], key.privatePem, artefact, scene);
    expect(errorLines(again.stdout)).toEqual([]);
    const named = fake.state.repo(REPO).artifacts.filter((a) => a.name === first.outputs['artifact-name']);
    expect(named.map((a) => a.id)).toEqual([Number(again.outputs['artifact-id'])]);
  }, 60_000);

  it('chains only what its own key signed', async () => {
    const artefact = Buffer.from('forged staging\n');
    seed(artefact, await attestationFile(artefact, new Date(), stranger.privatePem));
    const production = await attestFor('production', ['carol'], key.privatePem, artefact);
    expect(production.code).toBe(0);
    expect(production.stdout).toContain('not chained to it');
    expect((await readFile(production.outputs['attestation-path'] ?? '', 'utf8')).trim().split('\n')).toHaveLength(1);
  }, 60_000);
});
