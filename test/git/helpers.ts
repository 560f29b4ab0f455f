import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile, mkdir } from 'node:fs/promises';
import { devNull, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

export interface Identity {
  name: string;
  email: string;
}

export const ALICE: Identity = { name: 'Alice Author', email: 'alice@example.com' };
export const CAROL: Identity = { name: 'Carol Committer', email: 'carol@example.com' };

/** Git settings that keep this machine's config (signing, default branch, hooks) out of the tests. */
const ISOLATION = [
  '-c',
  'commit.gpgsign=false',
  '-c',
  'tag.gpgsign=false',
  '-c',
  'user.name=Test User',
  '-c',
  'user.email=test@example.com',
  '-c',
  'init.defaultBranch=main',
  '-c',
  'core.hooksPath=/dev/null',
  '-c',
  'core.autocrlf=false',
];

function environment(author: Identity, committer: Identity): NodeJS.ProcessEnv {
  return {
    ...process.env,
    GIT_CONFIG_GLOBAL: devNull,
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_AUTHOR_NAME: author.name,
    GIT_AUTHOR_EMAIL: author.email,
    GIT_AUTHOR_DATE: '2024-01-02T03:04:05Z',
    GIT_COMMITTER_NAME: committer.name,
    GIT_COMMITTER_EMAIL: committer.email,
    GIT_COMMITTER_DATE: '2024-01-02T03:04:05Z',
  };
}

export interface GitCall {
  input?: string | Buffer;
  author?: Identity;
  committer?: Identity;
}

/** Runs git for test setup; resolves with stdout, rejects with stderr on failure. */
export function git(cwd: string, args: readonly string[], call: GitCall = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      'git',
      [...ISOLATION, ...args],
      {
        cwd,
        env: environment(call.author ?? ALICE, call.committer ?? call.author ?? ALICE),
        maxBuffer: 256 * 1024 * 1024,
      },
      (error, stdout, stderr) => {
        if (error) reject(new Error(`git ${args.join(' ')}: ${stderr}`));
        else resolve(stdout);
      },
    );
    // git closes stdin early when it reads none; the exit status, not EPIPE, tells the story.
    child.stdin?.on('error', () => undefined);
    child.stdin?.end(call.input ?? '');
  });
}

/** A temporary directory removed by the returned cleanup. */
export async function temporaryDirectory(): Promise<{ path: string; remove: () => Promise<void> }> {
  const path = await mkdtemp(join(tmpdir(), 'countersign-git-test-'));
  return { path, remove: () => rm(path, { recursive: true, force: true }) };
}

/** A fresh repository in a temporary directory. */
export async function createRepository(): Promise<{ path: string; remove: () => Promise<void> }> {
  const directory = await temporaryDirectory();
  await git(directory.path, ['init', '--quiet']);
  return directory;
}

/** Writes files (creating directories) relative to the repository root. */
export async function writeFiles(root: string, files: Record<string, string | Buffer>): Promise<void> {
  for (const [name, content] of Object.entries(files)) {
    await mkdir(dirname(join(root, name)), { recursive: true });
    await writeFile(join(root, name), content);
  }
}

/** Stages everything and commits it with a verbatim message; returns the new commit's sha. */
export async function commitAll(root: string, message: string, call: GitCall = {}): Promise<string> {
  await git(root, ['add', '--all']);
  await git(root, ['commit', '--quiet', '--allow-empty', '--cleanup=verbatim', '--file=-'], {
    ...call,
    input: message,
  });
  return (await git(root, ['rev-parse', 'HEAD'])).trim();
}

/**
 * Builds `count` commits on refs/heads/main with one `git fast-import` (thousands of `git commit`
 * processes would take minutes). Commit i is by `author-(i % 50)` and touches `file-(i % 100).txt`.
 */
export async function importCommits(root: string, count: number): Promise<void> {
  const parts: string[] = [];
  const data = (text: string): string => `data ${Buffer.byteLength(text)}\n${text}\n`;
  for (let index = 0; index < count; index += 1) {
    const who = `author-${index % 50}`;
    parts.push(
      'commit refs/heads/main\n',
      `author ${who} <${who}@example.com> ${1_700_000_000 + index} +0000\n`,
      `committer Committer <committer@example.com> ${1_700_000_000 + index} +0000\n`,
      data(`Commit ${index}\n\nBody line of ${index}.\nauthor Mallory <mallory@example.com> 0 +0000\n`),
      `M 100644 inline file-${index % 100}.txt\n`,
      data(`content ${index}\n`),
      '\n',
    );
  }
  await git(root, ['fast-import', '--quiet'], { input: parts.join('') });
}
