import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rm, symlink } from 'node:fs/promises';
import { join } from 'node:path';
import type { Change, ChangedFile } from '@countersign/core';
import { readChange } from '../../packages/git/src/index.js';
import { commitAll, createRepository, writeFiles } from './helpers.js';

const lines = (count: number, prefix = 'line'): string =>
  Array.from({ length: count }, (_, index) => `${prefix} ${index + 1}\n`).join('');

const NAMES = {
  spaces: 'docs/with spaces.md',
  unicode: 'docs/naïve-日本語.md',
  newline: 'odd/new\nline.txt',
  tab: 'odd/tab\there.txt',
  quote: 'odd/"quoted" \\ back.txt',
};

describe('readChange files', () => {
  let root = '';
  let remove = (): Promise<void> => Promise.resolve();
  let base = '';
  let head = '';
  let change: Change;

  beforeAll(async () => {
    ({ path: root, remove } = await createRepository());
    await writeFiles(root, {
      'src/modified.ts': lines(10),
      'src/removed.ts': lines(3, 'gone'),
      'src/old-name.ts': lines(20, 'stable'),
      'image.bin': Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x00, 0x01, 0x02]),
      'type-change': 'a regular file\n',
      [NAMES.spaces]: lines(2),
    });
    base = await commitAll(root, 'base\n');
    await writeFiles(root, {
      'src/modified.ts': lines(10).replace('line 5\n', 'changed 5\nadded 5b\n'),
      'src/new-name.ts': lines(20, 'stable') + 'one more\n',
      'src/added.ts': lines(4, 'fresh'),
      'image.bin': Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x00, 0x09]),
      [NAMES.spaces]: lines(3),
      [NAMES.unicode]: lines(1),
      [NAMES.newline]: lines(2),
      [NAMES.tab]: lines(5),
      [NAMES.quote]: lines(1),
    });
    await rm(join(root, 'src/removed.ts'));
    await rm(join(root, 'src/old-name.ts'));
    await rm(join(root, 'type-change'));
    await symlink('somewhere', join(root, 'type-change'));
    head = await commitAll(root, 'head\n');
    change = await readChange({ cwd: root, base: 'HEAD~1', head: 'HEAD', withPatches: true });
  });

  afterAll(() => remove());

  const file = (path: string): ChangedFile => {
    const found = change.files.find((entry) => entry.path === path);
    if (found === undefined) throw new Error(`no entry for ${JSON.stringify(path)}`);
    return found;
  };

  it('returns the resolved full shas and empty platform fields', () => {
    expect(change.base).toBe(base);
    expect(change.head).toBe(head);
    expect(change.labels).toEqual([]);
    expect(change.pull_requests).toEqual([]);
  });

  it('lists every changed file exactly once', () => {
    expect(change.files.map((entry) => entry.path).sort()).toEqual(
      [
        'image.bin',
        'src/added.ts',
        'src/modified.ts',
        'src/new-name.ts',
        'src/removed.ts',
        'type-change',
        ...Object.values(NAMES),
      ].sort(),
    );
  });

  it('reports status and line counts for added, modified and removed files', () => {
    expect(file('src/added.ts')).toMatchObject({ status: 'added', additions: 4, deletions: 0 });
    expect(file('src/modified.ts')).toMatchObject({ status: 'modified', additions: 2, deletions: 1 });
    expect(file('src/removed.ts')).toMatchObject({ status: 'removed', additions: 0, deletions: 3 });
  });

  it('detects a rename and keeps its old path', () => {
    expect(file('src/new-name.ts')).toMatchObject({
      status: 'renamed',
      previous_path: 'src/old-name.ts',
      additions: 1,
      deletions: 0,
    });
    expect(file('src/added.ts').previous_path).toBeUndefined();
  });

  it('counts a binary file as 0/0, but still gives content rules its added bytes as text', () => {
    // --text: a NUL byte must not hide a file's added lines from a content rule.
    expect(file('image.bin')).toMatchObject({ status: 'modified', additions: 0, deletions: 0 });
    expect(file('image.bin').patch).toMatch(/^@@ /);
  });

  it('treats a type change as a modification', () => {
    expect(file('type-change')).toMatchObject({ status: 'modified', additions: 1, deletions: 1 });
    expect(file('type-change').patch).toBe(
      '@@ -1 +0,0 @@\n-a regular file\n@@ -0,0 +1 @@\n+somewhere\n\\ No newline at end of file\n',
    );
  });

  it('keeps names with spaces, unicode, newlines, tabs, quotes and backslashes intact', () => {
    expect(file(NAMES.spaces)).toMatchObject({ status: 'modified', additions: 1, deletions: 0 });
    expect(file(NAMES.unicode)).toMatchObject({ status: 'added', additions: 1 });
    expect(file(NAMES.newline)).toMatchObject({ status: 'added', additions: 2 });
    expect(file(NAMES.tab)).toMatchObject({ status: 'added', additions: 5 });
    expect(file(NAMES.quote)).toMatchObject({ status: 'added', additions: 1 });
  });

  it('gives each file its own -U0 patch, quoted names included', () => {
    expect(file('src/modified.ts').patch).toBe('@@ -5 +5,2 @@ line 4\n-line 5\n+changed 5\n+added 5b\n');
    expect(file('src/new-name.ts').patch).toBe('@@ -20,0 +21 @@ stable 20\n+one more\n');
    expect(file('src/removed.ts').patch).toBe('@@ -1,3 +0,0 @@\n-gone 1\n-gone 2\n-gone 3\n');
    expect(file(NAMES.spaces).patch).toBe('@@ -2,0 +3 @@ line 2\n+line 3\n');
    expect(file(NAMES.unicode).patch).toBe('@@ -0,0 +1 @@\n+line 1\n');
    expect(file(NAMES.newline).patch).toBe('@@ -0,0 +1,2 @@\n+line 1\n+line 2\n');
    expect(file(NAMES.tab).patch).toContain('+line 5\n');
    expect(file(NAMES.quote).patch).toBe('@@ -0,0 +1 @@\n+line 1\n');
  });

  it('leaves patches out unless asked', async () => {
    const plain = await readChange({ cwd: root, base, head });
    expect(plain.files.every((entry) => entry.patch === undefined)).toBe(true);
    expect(plain.files.map(({ patch: _patch, ...rest }) => rest)).toEqual(
      change.files.map(({ patch: _patch, ...rest }) => rest),
    );
  });

  it('gives an empty patch to a rename without content changes', async () => {
    const { path, remove: cleanup } = await createRepository();
    try {
      await writeFiles(path, { 'before name.txt': lines(30) });
      const first = await commitAll(path, 'one\n');
      await writeFiles(path, { 'after name.txt': lines(30) });
      await rm(join(path, 'before name.txt'));
      await commitAll(path, 'two\n');
      const renamed = await readChange({ cwd: path, base: first, head: 'HEAD', withPatches: true });
      expect(renamed.files).toEqual([
        {
          path: 'after name.txt',
          previous_path: 'before name.txt',
          status: 'renamed',
          additions: 0,
          deletions: 0,
          patch: '',
        },
      ]);
    } finally {
      await cleanup();
    }
  });

  it('is empty when base and head are the same commit', async () => {
    const same = await readChange({ cwd: root, base: head, head: 'HEAD' });
    expect(same.files).toEqual([]);
    expect(same.commits).toEqual([]);
  });
});
