import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Change } from '@countersign/core';
import { readChange } from '../../packages/git/src/index.js';
import { commitAll, createRepository, git, writeFiles } from './helpers.js';

const numbered = (count: number): string => Array.from({ length: count }, (_, i) => `n${i}\n`).join('');

/** Settings a repository (or a user) could hold that would change git's output if not pinned. */
const HOSTILE_CONFIG: ReadonlyArray<readonly [string, string]> = [
  ['core.quotepath', 'true'],
  ['diff.noprefix', 'true'],
  ['diff.mnemonicPrefix', 'true'],
  ['diff.relative', 'true'],
  ['diff.renames', 'false'],
  ['diff.context', '7'],
  ['diff.interHunkContext', '20'],
  ['diff.algorithm', 'patience'],
  ['diff.external', 'false'],
  ['diff.ignoreSubmodules', 'all'],
  ['diff.submodule', 'log'],
  ['color.ui', 'always'],
  ['color.diff', 'always'],
  ['diff.evil.textconv', 'tr a-z A-Z'],
  ['diff.evil.binary', 'true'],
];

describe('readChange whatever the configuration', () => {
  let root = '';
  let remove = (): Promise<void> => Promise.resolve();
  let base = '';

  beforeAll(async () => {
    ({ path: root, remove } = await createRepository());
    await writeFiles(root, {
      'pkg/sub/file.ts': numbered(40),
      'pkg/sub/old é.ts': numbered(30).replace(/n/g, 'r'),
      'top.txt': 'top\n',
    });
    base = await commitAll(root, 'base\n');
    // The head being judged tries to hide its content behind attributes.
    await writeFiles(root, {
      '.gitattributes': '* -diff\n*.ts diff=evil\n',
      'pkg/sub/file.ts': numbered(40).replace('n3\n', 'three\n').replace('n30\n', 'thirty\n'),
      'pkg/sub/new é.ts': numbered(30).replace(/n/g, 'r') + 'extra\n',
      'top.txt': 'top\nsecret = 1\n',
    });
    await rm(join(root, 'pkg/sub/old é.ts'));
    await commitAll(root, 'head\n');
  });

  afterAll(() => remove());

  async function readFromSubdirectory(): Promise<Change> {
    return readChange({ cwd: join(root, 'pkg', 'sub'), base, head: 'HEAD', withPatches: true });
  }

  it('produces the same change under hostile settings, environment and attributes', async () => {
    for (const [key, value] of HOSTILE_CONFIG) await git(root, ['config', key, value]);
    process.env['GIT_EXTERNAL_DIFF'] = 'false';
    process.env['GIT_DIFF_OPTS'] = '--unified=9';
    let hostile: Change;
    try {
      hostile = await readFromSubdirectory();
    } finally {
      delete process.env['GIT_EXTERNAL_DIFF'];
      delete process.env['GIT_DIFF_OPTS'];
      for (const [key] of HOSTILE_CONFIG) await git(root, ['config', '--unset', key]);
    }
    const clean = await readFromSubdirectory();
    expect(hostile).toEqual(clean);

    const byPath = new Map(clean.files.map((file) => [file.path, file]));
    expect(byPath.get('pkg/sub/file.ts')).toEqual({
      path: 'pkg/sub/file.ts',
      status: 'modified',
      additions: 2,
      deletions: 2,
      patch: '@@ -4 +4 @@ n2\n-n3\n+three\n@@ -31 +31 @@ n29\n-n30\n+thirty\n',
    });
    expect(byPath.get('pkg/sub/new é.ts')).toMatchObject({
      status: 'renamed',
      previous_path: 'pkg/sub/old é.ts',
      additions: 1,
      patch: '@@ -30,0 +31 @@ r29\n+extra\n',
    });
    expect(byPath.get('top.txt')?.patch).toBe('@@ -1,0 +2 @@ top\n+secret = 1\n');
    expect(byPath.get('.gitattributes')?.additions).toBe(2);
  });
});
