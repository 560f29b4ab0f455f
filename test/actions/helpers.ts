// Running the bundled actions as a runner does: `node dist/index.js` with INPUT_* variables and the
// GITHUB_OUTPUT / GITHUB_STEP_SUMMARY files created first, against the fake GitHub in this process.
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { FakeGitHub } from '../fakes/github/index.js';

export const ROOT = resolve(import.meta.dirname, '..', '..');
export const REPO = 'acme/widgets';
/** Shaped like GitHub's tokens, so a leak anywhere would be easy to recognise. */
export const TOKEN = 'ghs_ActionT0kenThatMustNeverBePrinted77';

// Medium risk needs one approval from someone with write access who took no part in the change.
export const POLICY = `version: 1
default-risk: medium
roles: {}
levels:
  low: { approvals: 0 }
  medium: { approvals: 1 }
  high: { approvals: 2 }
  critical: { approvals: 2 }
rules:
  - id: docs-only
    when: { all-paths: ['docs/**'] }
    risk: low
separation-of-duties:
  exclude: [commit-authors, committers, co-authors, pr-authors, triggering-actor]
  min-permission: write
  allow-bots: false
  distinct-requirements: false
`;

export interface Scene {
  base: string;
  head: string;
  pull: number;
  runId: number;
}

/** A repository with the policy on main, a feature branch by alice, her pull request and collaborators. */
export function setUpScene(fake: FakeGitHub, branch: string, files: string[] = ['src/app.ts'], runId = 4242): Scene {
  const s = fake.state;
  if (!s.repos[REPO]) {
    s.addRepo(REPO, { files: { '.countersign.yml': POLICY } });
    for (const [login, permission] of [
      ['alice', 'write'],
      ['bob', 'write'],
      ['erin', 'read'],
      ['dave', 'admin'],
    ] as const)
      s.setPermission(REPO, login, permission);
  }
  const base = s.repo(REPO).branches['main'] ?? '';
  const commits = s.pushCommits(
    REPO,
    [
      {
        message: `Change on ${branch}`,
        author: { name: 'Alice', email: 'alice@example.com', login: 'alice' },
        files: files.map((filename) => ({ filename, content: `// ${branch}\n` })),
      },
    ],
    branch,
  );
  const head = commits.at(-1)?.sha ?? '';
  const pull = s.addPull(REPO, { user: 'alice', head: { ref: branch } }).number;
  s.setRunApprovals(REPO, runId, []);
  return { base, head, pull, runId };
}

export interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
  outputs: Record<string, string>;
  summary: string;
  /** Everything the step showed or wrote, for leak checks. */
  everything: string;
}

/** The runner's environment for one step; `inputs` are action inputs by name (hyphens kept). */
export async function runnerEnv(
  fake: FakeGitHub,
  scene: Scene,
  inputs: Record<string, string>,
): Promise<{ env: NodeJS.ProcessEnv; dir: string; outputFile: string; summaryFile: string }> {
  const dir = await mkdtemp(join(tmpdir(), 'countersign-action-'));
  const outputFile = join(dir, 'output.txt');
  const summaryFile = join(dir, 'summary.md');
  const eventFile = join(dir, 'event.json');
  await writeFile(outputFile, '');
  await writeFile(summaryFile, '');
  await writeFile(
    eventFile,
    JSON.stringify({ pull_request: { number: scene.pull, base: { sha: scene.base, ref: 'main' } } }),
  );
  const env: NodeJS.ProcessEnv = {
    PATH: process.env['PATH'],
    HOME: process.env['HOME'],
    GITHUB_ACTIONS: 'true',
    GITHUB_REPOSITORY: REPO,
    GITHUB_SHA: scene.head,
    GITHUB_RUN_ID: String(scene.runId),
    GITHUB_ACTOR: 'alice',
    GITHUB_TRIGGERING_ACTOR: 'alice',
    GITHUB_EVENT_NAME: 'pull_request',
    GITHUB_EVENT_PATH: eventFile,
    GITHUB_WORKSPACE: dir,
    RUNNER_TEMP: dir,
    GITHUB_API_URL: fake.url,
    GITHUB_SERVER_URL: 'http://fake.localhost',
    GITHUB_OUTPUT: outputFile,
    GITHUB_STEP_SUMMARY: summaryFile,
    'INPUT_GITHUB-TOKEN': TOKEN,
  };
  for (const [name, value] of Object.entries(inputs)) env[`INPUT_${name.toUpperCase()}`] = value;
  return { env, dir, outputFile, summaryFile };
}

/** Spawned asynchronously: the fake answers from this process's event loop. */
export async function runAction(action: string, prepared: Awaited<ReturnType<typeof runnerEnv>>): Promise<Run> {
  const entry = join(ROOT, 'actions', action, 'dist', 'index.js');
  const child = spawn(process.execPath, [entry], { cwd: prepared.dir, env: prepared.env });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const code = await new Promise<number | null>((done) => child.on('close', done));
  const rawOutputs = await readFile(prepared.outputFile, 'utf8');
  const summary = await readFile(prepared.summaryFile, 'utf8');
  return {
    code,
    stdout,
    stderr,
    outputs: parseOutputs(rawOutputs),
    summary,
    everything: [stdout, stderr, rawOutputs, summary].join('\n'),
  };
}

/** The runner's `name<<delimiter` file format; a later value for a name replaces an earlier one. */
export function parseOutputs(text: string): Record<string, string> {
  const outputs: Record<string, string> = {};
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i += 1) {
    const match = /^([^<=]+)<<(.+)$/.exec(lines[i] ?? '');
    if (match === null) continue;
    const [, name = '', delimiter] = match;
    const value: string[] = [];
    for (i += 1; i < lines.length && lines[i] !== delimiter; i += 1) value.push(lines[i] ?? '');
    outputs[name] = value.join('\n');
  }
  return outputs;
}

export function errorLines(stdout: string): string[] {
  return stdout.split('\n').filter((line) => line.startsWith('::error::'));
}
