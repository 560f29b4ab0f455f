// rollback-on-failure end to end, as `node dist/index.js` with a runner's environment: a real HTTP
// service on 127.0.0.1 that turns unhealthy on cue, and the fake GitHub's Deployments with a history
// of good, replaced and failed deployments. The rollback command is a real shell command: it notes
// the variables it was given and heals the service by creating the cue file.
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  createAttestation,
  decide,
  generateKeyPair,
  keySigner,
  loadPolicy,
  parsePrivateKey,
  type Change,
} from '../../packages/core/src/index.js';
import { approval, change, commit, REQUESTED_AT } from '../helpers/builders.js';
import { ok, startHealthService, status, type HealthService } from '../helpers/health-service.js';
import { startFakeGitHub, type FakeDeployment, type FakeGitHub } from '../fakes/github/index.js';
import { errorLines, REPO, runAction, runnerEnv, type Run } from './helpers.js';

const POLICY =
  'version: 1\nlevels: { low: { approvals: 0 }, medium: { approvals: 1 }, high: { approvals: 2 }, critical: { approvals: 2 } }\n';
const key = generateKeyPair('ed25519');
const keyLines = key.privatePem.split('\n').filter((l) => l !== '' && !l.startsWith('-----'));
const GOOD_DIGEST = `sha256:${'a1'.repeat(32)}`;
// Notes what it was given, heals the service, and exits with $FAIL (0 unless a test sets it).
const COMMAND =
  'printf "%s|%s|%s|%s\\n" "$COUNTERSIGN_ROLLBACK_DIGEST" "$COUNTERSIGN_ROLLBACK_SHA" "$COUNTERSIGN_FAILED_SHA" "$COUNTERSIGN_ROLLBACK" >> ran.txt && touch cue.txt && exit "${FAIL:-0}"';

let fake: FakeGitHub;
let service: HealthService;
let shas: string[];
let run = 7000;

beforeAll(async () => {
  fake = await startFakeGitHub();
  fake.state.addRepo(REPO, { files: { '.countersign.yml': POLICY } });
  const pushed = fake.state.pushCommits(
    REPO,
    [1, 2, 3, 4].map((n) => ({
      message: `release ${n}`,
      author: { name: 'A', email: 'a@example.com', login: 'alice' },
    })),
    'main',
  );
  shas = pushed.map((c) => c.sha);
  service = await startHealthService(ok);
});
afterAll(async () => {
  await service.close();
  await fake.close();
});
beforeEach(() => {
  // Each scenario starts from the same history: no deployments, no evidence, the plain policy.
  fake.state.repo(REPO).deployments = [];
  fake.state.repo(REPO).artifacts = [];
  fake.state.setFile(REPO, 'main', '.countersign.yml', POLICY);
  service.set(ok);
});

function deploy(
  sha: string,
  statuses: Array<'success' | 'failure' | 'inactive'>,
  extra: { payload?: Record<string, unknown>; task?: string } = {},
) {
  return fake.state.addDeployment(REPO, { sha, ref: 'main', environment: 'production', statuses, ...extra });
}

interface Step {
  run: Run;
  dir: string;
  ran: string[];
}

async function rollback(
  inputs: Record<string, string>,
  head: string,
  env: Record<string, string> = {},
  dir?: string,
  sameRun = false,
): Promise<Step> {
  if (!sameRun) {
    run += 1;
    fake.state.addWorkflowRun(REPO, { id: run, head_sha: head });
  }
  const prepared = await runnerEnv(
    fake,
    { base: head, head, pull: 0, runId: run },
    {
      environment: 'production',
      probe: service.url,
      count: '3',
      interval: '20ms',
      'rollback-command': COMMAND,
      ...inputs,
    },
  );
  if (dir !== undefined) {
    prepared.dir = dir;
    prepared.env['GITHUB_WORKSPACE'] = dir;
  }
  Object.assign(prepared.env, fake.artifacts.env(run), { GITHUB_API_URL: fake.url, GITHUB_SHA: head }, env);
  service.cue(join(prepared.dir, 'cue.txt'), ok);
  const result = await runAction('rollback-on-failure', prepared);
  const ranFile = join(prepared.dir, 'ran.txt');
  const ran = existsSync(ranFile) ? (await readFile(ranFile, 'utf8')).trim().split('\n') : [];
  return { run: result, dir: prepared.dir, ran };
}

/**
 * Stores signed approval evidence for `head`'s artefact in production, as attest would, and returns
 * the artefact's hex digest. `files` are the change's files (a migration, say).
 */
async function storeEvidence(
  head: string,
  text: string,
  policyText = POLICY,
  files: Change['files'] | undefined = undefined,
  approvers = ['bob'],
): Promise<string> {
  const hex = createHash('sha256').update(text).digest('hex');
  const decision = decide({
    policy: loadPolicy(policyText, '.countersign.yml'),
    change: change({ environment: 'production', head, commits: [commit('alice')], ...(files ? { files } : {}) }),
    approvals: approvers.map((login) => approval(login, { sha: head })),
    at: new Date(Date.parse(REQUESTED_AT) + 3_600_000),
    environment: 'production',
  });
  const made = await createAttestation({
    subjects: [{ name: 'app.tgz', digest: { sha256: hex } }],
    decision,
    environment: 'production',
    signers: [keySigner(parsePrivateKey(key.privatePem, 'test'))],
    run: { platform: 'github', id: null, url: null, actor: null },
    time: new Date(),
  });
  run += 1;
  fake.state.addWorkflowRun(REPO, { id: run, head_sha: head });
  fake.state.addArtifact(REPO, {
    runId: run,
    name: `countersign-production-${hex}`,
    files: { 'countersign.intoto.jsonl': made.file },
  });
  return hex;
}

const rollbacks = () => fake.state.repo(REPO).deployments.filter((d) => d.task === 'deploy:rollback');
const latest = (d: FakeDeployment | undefined) => d?.statuses.at(-1)?.state;

describe('rollback-on-failure', () => {
  it('healthy: outputs say so, nothing is run and nothing is written', async () => {
    deploy(shas[0] as string, ['success', 'inactive'], { payload: { digest: GOOD_DIGEST } });
    const current = deploy(shas[1] as string, ['success']);
    const step = await rollback({}, shas[1] as string);
    expect(errorLines(step.run.stdout)).toEqual([]);
    expect(step.run.outputs).toMatchObject({ healthy: 'true', 'rolled-back': 'false', 'restored-digest': '' });
    expect(step.ran).toEqual([]);
    expect(latest(current)).toBe('success');
    expect(rollbacks()).toEqual([]);
    expect(step.run.summary).toContain('HEALTHY');
  }, 60_000);

  it('failed → rolled back to the last good deployment → healthy, recorded in Deployments and signed', async () => {
    deploy(shas[0] as string, ['success', 'inactive'], { payload: { digest: `sha256:${'0'.repeat(64)}` } });
    deploy(shas[1] as string, ['success', 'inactive'], { payload: { digest: GOOD_DIGEST } });
    deploy(shas[2] as string, ['failure']);
    const current = deploy(shas[3] as string, ['success']);
    service.set(status(503));
    const step = await rollback({ 'signing-key': key.privatePem }, shas[3] as string);
    expect(step.ran).toEqual([`${GOOD_DIGEST}|${shas[1]}|${shas[3]}|1`]);
    expect(step.run.outputs).toMatchObject({ healthy: 'false', 'rolled-back': 'true', 'restored-digest': GOOD_DIGEST });
    expect(step.run.code).toBe(1);
    expect(errorLines(step.run.stdout).join('\n')).toContain('rolled back, and the rollback is healthy');
    expect(latest(current)).toBe('failure');
    const [made] = rollbacks();
    expect(made).toMatchObject({ sha: shas[1], payload: { rollback_of: current.id, digest: GOOD_DIGEST } });
    expect(made?.statuses.map((s) => s.state)).toEqual(['in_progress', 'success']);
    const record = JSON.parse(await readFile(step.run.outputs['record-path'] ?? '', 'utf8')) as { outcome: string };
    expect(record.outcome).toBe('rolled-back');
    const signed = await readFile(
      join(step.run.outputs['record-path'] ?? '', '..', 'countersign-rollback.intoto.jsonl'),
      'utf8',
    );
    const payload = JSON.parse(
      Buffer.from((JSON.parse(signed) as { payload: string }).payload, 'base64').toString(),
    ) as { predicateType: string };
    expect(payload.predicateType).toBe('https://countersign.dev/rollback/v1');
    expect(fake.state.repo(REPO).artifacts.some((a) => a.name === `countersign-rollback-production-${run}-1`)).toBe(
      true,
    );
    expect(step.run.summary).toContain('ROLLED BACK');
    const shown = step.run.everything
      .split('\n')
      .filter((l) => !l.startsWith('::add-mask::'))
      .join('\n');
    for (const line of keyLines) expect(shown).not.toContain(line);

    // A re-run of the same job: the rollback exists, so nothing is probed or run again.
    const again = await rollback({}, shas[3] as string, {}, step.dir);
    expect(again.ran).toHaveLength(1);
    expect(rollbacks()).toHaveLength(1);
    expect(errorLines(again.run.stdout).join('\n')).toContain('Already rolled back by an earlier attempt');
  }, 60_000);

  it('no known good: fails loudly, marks the deployment failed, and runs nothing', async () => {
    const current = deploy(shas[3] as string, ['success']);
    deploy(shas[2] as string, ['success', 'failure']);
    service.set(status(500));
    const step = await rollback({}, shas[3] as string);
    expect(step.run.code).toBe(1);
    expect(step.ran).toEqual([]);
    expect(errorLines(step.run.stdout).join('\n')).toContain('no known good');
    expect(latest(current)).toBe('failure');
    expect(rollbacks()).toEqual([]);
  }, 60_000);

  it('takes the digest from verified evidence when the good deployment recorded none', async () => {
    deploy(shas[1] as string, ['success']);
    deploy(shas[3] as string, ['success']);
    const hex = await storeEvidence(shas[1] as string, 'release 2\n');
    service.set(status(502));
    const untrusted = await rollback({}, shas[3] as string);
    expect(untrusted.ran).toEqual([`|${shas[1]}|${shas[3]}|1`]);
    fake.state.repo(REPO).deployments = [];
    deploy(shas[1] as string, ['success']);
    deploy(shas[3] as string, ['success']);
    const step = await rollback({ 'public-key': key.publicPem }, shas[3] as string);
    expect(step.ran).toEqual([`sha256:${hex}|${shas[1]}|${shas[3]}|1`]);
    expect(step.run.outputs['restored-digest']).toBe(`sha256:${hex}`);
  }, 60_000);

  it('never rolls back a rollback', async () => {
    deploy(shas[0] as string, ['success'], { payload: { digest: GOOD_DIGEST } });
    const failed = deploy(shas[2] as string, ['failure']);
    deploy(shas[1] as string, ['success'], { task: 'deploy:rollback', payload: { rollback_of: failed.id } });
    service.set(status(503));
    const step = await rollback({}, shas[1] as string);
    expect(step.run.code).toBe(1);
    expect(step.ran).toEqual([]);
    expect(errorLines(step.run.stdout).join('\n')).toContain('never rolled back');
  }, 60_000);

  it('a rollback whose command fails ends its deployment as failure', async () => {
    deploy(shas[1] as string, ['success'], { payload: { digest: GOOD_DIGEST } });
    deploy(shas[3] as string, ['success']);
    service.set(status(503));
    const step = await rollback({}, shas[3] as string, { FAIL: '3' });
    expect(step.ran).toHaveLength(1);
    expect(step.run.outputs).toMatchObject({ 'rolled-back': 'true' });
    expect(errorLines(step.run.stdout).join('\n')).toContain('the rollback did not restore health');
    expect(rollbacks()[0]?.statuses.map((s) => s.state)).toEqual(['in_progress', 'failure']);
  }, 60_000);

  it('with restore-digest makes no look-up; a bad input fails before anything is probed', async () => {
    deploy(shas[3] as string, ['success']);
    service.set(status(503));
    const named = await rollback(
      { 'restore-digest': GOOD_DIGEST, 'restore-ref': shas[0] as string },
      shas[3] as string,
    );
    expect(named.ran).toEqual([`${GOOD_DIGEST}|${shas[0]}|${shas[3]}|1`]);
    const before = service.requests;
    const bad = await rollback({ count: 'many' }, shas[3] as string);
    expect(bad.run.code).toBe(1);
    expect(errorLines(bad.run.stdout).join('\n')).toContain('input count');
    expect(service.requests).toBe(before);
  }, 60_000);

  it('defer: the main step only arms; the post step (job failed) probes and rolls back', async () => {
    deploy(shas[1] as string, ['success'], { payload: { digest: GOOD_DIGEST } });
    deploy(shas[3] as string, ['success']);
    service.set(status(503));
    const before = service.requests;
    const main = await rollback({ defer: 'true' }, shas[3] as string);
    expect(main.run.code).toBe(0);
    expect(service.requests).toBe(before);
    expect(main.ran).toEqual([]);
    const post = await rollback({ defer: 'true' }, shas[3] as string, { STATE_isPost: 'true' });
    expect(post.ran).toEqual([`${GOOD_DIGEST}|${shas[1]}|${shas[3]}|1`]);
    // A post step after a main step that already did the work stands down.
    const standDown = await rollback({}, shas[3] as string, { STATE_isPost: 'true', STATE_done: 'true' });
    expect(standDown.run.code).toBe(0);
    expect(standDown.ran).toEqual([]);
  }, 60_000);
  it('a migration change is not rolled back unless the policy of today allows its rule', async () => {
    const policyText = `${POLICY}rules:\n  - id: db-migration\n    when: { paths: ['db/migrations/**'] }\n    risk: high\n`;
    const hex = await storeEvidence(
      shas[3] as string,
      'release with a migration\n',
      policyText,
      [{ path: 'db/migrations/0042_ledger.sql', status: 'added', additions: 3, deletions: 0 }],
      ['bob', 'carol'],
    );
    const setUp = () => {
      fake.state.repo(REPO).deployments = [];
      deploy(shas[1] as string, ['success'], { payload: { digest: GOOD_DIGEST } });
      deploy(shas[3] as string, ['success'], { payload: { digest: `sha256:${hex}` } });
    };
    setUp();
    fake.state.setFile(REPO, 'main', '.countersign.yml', policyText);
    service.set(status(503));
    const refused = await rollback({ 'public-key': key.publicPem }, shas[3] as string);
    expect(refused.ran).toEqual([]);
    expect(errorLines(refused.run.stdout).join('\n')).toMatch(/db-migration/);
    expect(refused.run.summary).toMatch(/schema/i);

    setUp();
    fake.state.setFile(
      REPO,
      'main',
      '.countersign.yml',
      `${policyText}rollback:\n  allow-with-rules: [db-migration]\n`,
    );
    const allowed = await rollback({ 'public-key': key.publicPem }, shas[3] as string);
    expect(allowed.ran).toEqual([`${GOOD_DIGEST}|${shas[1]}|${shas[3]}|1`]);
    expect(allowed.run.stdout).toMatch(/schema/i);
    fake.state.setFile(REPO, 'main', '.countersign.yml', POLICY);
  }, 60_000);
  it('degraded: only a non-critical probe fails; a warning, no rollback', async () => {
    deploy(shas[1] as string, ['success'], { payload: { digest: GOOD_DIGEST } });
    const current = deploy(shas[3] as string, ['success']);
    const dead = 'http://127.0.0.1:9/health';
    const step = await rollback({ probe: `${service.url}\n${dead}`, 'non-critical': dead }, shas[3] as string);
    expect(step.run.code).toBe(0);
    expect(step.run.outputs).toMatchObject({ healthy: 'true', 'rolled-back': 'false' });
    expect(step.run.stdout).toMatch(/::warning::Degraded/);
    expect(step.ran).toEqual([]);
    expect(latest(current)).toBe('success');
  }, 60_000);
  it('restore-digest alone, no deployment to record it: a re-run of the run finds the kept record', async () => {
    service.set(status(503));
    const first = await rollback({ 'restore-digest': GOOD_DIGEST }, shas[3] as string);
    expect(first.ran).toEqual([`${GOOD_DIGEST}||${shas[3]}|1`]);
    expect(rollbacks()).toEqual([]);
    const again = await rollback(
      { 'restore-digest': GOOD_DIGEST },
      shas[3] as string,
      { GITHUB_RUN_ATTEMPT: '2' },
      first.dir,
      true,
    );
    expect(again.ran).toHaveLength(1);
    expect(errorLines(again.run.stdout).join('\n')).toContain('Already rolled back by an earlier attempt');
  }, 60_000);

  it('the rollback command is given no input, token or key of this step', async () => {
    deploy(shas[1] as string, ['success'], { payload: { digest: GOOD_DIGEST } });
    deploy(shas[3] as string, ['success']);
    service.set(status(503));
    const step = await rollback(
      { 'signing-key': key.privatePem, 'rollback-command': 'env > env.txt && touch cue.txt' },
      shas[3] as string,
    );
    const env = await readFile(join(step.dir, 'env.txt'), 'utf8');
    expect(env).toContain('COUNTERSIGN_ROLLBACK=1');
    expect(env).toContain(`COUNTERSIGN_ROLLBACK_DIGEST=${GOOD_DIGEST}`);
    expect(env).not.toMatch(/^INPUT_/im);
    expect(env).not.toContain('ACTIONS_RUNTIME_TOKEN');
    for (const line of keyLines) expect(env).not.toContain(line);
  }, 60_000);

  it('refuses to sign records with an approval key', async () => {
    const before = service.requests;
    const step = await rollback({ 'signing-key': key.privatePem, 'public-key': key.publicPem }, shas[3] as string);
    expect(step.run.code).toBe(1);
    expect(errorLines(step.run.stdout).join('\n')).toContain('input signing-key is one of the approval keys');
    expect(service.requests).toBe(before);
  }, 60_000);
  it('without the watched deployment, refuses to guess what ran before it', async () => {
    deploy(shas[0] as string, ['success'], { payload: { digest: GOOD_DIGEST } });
    deploy(shas[2] as string, ['success'], { payload: { digest: `sha256:${'c3'.repeat(32)}` } });
    service.set(status(503));
    const step = await rollback({}, shas[1] as string);
    expect(step.run.code).toBe(1);
    expect(step.ran).toEqual([]);
    expect(errorLines(step.run.stdout).join('\n')).toContain('what ran before it cannot be told');
  }, 60_000);
  it('with a rollback section in the policy and no verified evidence of the change, refuses unless allowed', async () => {
    fake.state.setFile(
      REPO,
      'main',
      '.countersign.yml',
      `${POLICY}rules:\n  - id: db-migration\n    when: { paths: ['db/**'] }\n    risk: high\nrollback:\n  allow-with-rules: []\n`,
    );
    const setUp = () => {
      fake.state.repo(REPO).deployments = [];
      deploy(shas[1] as string, ['success'], { payload: { digest: GOOD_DIGEST } });
      deploy(shas[3] as string, ['success']);
    };
    setUp();
    service.set(status(503));
    const refused = await rollback({}, shas[3] as string);
    expect(refused.ran).toEqual([]);
    expect(errorLines(refused.run.stdout).join('\n')).toContain('allow-unknown-migration');
    setUp();
    const allowed = await rollback({ 'allow-unknown-migration': 'true' }, shas[3] as string);
    expect(allowed.ran).toHaveLength(1);
    fake.state.setFile(REPO, 'main', '.countersign.yml', POLICY);
  }, 60_000);
});
