// Classifying 100,000 paths against a few hundred patterns cannot afford to test every pattern on
// every path. Each canonical glob (see pattern.ts) goes into one bucket keyed by something a matching
// path must have, so a lookup only tests the globs whose key the path has:
//   exact        every segment literal            `db/schema.sql`      whole path
//   basename     last segment literal             `**/Dockerfile`      last segment
//   prefix       leading literal directories      `services/pay/**/*`  each ancestor directory
//   dirname      a literal directory further in   `src/**/auth/**/*`   each directory name
//   extension    last segment ends in `.ext`      `**/*.sql`           text after the last dot
//   dirExtension a directory ends in `.ext`      `**/*.md/**/*`       each directory's extension
//   always       none of the above               `**/*test*`          tested on every path
// The common shapes are "sure": having the key is enough, so no regex runs at all for them.
// Keys and sureness assume a normalised path (no empty, `.` or `..` segments, no leading or trailing
// `/`); any other string is tested against every glob, so the answer is the same for every input.

import { expandGlobDetailed, globRegExp, isStarOnly } from './pattern.js';
import type { GlobSegment, GlobToken } from './pattern.js';

type BucketKind = 'exact' | 'basename' | 'prefix' | 'dirname' | 'extension' | 'dirExtension' | 'always';

/** Where a glob is filed: its bucket, its key (the directory list for prefix), and whether the key suffices. */
export interface Placement {
  readonly bucket: BucketKind;
  readonly key: string | readonly string[];
  readonly sure: boolean;
}

interface IndexedGlob {
  readonly pattern: number;
  readonly regex: RegExp;
  readonly sure: boolean;
}

interface PrefixNode {
  readonly children: Map<string, PrefixNode>;
  readonly globs: IndexedGlob[];
}

/** Per-call dedup state: a pattern has matched this call when seen[pattern] === stamp. */
class Visited {
  readonly seen: Uint32Array;
  stamp = 0;

  constructor(patterns: number) {
    this.seen = new Uint32Array(patterns);
  }

  next(): number {
    if (this.stamp === 0xffffffff) {
      this.seen.fill(0);
      this.stamp = 0;
    }
    this.stamp += 1;
    return this.stamp;
  }
}

/** Compile many patterns once; answer "which of them match this path" without testing every pattern. */
export class PathIndex {
  readonly #patternCount: number;
  readonly #all: IndexedGlob[] = [];
  readonly #exact = new Map<string, IndexedGlob[]>();
  readonly #basename = new Map<string, IndexedGlob[]>();
  readonly #prefix: PrefixNode = { children: new Map(), globs: [] };
  readonly #dirname = new Map<string, IndexedGlob[]>();
  readonly #extension = new Map<string, IndexedGlob[]>();
  readonly #dirExtension = new Map<string, IndexedGlob[]>();
  readonly #always: IndexedGlob[] = [];
  readonly #counts: Record<BucketKind, number> = {
    exact: 0,
    basename: 0,
    prefix: 0,
    dirname: 0,
    extension: 0,
    dirExtension: 0,
    always: 0,
  };
  readonly #visited: Visited;
  #busy = false;

  /** Throws ConfigurationError for the first pattern that fails checkGlob. */
  constructor(patterns: readonly string[]) {
    this.#patternCount = patterns.length;
    this.#visited = new Visited(patterns.length);
    const regexes = new Map<string, RegExp>();
    patterns.forEach((pattern, index) => {
      for (const glob of expandGlobDetailed(pattern)) {
        let regex = regexes.get(glob.source);
        if (regex === undefined) {
          regex = globRegExp(glob.source);
          regexes.set(glob.source, regex);
        }
        this.#add(glob.segments, index, regex);
      }
    });
  }

  /** How many globs each bucket holds; the index only pays off when "always" stays small. */
  get bucketSizes(): Readonly<Record<BucketKind, number>> {
    return { ...this.#counts };
  }

  /** Calls visit(patternIndex) for every pattern that matches path (order unspecified, each at most once). */
  forEachMatch(path: string, visit: (patternIndex: number) => void): void {
    // A visit that queries this index again gets its own dedup state instead of clobbering ours.
    const visited = this.#busy ? new Visited(this.#patternCount) : this.#visited;
    const wasBusy = this.#busy;
    this.#busy = true;
    try {
      this.#lookUp(path, visited, visit);
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

  #lookUp(path: string, visited: Visited, visit: (patternIndex: number) => void): void {
    const stamp = visited.next();
    const segments = path.split('/');
    if (!isNormalised(segments)) {
      testAll(this.#all, path, false, visited, stamp, visit);
      return;
    }
    const last = segments.length - 1;
    const basename = segments[last] ?? '';
    const test = (globs: readonly IndexedGlob[] | undefined): void => {
      if (globs !== undefined) testAll(globs, path, true, visited, stamp, visit);
    };
    test(this.#exact.get(path));
    test(this.#basename.get(basename));
    const extension = extensionOf(basename);
    if (extension !== null) test(this.#extension.get(extension));
    let node: PrefixNode | undefined = this.#prefix;
    for (let i = 0; i < last; i += 1) {
      const directory = segments[i] ?? '';
      node = node?.children.get(directory);
      if (node !== undefined) test(node.globs);
      test(this.#dirname.get(directory));
      const directoryExtension = extensionOf(directory);
      if (directoryExtension !== null) test(this.#dirExtension.get(directoryExtension));
    }
    test(this.#always);
  }

  #add(segments: readonly GlobSegment[], pattern: number, regex: RegExp): void {
    const placement = placeGlob(segments);
    const glob: IndexedGlob = { pattern, regex, sure: placement.sure };
    this.#all.push(glob);
    this.#counts[placement.bucket] += 1;
    const { bucket, key } = placement;
    if (bucket === 'prefix') {
      this.#prefixNode(key as readonly string[]).globs.push(glob);
    } else if (bucket === 'always') {
      this.#always.push(glob);
    } else {
      const map = {
        exact: this.#exact,
        basename: this.#basename,
        dirname: this.#dirname,
        extension: this.#extension,
        dirExtension: this.#dirExtension,
      }[bucket];
      pushTo(map, key as string, glob);
    }
  }

  #prefixNode(directories: readonly string[]): PrefixNode {
    let node = this.#prefix;
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

/** Tests each glob whose pattern has not matched yet during this call. */
function testAll(
  globs: readonly IndexedGlob[],
  path: string,
  normalised: boolean,
  visited: Visited,
  stamp: number,
  visit: (patternIndex: number) => void,
): void {
  const seen = visited.seen;
  for (const glob of globs) {
    const pattern = glob.pattern;
    if (seen[pattern] === stamp) continue;
    if ((normalised && glob.sure) || glob.regex.test(path)) {
      seen[pattern] = stamp;
      visit(pattern);
    }
  }
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

/**
 * Picks the most selective bucket a glob qualifies for. Canonical globs never end in `**`, so every
 * literal segment before the last one matches a directory of the path, never its last segment.
 */
export function placeGlob(segments: readonly GlobSegment[]): Placement {
  const literals = segments.map((segment) => (segment.kind === 'part' ? segment.literal : null));
  const lastIndex = segments.length - 1;
  const last = segments[lastIndex];
  const lastLiteral = literals[lastIndex] ?? null;
  if (literals.every((literal) => literal !== null)) {
    return { bucket: 'exact', key: literals.join('/'), sure: true };
  }
  if (lastLiteral !== null) {
    return { bucket: 'basename', key: lastLiteral, sure: isShape(segments, ['**', 'literal']) };
  }
  const prefix = leadingLiterals(literals);
  const sureUnderPrefix = segments.length === prefix.length + 2 && segments[prefix.length]?.kind === 'globstar';
  const prefixPlacement: Placement = {
    bucket: 'prefix',
    key: prefix,
    sure: sureUnderPrefix && isStarOnly(last),
  };
  if (prefix.length >= 2) return prefixPlacement;
  const dirname = longestDirectoryLiteral(literals, prefix.length);
  if (dirname !== null) return { bucket: 'dirname', key: dirname, sure: isShape(segments, ['**', 'literal', '**', '*']) };
  if (prefix.length === 1) return prefixPlacement;
  const extension = last === undefined ? null : literalExtension(last);
  if (extension !== null) {
    return { bucket: 'extension', key: extension, sure: isShape(segments, ['**', 'ext']) };
  }
  const dirExtension = segments.slice(0, -1).map(literalExtension).find((found) => found !== null);
  if (dirExtension !== undefined && dirExtension !== null) {
    return { bucket: 'dirExtension', key: dirExtension, sure: isShape(segments, ['**', 'ext', '**', '*']) };
  }
  return { bucket: 'always', key: '', sure: isShape(segments, ['**', '*']) };
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

type ShapeStep = '**' | '*' | 'literal' | 'ext';

/** Whether the glob is exactly these steps; `ext` is `*.x` with no other dot, the extension key. */
function isShape(segments: readonly GlobSegment[], shape: readonly ShapeStep[]): boolean {
  return segments.length === shape.length && shape.every((step, i) => fitsStep(segments[i], step));
}

function fitsStep(segment: GlobSegment | undefined, step: ShapeStep): boolean {
  if (segment === undefined) return false;
  switch (step) {
    case '**':
      return segment.kind === 'globstar';
    case '*':
      return isStarOnly(segment);
    case 'literal':
      return segment.kind === 'part' && segment.literal !== null;
    case 'ext':
      return segment.kind === 'part' && isStarDotExtension(segment.tokens);
  }
}

function isStarDotExtension(tokens: readonly GlobToken[]): boolean {
  const [star, ending] = tokens;
  return (
    tokens.length === 2 &&
    star?.kind === 'star' &&
    ending?.kind === 'literal' &&
    ending.text.lastIndexOf('.') === 0
  );
}
