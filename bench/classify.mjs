// bench/classify: 100,000 changed paths against a 200-rule policy.
// Measures the classification itself against a naive loop (every path against every glob with
// compiled minimatch) in the same run, checks both reach identical results, and times the whole
// `countersign classify` process on the same input.
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Minimatch } from 'minimatch';
import { classify, loadPolicy } from '../packages/core/dist/index.js';
import { expandGlob } from '../packages/core/dist/glob/index.js';
import { paths, policyYaml } from './fixtures.mjs';

const PATHS = 100_000;
const RULES = 200;
const ROUNDS = 5;

const yaml = policyYaml(RULES);
const policy = loadPolicy(yaml, 'bench-policy.yml');
const files = paths(PATHS).map((path) => ({ path, status: 'modified', additions: 1, deletions: 1 }));
const change = { labels: [], files, commits: [], pull_requests: [] };
const at = new Date('2026-11-23T12:00:00Z');

function naive() {
  const matchers = policy.rules.map((rule) => ({
    paths: (rule.when.paths ?? []).flatMap(expandGlob).map((g) => new Minimatch(g, { dot: true })),
    allPaths: (rule.when.allPaths ?? []).flatMap(expandGlob).map((g) => new Minimatch(g, { dot: true })),
  }));
  const result = [];
  matchers.forEach((m, i) => {
    const rule = policy.rules[i];
    if (m.paths.length > 0) {
      const hit = files.filter((f) => m.paths.some((mm) => mm.match(f.path)));
      if (hit.length > 0)
        result.push({ rule: rule.id, matched_files: hit.length, files: hit.slice(0, 20).map((f) => f.path) });
    } else {
      const covered = files.filter((f) => m.allPaths.some((mm) => mm.match(f.path)));
      if (covered.length === files.length && files.length > 0)
        result.push({ rule: rule.id, matched_files: covered.length, files: covered.slice(0, 20).map((f) => f.path) });
    }
  });
  return result;
}

function indexed() {
  return classify(policy, change, { at })
    .reasons.filter((r) => r.kind === 'rule')
    .map((r) => ({ rule: r.rule, matched_files: r.matched_files, files: r.files }));
}

function best(fn, rounds) {
  let fastest = Infinity;
  let value;
  for (let i = 0; i < rounds; i++) {
    const start = process.hrtime.bigint();
    value = fn();
    fastest = Math.min(fastest, Number(process.hrtime.bigint() - start) / 1e6);
  }
  return { ms: fastest, value };
}

// The first classify also compiles the policy's index (once per policy); measure it apart.
const cold = best(() => classify(loadPolicy(yaml, 'cold.yml'), change, { at }), 1);
const fast = best(indexed, ROUNDS);
const slow = best(naive, 1);
const identical = JSON.stringify(fast.value) === JSON.stringify(slow.value);

const work = fileURLToPath(new URL('./.work/', import.meta.url));
mkdirSync(work, { recursive: true });
writeFileSync(`${work}policy.yml`, yaml);
writeFileSync(`${work}paths.txt`, `${files.map((f) => f.path).join('\n')}\n`);
const cli = fileURLToPath(new URL('../packages/cli/bin/countersign.js', import.meta.url));
const processRun = best(
  () =>
    execFileSync(
      process.execPath,
      [
        cli,
        'classify',
        '--policy',
        `${work}policy.yml`,
        '--files-from',
        `${work}paths.txt`,
        '--format',
        'json',
        '--at',
        at.toISOString(),
      ],
      { maxBuffer: 64 << 20 },
    ),
  3,
);

console.log(
  `bench/classify: ${PATHS} paths x ${RULES} rules (${policy.rules.reduce((n, r) => n + (r.when.paths ?? r.when.allPaths ?? []).length, 0)} globs), ${fast.value.length} rules matched`,
);
console.log(`  indexed classify (warm, best of ${ROUNDS}): ${fast.ms.toFixed(1)} ms   [target <= 300 ms]`);
console.log(`  indexed classify incl. compiling the policy: ${cold.ms.toFixed(1)} ms`);
console.log(`  naive minimatch loop:                       ${slow.ms.toFixed(1)} ms`);
console.log(`  ratio naive / indexed: ${(slow.ms / fast.ms).toFixed(1)}x   [target >= 10x]`);
console.log(`  identical results: ${identical}`);
console.log(`  whole 'countersign classify' process (best of 3): ${processRun.ms.toFixed(0)} ms   [target < 1500 ms]`);
if (!identical) {
  console.error('bench/classify: the indexed and naive classifications differ');
  process.exitCode = 1;
}
