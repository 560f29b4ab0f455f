import type { Repository } from './exec.js';
import { DIFF_FLAGS } from './files.js';
import { unquoteC, unquotePath } from './quote.js';

const SECTION_START = 'diff --git ';

/**
 * Per-file patches between two commits: the `-U0` hunks of each file (only changed lines, no
 * context), keyed by the file's path (its new path for a rename). A binary file maps to null; a
 * file with no hunks (a pure rename, a mode change) to ''.
 */
export async function readPatches(
  repository: Repository,
  base: string,
  head: string,
): Promise<Map<string, string | null>> {
  const stdout = await repository.output([
    'diff',
    ...DIFF_FLAGS,
    '-U0',
    // Content rules must see every added line: without --text a single NUL byte would make a
    // .sql file "binary" and hide its DROP TABLE from the rule.
    '--text',
    '--inter-hunk-context=0',
    '--no-color',
    '--src-prefix=a/',
    '--dst-prefix=b/',
    '--submodule=short',
    base,
    head,
    '--',
  ]);
  return splitPatch(stdout.toString('utf8'));
}

/**
 * Splits `git diff` output into files. A file's section starts with a `diff --git ` line; inside a
 * section every hunk line starts with ' ', '+', '-', '\' or '@@' and any header path with a
 * newline is quoted, so that text at the start of a line marks a file boundary and nothing else.
 * A path seen twice (a type change is a deletion plus an addition) gets both sections' hunks.
 */
export function splitPatch(text: string): Map<string, string | null> {
  const patches = new Map<string, string | null>();
  for (const section of sections(text)) {
    const parsed = parseSection(section);
    if (parsed === null) continue;
    const previous = patches.get(parsed.path);
    if (previous === undefined) patches.set(parsed.path, parsed.patch);
    else if (previous !== null && parsed.patch !== null) patches.set(parsed.path, previous + parsed.patch);
    else patches.set(parsed.path, null);
  }
  return patches;
}

function sections(text: string): string[] {
  const starts: number[] = text.startsWith(SECTION_START) ? [0] : [];
  for (let at = text.indexOf(`\n${SECTION_START}`); at >= 0; at = text.indexOf(`\n${SECTION_START}`, at + 1)) {
    starts.push(at + 1);
  }
  return starts.map((start, index) => text.slice(start, starts[index + 1] ?? text.length));
}

interface Section {
  path: string;
  patch: string | null;
}

function parseSection(section: string): Section | null {
  const hunks = section.startsWith('@@') ? 0 : section.indexOf('\n@@');
  const headerEnd = hunks < 0 ? section.length : hunks;
  const headerLines = section.slice(0, headerEnd).split('\n');
  let renamedTo: string | null = null;
  let binary = false;
  for (const line of headerLines) {
    if (line.startsWith('rename to ')) renamedTo = unquotePath(line.slice('rename to '.length));
    else if (line.startsWith('copy to ')) renamedTo = unquotePath(line.slice('copy to '.length));
    else if (line.startsWith('Binary files ') || line === 'GIT binary patch') binary = true;
  }
  const path = renamedTo ?? headerPath((headerLines[0] ?? '').slice(SECTION_START.length));
  if (path === null) return null;
  if (binary) return { path, patch: null };
  return { path, patch: hunks < 0 ? '' : section.slice(hunks + 1) };
}

/**
 * The path of `a/X b/X` (both sides are the same path unless the file was renamed or copied,
 * which the caller reads from `rename to`). A bare name may contain spaces, so it is split by
 * length, and checked; a quoted one is unquoted.
 */
function headerPath(names: string): string | null {
  if (names.startsWith('"')) {
    const first = unquoteC(names);
    if (first === null || names[first.end] !== ' ') return null;
    const second = unquotePath(names.slice(first.end + 1));
    return second.startsWith('b/') ? second.slice(2) : null;
  }
  if ((names.length - 5) % 2 !== 0) return null;
  const half = (names.length - 5) / 2;
  const path = names.slice(2, 2 + half);
  return names === `a/${path} b/${path}` ? path : null;
}
