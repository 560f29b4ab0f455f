import type { ChangedFile, FileStatus } from '@countersign/core';
import { ConfigurationError } from '@countersign/core';
import type { Repository } from './exec.js';

/**
 * Flags for every diff we read. Each pins something config could otherwise change: external diff
 * drivers and textconv (which would replace the content), rename detection, paths relative to the
 * current directory, hidden submodules, and the diff algorithm that decides the line counts.
 */
export const DIFF_FLAGS: readonly string[] = [
  '--no-ext-diff',
  '--no-textconv',
  '--find-renames',
  '--no-relative',
  '--ignore-submodules=none',
  '--diff-algorithm=myers',
  '--indent-heuristic',
];

interface NameStatus {
  letter: string;
  path: string;
  previousPath: string | null;
}

interface LineCounts {
  additions: number;
  deletions: number;
  path: string;
  previousPath: string | null;
}

/** The files changed between two commits, with status, rename source and line counts. */
export async function readFiles(repository: Repository, base: string, head: string): Promise<ChangedFile[]> {
  const diff = (format: string): Promise<Buffer> =>
    repository.output(['diff', ...DIFF_FLAGS, '-z', format, base, head, '--']);
  const [names, numbers] = await Promise.all([diff('--name-status'), diff('--numstat')]);
  return joinCounts(parseNameStatus(names.toString('utf8')), parseNumstat(numbers.toString('utf8')));
}

/** Splits NUL-terminated output into its fields (the final NUL leaves no empty field behind). */
function nulFields(text: string): string[] {
  const fields = text.split('\0');
  if (fields.at(-1) === '') fields.pop();
  return fields;
}

/**
 * `--name-status -z`: `X\0path\0`, or `R<score>\0old\0new\0` for a rename (C for a copy). With
 * -z git never quotes a path, so every field is the name's bytes as they are.
 */
export function parseNameStatus(text: string): NameStatus[] {
  const fields = nulFields(text);
  const entries: NameStatus[] = [];
  let index = 0;
  while (index < fields.length) {
    const letter = (fields[index] as string).charAt(0);
    const paired = letter === 'R' || letter === 'C';
    const first = fields[index + 1];
    const second = paired ? fields[index + 2] : first;
    if (first === undefined || second === undefined) throw malformed('--name-status');
    entries.push({ letter, path: second, previousPath: paired ? first : null });
    index += paired ? 3 : 2;
  }
  return entries;
}

/**
 * `--numstat -z`: `added\tdeleted\tpath\0`, or `added\tdeleted\t\0old\0new\0` for a rename or
 * copy (the empty path field is the marker); `-\t-` for a binary file, counted as 0/0.
 */
export function parseNumstat(text: string): LineCounts[] {
  const fields = nulFields(text);
  const entries: LineCounts[] = [];
  let index = 0;
  while (index < fields.length) {
    const field = fields[index] as string;
    const firstTab = field.indexOf('\t');
    const secondTab = field.indexOf('\t', firstTab + 1);
    if (firstTab < 0 || secondTab < 0) throw malformed('--numstat');
    const counts = {
      additions: count(field.slice(0, firstTab)),
      deletions: count(field.slice(firstTab + 1, secondTab)),
    };
    const path = field.slice(secondTab + 1);
    if (path !== '') {
      entries.push({ ...counts, path, previousPath: null });
      index += 1;
      continue;
    }
    const previousPath = fields[index + 1];
    const newPath = fields[index + 2];
    if (previousPath === undefined || newPath === undefined) throw malformed('--numstat');
    entries.push({ ...counts, path: newPath, previousPath });
    index += 3;
  }
  return entries;
}

function count(text: string): number {
  if (text === '-') return 0;
  if (!/^\d+$/.test(text)) throw malformed('--numstat');
  return Number.parseInt(text, 10);
}

function malformed(format: string): ConfigurationError {
  return new ConfigurationError({ message: `git diff ${format}: unexpected output` });
}

function pairKey(path: string, previousPath: string | null): string {
  // NUL cannot occur in a path, so it cannot make two different pairs look alike.
  return previousPath === null ? path : `${previousPath}\0${path}`;
}

/**
 * Joins the two listings by (old path, new path). Each key is a queue, so even a path listed twice
 * (a deletion and an addition of the same name) takes its counts in the order git gave them.
 */
export function joinCounts(names: readonly NameStatus[], counts: readonly LineCounts[]): ChangedFile[] {
  const byKey = new Map<string, LineCounts[]>();
  for (const entry of counts) {
    const key = pairKey(entry.path, entry.previousPath);
    const queue = byKey.get(key);
    if (queue === undefined) byKey.set(key, [entry]);
    else queue.push(entry);
  }
  return names.map((name) => {
    const counted = byKey.get(pairKey(name.path, name.previousPath))?.shift();
    const status = fileStatus(name.letter);
    const file: ChangedFile = {
      path: name.path,
      status,
      additions: counted?.additions ?? 0,
      deletions: counted?.deletions ?? 0,
    };
    if (status === 'renamed') file.previous_path = name.previousPath;
    return file;
  });
}

/**
 * Copies count as added (the new file is all the reviewer sees); a type change (file to symlink)
 * is a modification of the path.
 */
function fileStatus(letter: string): FileStatus {
  switch (letter) {
    case 'A':
    case 'C':
      return 'added';
    case 'D':
      return 'removed';
    case 'R':
      return 'renamed';
    default:
      return 'modified';
  }
}
