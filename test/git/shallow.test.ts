import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ConfigurationError } from '@countersign/core';
import { readChange } from '../../packages/git/src/index.js';
import { commitAll, createRepository, git, temporaryDirectory, writeFiles } from './helpers.js';

describe('readChange in a shallow clone', () => {
  let source = '';
  let removeSource = (): Promise<void> => Promise.resolve();
  let scratch = '';
  let removeScratch = (): Promise<void> => Promise.resolve();

  beforeEach(async () => {
    ({ path: source, remove: removeSource } = await createRepository());
    ({ path: scratch, remove: removeScratch } = await temporaryDirectory());
    await writeFiles(source, { 'a.txt': 'a\n' });
    await commitAll(source, 'base\n');
    await git(source, ['tag', 'deployed']);
  });

  afterEach(async () => {
    await removeSource();
    await removeScratch();
  });

  /** Clones the source one commit deep, then fetches the deployed tag one commit deep too. */
  async function shallowClone(): Promise<string> {
    const clone = join(scratch, 'clone');
    await git(scratch, ['clone', '--quiet', '--depth=1', pathToFileURL(source).href, clone]);
    await git(clone, ['fetch', '--quiet', '--depth=1', 'origin', 'refs/tags/deployed:refs/tags/deployed']);
    return clone;
  }

  it('refuses a range that runs past the shallow edge', async () => {
    await writeFiles(source, { 'b.txt': 'b\n' });
    await commitAll(source, 'hidden middle commit\n');
    await writeFiles(source, { 'c.txt': 'c\n' });
    await commitAll(source, 'head\n');
    const clone = await shallowClone();
    const error = await readChange({ cwd: clone, base: 'deployed', head: 'HEAD' }).catch((reason: unknown) => reason);
    expect(error).toBeInstanceOf(ConfigurationError);
    expect((error as ConfigurationError).message).toContain('shallow');
  });

  it('accepts a shallow clone whose boundary commit sits right on base', async () => {
    await writeFiles(source, { 'b.txt': 'b\n' });
    const head = await commitAll(source, 'head\n');
    const clone = await shallowClone();
    const change = await readChange({ cwd: clone, base: 'deployed', head: 'HEAD' });
    expect(change.commits.map((commit) => commit.sha)).toEqual([head]);
    expect(change.files.map((file) => file.path)).toEqual(['b.txt']);
  });
});
