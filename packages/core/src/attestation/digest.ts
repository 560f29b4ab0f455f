/**
 * Artefact digests for attestations (SPEC section 5): the SHA-256 of a file, or the in-toto
 * `dirHash` of a directory, so a signed attestation names exactly the bytes that ship.
 *
 * Speed: OpenSSL does the hashing either way (createHash is OpenSSL), so what costs is how bytes
 * reach it. A large file is read into two reused 4 MiB buffers: while this thread hashes one,
 * libuv's thread pool fills the other, so copying out of the page cache overlaps hashing on a
 * second core (about 10% over a plain read loop when that core is free, equal when it is busy).
 * A file under one buffer is read synchronously: there, thread-pool round trips cost more than
 * the bytes. Measured by bench/hash.mjs against `openssl dgst -sha256`.
 */
import { isUtf8 } from 'node:buffer';
import { createHash } from 'node:crypto';
import { closeSync, constants, fstatSync, openSync, read, readSync } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { ConfigurationError } from '../errors.js';
import type { Problem } from '../errors.js';

/** 1 MiB and 8 MiB measured the same; 64-256 KiB lost 10-25% to per-read round trips. */
const CHUNK = 4 * 1024 * 1024;
/** A tree with a thousand bad entries (a node_modules full of links) needs a sample, not a flood. */
const MAX_PROBLEMS = 20;
// O_NONBLOCK: opening a FIFO for reading would otherwise wait for a writer before we can refuse it.
const READ_FLAGS = constants.O_RDONLY | (constants.O_NONBLOCK ?? 0);
// Inside a tree a link is refused by type when listed; O_NOFOLLOW keeps it refused if one is
// swapped in between listing and opening.
const TREE_READ_FLAGS = READ_FLAGS | (constants.O_NOFOLLOW ?? 0);

const REASONS: Readonly<Record<string, string>> = {
  ENOENT: 'no such file',
  ENOTDIR: 'not a directory',
  EISDIR: 'is a directory',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  ELOOP: 'too many levels of symbolic links',
};

type Buffers = readonly [Buffer, Buffer];
type Digest = { sha256: string; size: number };

interface TreeFile {
  /** Slash-separated, relative to the root: the name Hash1 puts in its summary line. */
  relative: string;
  /** UTF-8 bytes of `relative`: Hash1 sorts by bytes, which UTF-16 string order does not match. */
  key: Buffer;
}

interface FileKind {
  isFIFO(): boolean;
  isSocket(): boolean;
  isCharacterDevice(): boolean;
  isBlockDevice(): boolean;
  isSymbolicLink(): boolean;
}

/**
 * SHA-256 of a file, streamed through a fixed pair of buffers, never read whole. The path itself
 * may be a symbolic link (the user named it); it must end at a regular file.
 */
export async function digestFile(path: string, flag?: string): Promise<Digest> {
  return readable(path, flag, () => hashRegular(path, flag, READ_FLAGS, allocateBuffers()));
}

/**
 * The in-toto DigestSet `dirHash` (digest_set.md): Go's directory Hash1 in lowercase hex without
 * "h1:". Every regular file below `path`, sorted by the UTF-8 bytes of its slash-separated relative
 * path, contributes the line `<sha256 hex>  <relative path>\n`; the result is the SHA-256 of those
 * lines. Symbolic links, sockets, FIFOs and devices inside the tree are refused, never followed or
 * skipped: a link's meaning depends on where it is unpacked, and skipping would attest less than
 * ships. Names containing a newline would make the summary ambiguous and are refused too.
 *
 * An empty directory (or one holding only empty directories) is allowed and hashes the empty
 * summary, e3b0c442…b855, as Go's Hash1 and digest_set.md's reference pipeline do; `files: 0`
 * lets a caller refuse to attest nothing.
 */
export async function digestDirectory(path: string, flag?: string): Promise<{ dirHash: string; files: number }> {
  const files = await listTree(path, flag);
  files.sort((a, b) => Buffer.compare(a.key, b.key));
  const digests = await hashTree(path, files, flag);
  const summary = createHash('sha256');
  files.forEach((file, i) => summary.update(`${digests[i]}  ${file.relative}\n`));
  return { dirHash: summary.digest('hex'), files: files.length };
}

/**
 * `{ sha256 }` for a file, `{ dirHash1 }` for a directory, as an in-toto DigestSet. The key is
 * `dirHash1`, as in digest_set.md's own example and the attestations already published with it
 * (its heading says `dirHash`); verifiers match on the key, so it must be the one others write.
 */
export async function digestPath(
  path: string,
  flag?: string,
): Promise<{ digest: Record<string, string>; size?: number; files?: number }> {
  const stats = await readable(path, flag, () => stat(path));
  if (stats.isDirectory()) {
    const { dirHash, files } = await digestDirectory(path, flag);
    return { digest: { dirHash1: dirHash }, files };
  }
  const { sha256, size } = await digestFile(path, flag);
  return { digest: { sha256 }, size };
}

/** `sha256:<64 hex>` (hex in either case) → lowercase hex. Only SHA-256 binds an attestation. */
export function parseDigest(text: string, flag?: string): string {
  const hex = /^sha256:([0-9a-fA-F]{64})$/.exec(text)?.[1];
  if (hex !== undefined) return hex.toLowerCase();
  const shown = JSON.stringify(text.length > 80 ? `${text.slice(0, 80)}…` : text);
  const algorithm = /^([A-Za-z0-9_-]+):/.exec(text)?.[1];
  const why = algorithm !== undefined && algorithm !== 'sha256' ? ` (unsupported algorithm ${algorithm})` : '';
  throw new ConfigurationError({ message: `${lead(flag)}expected sha256:<64 hex digits>, got ${shown}${why}` });
}

function allocateBuffers(): Buffers {
  return [Buffer.allocUnsafe(CHUNK), Buffer.allocUnsafe(CHUNK)];
}

/**
 * Opens synchronously, then checks the type of what was opened (not of the name, which may change
 * under us). A page-cache open+fstat costs microseconds; a thread-pool round trip costs tens.
 */
function openRegular(path: string, flag: string | undefined, flags: number): { fd: number; size: number } {
  const fd = openSync(path, flags);
  try {
    const stats = fstatSync(fd);
    if (stats.isDirectory()) throw unreadable(path, flag, 'is a directory');
    if (!stats.isFile()) throw unreadable(path, flag, `is ${describe(stats)}, not a regular file`);
    return { fd, size: stats.size };
  } catch (error) {
    closeSync(fd);
    throw error;
  }
}

async function hashRegular(path: string, flag: string | undefined, flags: number, buffers: Buffers): Promise<Digest> {
  const { fd, size } = openRegular(path, flag, flags);
  try {
    // Below one chunk, overlapping gains nothing and the two thread-pool round trips per file
    // dominate: a tree of 4,000 small files hashed 2.5x faster this way than with 8 async lanes.
    return size < CHUNK ? hashSync(fd, buffers[0]) : await hashOverlapped(fd, buffers);
  } finally {
    closeSync(fd);
  }
}

/** Reads until EOF rather than trusting fstat's size, so the digest covers what was really read. */
function hashSync(fd: number, buffer: Buffer): Digest {
  const hash = createHash('sha256');
  let size = 0;
  for (let n = readSync(fd, buffer, 0, CHUNK, null); n > 0; n = readSync(fd, buffer, 0, CHUNK, null)) {
    hash.update(buffer.subarray(0, n));
    size += n;
  }
  return { sha256: hash.digest('hex'), size };
}

/**
 * One read is always in flight into the buffer not being hashed. Reads stay strictly sequential
 * (each is issued after the previous one finished), so the file position needs no bookkeeping.
 */
async function hashOverlapped(fd: number, buffers: Buffers): Promise<Digest> {
  const hash = createHash('sha256');
  let size = 0;
  let turn: 0 | 1 = 0;
  let pending = readChunk(fd, buffers[turn]);
  for (let n = await pending; n > 0; n = await pending) {
    const full = buffers[turn];
    turn = turn === 0 ? 1 : 0;
    pending = readChunk(fd, buffers[turn]);
    hash.update(full.subarray(0, n));
    size += n;
  }
  return { sha256: hash.digest('hex'), size };
}

function readChunk(fd: number, buffer: Buffer): Promise<number> {
  return new Promise((resolve, reject) => {
    read(fd, buffer, 0, CHUNK, null, (error, bytesRead) => (error ? reject(error) : resolve(bytesRead)));
  });
}

/** Every regular file below `root`, unsorted; all offending entries are reported together. */
async function listTree(root: string, flag: string | undefined): Promise<TreeFile[]> {
  const files: TreeFile[] = [];
  const problems: Problem[] = [];
  const refuse = (shown: string, why: string): void => {
    problems.push({ message: `${lead(flag)}cannot digest ${shown}: ${why}` });
  };
  const visit = async (dir: string, prefix: string): Promise<void> => {
    const entries = await readable(dir, flag, () => readdir(dir, { withFileTypes: true, encoding: 'buffer' }));
    for (const entry of entries) {
      // Names are read as bytes: decoding a non-UTF-8 name to a string would silently replace
      // bytes, and the summary would then name a file that does not exist.
      if (!isUtf8(entry.name)) {
        refuse(JSON.stringify(join(dir, entry.name.toString('latin1'))), 'file name is not valid UTF-8');
        continue;
      }
      const name = entry.name.toString('utf8');
      const relative = prefix + name;
      if (entry.isDirectory()) await visit(join(dir, name), `${relative}/`);
      else if (!entry.isFile())
        refuse(join(dir, name), `is ${describe(entry)}; only regular files and directories are digested`);
      else if (relative.includes('\n'))
        refuse(JSON.stringify(join(dir, name)), 'a file name containing a newline makes dirHash ambiguous');
      else files.push({ relative, key: Buffer.from(relative, 'utf8') });
    }
  };
  await visit(root, '');
  if (problems.length > 0) throw new ConfigurationError(capped(problems, flag));
  return files;
}

/**
 * SHA-256 hex of each file, one file at a time. Hashing runs on this thread whatever we do, so
 * concurrency could only hide I/O: the small files are already read synchronously, and for large
 * ones two or four lanes measured the same as one (bench/.work trees, 2 cores).
 */
async function hashTree(root: string, files: readonly TreeFile[], flag: string | undefined): Promise<string[]> {
  const buffers = allocateBuffers();
  const digests: string[] = [];
  for (const file of files) {
    const path = join(root, file.relative);
    const work = () => hashRegular(path, flag, TREE_READ_FLAGS, buffers);
    digests.push((await readable(path, flag, work, 'is a symbolic link')).sha256);
  }
  return digests;
}

/** Runs `work`, turning a file-system error into a ConfigurationError naming the flag and path. */
async function readable<T>(path: string, flag: string | undefined, work: () => Promise<T>, loop?: string): Promise<T> {
  try {
    return await work();
  } catch (error) {
    const code = (error as NodeJS.ErrnoException | null)?.code;
    if (error instanceof ConfigurationError || typeof code !== 'string') throw error;
    throw unreadable(path, flag, (code === 'ELOOP' ? loop : undefined) ?? REASONS[code] ?? code);
  }
}

function unreadable(path: string, flag: string | undefined, why: string): ConfigurationError {
  return new ConfigurationError({ message: `${lead(flag)}cannot read ${path}: ${why}` });
}

function capped(problems: readonly Problem[], flag: string | undefined): Problem[] {
  if (problems.length <= MAX_PROBLEMS) return [...problems];
  const more = problems.length - MAX_PROBLEMS;
  return [...problems.slice(0, MAX_PROBLEMS), { message: `${lead(flag)}… and ${more} more` }];
}

function describe(kind: FileKind): string {
  if (kind.isSymbolicLink()) return 'a symbolic link';
  if (kind.isFIFO()) return 'a FIFO';
  if (kind.isSocket()) return 'a socket';
  if (kind.isCharacterDevice()) return 'a character device';
  if (kind.isBlockDevice()) return 'a block device';
  return 'an unknown kind of file';
}

function lead(flag: string | undefined): string {
  return flag === undefined ? '' : `${flag}: `;
}
