import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { TextDecoder } from 'node:util';
import type { Commit, Person } from '@countersign/core';
import { ConfigurationError } from '@countersign/core';
import type { Repository } from './exec.js';

/** A commit as read from its raw object, with the parents kept for the completeness check. */
export interface RawCommit extends Commit {
  parents: string[];
}

/** Every commit in base..head, ancestors before descendants, merge commits included. */
export async function listCommitShas(repository: Repository, base: string, head: string): Promise<string[]> {
  const stdout = await repository.output(['rev-list', '--topo-order', '--reverse', head, `^${base}`]);
  return stdout
    .toString('utf8')
    .split('\n')
    .filter((line) => line !== '');
}

/**
 * Reads the raw objects of `shas` through one `git cat-file --batch`. Its output is
 * `<sha> <type> <size>\n<size bytes>\n` per object, so the message bytes are never searched for a
 * separator and nothing a message contains can start a new record.
 */
export async function readCommits(repository: Repository, shas: readonly string[]): Promise<RawCommit[]> {
  if (shas.length === 0) return [];
  const stdout = await repository.output(['cat-file', '--batch'], shas.join('\n') + '\n');
  const commits: RawCommit[] = [];
  let offset = 0;
  for (const requested of shas) {
    const lineEnd = stdout.indexOf(0x0a, offset);
    if (lineEnd < 0) throw truncated(requested);
    const header = stdout.toString('utf8', offset, lineEnd).split(' ');
    const [sha, type, sizeText] = header;
    if (header.length !== 3 || sha !== requested || type !== 'commit' || sizeText === undefined) {
      throw new ConfigurationError({ message: `git cat-file: cannot read commit ${requested}` });
    }
    const start = lineEnd + 1;
    const end = start + Number.parseInt(sizeText, 10);
    if (end > stdout.length) throw truncated(requested);
    commits.push(parseCommitObject(sha, stdout.subarray(start, end)));
    offset = end + 1;
  }
  return commits;
}

function truncated(sha: string): ConfigurationError {
  return new ConfigurationError({ message: `git cat-file: output ended before commit ${sha}` });
}

interface HeaderField {
  start: number;
  end: number;
}

/**
 * Parses a raw commit object: header lines up to the first empty line, then the message verbatim.
 * Lines beginning with a space continue the previous header (gpgsig, mergetag) and are skipped,
 * so a signature or an embedded tag cannot supply an `author`. Only the first author, committer
 * and encoding count, as for git itself.
 */
export function parseCommitObject(sha: string, raw: Buffer): RawCommit {
  const separator = raw.indexOf('\n\n');
  const headerEnd = separator < 0 ? raw.length : separator;
  // latin1 maps each byte to one character, so string offsets are byte offsets.
  const headers = raw.toString('latin1', 0, headerEnd);
  const fields = new Map<string, HeaderField>();
  const parents: string[] = [];
  let lineStart = 0;
  while (lineStart <= headers.length) {
    const newline = headers.indexOf('\n', lineStart);
    const lineEnd = newline < 0 ? headers.length : newline;
    const space = headers.indexOf(' ', lineStart);
    if (headers[lineStart] !== ' ' && space > lineStart && space < lineEnd) {
      const key = headers.slice(lineStart, space);
      const field = { start: space + 1, end: lineEnd };
      if (key === 'parent') parents.push(headers.slice(field.start, field.end));
      else if (!fields.has(key)) fields.set(key, field);
    }
    lineStart = lineEnd + 1;
  }
  const decoder = decoderFor(fields.get('encoding'), raw);
  const text = (field: HeaderField | undefined): string | null =>
    field === undefined ? null : decoder.decode(raw.subarray(field.start, field.end));
  const message = separator < 0 ? '' : decoder.decode(raw.subarray(separator + 2));
  return {
    sha,
    message,
    author: parseIdentity(text(fields.get('author'))),
    committer: parseIdentity(text(fields.get('committer'))),
    parents,
  };
}

/** A decoder for the commit's `encoding` header; UTF-8 when absent or unknown to the runtime. */
function decoderFor(encoding: HeaderField | undefined, raw: Buffer): TextDecoder {
  // ignoreBOM keeps a leading byte-order mark in the message: verbatim means verbatim.
  if (encoding !== undefined) {
    const label = raw.toString('latin1', encoding.start, encoding.end).trim();
    try {
      return new TextDecoder(label, { ignoreBOM: true });
    } catch {
      // An encoding the runtime does not know: reading it as UTF-8 beats refusing the change.
    }
  }
  return new TextDecoder('utf-8', { ignoreBOM: true });
}

/**
 * `Name <email> epoch tz`, split as git splits it: the name ends at the first `<`, the email at
 * the first `>` after it. An empty name or email is null, so that two empty emails can never
 * match each other as the same person.
 */
export function parseIdentity(value: string | null): Person {
  if (value === null) return { login: null, email: null, name: null };
  const open = value.indexOf('<');
  if (open < 0) return { login: null, email: null, name: nonEmpty(value.trim()) };
  const close = value.indexOf('>', open + 1);
  const email = value.slice(open + 1, close < 0 ? value.length : close);
  return { login: null, email: nonEmpty(email.trim()), name: nonEmpty(value.slice(0, open).trim()) };
}

function nonEmpty(text: string): string | null {
  return text === '' ? null : text;
}

/**
 * In a shallow clone, rev-list stops at the shallow boundary, so base..head can silently miss the
 * commits (and so the authors) below it. A boundary commit inside the range is only harmless when
 * every parent it really has is base itself or another listed commit.
 */
export function assertComplete(commits: readonly RawCommit[], boundary: ReadonlySet<string>, base: string): void {
  const listed = new Set(commits.map((commit) => commit.sha));
  for (const commit of commits) {
    if (!boundary.has(commit.sha)) continue;
    if (commit.parents.every((parent) => parent === base || listed.has(parent))) continue;
    throw new ConfigurationError({
      message:
        `the history between --base and --head is incomplete: commit ${commit.sha} is at the edge ` +
        'of a shallow clone; fetch the full history (e.g. fetch-depth: 0)',
    });
  }
}

/** The shas at the edge of a shallow clone. */
export async function shallowBoundary(repository: Repository): Promise<Set<string>> {
  if (!repository.shallow) return new Set();
  const output = await repository.output(['rev-parse', '--git-path', 'shallow']);
  const path = resolve(repository.scratch, output.toString('utf8').replace(/\n$/, ''));
  const text = await readFile(path, 'utf8').catch(() => '');
  return new Set(text.split('\n').filter((line) => line !== ''));
}
