// request-approval's TypeScript run by @github/local-action (its stubbed @actions/core, tsx, no
// bundle) against the fake GitHub. Under the stubs setFailed does not set an exit code, so success
// is judged by the absence of `::error::` lines.
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startFakeGitHub, type FakeGitHub } from '../fakes/github/index.js';
import { REPO, ROOT, TOKEN, errorLines, setUpScene } from './helpers.js';

let fake: FakeGitHub;

beforeAll(async () => {
  fake = await startFakeGitHub();
});
afterAll(() => fake.close());

it('runs request-approval under local-action with no ::error:: line', async () => {
  const scene = setUpScene(fake, 'feature-local-action');
  const dir = await mkdtemp(join(tmpdir(), 'countersign-local-action-'));
  const summary = join(dir, 'summary.md');
  const envFile = join(dir, '.env');
  // The .env overrides the process environment, so the run's values live in one place: here.
  await writeFile(
    envFile,
    [
      'INPUT_ENVIRONMENT=production',
      `INPUT_BASE=${scene.base}`,
      `INPUT_GITHUB-TOKEN=${TOKEN}`,
      `GITHUB_REPOSITORY=${REPO}`,
      `GITHUB_SHA=${scene.head}`,
      'GITHUB_TRIGGERING_ACTOR=alice',
      'GITHUB_SERVER_URL=http://fake.localhost',
      `GITHUB_WORKSPACE=${dir}`,
      `GITHUB_STEP_SUMMARY=${summary}`,
      '',
    ].join('\n'),
  );
  // local-action reads GITHUB_API_URL when its modules load, before the .env: it must be set here.
  const child = spawn('npx', ['local-action', 'run', '.', 'src/main.ts', envFile], {
    cwd: join(ROOT, 'actions', 'request-approval'),
    env: { ...process.env, GITHUB_API_URL: fake.url, FORCE_COLOR: '0', NO_COLOR: '1' },
  });
  let stdout = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  const code = await new Promise<number | null>((done) => child.on('close', done));

  expect(errorLines(stdout)).toEqual([]);
  expect(code).toBe(0);
  expect(stdout).toMatch(/::set-output name=status::pending/);
  const number = /::set-output name=request-id::(\d+)/.exec(stdout)?.[1];
  expect(fake.state.repo(REPO).issues[Number(number)]?.labels).toContain('countersign');
  expect(await readFile(summary, 'utf8')).toContain('Countersign classification');
  expect(
    stdout
      .split('\n')
      .filter((line) => !line.includes('add-mask'))
      .join('\n'),
  ).not.toContain(TOKEN);
}, 60_000);
