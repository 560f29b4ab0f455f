import { posix } from 'node:path';
import { ConfigurationError } from '@countersign/core';
import { withRepository, type Repository } from './exec.js';
import { resolveIn } from './revision.js';

/**
 * Contents of `path` at `rev` (path relative to the repository root), or null when no file is
 * there. `REV:path` syntax is avoided: it reads `./x` relative to the current directory and cannot
 * carry every name, so the entry is looked up with ls-tree and its blob read by id.
 */
export function showFile(cwd: string, rev: string, path: string): Promise<string | null> {
  return withRepository(cwd, async (repository) => {
    const commit = await resolveIn(repository, rev, 'revision');
    const relative = repositoryPath(path);
    if (relative === null) return null;
    const blob = await blobAt(repository, commit, relative);
    if (blob === null) return null;
    return (await repository.output(['cat-file', 'blob', blob])).toString('utf8');
  });
}

/** The path normalised to the repository root, or null when it names the root itself. */
function repositoryPath(path: string): string | null {
  const normalised = posix.normalize(path).replace(/\/+$/, '');
  if (normalised === '.' || normalised === '') return null;
  if (normalised.startsWith('/') || normalised === '..' || normalised.startsWith('../')) {
    throw new ConfigurationError({ message: `${path}: not a path inside the repository` });
  }
  return normalised;
}

/** The blob id of `path` in the commit's tree; null for no entry, a directory or a submodule. */
async function blobAt(repository: Repository, commit: string, path: string): Promise<string | null> {
  // --full-tree: relative to the root whatever the directory; pathspecs are literal (see exec.ts).
  const stdout = await repository.output(['ls-tree', '-z', '--full-tree', commit, '--', path]);
  for (const entry of stdout.toString('utf8').split('\0')) {
    const tab = entry.indexOf('\t');
    const [, type, id] = entry.slice(0, tab).split(' ');
    if (tab > 0 && entry.slice(tab + 1) === path && type === 'blob' && id !== undefined) return id;
  }
  return null;
}
