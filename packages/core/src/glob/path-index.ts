// Classifying 100,000 paths against a few hundred patterns cannot afford to test every pattern on
// every path. Two ideas keep the work per path small:
//
// 1. Buckets. Each distinct canonical glob (see pattern.ts) is filed under something a matching path
//    must have, so a lookup only considers the globs whose key the path has:
//      exact         every segment literal            `db/schema.sql`      the whole path
//      basename      last segment literal             `**/Dockerfile`      its last segment
//      prefix        leading literal directories      `services/pay/**/*`  each ancestor directory
//      dirname       a literal directory further in   `src/**/auth/**/*`   each directory name
//      extension     last segment ends in `.ext`      `**/*.sql`           text after the last dot
//      dirExtension  a directory ends in `.ext`       `**/*.md/**/*`       each directory's extension
//      always        none of the above                `**/*test*`          every path
//    Globs in the directory-keyed buckets and in `always` are keyed a second time by the extension
//    their last segment demands (`infra/tf/**/*.tf`, `**/migrations/*.sql`), so a `.ts` file under
//    infra/tf/ does not even look at them.
//
// 2. Shapes. A candidate is first checked segment by segment with plain string comparisons: the
//    segments before the first `**` from the start of the path, those after the last `**` from its
//    end, and literal/prefix/suffix tests in between. For the usual globs (`x/**/*`, `**/*.sql`,
//    `apps/*/api/*.ts`, `src/**/auth/**/*`) that check is the whole answer; the compiled regex only
//    runs for globs with `?`, classes or several `*` in a segment, and only when the check passes.
//
// Both assume a normalised path (no empty, `.` or `..` segments, so no leading or trailing `/`
// either); any other string is tested against every glob's regex, so the answer is the same for
// every input, only slower.

import { expandGlobDetailed, globRegExp } from './pattern.js';
import type { GlobSegment, GlobToken } from './pattern.js';

export type BucketKind = 'exact' | 'basename' | 'prefix' | 'dirname' | 'extension' | 'dirExtension' | 'always';

/** Where a glob is filed; the key of a prefix is its directory list. */
export interface Placement {
  readonly bucket: BucketKind;
  readonly key: string | readonly string[];
  /** In the directory-keyed buckets and `always`, the extension the last segment demands (a second key). */
  readonly extension: string | null;
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
  readonly patterns: readonly number[];
  readonly regex: RegExp;
  readonly shape: GlobShape;
}

/** A bucket split by the extension the glob demands of the path's last segment. */
interface ByExtension {
  readonly any: IndexedGlob[];
  readonly byExtension: Map<string, IndexedGlob[]>;
}

interface PrefixNode {
  readonly children: Map<string, PrefixNode>;
  readonly globs: ByExtension;
}

const NO = 0;
const YES = 1;
const MAYBE = 2;
type Verdict = typeof NO | typeof YES | typeof MAYBE;

/** Compile many patterns once; answer "which of them match this path" without testing every pattern. */
export class PathIndex {
  readonly #patternCount: number;
  readonly #all: IndexedGlob[] = [];
  readonly #exact = new Map<string, IndexedGlob[]>();
  readonly #basename = new Map<string, IndexedGlob[]>();
  readonly #extension = new Map<string, IndexedGlob[]>();
  readonly #prefix: PrefixNode = newPrefixNode();
  readonly #dirname = new Map<string, ByExtension>();
  readonly #dirExtension = new Map<string, ByExtension>();
  readonly #always: ByExtension = newByExtension();
  readonly #counts: Record<BucketKind, number> = {
    exact: 0,
    basename: 0,
    prefix: 0,
    dirname: 0,
    extension: 0,
    dirExtension: 0,
    always: 0,
  };
  readonly #lookup: Lookup;
  #busy = false;

  /** Throws ConfigurationError for the first pattern that fails checkGlob. */
  constructor(patterns: readonly string[]) {
    this.#patternCount = patterns.length;
    this.#lookup = new Lookup(patterns.length);
    const patternsBySource = new Map<string, number[]>();
    patterns.forEach((pattern, index) => {
      for (const { source, segments } of expandGlobDetailed(pattern)) {
        const known = patternsBySource.get(source);
        if (known === undefined) patternsBySource.set(source, this.#add(source, segments, index));
        else if (known.at(-1) !== index) known.push(index);
      }
    });
  }

  /** How many distinct globs each bucket holds; the index pays off while `always` stays small. */
  get bucketSizes(): Readonly<Record<BucketKind, number>> {
    return { ...this.#counts };
  }

  /** Calls visit(patternIndex) for every pattern that matches path (order unspecified, each at most once). */
  forEachMatch(path: string, visit: (patternIndex: number) => void): void {
    // A visit that queries this index again gets its own dedup state instead of clobbering ours.
    const lookup = this.#busy ? new Lookup(this.#patternCount) : this.#lookup;
    const wasBusy = this.#busy;
    this.#busy = true;
    try {
      this.#lookUp(path, lookup, visit);
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

  #lookUp(path: string, look: Lookup, visit: (patternIndex: number) => void): void {
    const segments = path.split('/');
    const last = segments.length - 1;
    const basename = segments[last] ?? '';
    const extension = extensionOf(basename);
    look.start(path, segments, extension, visit);
    if (!isNormalised(segments)) {
      for (const glob of this.#all) {
        if (glob.regex.test(path)) look.report(glob.patterns);
      }
      return;
    }
    look.offer(this.#exact.get(path));
    look.offer(this.#basename.get(basename));
    if (extension !== null) look.offer(this.#extension.get(extension));
    const dirExtensions = this.#dirExtension.size > 0;
    let node: PrefixNode | undefined = this.#prefix;
    for (let i = 0; i < last; i += 1) {
      const directory = segments[i] ?? '';
      node = node?.children.get(directory);
      if (node !== undefined) look.offerSplit(node.globs);
      look.offerSplit(this.#dirname.get(directory));
      const directoryExtension = dirExtensions ? extensionOf(directory) : null;
      if (directoryExtension !== null) look.offerSplit(this.#dirExtension.get(directoryExtension));
    }
    look.offerSplit(this.#always);
  }

  /** Files one distinct glob; returns its pattern list, which later patterns with the same glob join. */
  #add(source: string, segments: readonly GlobSegment[], pattern: number): number[] {
    const patterns = [pattern];
    const glob: IndexedGlob = { patterns, regex: globRegExp(source), shape: shapeOf(segments) };
    this.#all.push(glob);
    const { bucket, key, extension } = placeGlob(segments);
    this.#counts[bucket] += 1;
    switch (bucket) {
      case 'exact':
      case 'basename':
      case 'extension':
        pushTo(
          { exact: this.#exact, basename: this.#basename, extension: this.#extension }[bucket],
          key as string,
          glob,
        );
        break;
      case 'prefix':
        addSplit(this.#prefixNode(key as readonly string[]).globs, extension, glob);
        break;
      case 'dirname':
      case 'dirExtension': {
        const map = bucket === 'dirname' ? this.#dirname : this.#dirExtension;
        let split = map.get(key as string);
        if (split === undefined) map.set(key as string, (split = newByExtension()));
        addSplit(split, extension, glob);
        break;
      }
      case 'always':
        addSplit(this.#always, extension, glob);
    }
    return patterns;
  }

  #prefixNode(directories: readonly string[]): PrefixNode {
    let node = this.#prefix;
    for (const directory of directories) {
      let child = node.children.get(directory);
      if (child === undefined) node.children.set(directory, (child = newPrefixNode()));
      node = child;
    }
    return node;
  }
}

// ---------------------------------------------------------------------------------------------
// Lookup

/**
 * The state of one lookup, so that the bucket walk reads as a list of offers. One instance is reused
 * for every call (no allocation per path); a pattern has been reported during the current call when
 * reported[pattern] === stamp.
 */
class Lookup {
  readonly #reported: Uint32Array;
  #stamp = 0;
  #path = '';
  #segments: readonly string[] = [];
  #extension: string | null = null;
  #visit: (patternIndex: number) => void = () => {};

  constructor(patterns: number) {
    this.#reported = new Uint32Array(patterns);
  }

  start(
    path: string,
    segments: readonly string[],
    extension: string | null,
    visit: (patternIndex: number) => void,
  ): void {
    if (this.#stamp === 0xffffffff) {
      this.#reported.fill(0);
      this.#stamp = 0;
    }
    this.#stamp += 1;
    this.#path = path;
    this.#segments = segments;
    this.#extension = extension;
    this.#visit = visit;
  }

  offerSplit(split: ByExtension | undefined): void {
    if (split === undefined) return;
    this.offer(split.any);
    if (this.#extension !== null && split.byExtension.size > 0) this.offer(split.byExtension.get(this.#extension));
  }

  /** Judges each candidate and reports the patterns of those that match. */
  offer(globs: readonly IndexedGlob[] | undefined): void {
    if (globs === undefined) return;
    for (let i = 0; i < globs.length; i += 1) {
      const glob = globs[i];
      if (glob === undefined) continue;
      const verdict = judgeShape(glob.shape, this.#segments);
      if (verdict === YES || (verdict === MAYBE && glob.regex.test(this.#path))) this.report(glob.patterns);
    }
  }

  report(patterns: readonly number[]): void {
    const reported = this.#reported;
    const stamp = this.#stamp;
    for (let i = 0; i < patterns.length; i += 1) {
      const pattern = patterns[i] ?? 0;
      if (reported[pattern] !== stamp) {
        reported[pattern] = stamp;
        this.#visit(pattern);
      }
    }
  }
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

function newByExtension(): ByExtension {
  return { any: [], byExtension: new Map() };
}

function newPrefixNode(): PrefixNode {
  return { children: new Map(), globs: newByExtension() };
}

function addSplit(split: ByExtension, extension: string | null, glob: IndexedGlob): void {
  if (extension === null) split.any.push(glob);
  else pushTo(split.byExtension, extension, glob);
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

/**
 * Where PathIndex files one canonical glob (exported for tests and for tuning): the most selective
 * bucket it qualifies for. Canonical globs never end in `**`, so every literal segment before the last
 * one lands on a directory of the path. Globs in the directory-keyed buckets and in `always` are
 * further keyed by the extension their last segment demands, if any.
 */
export function placeGlob(segments: readonly GlobSegment[]): Placement {
  const { bucket, key } = chooseBucket(segments);
  const last = segments.at(-1);
  const split = bucket === 'prefix' || bucket === 'dirname' || bucket === 'dirExtension' || bucket === 'always';
  return {
    bucket,
    key,
    extension: split && last !== undefined ? literalExtension(last) : null,
    decisive: shapeOf(segments).decisive,
  };
}

function chooseBucket(segments: readonly GlobSegment[]): { bucket: BucketKind; key: string | readonly string[] } {
  const literals = segments.map((segment) => (segment.kind === 'part' ? segment.literal : null));
  const lastLiteral = literals.at(-1) ?? null;
  if (literals.every((literal) => literal !== null)) return { bucket: 'exact', key: literals.join('/') };
  if (lastLiteral !== null) return { bucket: 'basename', key: lastLiteral };
  const prefix = leadingLiterals(literals);
  if (prefix.length >= 2) return { bucket: 'prefix', key: prefix };
  // Few directories have an extension, so this key is rarer than a directory name elsewhere in the
  // glob (`**/api/*.ts/**/*`, the "directory named like that" half of `**/api/*.ts`).
  const dirExtension = segments
    .slice(0, -1)
    .map((segment) => (segment.kind === 'part' && segment.literal === null ? literalExtension(segment) : null))
    .find((found) => found !== null);
  if (dirExtension !== undefined && dirExtension !== null) return { bucket: 'dirExtension', key: dirExtension };
  const dirname = longestDirectoryLiteral(literals, prefix.length);
  if (dirname !== null) return { bucket: 'dirname', key: dirname };
  if (prefix.length === 1) return { bucket: 'prefix', key: prefix };
  const last = segments.at(-1);
  const extension = last === undefined ? null : literalExtension(last);
  if (extension !== null) return { bucket: 'extension', key: extension };
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
