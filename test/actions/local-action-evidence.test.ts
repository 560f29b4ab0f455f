// attest and verify run by @github/local-action (tsx, its stubbed @actions/core and
// @actions/artifact) against the fake GitHub. local-action's artefact stub stores uploads on disk
// under LOCAL_ACTION_ARTIFACT_PATH, so attest is checked there; verify's download goes through the
// public REST API (findBy), which the stub sends to the fake, so the evidence is seeded there.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { decide, generateKeyPair, loadPolicy } from '../../packages/core/src/index.js';
import { approval, change, commit, REQUESTED_AT } from '../helpers/builders.js';
import { startFakeGitHub, type FakeGitHub } from '../fakes/github/index.js';
import { REPO, ROOT, TOKEN, errorLines } from './helpers.js';

const POLICY = `version: 1
levels: { low: { approvals: 0 }, medium: { approvals: 1 }, high: { approvals: 2 }, critical: { approvals: 2 } }
environments: { staging: {}, production: { minimum-risk: medium } }
`;
const key = generateKeyPair('ecdsa-p256');
const ARTEFACT = Buffer.from('local build\n');
const HEX = createHash('sha256').update(ARTEFACT).digest('hex');

let fake: FakeGitHub;
let dir: string;

beforeAll(async () => {
  fake = await startFakeGitHub();
  fake.state.addRepo(REPO, { files: { '.countersign.yml': POLICY, 'countersign.pub': key.publicPem } });
  dir = await mkdtemp(join(tmpdir(), 'countersign-local-evidence-'));
  await writeFile(join(dir, 'app.tgz'), ARTEFACT);
  // local-action's stub writes into this folder but does not make it.
  await mkdir(join(dir, 'artifacts'));
  await writeFile(join(dir, 'countersign.pub'), key.publicPem);
  const decision = decide({
    policy: loadPolicy(POLICY, '.countersign.yml'),
    change: change({ environment: 'staging', commits: [commit('alice')] }),
    approvals: [approval('bob')],
    at: new Date(Date.parse(REQUESTED_AT) + 3_600_000),
    environment: 'staging',
  });
  await writeFile(join(dir, 'decision.json'), JSON.stringify(decision));
});
afterAll(() => fake.close());

async function localAction(action: string, lines: string[]): Promise<{ code: number | null; stdout: string }> {
  const envFile = join(dir, `${action}.env`);
  // The .env overrides the process environment; a multi-line value is double-quoted for dotenv.
  await writeFile(
    envFile,
    [
      ...lines,
      `INPUT_GITHUB-TOKEN=${TOKEN}`,
      `GITHUB_REPOSITORY=${REPO}`,
      'GITHUB_SERVER_URL=http://fake.localhost',
      `GITHUB_WORKSPACE=${dir}`,
      `GITHUB_STEP_SUMMARY=${join(dir, `${action}-summary.md`)}`,
      `LOCAL_ACTION_WORKSPACE=${dir}`,
      `LOCAL_ACTION_ARTIFACT_PATH=${join(dir, 'artifacts')}`,
      `RUNNER_TEMP=${dir}`,
      '',
    ].join('\n'),
  );
  const child = spawn('npx', ['local-action', 'run', '.', 'src/main.ts', envFile], {
    cwd: join(ROOT, 'actions', action),
    env: { ...process.env, GITHUB_API_URL: fake.url, FORCE_COLOR: '0', NO_COLOR: '1' },
  });
  let stdout = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  const code = await new Promise<number | null>((done) => child.on('close', done));
  return { code, stdout };
}

it('attest and verify run under local-action', async () => {
  const attest = await localAction('attest', [
    'INPUT_DECISION-FILE=decision.json',
    'INPUT_SUBJECT-PATH=app.tgz',
    `INPUT_SIGNING-KEY="${key.privatePem.trim().replace(/\n/g, '\\n')}"`,
  ]);
  expect(errorLines(attest.stdout)).toEqual([]);
  expect(attest.stdout).toContain(`::set-output name=artifact-name::countersign-staging-${HEX}`);
  for (const line of key.privatePem.split('\n').filter((l) => l !== '' && !l.startsWith('-----')))
    expect(
      attest.stdout
        .split('\n')
        .filter((l) => !l.includes('add-mask'))
        .join('\n'),
    ).not.toContain(line);
  // The stub keeps the upload on disk; hand it to the fake as a finished artefact of another run.
  const stored = await readdir(join(dir, 'artifacts'), { recursive: true });
  const zip = stored.find((name) => name.endsWith('.zip'));
  expect(zip, `local-action stored: ${stored.join(', ')}`).toBeDefined();
  const path = /::set-output name=attestation-path::(.+)/.exec(attest.stdout)?.[1] ?? '';
  fake.state.addArtifact(REPO, {
    runId: 9001,
    name: `countersign-staging-${HEX}`,
    files: { 'countersign.intoto.jsonl': await readFile(path, 'utf8') },
  });

  const verify = await localAction('verify', [
    'INPUT_SUBJECT-PATH=app.tgz',
    'INPUT_ENVIRONMENT=staging',
    'INPUT_PUBLIC-KEY=countersign.pub',
  ]);
  expect(errorLines(verify.stdout)).toEqual([]);
  expect(verify.stdout).toContain('::set-output name=verified::true');
  expect(verify.stdout).toContain('::set-output name=approvers::bob');
}, 120_000);
