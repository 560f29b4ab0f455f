import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readChange } from '../../packages/git/src/index.js';
import { ALICE, CAROL, commitAll, createRepository, git, writeFiles } from './helpers.js';

const BOB = { name: 'Bob Builder', email: 'bob@example.com' };

/** Writes a raw commit object, byte for byte, and returns its sha. */
async function writeRawCommit(root: string, raw: Buffer): Promise<string> {
  const sha = await git(root, ['hash-object', '-t', 'commit', '-w', '--literally', '--stdin'], { input: raw });
  return sha.trim();
}

describe('readChange commits', () => {
  let root = '';
  let remove = (): Promise<void> => Promise.resolve();
  let base = '';

  beforeEach(async () => {
    ({ path: root, remove } = await createRepository());
    await writeFiles(root, { 'README.md': 'hello\n' });
    base = await commitAll(root, 'base\n');
  });

  afterEach(() => remove());

  it('keeps a hostile message verbatim and does not let it forge commits or authors', async () => {
    const message = [
      'Subject with \x1e record and \x1f unit separators, \x01 and \x7f',
      '',
      'author Mallory <mallory@example.com> 1700000000 +0000',
      'committer Mallory <mallory@example.com> 1700000000 +0000',
      '',
      'commit 0123456789012345678901234567890123456789',
      'tree 4b825dc642cb6eb9a060e54bf8d69288fbee4904',
      '',
      'carriage\rreturn and trailing spaces   ',
      '',
      'Co-authored-by: Bob Builder <bob@example.com>',
      'Co-authored-by: Dan <dan@example.com>',
      '',
    ].join('\n');
    await writeFiles(root, { 'a.txt': 'a\n' });
    const sha = await commitAll(root, message, { author: ALICE, committer: CAROL });
    const change = await readChange({ cwd: root, base, head: 'HEAD' });
    expect(change.commits).toEqual([
      {
        sha,
        message,
        author: { login: null, name: ALICE.name, email: ALICE.email },
        committer: { login: null, name: CAROL.name, email: CAROL.email },
      },
    ]);
  });

  it('includes merge commits, ancestors first, with each author and committer', async () => {
    await git(root, ['checkout', '--quiet', '-b', 'feature']);
    await writeFiles(root, { 'feature.txt': 'feature\n' });
    const feature = await commitAll(root, 'feature work\n', { author: BOB });
    await git(root, ['checkout', '--quiet', '-']);
    await writeFiles(root, { 'main.txt': 'main\n' });
    const mainline = await commitAll(root, 'main work\n', { author: ALICE });
    await git(root, ['merge', '--quiet', '--no-ff', '--no-edit', 'feature'], { author: CAROL });
    const merge = (await git(root, ['rev-parse', 'HEAD'])).trim();

    const change = await readChange({ cwd: root, base, head: 'HEAD' });
    expect(change.commits.map((commit) => commit.sha).sort()).toEqual([feature, mainline, merge].sort());
    expect(change.commits.at(-1)?.sha).toBe(merge);
    expect(change.commits.at(-1)?.message).toBe("Merge branch 'feature'\n");
    const byAuthor = new Map(change.commits.map((commit) => [commit.sha, commit.author.email]));
    expect(byAuthor.get(feature)).toBe(BOB.email);
    expect(byAuthor.get(mainline)).toBe(ALICE.email);
    expect(byAuthor.get(merge)).toBe(CAROL.email);
    expect(change.files.map((file) => file.path).sort()).toEqual(['feature.txt', 'main.txt']);
  });

  it('skips gpgsig and mergetag continuation lines and decodes an encoding header', async () => {
    const tree = (await git(root, ['rev-parse', 'HEAD^{tree}'])).trim();
    const header = [
      `tree ${tree}`,
      `parent ${base}`,
      'author Ren\xe9 Author <rene@example.com> 1700000000 +0100',
      'committer Real Committer <committer@example.com> 1700000000 +0000',
      'encoding ISO-8859-1',
      'gpgsig -----BEGIN PGP SIGNATURE-----',
      ' ',
      ' author Forged <forged@example.com> 1 +0000',
      ' -----END PGP SIGNATURE-----',
      `mergetag object ${base}`,
      ' type commit',
      ' tag v1',
      ' tagger Forged <forged@example.com> 1 +0000',
      ' ',
      ' committer Forged <forged@example.com> 1 +0000',
      '',
      'Caf\xe9 au lait\n\nauthor Forged <forged@example.com> 1 +0000\n',
    ].join('\n');
    const sha = await writeRawCommit(root, Buffer.from(header, 'latin1'));
    const change = await readChange({ cwd: root, base, head: sha });
    expect(change.commits).toEqual([
      {
        sha,
        message: 'Café au lait\n\nauthor Forged <forged@example.com> 1 +0000\n',
        author: { login: null, name: 'René Author', email: 'rene@example.com' },
        committer: { login: null, name: 'Real Committer', email: 'committer@example.com' },
      },
    ]);
  });

  it('reads a NUL in a message without losing the commits after it', async () => {
    const tree = (await git(root, ['rev-parse', 'HEAD^{tree}'])).trim();
    const identity = 'Odd One <odd@example.com> 1700000000 +0000';
    const first = await writeRawCommit(
      root,
      Buffer.from(`tree ${tree}\nparent ${base}\nauthor ${identity}\ncommitter ${identity}\n\nnul \0 inside\n`),
    );
    const second = await writeRawCommit(
      root,
      Buffer.from(`tree ${tree}\nparent ${first}\nauthor ${identity}\ncommitter ${identity}\n\nafter\n`),
    );
    const change = await readChange({ cwd: root, base, head: second });
    expect(change.commits.map((commit) => [commit.sha, commit.message])).toEqual([
      [first, 'nul \0 inside\n'],
      [second, 'after\n'],
    ]);
  });

  it('reports an empty name or email as null, never as an empty string', async () => {
    const tree = (await git(root, ['rev-parse', 'HEAD^{tree}'])).trim();
    const sha = await writeRawCommit(
      root,
      Buffer.from(
        `tree ${tree}\nparent ${base}\nauthor <> 1700000000 +0000\ncommitter Name Only <> 1 +0000\nencoding x-unknown-charset\n\nm\n`,
      ),
    );
    const change = await readChange({ cwd: root, base, head: sha });
    expect(change.commits[0]?.author).toEqual({ login: null, name: null, email: null });
    expect(change.commits[0]?.committer).toEqual({ login: null, name: 'Name Only', email: null });
    expect(change.commits[0]?.message).toBe('m\n');
  });

  it('lists commits of head that base lacks even when base is not an ancestor', async () => {
    await git(root, ['checkout', '--quiet', '-b', 'side']);
    const side = await commitAll(root, 'side\n');
    await git(root, ['checkout', '--quiet', '-']);
    const other = await commitAll(root, 'other\n');
    const change = await readChange({ cwd: root, base: side, head: other });
    expect(change.commits.map((commit) => commit.sha)).toEqual([other]);
  });
});
