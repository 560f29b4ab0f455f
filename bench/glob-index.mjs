// bench/glob-index: PathIndex against the naive loops it replaces, on 100,000 generated paths and
// ~400 generated patterns (seeded, so every run measures the same work). Checks that the index and
// minimatch over the same expanded globs give identical answers for every path.
//
//   npx tsc -b && npx node bench/glob-index.mjs [--paths 100000] [--patterns 400] [--rounds 5]

import { parseArgs } from 'node:util';
import { Minimatch } from 'minimatch';
import { PathIndex, compileGlob, expandGlob } from '../packages/core/dist/glob/index.js';
import { prng as seeded } from './fixtures.mjs';

const { values } = parseArgs({
  options: {
    paths: { type: 'string', default: '100000' },
    patterns: { type: 'string', default: '400' },
    rounds: { type: 'string', default: '5' },
  },
});
const PATH_COUNT = Number(values.paths);
const PATTERN_COUNT = Number(values.patterns);
const ROUNDS = Number(values.rounds);

const SERVICES = ['payments', 'ledger', 'billing', 'search', 'identity', 'notifications', 'risk', 'reports'];
const TOPS = ['services', 'packages', 'apps', 'src', 'infra', 'docs', 'db', 'tools', '.github', 'config'];
const DIRS = [
  'src',
  'lib',
  'internal',
  'auth',
  'api',
  'handlers',
  'models',
  'utils',
  'jobs',
  'web',
  'test',
  'fixtures',
];
const EXTENSIONS = ['ts', 'ts', 'ts', 'tsx', 'js', 'md', 'json', 'yml', 'sql', 'tf', 'go', 'py', 'css', 'proto', 'sh'];
const SPECIAL_FILES = ['Dockerfile', 'Makefile', 'package.json', 'CODEOWNERS', '.env.example', 'README.md', 'go.mod'];

function generatePaths(count, random) {
  const pick = (list) => list[Math.floor(random() * list.length)];
  const paths = [];
  for (let i = 0; i < count; i += 1) {
    const top = pick(TOPS);
    const parts = [top];
    if (top === 'services' || top === 'apps')
      parts.push(`${pick(SERVICES)}${random() < 0.5 ? '' : Math.floor(random() * 6)}`);
    if (top === 'packages') parts.push(`pkg-${Math.floor(random() * 60)}`);
    if (top === 'infra') parts.push('terraform', pick(['modules', 'envs']), pick(['prod', 'staging', 'vpc', 'dns']));
    if (top === 'db') parts.push(pick(['migrations', 'seeds']));
    if (top === '.github') parts.push('workflows');
    const depth = Math.floor(random() * 4);
    for (let d = 0; d < depth; d += 1) parts.push(pick(DIRS));
    const name =
      random() < 0.06
        ? pick(SPECIAL_FILES)
        : `${pick(DIRS)}-${Math.floor(random() * 500)}${random() < 0.1 ? '.test' : ''}.${pick(EXTENSIONS)}`;
    paths.push([...parts, name].join('/'));
  }
  return paths;
}

function generatePatterns(count, random) {
  const pick = (list) => list[Math.floor(random() * list.length)];
  const shapes = [
    () => `services/${pick(SERVICES)}${Math.floor(random() * 6)}/**`,
    () => `services/${pick(SERVICES)}/${pick(DIRS)}/**`,
    () => `**/*.${pick(EXTENSIONS)}`,
    () => `*.${pick(EXTENSIONS)}`,
    () => `db/${pick(['migrations', 'seeds'])}/**`,
    () => pick(SPECIAL_FILES),
    () => `infra/terraform/**/*.${pick(['tf', 'tfvars'])}`,
    () => `infra/terraform/${pick(['modules', 'envs'])}/${pick(['prod', 'staging', 'vpc', 'dns'])}/`,
    () => `src/**/${pick(DIRS)}/**`,
    () => `packages/pkg-${Math.floor(random() * 60)}/**/*.${pick(EXTENSIONS)}`,
    () => `apps/*/${pick(DIRS)}/*.${pick(EXTENSIONS)}`,
    () => `/${pick(TOPS)}/${pick(DIRS)}`,
    () => `${pick(DIRS)}/`,
    () => `.github/workflows/${pick(['ci', 'deploy', 'release', '*'])}.yml`,
    () => `docs/${pick(DIRS)}/`,
    () => `**/${pick(DIRS)}/*.test.${pick(EXTENSIONS)}`,
    () => `**/${pick(DIRS)}-1??.*`, // no key at all: judged on every path
  ];
  return Array.from({ length: count }, () => pick(shapes)());
}

function median(samples) {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

function time(run) {
  const start = process.hrtime.bigint();
  const result = run();
  return { ms: Number(process.hrtime.bigint() - start) / 1e6, result };
}

/** Order-independent digest of all (path, pattern) matches, so whole runs can be compared cheaply. */
function digestOf(matchLists) {
  let hash = 0;
  let total = 0;
  matchLists.forEach((list, pathIndex) => {
    for (const patternIndex of list) {
      hash = (hash + Math.imul(pathIndex + 1, 2654435761) * (patternIndex + 7)) >>> 0;
      total += 1;
    }
  });
  return `${total} matches, digest ${hash.toString(16)}`;
}

const paths = generatePaths(PATH_COUNT, seeded(1));
const patterns = generatePatterns(PATTERN_COUNT, seeded(2));
const globCount = patterns.reduce((sum, p) => sum + expandGlob(p).length, 0);

const build = time(() => new PathIndex(patterns));
const index = build.result;

// What the classifier does: count hits per pattern. The first pass is what one CLI run pays (cold
// JIT); the median of the later passes is the steady state.
const passes = [];
for (let round = 0; round <= ROUNDS; round += 1) {
  const hits = new Uint32Array(patterns.length);
  passes.push(
    time(() => {
      for (const path of paths) index.forEachMatch(path, (i) => (hits[i] += 1));
    }).ms,
  );
}
const coldMs = passes[0];
const indexMs = median(passes.slice(1));

const indexAnswers = paths.map((path) => index.matches(path));

const minimatchGlobs = patterns.map((p) => expandGlob(p).map((g) => new Minimatch(g, { dot: true })));
const naiveMinimatch = time(() =>
  paths.map((path) => {
    const found = [];
    minimatchGlobs.forEach((globs, i) => {
      if (globs.some((g) => g.match(path))) found.push(i);
    });
    return found;
  }),
);

const compiled = patterns.map(compileGlob);
const naivePicomatch = time(() =>
  paths.map((path) => {
    const found = [];
    compiled.forEach((matches, i) => {
      if (matches(path)) found.push(i);
    });
    return found;
  }),
);

const mismatches = indexAnswers.filter((answer, i) => answer.join(',') !== naiveMinimatch.result[i].join(',')).length;
const picomatchMismatches = indexAnswers.filter(
  (answer, i) => answer.join(',') !== naivePicomatch.result[i].join(','),
).length;

const fmt = (ms) => `${ms.toFixed(1).padStart(9)} ms`;
const perPath = (ms) => `${((ms * 1000) / paths.length).toFixed(2)} µs/path`;
const distinctPatterns = new Set(patterns).size;
console.log(
  `glob-index: ${paths.length} paths, ${patterns.length} patterns (${distinctPatterns} distinct, ${globCount} globs), node ${process.version}`,
);
console.log(`  buckets             ${JSON.stringify(index.bucketSizes)}`);
console.log(`  PathIndex build     ${fmt(build.ms)}`);
console.log(`  PathIndex 1st pass  ${fmt(coldMs)}   (${perPath(coldMs)}, cold)`);
console.log(`  PathIndex classify  ${fmt(indexMs)}   (${perPath(indexMs)}, median of ${ROUNDS} later passes)`);
console.log(
  `  naive minimatch     ${fmt(naiveMinimatch.ms)}   ${(naiveMinimatch.ms / indexMs).toFixed(0)}x the steady state, ${(naiveMinimatch.ms / (build.ms + coldMs)).toFixed(0)}x build + 1st pass`,
);
console.log(
  `  naive picomatch     ${fmt(naivePicomatch.ms)}   ${(naivePicomatch.ms / indexMs).toFixed(0)}x the steady state`,
);
console.log(`  results             index ${digestOf(indexAnswers)}; minimatch ${digestOf(naiveMinimatch.result)}`);
const identical = mismatches === 0 && picomatchMismatches === 0;
console.log(
  `  identical           ${identical ? 'yes' : `NO: ${mismatches} paths differ from minimatch, ${picomatchMismatches} from picomatch`}`,
);
if (!identical) process.exitCode = 1;
