import type { Change, ChangedFile, Commit } from '@countersign/core';
import { ConfigurationError, isConfigurationError } from '@countersign/core';
import { assertComplete, listCommitShas, readCommits, shallowBoundary, type RawCommit } from './commits.js';
import { withRepository, type Repository } from './exec.js';
import { readFiles } from './files.js';
import { readPatches } from './patches.js';
import { resolveIn } from './revision.js';

export interface ReadChangeOptions {
  cwd: string;
  base: string;
  head: string;
  withPatches?: boolean;
}

/**
 * The change between base and head, read from the local repository: the files that differ between
 * the two trees and every commit in base..head. base and head in the result are full shas.
 */
export function readChange(options: ReadChangeOptions): Promise<Change> {
  return withRepository(options.cwd, async (repository) => {
    const { base, head } = await resolveBoth(repository, options.base, options.head);
    const [files, commits] = await Promise.all([
      changedFiles(repository, base, head, options.withPatches === true),
      changeCommits(repository, base, head),
    ]);
    return { base, head, labels: [], files, commits, pull_requests: [] };
  });
}

/** Resolves both revisions, reporting every one that fails (--base first) rather than a race's winner. */
async function resolveBoth(
  repository: Repository,
  base: string,
  head: string,
): Promise<{ base: string; head: string }> {
  const [baseSha, headSha] = await Promise.allSettled([
    resolveIn(repository, base, '--base'),
    resolveIn(repository, head, '--head'),
  ]);
  if (baseSha.status === 'fulfilled' && headSha.status === 'fulfilled') {
    return { base: baseSha.value, head: headSha.value };
  }
  const failures = [baseSha, headSha].flatMap((result) =>
    result.status === 'rejected' ? [result.reason as unknown] : [],
  );
  const problems = failures.flatMap((reason: unknown) => (isConfigurationError(reason) ? reason.problems : []));
  if (problems.length < failures.length) throw failures[0];
  throw new ConfigurationError(problems);
}

async function changedFiles(
  repository: Repository,
  base: string,
  head: string,
  withPatches: boolean,
): Promise<ChangedFile[]> {
  const [files, patches] = await Promise.all([
    readFiles(repository, base, head),
    withPatches ? readPatches(repository, base, head) : Promise.resolve(null),
  ]);
  if (patches === null) return files;
  return files.map((file) => ({ ...file, patch: patches.get(file.path) ?? null }));
}

async function changeCommits(repository: Repository, base: string, head: string): Promise<Commit[]> {
  const [shas, boundary] = await Promise.all([listCommitShas(repository, base, head), shallowBoundary(repository)]);
  const commits = await readCommits(repository, shas);
  assertComplete(commits, boundary, base);
  return commits.map(publicCommit);
}

function publicCommit({ sha, message, author, committer }: RawCommit): Commit {
  return { sha, message, author, committer };
}
