import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { Minimatch } from 'minimatch';
import {
  checkGlob,
  compileGlob,
  expandGlob,
  expandGlobDetailed,
  PathIndex,
  placeGlob,
} from '../../../packages/core/src/glob/index.js';

/** The naive answer: every expanded glob of every pattern, tested with minimatch. */
function naiveMinimatch(patterns: readonly string[]): (path: string) => number[] {
  const compiled = patterns.map((pattern) => expandGlob(pattern).map((glob) => new Minimatch(glob, { dot: true })));
  return (path) => compiled.flatMap((globs, index) => (globs.some((glob) => glob.match(path)) ? [index] : []));
}

/** The naive answer with the compiled single-pattern matchers. */
function naiveCompiled(patterns: readonly string[]): (path: string) => number[] {
  const matchers = patterns.map(compileGlob);
  return (path) => matchers.flatMap((matches, index) => (matches(path) ? [index] : []));
}

const POLICY = [
  'services/payments/**',
  '**/*.sql',
  'db/migrations/**',
  '*.md',
  'Dockerfile',
  'infra/terraform/**/*.tf',
  'src/**/auth/**',
  'docs/',
  '/package.json',
  '.github/workflows/*.yml',
  'node_modules/',
  '**/*test*',
];

describe('PathIndex', () => {
  it('answers which patterns match a path', () => {
    const index = new PathIndex(POLICY);
    expect(index.matches('services/payments/db/migrations/001.sql')).toEqual([0, 1]);
    expect(index.matches('db/migrations/001.sql')).toEqual([1, 2]);
    expect(index.matches('README.md')).toEqual([3]);
    expect(index.matches('docs/guide/README.md')).toEqual([3, 7]);
    expect(index.matches('svc/Dockerfile')).toEqual([4]);
    expect(index.matches('infra/terraform/modules/vpc/main.tf')).toEqual([5]);
    expect(index.matches('src/api/auth/login.test.ts')).toEqual([6, 11]);
    expect(index.matches('package.json')).toEqual([8]);
    expect(index.matches('web/package.json')).toEqual([]);
    expect(index.matches('.github/workflows/ci.yml')).toEqual([9]);
    expect(index.matches('a/node_modules/x/index.js')).toEqual([10]);
    expect(index.matches('src/main.ts')).toEqual([]);
  });

  it('visits each matching pattern once, even through several globs and buckets', () => {
    const index = new PathIndex(['docs', '**/docs/**', 'docs/', '*.md', 'docs/**/*.md', 'docs/**/*.md']);
    const visited: number[] = [];
    index.forEachMatch('docs/a/docs/b/docs.md', (i) => visited.push(i));
    expect(visited.sort()).toEqual([0, 1, 2, 3, 4, 5]);
  });

  it('files the common shapes in selective buckets, and decides them without a regex', () => {
    const placements = [...POLICY, '**/api/*.ts'].flatMap((pattern) =>
      expandGlobDetailed(pattern).map((glob) => ({ glob: glob.source, ...placeGlob(glob.segments) })),
    );
    const summary = placements.map(
      ({ glob, bucket, key, extension, decisive }) =>
        `${glob} ${bucket}:${String(key)}${extension === null ? '' : ` .${extension}`}${decisive ? ' decisive' : ''}`,
    );
    expect(summary).toEqual([
      'services/payments/**/* prefix:services,payments decisive',
      '**/*.sql extension:sql decisive',
      '**/*.sql/**/* dirExtension:sql decisive',
      'db/migrations/**/* prefix:db,migrations decisive',
      '**/*.md extension:md decisive',
      '**/*.md/**/* dirExtension:md decisive',
      '**/Dockerfile basename:Dockerfile decisive',
      '**/Dockerfile/**/* dirname:Dockerfile decisive',
      'infra/terraform/**/*.tf prefix:infra,terraform .tf decisive',
      'infra/terraform/**/*.tf/**/* prefix:infra,terraform decisive',
      'src/**/auth/**/* dirname:auth decisive',
      '**/docs/**/* dirname:docs decisive',
      'package.json exact:package.json decisive',
      'package.json/**/* prefix:package.json decisive',
      '.github/workflows/*.yml prefix:.github,workflows .yml decisive',
      '.github/workflows/*.yml/**/* prefix:.github,workflows decisive',
      '**/node_modules/**/* dirname:node_modules decisive',
      '**/*test* always:',
      '**/*test*/**/* always:',
      '**/api/*.ts dirname:api .ts decisive',
      '**/api/*.ts/**/* dirExtension:ts', // two segments between the `**`: their order needs the regex
    ]);
    expect(new PathIndex(POLICY).bucketSizes.always).toBe(2);
  });

  it('leaves globs with `?`, classes or several `*` in a segment to the regex', () => {
    const decisive = (pattern: string) => expandGlobDetailed(pattern).map((glob) => placeGlob(glob.segments).decisive);
    expect(decisive('/a?c')).toEqual([false, false]);
    expect(decisive('/[ab]/x')).toEqual([false, false]);
    expect(decisive('/a*b*c')).toEqual([false, false]);
    expect(decisive('/a/**/b/c/**/d')).toEqual([false, false]); // two segments between `**`
    expect(decisive('/apps/*/api/*.ts')).toEqual([true, true]);
  });

  it('allows a visitor to query the same index again', () => {
    const index = new PathIndex(['*.md', 'docs/**', '**']);
    const seen: string[] = [];
    index.forEachMatch('docs/a.md', (outer) => {
      seen.push(`${outer}:${index.matches('x.md').join(',')}`);
    });
    expect(seen.sort()).toEqual(['0:0,2', '1:0,2', '2:0,2']);
  });

  it('gives the same answers as testing every pattern on paths that are not normalised', () => {
    const patterns = ['*', '**/*.md', 'a/**', 'a', 'a/b', '**/b', '?', 'a/*/b', '[!x]', 'a.md/', '.'.repeat(3)];
    const index = new PathIndex(patterns);
    const naive = naiveCompiled(patterns);
    for (const path of [
      '',
      '/',
      'a/',
      '/a',
      'a//b',
      './a',
      'a/./b',
      'a/../b',
      '..',
      '.',
      'a/b/',
      '//',
      'x.md/',
      '/b',
    ]) {
      expect(index.matches(path), path).toEqual(naive(path));
    }
  });

  it('handles an empty pattern list', () => {
    expect(new PathIndex([]).matches('a/b')).toEqual([]);
  });
});

// Segment names chosen to collide with the pattern grammar below: literal directories and file
// names, extensions (also on directories), dotfiles, spaces, Unicode and near-miss prefixes.
const SEGMENTS = [
  'a',
  'b',
  'ab',
  'src',
  'docs',
  'doc',
  'db',
  'migrations',
  'auth',
  '.github',
  '.env',
  'x.sql',
  'y.md',
  'z.tar.gz',
  'c.gz',
  '.sql',
  'Dockerfile',
  'README.md',
  'my file',
  'é',
  'a.b',
  'sql',
  'md.d',
  'x.y.md',
  'a(b)',
  'a*b',
  '[ab]',
  'x\\y',
  '{x}',
  '🚀.ts',
  'é.md',
];

const PATTERN_SEGMENTS = [
  ...SEGMENTS,
  '*',
  '**',
  '?',
  '*.sql',
  '*.md',
  '*.gz',
  '*.tar.gz',
  '*.b',
  'a*',
  '*b',
  '*a*',
  'a*a',
  'ab*b',
  'a\\*b',
  '\\[ab\\]',
  'x\\\\y',
  '\\{x\\}',
  '??.ts',
  '?.ts',
  '*.ts',
  '[é]*',
  '[ab]',
  '[!a]*',
  'd?cs',
  'x.*',
  '?.md',
  '.*',
  'my\\ file',
  '[.]env',
];

const segment = fc.constantFrom(...SEGMENTS);
const pathArbitrary = fc.array(segment, { minLength: 1, maxLength: 5 }).map((parts) => parts.join('/'));

const literal = fc.constantFrom(...SEGMENTS.filter((name) => !/[()*[\]\\{}]/u.test(name)));
const extension = fc.constantFrom('sql', 'md', 'gz', 'tar.gz', 'b', 'd', 'env');
/** One pattern of every bucket kind, so that each lookup path of the index is exercised. */
const shapedPattern = fc.oneof(
  fc.tuple(literal, literal).map(([a, b]) => `${a}/${b}`),
  fc.tuple(literal, literal).map(([a, b]) => `${a}/${b}/**`),
  literal.map((a) => `${a}/**`),
  literal.map((a) => `**/${a}`),
  literal,
  literal.map((a) => `${a}/`),
  literal.map((a) => `/${a}`),
  extension.map((e) => `*.${e}`),
  extension.map((e) => `**/*.${e}`),
  fc.tuple(literal, extension).map(([a, e]) => `${a}/**/*.${e}`),
  fc.tuple(literal, literal).map(([a, b]) => `${a}/**/${b}/**`),
  fc.tuple(literal, literal).map(([a, b]) => `**/${a}/*/${b}`),
  fc.constantFrom('*', '**', '**/*test*', '?', '**/*.md/**', '*.md/'),
);
const grammarPattern = fc
  .tuple(fc.boolean(), fc.array(fc.constantFrom(...PATTERN_SEGMENTS), { minLength: 1, maxLength: 4 }), fc.boolean())
  .map(([leading, parts, trailing]) => `${leading ? '/' : ''}${parts.join('/')}${trailing ? '/' : ''}`);
const patternArbitrary = fc.oneof(shapedPattern, grammarPattern).filter((pattern) => checkGlob(pattern) === null);

describe('PathIndex against minimatch (property)', () => {
  it('matches exactly the patterns whose expanded globs minimatch matches', () => {
    fc.assert(
      fc.property(
        fc.array(patternArbitrary, { minLength: 1, maxLength: 16 }),
        fc.array(pathArbitrary, { minLength: 1, maxLength: 25 }),
        (patterns, paths) => {
          const index = new PathIndex(patterns);
          const naive = naiveMinimatch(patterns);
          for (const path of paths) expect(index.matches(path)).toEqual(naive(path));
        },
      ),
      { numRuns: 400 },
    );
  });

  it('compileGlob agrees with minimatch on the same globs', () => {
    fc.assert(
      fc.property(patternArbitrary, fc.array(pathArbitrary, { minLength: 1, maxLength: 25 }), (pattern, paths) => {
        const compiled = compileGlob(pattern);
        const globs = expandGlob(pattern).map((glob) => new Minimatch(glob, { dot: true }));
        for (const path of paths) expect(compiled(path)).toBe(globs.some((glob) => glob.match(path)));
      }),
      { numRuns: 400 },
    );
  });
});
