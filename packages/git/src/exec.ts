import { spawn } from 'node:child_process';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { devNull, tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigurationError } from '@countersign/core';

export interface GitOutput {
  code: number;
  stdout: Buffer;
  stderr: string;
}

export interface RunOptions {
  cwd: string;
  /** Written to git's stdin, which is then closed. */
  input?: string;
}

// Settings a user's or repository's git config could use to change the shape of the output we
// parse. Flags on the command line would win too, but not every setting has a flag.
const PINNED_CONFIG = [
  'core.quotepath=off',
  `core.attributesFile=${devNull}`,
  'diff.renames=true',
  'diff.noprefix=false',
  'diff.mnemonicPrefix=false',
  'diff.relative=false',
  `diff.orderFile=${devNull}`,
  'color.ui=never',
];

/** Environment variables that change what git diff prints, whoever set them. */
const DROPPED_ENV = ['GIT_EXTERNAL_DIFF', 'GIT_DIFF_OPTS', 'GIT_DIFF_PATH_COUNTER', 'GIT_DIFF_PATH_TOTAL'];

function gitEnvironment(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, GIT_TERMINAL_PROMPT: '0', GIT_OPTIONAL_LOCKS: '0' };
  for (const name of DROPPED_ENV) delete env[name];
  return env;
}

/** Runs git with an argument array (never a shell); resolves with whatever exit code git chose. */
export function runGit(args: readonly string[], options: RunOptions): Promise<GitOutput> {
  const fullArgs = PINNED_CONFIG.flatMap((setting) => ['-c', setting]).concat(args);
  return new Promise((resolve, reject) => {
    const child = spawn('git', fullArgs, {
      cwd: options.cwd,
      env: gitEnvironment(),
      stdio: ['pipe', 'pipe', 'pipe'],
      windowsHide: true,
    });
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
    // git may exit before reading all of stdin (a failed rev, say); its exit code tells the story.
    child.stdin.on('error', () => undefined);
    child.on('error', (error) => {
      reject(new ConfigurationError({ message: `cannot run git in ${options.cwd}: ${error.message}` }));
    });
    child.on('close', (code) => {
      resolve({
        code: code ?? -1,
        stdout: Buffer.concat(stdout),
        stderr: Buffer.concat(stderr).toString('utf8'),
      });
    });
    child.stdin.end(options.input ?? '');
  });
}

export async function isDirectory(path: string): Promise<boolean> {
  const found = await stat(path).catch(() => null);
  return found !== null && found.isDirectory();
}

/** The first line git wrote to stderr, for an error message. */
export function firstLine(stderr: string): string {
  const line = stderr.split('\n').find((text) => text.trim() !== '');
  return line === undefined ? 'failed' : line.trim();
}

/** A git failure the user has to fix (a broken or incomplete repository), not a bug of ours. */
export function gitFailure(args: readonly string[], output: GitOutput): ConfigurationError {
  const command = args.find((arg) => !arg.startsWith('-')) ?? 'git';
  return new ConfigurationError({ message: `git ${command}: ${firstLine(output.stderr)}` });
}

/**
 * A repository opened by its git directory from an empty scratch directory. Running from the
 * user's work tree would let that tree's `.gitattributes` (which the head being judged controls)
 * mark files `-diff` and so hide their content and line counts; an empty work tree has none.
 */
export class Repository {
  private constructor(
    readonly gitDir: string,
    readonly shallow: boolean,
    /** The empty directory git runs in (and takes as its work tree). */
    readonly scratch: string,
  ) {}

  static async open(cwd: string): Promise<Repository> {
    // Checked first: spawning in a missing directory fails as if git itself were missing.
    if (!(await isDirectory(cwd))) throw new ConfigurationError({ message: `${cwd} is not a directory` });
    const located = await runGit(['rev-parse', '--is-shallow-repository', '--absolute-git-dir'], { cwd });
    if (located.code !== 0) {
      // git's own words matter here: "dubious ownership" needs a different fix than a wrong path.
      const reason = firstLine(located.stderr);
      throw new ConfigurationError({ message: `${cwd} is not inside a git repository (git: ${reason})` });
    }
    const text = located.stdout.toString('utf8');
    const newline = text.indexOf('\n');
    // The git directory is everything after the first line, minus the final newline, so even a
    // directory name with a newline in it survives.
    const shallow = text.slice(0, newline) === 'true';
    const gitDir = text.slice(newline + 1).replace(/\n$/, '');
    const scratch = await mkdtemp(join(tmpdir(), 'countersign-git-'));
    return new Repository(gitDir, shallow, scratch);
  }

  run(args: readonly string[], input?: string): Promise<GitOutput> {
    const scoped = [
      `--git-dir=${this.gitDir}`,
      `--work-tree=${this.scratch}`,
      '--no-replace-objects',
      '--literal-pathspecs',
      ...args,
    ];
    return runGit(scoped, input === undefined ? { cwd: this.scratch } : { cwd: this.scratch, input });
  }

  /** Runs git and returns its stdout, turning a non-zero exit into a ConfigurationError. */
  async output(args: readonly string[], input?: string): Promise<Buffer> {
    const result = await this.run(args, input);
    if (result.code !== 0) throw gitFailure(args, result);
    return result.stdout;
  }

  async close(): Promise<void> {
    await rm(this.scratch, { recursive: true, force: true });
  }
}

/** Opens the repository around cwd for the duration of `work`. */
export async function withRepository<T>(cwd: string, work: (repository: Repository) => Promise<T>): Promise<T> {
  const repository = await Repository.open(cwd);
  try {
    return await work(repository);
  } finally {
    await repository.close();
  }
}
