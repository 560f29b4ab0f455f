import { resolve } from 'node:path';
import { ConfigurationError } from '@countersign/core';
import { isDirectory, runGit, withRepository, type Repository } from './exec.js';

const FULL_SHA = /^[0-9a-f]{40}(?:[0-9a-f]{24})?$/;

/** Resolves `rev` to the full sha of a commit in an open repository, or throws naming `flag`. */
export async function resolveIn(repository: Repository, rev: string, flag: string): Promise<string> {
  // A NUL cannot reach git through an argument array, and an empty rev is never meant.
  if (rev === '' || rev.includes('\0')) {
    throw new ConfigurationError({ message: `${flag}: ${JSON.stringify(rev)} is not a revision` });
  }
  // --end-of-options keeps a rev such as `--output=x` from being read as an option.
  const result = await repository.run(['rev-parse', '--verify', '--quiet', '--end-of-options', `${rev}^{commit}`]);
  const sha = result.stdout.toString('utf8').trim();
  if (result.code !== 0 || !FULL_SHA.test(sha)) {
    throw new ConfigurationError({
      message: `${flag}: ${JSON.stringify(rev)} does not name a commit in this repository`,
    });
  }
  return sha;
}

/** Resolve a revision to a full commit sha, or throw ConfigurationError naming `flag`. */
export function resolveCommit(cwd: string, rev: string, flag: string): Promise<string> {
  return withRepository(cwd, (repository) => resolveIn(repository, rev, flag));
}

/** Absolute path of the work tree root for cwd, or null when cwd is not in a git work tree. */
export async function repositoryRoot(cwd: string): Promise<string | null> {
  if (!(await isDirectory(cwd))) return null;
  const result = await runGit(['rev-parse', '--show-toplevel'], { cwd });
  if (result.code !== 0) return null;
  // Strip only git's own newline: a directory name may end in whitespace.
  const root = result.stdout.toString('utf8').replace(/\n$/, '');
  return root === '' ? null : resolve(root);
}
