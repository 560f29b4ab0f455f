import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigurationError } from '../../../packages/core/src/errors.js';
import { digestDirectory, digestFile, digestPath, parseDigest } from '../../../packages/core/src/attestation/digest.js';

const EMPTY_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';
const ABC_SHA256 = 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad';
const MIB = 1024 * 1024;
const FLAG = '--subject-path';
const posix = process.platform !== 'win32';
const hasTool = (tool: string): boolean => posix && spawnSync('sh', ['-c', `command -v ${tool}`]).status === 0;

let scratch: string;
let counter = 0;

beforeAll(() => {
  scratch = mkdtempSync(join(tmpdir(), 'countersign-digest-'));
});
afterAll(() => {
  rmSync(scratch, { recursive: true, force: true });
});

const sha256 = (data: Buffer | string): string => createHash('sha256').update(data).digest('hex');

function fresh(): string {
  const dir = join(scratch, `case-${counter++}`);
  mkdirSync(dir);
  return dir;
}

/** Writes `files` (relative path → content) under a fresh directory and returns it. */
function tree(files: Record<string, string | Buffer>): string {
  const root = fresh();
  for (const [relative, content] of Object.entries(files)) {
    const path = join(root, ...relative.split('/'));
    mkdirSync(join(path, '..'), { recursive: true });
    writeFileSync(path, content);
  }
  return root;
}

/** The Hash1 summary built by hand from lines listed in the expected order. */
function expectedDirHash(lines: readonly (readonly [string, string | Buffer])[]): string {
  return sha256(lines.map(([relative, content]) => `${sha256(content)}  ${relative}\n`).join(''));
}

async function failure(promise: Promise<unknown>): Promise<ConfigurationError> {
  const error: unknown = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(ConfigurationError);
  return error as ConfigurationError;
}

describe('digestFile', () => {
  it.each([
    ['empty', '', EMPTY_SHA256],
    ['abc', 'abc', ABC_SHA256],
  ])('hashes the %s vector', async (_name, content, expected) => {
    const path = join(fresh(), 'vector');
    writeFileSync(path, content);
    expect(await digestFile(path)).toEqual({ sha256: expected, size: content.length });
  });

  // Either side of the 4 MiB chunk, where the read strategy changes, and many chunks plus a tail.
  it.each([4 * MIB - 1, 4 * MIB, 4 * MIB + 1, 20 * MIB + 7])(
    'hashes %i bytes like one createHash over them',
    async (size) => {
      const content = randomBytes(size);
      const path = join(fresh(), 'artefact.bin');
      writeFileSync(path, content);
      expect(await digestFile(path, FLAG)).toEqual({ sha256: sha256(content), size });
    },
  );

  it.runIf(posix)('follows a symbolic link named on the command line', async () => {
    const dir = tree({ 'real.txt': 'abc' });
    symlinkSync('real.txt', join(dir, 'link.txt'));
    expect(await digestFile(join(dir, 'link.txt'))).toEqual({ sha256: ABC_SHA256, size: 3 });
  });

  it('names the flag and path of a missing file', async () => {
    const path = join(scratch, 'dist', 'app.tgz');
    const error = await failure(digestFile(path, FLAG));
    expect(error.message).toBe(`--subject-path: cannot read ${path}: no such file`);
  });

  it('leaves the flag out when none is given', async () => {
    const path = join(scratch, 'nowhere.tgz');
    expect((await failure(digestFile(path))).message).toBe(`cannot read ${path}: no such file`);
  });

  it('refuses a directory', async () => {
    const dir = fresh();
    expect((await failure(digestFile(dir, FLAG))).message).toBe(`--subject-path: cannot read ${dir}: is a directory`);
  });

  it.runIf(hasTool('mkfifo'))('refuses a FIFO without waiting for a writer', async () => {
    const path = join(fresh(), 'pipe');
    spawnSync('mkfifo', [path]);
    expect((await failure(digestFile(path, FLAG))).message).toBe(
      `--subject-path: cannot read ${path}: is a FIFO, not a regular file`,
    );
  });

  it.runIf(posix && process.getuid?.() !== 0)('refuses an unreadable file', async () => {
    const path = join(fresh(), 'secret');
    writeFileSync(path, 'x', { mode: 0o000 });
    expect((await failure(digestFile(path, FLAG))).message).toBe(
      `--subject-path: cannot read ${path}: permission denied`,
    );
  });
});

describe('digestDirectory', () => {
  it('hashes the Hash1 summary of a small tree', async () => {
    const files = { 'README.md': '# app\n', 'bin/app': 'binary\0bytes', 'lib/util/strings.js': 'export {};\n' };
    const root = tree(files);
    const expected = expectedDirHash([
      ['README.md', '# app\n'],
      ['bin/app', 'binary\0bytes'],
      ['lib/util/strings.js', 'export {};\n'],
    ]);
    expect(await digestDirectory(root, FLAG)).toEqual({ dirHash: expected, files: 3 });
  });

  it('sorts by the UTF-8 bytes of the whole relative path, not per directory or by UTF-16', async () => {
    // Byte order: 'B' < 'Z' < '_' < 'a' ; within "a…": '-' (2D) < '.' (2E) < '/' (2F); then
    // é (C3 A9) < U+FFFD (EF BF BD) < U+1F600 (F0 9F 98 80). UTF-16 order puts U+1F600 (a surrogate
    // pair, D83D…) before U+FFFD, and walking directory by directory puts a/b before a-b.
    const order: [string, string][] = [
      ['B/x', '1'],
      ['Z', '2'],
      ['_', '3'],
      ['a-b', '4'],
      ['a.txt', '5'],
      ['a/b', '6'],
      ['a/b-c/d', '7'],
      ['é', '8'],
      ['\uFFFD', '9'],
      ['😀', '10'],
    ];
    expect(['\uFFFD', '😀'].sort()).toEqual(['😀', '\uFFFD']);
    const root = tree(Object.fromEntries([...order].reverse()));
    expect(await digestDirectory(root)).toEqual({ dirHash: expectedDirHash(order), files: order.length });
  });

  it('keeps unicode names exactly, including a leading byte-order mark', async () => {
    const order: [string, string][] = [
      ['données/été.txt', 'summer'],
      ['日本/ファイル', 'file'],
      ['\uFEFFbom', 'marked'],
    ];
    const root = tree(Object.fromEntries(order));
    expect((await digestDirectory(root)).dirHash).toBe(expectedDirHash(order));
  });

  it.runIf(hasTool('sha256sum') && hasTool('find'))("agrees with digest_set.md's reference pipeline", async () => {
    const root = tree({ 'a.txt': 'a', 'a/b': 'b', 'a-b': 'c', 'z/y/x.bin': randomBytes(5 * MIB), é: 'd' });
    const pipeline = 'find . -type f | cut -c3- | LC_ALL=C sort | xargs -r sha256sum | sha256sum';
    const reference = spawnSync('sh', ['-c', pipeline], { cwd: root, encoding: 'utf8' }).stdout.slice(0, 64);
    expect((await digestDirectory(root)).dirHash).toBe(reference);
  });

  it('hashes an empty directory, and one of only empty directories, as the empty summary', async () => {
    const empty = fresh();
    expect(await digestDirectory(empty)).toEqual({ dirHash: EMPTY_SHA256, files: 0 });
    mkdirSync(join(empty, 'a', 'b'), { recursive: true });
    expect(await digestDirectory(empty)).toEqual({ dirHash: EMPTY_SHA256, files: 0 });
  });

  it.runIf(posix)('refuses symbolic links inside the tree, to files and to directories, naming each', async () => {
    const root = tree({ 'real.txt': 'abc', 'sub/file': 'x' });
    symlinkSync('real.txt', join(root, 'file-link'));
    symlinkSync('sub', join(root, 'dir-link'));
    const error = await failure(digestDirectory(root, FLAG));
    const why = 'is a symbolic link; only regular files and directories are digested';
    expect(error.problems.map((p) => p.message).sort()).toEqual([
      `--subject-path: cannot digest ${join(root, 'dir-link')}: ${why}`,
      `--subject-path: cannot digest ${join(root, 'file-link')}: ${why}`,
    ]);
  });

  it.runIf(posix)('follows a symbolic link given as the directory itself', async () => {
    const root = tree({ 'a.txt': 'abc' });
    const link = join(fresh(), 'release');
    symlinkSync(root, link);
    expect((await digestDirectory(link)).dirHash).toBe(expectedDirHash([['a.txt', 'abc']]));
  });

  it.runIf(posix)('refuses a file name containing a newline', async () => {
    const root = tree({ 'ok.txt': 'fine', 'bad\nname.txt': 'x' });
    const error = await failure(digestDirectory(root, FLAG));
    expect(error.message).toBe(
      `--subject-path: cannot digest ${JSON.stringify(join(root, 'bad\nname.txt'))}: a file name containing a newline makes dirHash ambiguous`,
    );
  });

  it.runIf(hasTool('mkfifo'))('refuses special files', async () => {
    const root = tree({ 'ok.txt': 'fine' });
    spawnSync('mkfifo', [join(root, 'queue')]);
    const error = await failure(digestDirectory(root, FLAG));
    expect(error.message).toBe(
      `--subject-path: cannot digest ${join(root, 'queue')}: is a FIFO; only regular files and directories are digested`,
    );
  });

  it.runIf(process.platform === 'linux')('refuses a file name that is not UTF-8 rather than guess it', async () => {
    const root = tree({ 'ok.txt': 'fine' });
    writeFileSync(Buffer.concat([Buffer.from(`${root}/`), Buffer.from([0x66, 0xff])]), 'x');
    const error = await failure(digestDirectory(root));
    expect(error.message).toMatch(/^cannot digest ".*f\u00ff": file name is not valid UTF-8$/);
  });

  it.runIf(posix)('reports the first 20 problems and counts the rest', async () => {
    const root = fresh();
    for (let i = 0; i < 25; i++) symlinkSync('nowhere', join(root, `link-${String(i).padStart(2, '0')}`));
    const { problems } = await failure(digestDirectory(root, FLAG));
    expect(problems).toHaveLength(21);
    expect(problems[20]?.message).toBe('--subject-path: … and 5 more');
  });

  it('names the flag and path when the directory is missing or is a file', async () => {
    const missing = join(scratch, 'no-such-dir');
    expect((await failure(digestDirectory(missing, FLAG))).message).toBe(
      `--subject-path: cannot read ${missing}: no such file`,
    );
    const file = join(tree({ 'f.txt': 'x' }), 'f.txt');
    expect((await failure(digestDirectory(file, FLAG))).message).toBe(
      `--subject-path: cannot read ${file}: not a directory`,
    );
  });
});

describe('digestPath', () => {
  it('gives a sha256 DigestSet and size for a file', async () => {
    const path = join(tree({ 'app.tgz': 'abc' }), 'app.tgz');
    expect(await digestPath(path, FLAG)).toEqual({ digest: { sha256: ABC_SHA256 }, size: 3 });
  });

  it('gives a dirHash DigestSet and file count for a directory', async () => {
    const root = tree({ 'x/y.txt': 'abc' });
    expect(await digestPath(root, FLAG)).toEqual({
      digest: { dirHash1: expectedDirHash([['x/y.txt', 'abc']]) },
      files: 1,
    });
  });

  it('names the flag and path of a missing path', async () => {
    const path = join(scratch, 'gone');
    expect((await failure(digestPath(path, FLAG))).message).toBe(`--subject-path: cannot read ${path}: no such file`);
  });
});

describe('parseDigest', () => {
  const hex = ABC_SHA256;

  it('returns the hex of sha256:<hex>, lower-cased', () => {
    expect(parseDigest(`sha256:${hex}`)).toBe(hex);
    expect(parseDigest(`sha256:${hex.toUpperCase()}`, '--digest')).toBe(hex);
  });

  it.each([
    ['another algorithm', `sha512:${hex}`, ' (unsupported algorithm sha512)'],
    ['short hex', `sha256:${hex.slice(0, 63)}`, ''],
    ['long hex', `sha256:${hex}0`, ''],
    ['no prefix', hex, ''],
    ['an upper-case prefix', `SHA256:${hex}`, ' (unsupported algorithm SHA256)'],
    ['non-hex digits', `sha256:${'g'.repeat(64)}`, ''],
    ['surrounding whitespace', ` sha256:${hex}\n`, ''],
    ['the empty string', '', ''],
  ])('rejects %s, naming the flag and the expected form', (_name, text, why) => {
    let caught: unknown;
    try {
      parseDigest(text, '--digest');
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(ConfigurationError);
    expect((caught as Error).message).toBe(
      `--digest: expected sha256:<64 hex digits>, got ${JSON.stringify(text)}${why}`,
    );
  });

  it('shortens a long input in the message', () => {
    expect(() => parseDigest('x'.repeat(500))).toThrow(`expected sha256:<64 hex digits>, got "${'x'.repeat(80)}…"`);
  });
});
