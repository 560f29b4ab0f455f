// rollback-on-failure's TypeScript run by @github/local-action (tsx and its stubbed @actions/core)
// against the fake GitHub and a real health service: unhealthy, rolled back to the deployment that
// last succeeded, healthy again. Under the stubs a failed step sets no exit code, so the outcome is
// read from the outputs and the fake's Deployments.
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { ok, startHealthService, status, type HealthService } from '../helpers/health-service.js';
import { startFakeGitHub, type FakeGitHub } from '../fakes/github/index.js';
import { REPO, ROOT, TOKEN } from './helpers.js';

const DIGEST = `sha256:${'b2'.repeat(32)}`;
let fake: FakeGitHub;
let service: HealthService;

beforeAll(async () => {
  fake = await startFakeGitHub();
  fake.state.addRepo(REPO, { files: { '.countersign.yml': 'version: 1\n' } });
  service = await startHealthService(status(503));
});
afterAll(async () => {
  await service.close();
  await fake.close();
});

it('rolls back under local-action', async () => {
  const [good, bad] = fake.state
    .pushCommits(REPO, [{ message: 'good' }, { message: 'bad' }], 'main')
    .map((c) => c.sha) as [string, string];
  fake.state.addDeployment(REPO, {
    sha: good,
    environment: 'production',
    statuses: ['success'],
    payload: { digest: DIGEST },
  });
  const current = fake.state.addDeployment(REPO, { sha: bad, environment: 'production', statuses: ['success'] });
  const dir = await mkdtemp(join(tmpdir(), 'countersign-local-rollback-'));
  service.cue(join(dir, 'healed'), ok);
  const envFile = join(dir, '.env');
  await writeFile(
    envFile,
    [
      'INPUT_ENVIRONMENT=production',
      `INPUT_PROBE=${service.url}`,
      'INPUT_COUNT=3',
      'INPUT_INTERVAL=20ms',
      'INPUT_ROLLBACK-COMMAND=printf "%s" "$COUNTERSIGN_ROLLBACK_DIGEST" > restored && touch healed',
      `INPUT_GITHUB-TOKEN=${TOKEN}`,
      `GITHUB_REPOSITORY=${REPO}`,
      `GITHUB_SHA=${bad}`,
      'GITHUB_SERVER_URL=http://fake.localhost',
      `GITHUB_WORKSPACE=${dir}`,
      `RUNNER_TEMP=${dir}`,
      `GITHUB_STEP_SUMMARY=${join(dir, 'summary.md')}`,
      '',
    ].join('\n'),
  );
  const child = spawn('npx', ['local-action', 'run', '.', 'src/main.ts', envFile], {
    cwd: join(ROOT, 'actions', 'rollback-on-failure'),
    env: { ...process.env, GITHUB_API_URL: fake.url, FORCE_COLOR: '0', NO_COLOR: '1' },
  });
  let stdout = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  await new Promise<number | null>((done) => child.on('close', done));

  expect(stdout).toContain('::set-output name=rolled-back::true');
  expect(stdout).toContain(`::set-output name=restored-digest::${DIGEST}`);
  expect(await readFile(join(dir, 'restored'), 'utf8')).toBe(DIGEST);
  expect(current.statuses.at(-1)?.state).toBe('failure');
  const rollback = fake.state.repo(REPO).deployments.find((d) => d.task === 'deploy:rollback');
  expect(rollback?.statuses.at(-1)?.state).toBe('success');
  expect(await readFile(join(dir, 'summary.md'), 'utf8')).toContain('ROLLED BACK');
}, 90_000);
