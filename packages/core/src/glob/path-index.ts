// Classifying 100,000 paths against a few hundred patterns cannot afford to test every pattern on
// every path. Three ideas keep the work per path small:
//
// 1. Directories are shared. Every glob of the form `X/**/*` (all of `services/pay/**`, `docs/`,
//    `src/**/auth/**`, and the "or anything below a directory of that name" half of every pattern)
//    matches a path exactly when X matches one of the path's ancestor directories. A repository has
//    far fewer directories than files, so those globs are answered once per directory and cached.
//
// 2. Buckets. Every other glob, and every X, is filed under something a matching path must have, so
//    a lookup only considers the globs whose key the path has:
//      exact         every segment literal            `db/schema.sql`      the whole path
//      basename      last segment literal             `**/Dockerfile`      its last segment
//      prefix        leading literal directories      `infra/tf/**/*.tf`   each ancestor directory
//      dirname       a literal directory further in   `**/migrations/*.sql` each directory name
//      extension     last segment ends in `.ext`      `**/*.sql`           text after the last dot
//      dirExtension  a directory ends in `.ext`       `**/*.d/*.conf`      each directory's extension
//      always        none of the above                `**/*test*`          every path
//    The directory-keyed buckets depend only on the path's directory, so their candidates are cached
//    with it too.
//
// 3. Shapes. A candidate is first checked segment by segment with plain string comparisons: the
//    segments before the first `**` from the start of the path, those after the last `**` from its
//    end, and literal/prefix/suffix tests in between. For the usual globs that check is the whole
//    answer; the compiled regex only runs for globs with `?`, classes or several `*` in a segment,
//    and only when the check passes.
//
// All of this assumes a normalised path (no empty, `.` or `..` segments, so no leading or trailing
// `/` either); any other string is tested against every expanded glob's regex, so the answer is the
// same for every input, only slower.

import { expandGlobDetailed, globRegExp, isStarOnly } from './pattern.js';
import type { GlobSegment, GlobToken } from './pattern.js';

export type BucketKind = 'exact' | 'basename' | 'prefix' | 'dirname' | 'extension' | 'dirExtension' | 'always';

/**
 * Where a glob is filed. `directory` globs (`X/**\/*`) are filed by X in the table consulted once per
 * directory; `file` globs in the table consulted per path. The key of a prefix is its directory list.
 */
export interface Placement {
  readonly table: 'file' | 'directory';
  readonly bucket: BucketKind;
  readonly key: string | readonly string[];
  /** True when the string comparisons of the glob's shape decide a match without its regex. */
  readonly decisive: boolean;
}

/** What one glob segment demands of the path segment it lands on. */
interface SegmentTest {
  readonly exact: string | null;
  readonly prefix: string;
  readonly suffix: string;
  /** In UTF-16 code units, which is what `?` and classes match in both libraries. */
  readonly minLength: number;
  /** True when passing the test is the segment's whole meaning (no `?`, class or second `*`). */
  readonly complete: boolean;
}

interface GlobShape {
  readonly head: readonly SegmentTest[];
  /** tail[0] tests the last segment of the path, tail[1] the one before, and so on. */
  readonly tail: readonly SegmentTest[];
  /** Segments between the first and last `**`, each of which lands somewhere between head and tail. */
  readonly middle: readonly SegmentTest[];
  readonly minSegments: number;
  readonly maxSegments: number;
  readonly decisive: boolean;
}

/** One distinct glob, shared by every pattern that expands to it (policies repeat globs across rules). */
interface IndexedGlob {
  readonly patterns: number[];
  readonly regex: RegExp;
  readonly shape: GlobShape;
}

interface PrefixNode {
  readonly children: Map<string, PrefixNode>;
  readonly globs: IndexedGlob[];
}

/** What every path directly inside one directory shares. */
interface DirectoryEntry {
  /** Patterns matched, through an `X/**\/*` glob, by every path below this directory. */
  readonly below: readonly number[];
  /** File globs keyed by this directory's names (prefix, dirname, dirExtension buckets). */
  readonly candidates: readonly IndexedGlob[];
  /** This directory's node in the file table's prefix tree, if any prefix goes this deep. */
  readonly node: PrefixNode | undefined;
}

const NO = 0;
const YES = 1;
const MAYBE = 2;
type Verdict = typeof NO | typeof YES | typeof MAYBE;

const BELOW_SUFFIX = '/**/*';
/** Enough for the directories of any repository; the cache is dropped and refilled beyond it. */
const MAX_CACHED_DIRECTORIES = 1 << 18;

/** A set of buckets over globs. */
class GlobTable {
  readonly exact = new Map<string, IndexedGlob[]>();
  readonly basename = new Map<string, IndexedGlob[]>();
  readonly prefix: PrefixNode = { children: new Map(), globs: [] };
  readonly dirname = new Map<string, IndexedGlob[]>();
  readonly extension = new Map<string, IndexedGlob[]>();
  readonly dirExtension = new Map<string, IndexedGlob[]>();
  readonly always: IndexedGlob[] = [];
  readonly counts: Record<BucketKind, number> = {
    exact: 0,
    basename: 0,
    prefix: 0,
    dirname: 0,
    extension: 0,
    dirExtension: 0,
    always: 0,
  };

  add(segments: readonly GlobSegment[], glob: IndexedGlob): void {
    const { bucket, key } = chooseBucket(segments);
    this.counts[bucket] += 1;
    if (bucket === 'prefix') this.#prefixNode(key as readonly string[]).globs.push(glob);
    else if (bucket === 'always') this.always.push(glob);
    else pushTo(this.#map(bucket), key as string, glob);
  }

  /** Every glob whose key the path has (possibly with repeats); for the directory table, on a cache miss. */
  offerAll(path: string, segments: readonly string[], sink: (glob: IndexedGlob) => void): void {
    const last = segments.length - 1;
    const basename = segments[last] ?? '';
    forEach(this.exact.get(path), sink);
    forEach(this.basename.get(basename), sink);
    forEach(this.extension.get(extensionOf(basename) ?? ''), sink);
    let node: PrefixNode | undefined = this.prefix;
    for (let i = 0; i < last; i += 1) {
      const directory = segments[i] ?? '';
      node = node?.children.get(directory);
      forEach(node?.globs, sink);
      forEach(this.dirname.get(directory), sink);
      forEach(this.dirExtension.get(extensionOf(directory) ?? ''), sink);
    }
    forEach(this.always, sink);
  }

  #map(bucket: Exclude<BucketKind, 'prefix' | 'always'>): Map<string, IndexedGlob[]> {
    return {
      exact: this.exact,
      basename: this.basename,
      dirname: this.dirname,
      extension: this.extension,
      dirExtension: this.dirExtension,
    }[bucket];
  }

  #prefixNode(directories: readonly string[]): PrefixNode {
    let node = this.prefix;
    for (const directory of directories) {
      let child = node.children.get(directory);
      if (child === undefined) {
        child = { children: new Map(), globs: [] };
        node.children.set(directory, child);
      }
      node = child;
    }
    return node;
  }
}

/** Per-call dedup: a pattern has been reported during the call stamped `stamp` when reported[pattern] === stamp. */
class Reported {
  readonly reported: Uint32Array;
  stamp = 0;

  constructor(patterns: number) {
    this.reported = new Uint32Array(patterns);
  }

  next(): number {
    if (this.stamp === 0xffffffff) {
      this.reported.fill(0);
      this.stamp = 0;
    }
    this.stamp += 1;
    return this.stamp;
  }
}

/** Compile many patterns once; answer "which of them match this path" without testing every pattern. */
export class PathIndex {
  readonly #patternCount: number;
  /** Every expanded glob with its full regex, for strings that are not normalised paths. */
  readonly #all: IndexedGlob[] = [];
  readonly #files = new GlobTable();
  readonly #directories = new GlobTable();
  readonly #root: DirectoryEntry;
  readonly #cache = new Map<string, DirectoryEntry>();
  readonly #reported: Reported;
  #busy = false;

  /** Throws ConfigurationError for the first pattern that fails checkGlob. */
  constructor(patterns: readonly string[]) {
    this.#patternCount = patterns.length;
    this.#reported = new Reported(patterns.length);
    const bySource = new Map<string, IndexedGlob>();
    patterns.forEach((pattern, index) => {
      for (const { source, segments } of expandGlobDetailed(pattern)) {
        const known = bySource.get(source);
        if (known === undefined) bySource.set(source, this.#add(source, segments, index));
        else if (known.patterns.at(-1) !== index) known.patterns.push(index);
      }
    });
    this.#root = { below: [], candidates: [], node: this.#files.prefix };
  }

  /** How many distinct globs each bucket of each table holds; the index pays off while `file.always` stays small. */
  get bucketSizes(): { file: Readonly<Record<BucketKind, number>>; directory: Readonly<Record<BucketKind, number>> } {
    return { file: { ...this.#files.counts }, directory: { ...this.#directories.counts } };
  }

  /** Calls visit(patternIndex) for every pattern that matches path (order unspecified, each at most once). */
  forEachMatch(path: string, visit: (patternIndex: number) => void): void {
    // A visit that queries this index again gets its own dedup state instead of clobbering ours.
    const reported = this.#busy ? new Reported(this.#patternCount) : this.#reported;
    const wasBusy = this.#busy;
    this.#busy = true;
    try {
      this.#lookUp(path, reported, visit);
    } finally {
      this.#busy = wasBusy;
    }
  }

  /** Convenience: sorted indices of the matching patterns. */
  matches(path: string): number[] {
    const found: number[] = [];
    this.forEachMatch(path, (index) => found.push(index));
    return found.sort((a, b) => a - b);
  }

  #lookUp(path: string, state: Reported, visit: (patternIndex: number) => void): void {
    const stamp = state.next();
    const reported = state.reported;
    const segments = path.split('/');
    if (!isNormalised(segments)) {
      for (const glob of this.#all) {
        if (glob.regex.test(path)) report(glob.patterns, reported, stamp, visit);
      }
      return;
    }
    const last = segments.length - 1;
    const basename = segments[last] ?? '';
    const files = this.#files;
    const directory = last === 0 ? this.#root : this.#directory(path.slice(0, path.lastIndexOf('/')), segments, last);
    const below = directory.below;
    for (let i = 0; i < below.length; i += 1) report1(below[i] ?? 0, reported, stamp, visit);
    offer(directory.candidates, path, segments, reported, stamp, visit);
    offer(files.exact.get(path), path, segments, reported, stamp, visit);
    offer(files.basename.get(basename), path, segments, reported, stamp, visit);
    const extension = extensionOf(basename);
    if (extension !== null) offer(files.extension.get(extension), path, segments, reported, stamp, visit);
    offer(files.always, path, segments, reported, stamp, visit);
  }

  /** The entry for the directory made of the first `depth` segments, whose text is `text`. */
  #directory(text: string, segments: readonly string[], depth: number): DirectoryEntry {
    const cached = this.#cache.get(text);
    if (cached !== undefined) return cached;
    const parent = depth === 1 ? this.#root : this.#directory(text.slice(0, text.lastIndexOf('/')), segments, depth - 1);
    const name = segments[depth - 1] ?? '';
    const node = parent.node?.children.get(name);
    const nameExtension = extensionOf(name);
    const candidates = union(parent.candidates, [
      node?.globs,
      this.#files.dirname.get(name),
      nameExtension === null ? undefined : this.#files.dirExtension.get(nameExtension),
    ]);
    const entry: DirectoryEntry = { below: this.#below(text, segments.slice(0, depth), parent.below), candidates, node };
    if (this.#cache.size >= MAX_CACHED_DIRECTORIES) this.#cache.clear();
    this.#cache.set(text, entry);
    return entry;
  }

  /** The parent's patterns plus those whose `X/**\/*` glob has an X matching this directory. */
  #below(text: string, segments: readonly string[], inherited: readonly number[]): readonly number[] {
    let below = inherited;
    this.#directories.offerAll(text, segments, (glob) => {
      const verdict = judgeShape(glob.shape, segments);
      if (verdict === NO || (verdict === MAYBE && !glob.regex.test(text))) return;
      for (const pattern of glob.patterns) {
        if (below.includes(pattern)) continue;
        if (below === inherited) below = [...inherited];
        (below as number[]).push(pattern);
      }
    });
    return below;
  }

  #add(source: string, segments: readonly GlobSegment[], pattern: number): IndexedGlob {
    this.#all.push({ patterns: [pattern], regex: globRegExp(source), shape: shapeOf(segments) });
    const parent = directoryPart(segments);
    const glob: IndexedGlob =
      parent === null
        ? { patterns: [pattern], regex: globRegExp(source), shape: shapeOf(segments) }
        : { patterns: [pattern], regex: globRegExp(source.slice(0, -BELOW_SUFFIX.length)), shape: shapeOf(parent) };
    // #all and the table share the pattern list, so later patterns with the same glob reach both.
    const full = this.#all.at(-1);
    if (full !== undefined) (full as { patterns: number[] }).patterns = glob.patterns;
    if (parent === null) this.#files.add(segments, glob);
    else this.#directories.add(parent, glob);
    return glob;
  }
}

// ---------------------------------------------------------------------------------------------
// Lookup helpers

/** Judges each candidate glob and reports its patterns if it matches. */
function offer(
  globs: readonly IndexedGlob[] | undefined,
  path: string,
  segments: readonly string[],
  reported: Uint32Array,
  stamp: number,
  visit: (patternIndex: number) => void,
): void {
  if (globs === undefined) return;
  for (let i = 0; i < globs.length; i += 1) {
    const glob = globs[i];
    if (glob === undefined) continue;
    const verdict = judgeShape(glob.shape, segments);
    if (verdict === YES || (verdict === MAYBE && glob.regex.test(path))) report(glob.patterns, reported, stamp, visit);
  }
}

function report(patterns: readonly number[], reported: Uint32Array, stamp: number, visit: (patternIndex: number) => void): void {
  for (let i = 0; i < patterns.length; i += 1) report1(patterns[i] ?? 0, reported, stamp, visit);
}

function report1(pattern: number, reported: Uint32Array, stamp: number, visit: (patternIndex: number) => void): void {
  if (reported[pattern] !== stamp) {
    reported[pattern] = stamp;
    visit(pattern);
  }
}

function forEach(globs: readonly IndexedGlob[] | undefined, sink: (glob: IndexedGlob) => void): void {
  if (globs !== undefined) globs.forEach(sink);
}

/** `base` followed by the globs of `more` it lacks; returns `base` itself when nothing is new. */
function union(base: readonly IndexedGlob[], more: readonly (readonly IndexedGlob[] | undefined)[]): readonly IndexedGlob[] {
  let result = base;
  for (const list of more) {
    for (const glob of list ?? []) {
      if (result.includes(glob)) continue;
      if (result === base) result = [...base];
      (result as IndexedGlob[]).push(glob);
    }
  }
  return result;
}

function judgeShape(shape: GlobShape, segments: readonly string[]): Verdict {
  const count = segments.length;
  if (count < shape.minSegments || count > shape.maxSegments) return NO;
  const { head, tail, middle } = shape;
  for (let i = 0; i < head.length; i += 1) {
    if (!passes(head[i], segments[i])) return NO;
  }
  for (let i = 0; i < tail.length; i += 1) {
    if (!passes(tail[i], segments[count - 1 - i])) return NO;
  }
  // Between head and tail each middle segment must land somewhere; order is left to the regex.
  const end = count - tail.length;
  for (const test of middle) {
    let found = false;
    for (let i = head.length; i < end && !found; i += 1) found = passes(test, segments[i]);
    if (!found) return NO;
  }
  return shape.decisive ? YES : MAYBE;
}

function passes(test: SegmentTest | undefined, segment: string | undefined): boolean {
  if (test === undefined || segment === undefined) return false;
  if (test.exact !== null) return segment === test.exact;
  return segment.length >= test.minLength && segment.startsWith(test.prefix) && segment.endsWith(test.suffix);
}

function pushTo(map: Map<string, IndexedGlob[]>, key: string, glob: IndexedGlob): void {
  const list = map.get(key);
  if (list === undefined) map.set(key, [glob]);
  else list.push(glob);
}

function isNormalised(segments: readonly string[]): boolean {
  for (const segment of segments) {
    if (segment === '' || segment === '.' || segment === '..') return false;
  }
  return true;
}

/** Text after the last dot of a name, or null when it has none (`.env` has extension `env`). */
function extensionOf(name: string): string | null {
  const dot = name.lastIndexOf('.');
  return dot === -1 ? null : name.slice(dot + 1);
}

// ---------------------------------------------------------------------------------------------
// Placement

/** Where PathIndex files one canonical glob (exported for tests and for tuning). */
export function placeGlob(segments: readonly GlobSegment[]): Placement {
  const parent = directoryPart(segments);
  const filed = parent ?? segments;
  return {
    table: parent === null ? 'file' : 'directory',
    ...chooseBucket(filed),
    decisive: shapeOf(filed).decisive,
  };
}

/** X for a glob `X/**\/*` with X not empty, else null. */
function directoryPart(segments: readonly GlobSegment[]): readonly GlobSegment[] | null {
  const ok = segments.length >= 3 && segments.at(-2)?.kind === 'globstar' && isStarOnly(segments.at(-1));
  return ok ? segments.slice(0, -2) : null;
}

/**
 * The most selective bucket a glob qualifies for. Canonical globs (and their X parts) never end in
 * `**`, so every literal segment before the last one lands on a directory of the path.
 */
function chooseBucket(segments: readonly GlobSegment[]): { bucket: BucketKind; key: string | readonly string[] } {
  const literals = segments.map((segment) => (segment.kind === 'part' ? segment.literal : null));
  const lastLiteral = literals.at(-1) ?? null;
  if (literals.every((literal) => literal !== null)) return { bucket: 'exact', key: literals.join('/') };
  if (lastLiteral !== null) return { bucket: 'basename', key: lastLiteral };
  const prefix = leadingLiterals(literals);
  if (prefix.length >= 2) return { bucket: 'prefix', key: prefix };
  const dirname = longestDirectoryLiteral(literals, prefix.length);
  if (dirname !== null) return { bucket: 'dirname', key: dirname };
  if (prefix.length === 1) return { bucket: 'prefix', key: prefix };
  const last = segments.at(-1);
  const extension = last === undefined ? null : literalExtension(last);
  if (extension !== null) return { bucket: 'extension', key: extension };
  const dirExtension = segments.slice(0, -1).map(literalExtension).find((found) => found !== null);
  if (dirExtension !== undefined && dirExtension !== null) return { bucket: 'dirExtension', key: dirExtension };
  return { bucket: 'always', key: '' };
}

function leadingLiterals(literals: readonly (string | null)[]): string[] {
  const prefix: string[] = [];
  for (const literal of literals.slice(0, -1)) {
    if (literal === null) break;
    prefix.push(literal);
  }
  return prefix;
}

function longestDirectoryLiteral(literals: readonly (string | null)[], from: number): string | null {
  let best: string | null = null;
  for (const literal of literals.slice(from, -1)) {
    if (literal !== null && (best === null || literal.length > best.length)) best = literal;
  }
  return best;
}

/**
 * The extension a name matching this segment must have: the text after the last dot of the segment's
 * literal ending (`*.tar.gz` gives `gz`), or null when the segment does not end in a literal with a dot.
 */
function literalExtension(segment: GlobSegment): string | null {
  if (segment.kind !== 'part') return null;
  const lastToken = segment.tokens.at(-1);
  if (lastToken?.kind !== 'literal') return null;
  const dot = lastToken.text.lastIndexOf('.');
  return dot === -1 ? null : lastToken.text.slice(dot + 1);
}

// ---------------------------------------------------------------------------------------------
// Shapes

function shapeOf(segments: readonly GlobSegment[]): GlobShape {
  const first = segments.findIndex((segment) => segment.kind === 'globstar');
  if (first === -1) {
    const head = segments.map(segmentTest);
    return shape(head, [], [], head.length);
  }
  const last = segments.findLastIndex((segment) => segment.kind === 'globstar');
  const head = segments.slice(0, first).map(segmentTest);
  const tail = segments
    .slice(last + 1)
    .reverse()
    .map(segmentTest);
  const middle = segments
    .slice(first + 1, last)
    .filter((segment) => segment.kind !== 'globstar')
    .map(segmentTest);
  return shape(head, tail, middle, Number.POSITIVE_INFINITY);
}

function shape(
  head: readonly SegmentTest[],
  tail: readonly SegmentTest[],
  middle: readonly SegmentTest[],
  maxSegments: number,
): GlobShape {
  const complete = [...head, ...tail, ...middle].every((test) => test.complete);
  return {
    head,
    tail,
    middle,
    minSegments: head.length + tail.length + middle.length,
    maxSegments,
    // Globstars collapse, so a single middle segment sits alone between two `**` and may land anywhere.
    decisive: complete && middle.length <= 1,
  };
}

/** Only called on the non-globstar segments of a glob; a globstar has no test. */
function segmentTest(segment: GlobSegment): SegmentTest {
  if (segment.kind === 'globstar') throw new Error('a globstar has no segment test');
  if (segment.literal !== null) {
    return { exact: segment.literal, prefix: '', suffix: '', minLength: 0, complete: true };
  }
  const tokens = segment.tokens;
  const first = tokens[0];
  const last = tokens.at(-1);
  const prefix = first?.kind === 'literal' ? first.text : '';
  const suffix = last?.kind === 'literal' && tokens.length > 1 ? last.text : '';
  return { exact: null, prefix, suffix, minLength: tokens.reduce(addLength, 0), complete: isPrefixStarSuffix(tokens) };
}

function addLength(total: number, token: GlobToken): number {
  if (token.kind === 'literal') return total + token.text.length;
  return token.kind === 'star' ? total : total + 1;
}

/** `*`, `a*`, `*b` or `a*b`: exactly what a prefix, suffix and minimum length express. */
function isPrefixStarSuffix(tokens: readonly GlobToken[]): boolean {
  const stars = tokens.filter((token) => token.kind === 'star').length;
  const others = tokens.filter((token) => token.kind !== 'star' && token.kind !== 'literal').length;
  const [first, second, third] = tokens;
  if (stars !== 1 || others !== 0 || tokens.length > 3) return false;
  return tokens.length < 3 || (first?.kind === 'literal' && second?.kind === 'star' && third?.kind === 'literal');
}
