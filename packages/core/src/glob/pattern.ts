// Policy globs follow CODEOWNERS / gitignore conventions (SPEC section 1). Users write those; the
// matchers (picomatch here, minimatch in the benches and tests) implement a different dialect with
// braces, extglobs, negation and regex leaks. So every pattern is parsed here, checked, and re-emitted
// as one or two canonical globs that use only constructs on which picomatch and minimatch have been
// checked to agree (agreement.test.ts): `**` as a whole segment, `*`, `?`, classes, and literals in
// which every character that either library might read specially is written as a one-character class.
//
// Decisions beyond the SPEC paragraph:
// - Braces `{a,b}` and extglobs `@(a|b)` are rejected rather than read literally: someone who writes
//   `*.{js,ts}` expects expansion, and a rule that silently matches nothing is the worst outcome for
//   an approval policy. `\{`, `\(` and friends still match those characters literally.
// - A `**` that is not a whole segment (`a**b`) behaves like `*`, as in gitignore.
// - Classes accept `[abc]`, `[a-z]` and negation `[!a]` / `[^a]`. `]` right after `[` closes the
//   class (so `[]` is an empty-class error; write `\]`), POSIX classes `[[:alpha:]]` are rejected,
//   and a class never matches `/`.
// - Leading or trailing unescaped whitespace is rejected: gitignore would drop trailing spaces and
//   CODEOWNERS splits on them, so an untrimmed YAML string is almost certainly a mistake.
// - `?` and classes match one UTF-16 code unit (both matchers work that way), so a character outside
//   the Basic Multilingual Plane needs `??` or `*`; such characters are rejected inside classes.
// - Paths are repository-relative and normalised (no empty, `.` or `..` segments); patterns with
//   empty, `.` or `..` segments could never match one and are rejected.

import picomatch from 'picomatch';
import { ConfigurationError } from '../errors.js';

/** A closed interval of UTF-16 code units. */
export type CodeRange = readonly [low: number, high: number];

/** One piece of a segment pattern. */
export type GlobToken =
  | { readonly kind: 'literal'; readonly text: string }
  | { readonly kind: 'star' }
  | { readonly kind: 'any' }
  | { readonly kind: 'class'; readonly negated: boolean; readonly ranges: readonly CodeRange[] };

/** One `/`-separated segment of a canonical glob. `literal` is set when the segment has no wildcard. */
export type GlobSegment =
  | { readonly kind: 'globstar' }
  | { readonly kind: 'part'; readonly tokens: readonly GlobToken[]; readonly literal: string | null };

/** One canonical glob: its text (as given to picomatch or minimatch) and its structure. */
export interface ExpandedGlob {
  readonly source: string;
  readonly segments: readonly GlobSegment[];
}

interface ParsedGlob {
  readonly anchored: boolean;
  readonly directoryOnly: boolean;
  readonly segments: readonly GlobSegment[];
}

type ParseResult = { readonly ok: true; readonly glob: ParsedGlob } | { readonly ok: false; readonly message: string };

/**
 * `windows: false` keeps `\` an escape on every platform, as it is for minimatch on POSIX.
 * `literalBrackets: false` stops `[ab]` from also matching the text "[ab]", which minimatch never does.
 * `fastpaths: false` avoids a shortcut that mishandles escaped backslashes.
 */
const PICOMATCH_OPTIONS = { dot: true, windows: false, literalBrackets: false, fastpaths: false } as const;

const SLASH = 0x2f;
/** Punctuation that neither library treats specially anywhere in a segment (checked in agreement.test.ts). */
const PLAIN_PUNCTUATION = " .-_~,:;=%&'$@<>^`";
const CARET = 0x5e;
const GLOBSTAR: GlobSegment = { kind: 'globstar' };
const STAR_SEGMENT: GlobSegment = { kind: 'part', tokens: [{ kind: 'star' }], literal: null };

/** Returns null when the pattern is valid, otherwise a one-line message saying what is wrong and what was expected. */
export function checkGlob(pattern: string): string | null {
  const parsed = parseGlob(pattern);
  if (!parsed.ok) return parsed.message;
  try {
    for (const glob of expandParsed(parsed.glob)) globRegExp(glob.source);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    return `glob ${quote(pattern)} cannot be compiled (${oneLine(reason)}); expected a shorter or simpler pattern`;
  }
  return null;
}

/** The pattern rewritten as one or more plain globs with the semantics above (input must pass checkGlob). Used by both the fast matcher and the naive minimatch baseline in benches, so both see identical semantics. */
export function expandGlob(pattern: string): string[] {
  return expandGlobDetailed(pattern).map((glob) => glob.source);
}

/** Like expandGlob, with each glob's structure, which PathIndex uses to pick a bucket. */
export function expandGlobDetailed(pattern: string): ExpandedGlob[] {
  const parsed = parseGlob(pattern);
  if (!parsed.ok) throw new ConfigurationError({ message: parsed.message });
  return expandParsed(parsed.glob);
}

/** Compiled matcher for one pattern (compile once, call many times). */
export function compileGlob(pattern: string): (path: string) => boolean {
  const regexes = expandGlobDetailed(pattern).map((glob) => globRegExp(glob.source));
  const [first, second] = regexes;
  if (first === undefined) return () => false;
  if (second === undefined) return (path) => first.test(path);
  return (path) => first.test(path) || second.test(path);
}

/**
 * picomatch's regular expression for one canonical glob. The regex is used directly rather than
 * picomatch's matcher function, which also returns true when the path equals the glob text (so the
 * glob `a\*b` would match the path `a\*b`, unlike minimatch).
 */
export function globRegExp(source: string): RegExp {
  return picomatch.makeRe(source, PICOMATCH_OPTIONS);
}

// ---------------------------------------------------------------------------------------------
// Expansion

function expandParsed(parsed: ParsedGlob): ExpandedGlob[] {
  let base = parsed.segments;
  if (!parsed.anchored && base[0]?.kind !== 'globstar') base = [GLOBSTAR, ...base];
  const forms = expansionForms(base, parsed.directoryOnly);
  return forms.map((segments) => ({ source: segments.map(emitSegment).join('/'), segments }));
}

/** The glob for the pattern naming a file, and the one for everything below a directory it names. */
function expansionForms(base: readonly GlobSegment[], directoryOnly: boolean): (readonly GlobSegment[])[] {
  // `x/**` means what is inside x (gitignore), never a file named x, hence the explicit `/*`.
  if (base.at(-1)?.kind === 'globstar') return [[...base, STAR_SEGMENT]];
  const below = [...base, GLOBSTAR, STAR_SEGMENT];
  if (directoryOnly) return [below];
  // When the pattern already ends in `**/*`, everything below a match is itself a match.
  return endsWithEverything(base) ? [base] : [base, below];
}

function endsWithEverything(segments: readonly GlobSegment[]): boolean {
  return segments.length >= 2 && segments.at(-2)?.kind === 'globstar' && isStarOnly(segments.at(-1));
}

/** True for a segment that is exactly `*`. */
function isStarOnly(segment: GlobSegment | undefined): boolean {
  return segment?.kind === 'part' && segment.tokens.length === 1 && segment.tokens[0]?.kind === 'star';
}

function emitSegment(segment: GlobSegment): string {
  if (segment.kind === 'globstar') return '**';
  return segment.tokens.map(emitToken).join('');
}

function emitToken(token: GlobToken): string {
  switch (token.kind) {
    case 'literal':
      return Array.from(token.text, (char) => escapeLiteral(char.charCodeAt(0), char)).join('');
    case 'star':
      return '*';
    case 'any':
      return '?';
    case 'class':
      return emitClass(token.negated, token.ranges);
  }
}

/**
 * Letters, digits, non-ASCII and a set of plain punctuation are emitted as themselves. Every other
 * character becomes a one-character class: a backslash escape is not safe in both libraries
 * (minimatch turns `\\|` next to a wildcard into regex alternation, picomatch drops the backslash
 * of `\\\\` before some characters), while a class means the same to both in every position.
 */
function escapeLiteral(code: number, char: string): string {
  return isWordOrNonAscii(code) || PLAIN_PUNCTUATION.includes(char) ? char : emitClass(false, [[code, code]]);
}

function escapeInClass(code: number): string {
  const char = String.fromCharCode(code);
  return isWordOrNonAscii(code) ? char : `\\${char}`;
}

function isWordOrNonAscii(code: number): boolean {
  return (
    (code >= 0x30 && code <= 0x39) || (code >= 0x41 && code <= 0x5a) || (code >= 0x61 && code <= 0x7a) || code >= 0x80
  );
}

/**
 * minimatch brace-expands any glob with a `{` before a `}`, and that step also strips one level of
 * escapes (`[\\\\]` turns into `[\\]`). So no glob ever contains `{`: a class that would name it is
 * written as its complement instead, which never does (the complement has `z` or `|` as endpoint).
 */
function emitClass(negated: boolean, ranges: readonly CodeRange[]): string {
  const direct = classText(negated, ranges);
  return direct.includes('{') ? classText(!negated, complementRanges(ranges)) : direct;
}

/**
 * Ranges arrive sorted, merged and free of `/`. picomatch misreads a plain class whose first item is
 * an escaped `^` followed by more items (it treats it as negation), so that `^` moves to the end.
 */
function classText(negated: boolean, ranges: readonly CodeRange[]): string {
  let items = ranges;
  const first = ranges[0];
  if (!negated && first !== undefined && first[0] === CARET && (first[1] > CARET || ranges.length > 1)) {
    const rest: CodeRange[] = first[1] > CARET ? [[CARET + 1, first[1]], ...ranges.slice(1)] : ranges.slice(1);
    items = [...rest, [CARET, CARET]];
  }
  return `[${negated ? '^' : ''}${items.map(emitRange).join('')}]`;
}

/** Every UTF-16 code unit from U+0001 up that the ranges leave out, except `/` (NUL never occurs in a path). */
function complementRanges(ranges: readonly CodeRange[]): CodeRange[] {
  const gaps: CodeRange[] = [];
  let next = 0x0001;
  for (const [low, high] of ranges) {
    if (low > next) gaps.push([next, low - 1]);
    next = Math.max(next, high + 1);
  }
  if (next <= 0xffff) gaps.push([next, 0xffff]);
  return normaliseRanges(gaps);
}

function emitRange([low, high]: CodeRange): string {
  if (low === high) return escapeInClass(low);
  if (high === low + 1) return escapeInClass(low) + escapeInClass(high);
  return `${escapeInClass(low)}-${escapeInClass(high)}`;
}

// ---------------------------------------------------------------------------------------------
// Parsing

class GlobSyntaxError extends Error {}

function parseGlob(pattern: string): ParseResult {
  const early = checkWholePattern(pattern);
  if (early !== null) return { ok: false, message: early };
  try {
    return { ok: true, glob: new Parser(pattern).parse() };
  } catch (error) {
    if (error instanceof GlobSyntaxError) return { ok: false, message: error.message };
    throw error;
  }
}

function checkWholePattern(pattern: string): string | null {
  if (pattern === '') return 'glob is empty; expected a path pattern such as "docs/**" or "*.md"';
  const q = quote(pattern);
  if (pattern.trim() === '') return `glob ${q} is only whitespace; expected a path pattern such as "docs/**" or "*.md"`;
  if (pattern.startsWith('!')) {
    return `glob ${q} starts with "!", but negation is not supported; use "all-paths" or a separate rule instead (write "\\!" to match a literal "!")`;
  }
  if (/^\s/u.test(pattern)) {
    return `glob ${q} starts with whitespace; remove it (or write "\\ " if the path really starts with a space)`;
  }
  return null;
}

/** Reads a pattern left to right into segments; throws GlobSyntaxError with a user-facing message. */
class Parser {
  readonly #pattern: string;
  #at = 0;
  #segments: GlobSegment[] = [];
  #tokens: GlobToken[] = [];
  /** Runs of `*` in the current segment; a segment that is exactly one run of two is a globstar. */
  #starRuns: number[] = [];
  #lastWasEscapedSpace = false;

  constructor(pattern: string) {
    this.#pattern = pattern;
  }

  parse(): ParsedGlob {
    const pattern = this.#pattern;
    const anchoredByLeadingSlash = pattern.startsWith('/');
    if (anchoredByLeadingSlash) this.#at = 1;
    while (this.#at < pattern.length) this.#step();
    // Nothing after the last `/` (or the pattern is just `/`): the pattern names a directory.
    const directoryOnly = this.#tokens.length === 0;
    if (/\s$/u.test(pattern) && !this.#lastWasEscapedSpace) {
      this.#fail(`ends with whitespace; remove it (or write "\\ " if the path really ends with a space)`);
    }
    if (!directoryOnly) this.#endSegment();
    if (this.#segments.length === 0) {
      this.#fail('names only the repository root; expected a path below it, such as "/**" for every file');
    }
    return {
      anchored: anchoredByLeadingSlash || this.#segments.length > 1,
      directoryOnly,
      segments: collapseGlobstars(this.#segments),
    };
  }

  #step(): void {
    const pattern = this.#pattern;
    const char = pattern.charAt(this.#at);
    this.#lastWasEscapedSpace = false;
    switch (char) {
      case '/':
        this.#endSegment();
        this.#at += 1;
        return;
      case '\\':
        this.#escape();
        return;
      case '*':
        this.#stars();
        return;
      case '?':
        this.#rejectExtglob();
        this.#tokens.push({ kind: 'any' });
        this.#at += 1;
        return;
      case '[':
        this.#tokens.push(this.#characterClass());
        return;
      case '{':
      case '}':
        this.#fail(
          `has "${char}" at column ${this.#at + 1}, but braces are not supported; write one glob per alternative (or "\\${char}" to match a literal "${char}")`,
        );
        return;
      case '+':
      case '@':
      case '!':
        this.#rejectExtglob();
        this.#literal(char);
        this.#at += 1;
        return;
      default:
        this.#literal(char);
        this.#at += 1;
    }
  }

  #escape(): void {
    const next = this.#pattern.charAt(this.#at + 1);
    if (next === '') {
      this.#fail('ends with an unescaped "\\"; expected a character after it (write "\\\\" to match a backslash)');
    }
    if (next === '/')
      this.#fail(`has an escaped "/" at column ${this.#at + 1}; a segment cannot contain "/", expected a plain "/"`);
    this.#literal(next);
    this.#lastWasEscapedSpace = /\s/u.test(next);
    this.#at += 2;
  }

  #stars(): void {
    const start = this.#at;
    while (this.#pattern.charAt(this.#at) === '*') this.#at += 1;
    const run = this.#at - start;
    if (run >= 3) {
      this.#fail(
        `has "${'*'.repeat(run)}" at column ${start + 1}; expected "*" (within a segment) or "**" (across segments)`,
      );
    }
    if (this.#pattern.charAt(this.#at) === '(') this.#rejectExtglob(this.#at - 1);
    this.#starRuns.push(run);
    const previous = this.#tokens.at(-1);
    // Outside a segment of its own, `**` behaves like `*` (gitignore).
    if (previous?.kind !== 'star') this.#tokens.push({ kind: 'star' });
  }

  #rejectExtglob(at = this.#at): void {
    if (this.#pattern.charAt(at + 1) !== '(') return;
    const opener = this.#pattern.slice(at, at + 2);
    this.#fail(
      `has "${opener}" at column ${at + 1}, but extglobs are not supported; write one glob per alternative (or "\\(" to match a literal "(")`,
    );
  }

  #literal(char: string): void {
    const previous = this.#tokens.at(-1);
    if (previous?.kind === 'literal')
      this.#tokens[this.#tokens.length - 1] = { kind: 'literal', text: previous.text + char };
    else this.#tokens.push({ kind: 'literal', text: char });
  }

  #endSegment(): void {
    const column = this.#at + 1;
    const tokens = this.#tokens;
    const runs = this.#starRuns;
    this.#tokens = [];
    this.#starRuns = [];
    if (tokens.length === 0)
      this.#fail(`has an empty segment ("//") at column ${column}; expected one "/" between names`);
    if (tokens.length === 1 && runs.length === 1 && runs[0] === 2) {
      this.#segments.push(GLOBSTAR);
      return;
    }
    const literal = tokens.length === 1 && tokens[0]?.kind === 'literal' ? tokens[0].text : null;
    if (literal === '.' || literal === '..') {
      this.#fail(`has a "${literal}" segment; expected a path relative to the repository root, without "." or ".."`);
    }
    this.#segments.push({ kind: 'part', tokens, literal });
  }

  #characterClass(): GlobToken {
    const pattern = this.#pattern;
    const open = this.#at;
    let at = open + 1;
    const negated = pattern.charAt(at) === '!' || pattern.charAt(at) === '^';
    if (negated) at += 1;
    const ranges: CodeRange[] = [];
    for (;;) {
      const char = pattern.charAt(at);
      if (char === '') {
        this.#fail(
          `has an unclosed "[" at column ${open + 1}; expected a class such as "[abc]" or "[a-z]" (or "\\[" to match a literal "[")`,
        );
      }
      if (char === ']') break;
      const low = this.#classChar(at);
      at = low.next;
      const dash = pattern.charAt(at) === '-' && pattern.charAt(at + 1) !== ']' && pattern.charAt(at + 1) !== '';
      if (!dash) {
        ranges.push([low.code, low.code]);
        continue;
      }
      const high = this.#classChar(at + 1);
      if (high.code < low.code) {
        this.#fail(
          `has a reversed range "${pattern.slice(low.start, high.next)}" at column ${low.start + 1}; expected the lower character first, as in "a-z"`,
        );
      }
      ranges.push([low.code, high.code]);
      at = high.next;
    }
    if (ranges.length === 0) {
      this.#fail(
        `has an empty class at column ${open + 1}; expected at least one character (write "\\]" to put "]" in a class)`,
      );
    }
    this.#at = at + 1;
    return { kind: 'class', negated, ranges: normaliseRanges(ranges) };
  }

  /** One class member at `at`, possibly escaped. */
  #classChar(at: number): { code: number; start: number; next: number } {
    const pattern = this.#pattern;
    let char = pattern.charAt(at);
    let next = at + 1;
    if (char === '\\') {
      char = pattern.charAt(at + 1);
      if (char === '') {
        this.#fail('ends with an unescaped "\\"; expected a character after it (write "\\\\" to match a backslash)');
      }
      next = at + 2;
    } else if (char === '[') {
      this.#fail(
        `has "[" inside a class at column ${at + 1}; POSIX classes such as "[[:alpha:]]" are not supported, expected ranges such as "[a-zA-Z]" (or "\\[" for a literal "[")`,
      );
    }
    const code = char.charCodeAt(0);
    if (code === SLASH) {
      this.#fail(
        `has "/" inside a class at column ${at + 1}; a class matches one character within a segment, never "/"`,
      );
    }
    if (code >= 0xd800 && code <= 0xdfff) {
      this.#fail(
        `has a character outside the Basic Multilingual Plane inside a class at column ${at + 1}; classes match one UTF-16 code unit, so use "*" instead`,
      );
    }
    return { code, start: at, next };
  }

  #fail(what: string): never {
    throw new GlobSyntaxError(`glob ${quote(this.#pattern)} ${what}`);
  }
}

/** Sorted, merged ranges with `/` cut out (a range such as `!-~` spans it). */
function normaliseRanges(ranges: readonly CodeRange[]): CodeRange[] {
  const split = ranges.flatMap(([low, high]): CodeRange[] => {
    if (high < SLASH || low > SLASH) return [[low, high]];
    const parts: CodeRange[] = [];
    if (low < SLASH) parts.push([low, SLASH - 1]);
    if (high > SLASH) parts.push([SLASH + 1, high]);
    return parts;
  });
  split.sort((a, b) => a[0] - b[0]);
  const merged: [number, number][] = [];
  for (const [low, high] of split) {
    const last = merged.at(-1);
    if (last !== undefined && low <= last[1] + 1) last[1] = Math.max(last[1], high);
    else merged.push([low, high]);
  }
  return merged;
}

function collapseGlobstars(segments: readonly GlobSegment[]): GlobSegment[] {
  return segments.filter((segment, i) => !(segment.kind === 'globstar' && segments[i - 1]?.kind === 'globstar'));
}

/** The pattern as JSON text, shortened so that a huge pattern still gives a readable message. */
function quote(pattern: string): string {
  return JSON.stringify(pattern.length > 80 ? `${pattern.slice(0, 77)}...` : pattern);
}

function oneLine(text: string): string {
  return text.replace(/\s+/gu, ' ').trim();
}
