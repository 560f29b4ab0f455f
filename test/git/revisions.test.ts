import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { access, mkdir, realpath } from 'node:fs/promises';
import { join } from 'node:path';
import { ConfigurationError } from '@countersign/core';
import { readChange, repositoryRoot, resolveCommit, showFile } from '../../packages/git/src/index.js';
import { commitAll, createRepository, git, temporaryDirectory, writeFiles } from './helpers.js';

/** The ConfigurationError a promise rejects with (failing the test when it resolves). */
async function configurationError(promise: Promise<unknown>): Promise<ConfigurationError> {
  const error = await promise.then(
    () => null,
    (reason: unknown) => reason,
  );
  expect(error).toBeInstanceOf(ConfigurationError);
  return error as ConfigurationError;
}

describe('revisions, files at a revision and the repository root', () => {
  let root = '';
  let remove = (): Promise<void> => Promise.resolve();
  let outside = '';
  let removeOutside = (): Promise<void> => Promise.resolve();
  let first = '';
  let second = '';

  beforeAll(async () => {
    ({ path: root, remove } = await createRepository());
    ({ path: outside, remove: removeOutside } = await temporaryDirectory());
    await writeFiles(root, { '.countersign.yml': 'version: 1\n', 'sub/dir/keep.txt': 'x\n' });
    first = await commitAll(root, 'first\n');
    await writeFiles(root, {
      '.countersign.yml': 'version: 2\n',
      'added later.txt': 'later\n',
      'odd/new\nline.txt': 'odd\n',
    });
    second = await commitAll(root, 'second\n');
    await git(root, ['tag', 'v1', first]);
  });

  afterAll(async () => {
    await remove();
    await removeOutside();
  });

  it('resolves branches, tags and abbreviations to full shas', async () => {
    expect(await resolveCommit(root, 'HEAD', '--head')).toBe(second);
    expect(await resolveCommit(root, 'v1', '--base')).toBe(first);
    expect(await resolveCommit(root, first.slice(0, 10), '--base')).toBe(first);
    expect(await resolveCommit(join(root, 'sub', 'dir'), 'HEAD~1', '--base')).toBe(first);
  });

  it('names --base or --head when a revision does not resolve', async () => {
    const base = await configurationError(readChange({ cwd: root, base: 'no-such-branch', head: 'HEAD' }));
    expect(base.message).toContain('--base');
    expect(base.message).toContain('no-such-branch');
    const head = await configurationError(readChange({ cwd: root, base: 'HEAD', head: 'deadbeef' }));
    expect(head.message).toContain('--head');
    const flag = await configurationError(resolveCommit(root, '', '--at-ref'));
    expect(flag.message).toContain('--at-ref');
  });

  it('names both flags when neither revision resolves', async () => {
    const error = await configurationError(readChange({ cwd: root, base: 'nope-1', head: 'nope-2' }));
    expect(error.problems.map((problem) => problem.message.split(':')[0])).toEqual(['--base', '--head']);
  });

  it('never reads a revision as an option', async () => {
    const target = join(outside, 'written');
    const error = await configurationError(readChange({ cwd: root, base: `--output=${target}`, head: 'HEAD' }));
    expect(error.message).toContain('--base');
    await expect(access(target)).rejects.toThrow();
  });

  it('refuses a revision that is not a commit', async () => {
    const error = await configurationError(resolveCommit(root, 'HEAD:.countersign.yml', '--head'));
    expect(error.message).toContain('--head');
  });

  it('reports a directory outside any repository', async () => {
    const error = await configurationError(readChange({ cwd: outside, base: 'HEAD~1', head: 'HEAD' }));
    expect(error.message).toContain('not inside a git repository');
    await configurationError(resolveCommit(outside, 'HEAD', '--head'));
    await configurationError(showFile(outside, 'HEAD', 'x'));
    expect(await repositoryRoot(outside)).toBeNull();
    expect(await repositoryRoot(join(outside, 'does-not-exist'))).toBeNull();
    const missing = await configurationError(
      readChange({ cwd: join(outside, 'does-not-exist'), base: 'a', head: 'b' }),
    );
    expect(missing.message).toContain('not a directory');
  });

  it('finds the work tree root from a subdirectory', async () => {
    const expected = await realpath(root);
    expect(await repositoryRoot(root)).toBe(expected);
    expect(await repositoryRoot(join(root, 'sub', 'dir'))).toBe(expected);
  });

  it('shows a file as it was at a revision', async () => {
    expect(await showFile(root, first, '.countersign.yml')).toBe('version: 1\n');
    expect(await showFile(root, 'HEAD', '.countersign.yml')).toBe('version: 2\n');
    expect(await showFile(root, 'HEAD', 'odd/new\nline.txt')).toBe('odd\n');
    expect(await showFile(root, 'HEAD', './sub/dir/../dir/keep.txt')).toBe('x\n');
  });

  it('reads paths from the repository root whatever the working directory', async () => {
    const nested = join(root, 'sub', 'dir');
    expect(await showFile(nested, 'HEAD', '.countersign.yml')).toBe('version: 2\n');
    expect(await showFile(nested, 'HEAD', 'keep.txt')).toBeNull();
  });

  it('returns null for a path absent at that revision, or not a file', async () => {
    expect(await showFile(root, first, 'added later.txt')).toBeNull();
    expect(await showFile(root, 'HEAD', 'missing.yml')).toBeNull();
    expect(await showFile(root, 'HEAD', 'sub')).toBeNull();
    expect(await showFile(root, 'HEAD', 'sub/dir/keep.txt/deeper')).toBeNull();
    expect(await showFile(root, 'HEAD', '*.yml')).toBeNull();
  });

  it('throws for an unknown revision or a path outside the repository', async () => {
    const unknown = await configurationError(showFile(root, 'nope', '.countersign.yml'));
    expect(unknown.message).toContain('nope');
    await configurationError(showFile(root, 'HEAD', '../escape'));
  });

  it('works in a bare clone, which has history but no work tree', async () => {
    const bare = join(outside, 'bare.git');
    await mkdir(bare);
    await git(outside, ['clone', '--quiet', '--bare', root, bare]);
    const change = await readChange({ cwd: bare, base: first, head: second });
    expect(change.commits.map((commit) => commit.sha)).toEqual([second]);
    expect(await showFile(bare, first, '.countersign.yml')).toBe('version: 1\n');
    expect(await repositoryRoot(bare)).toBeNull();
  });
});
