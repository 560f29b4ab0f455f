// bench/evaluate: a change of 5,000 commits (with co-author trailers) and 500 approvals.
// The baseline in the same run is classification alone, so the ratio shows what deciding adds.
import { classify, decide, loadPolicy } from '../packages/core/dist/index.js';
import { prng } from './fixtures.mjs';

const COMMITS = 5_000;
const APPROVALS = 500;
const ROUNDS = 20;
const rand = prng(7);
const head = 'a'.repeat(40);

const policy = loadPolicy(
  `version: 1
roles:
  sre: ["@acme/sre"]
  dba: ["@acme/dba"]
levels:
  low: { approvals: 0 }
  medium: { approvals: 1 }
  high: { approvals: 2 }
  critical: { approvals: 3 }
rules:
  - { id: db, when: { paths: ["db/**"] }, risk: high, require: [{ role: dba }, { role: sre }] }
separation-of-duties: { distinct-requirements: true }
`,
  'bench.yml',
);

const dev = (i) => `dev${i % 400}`;
const commits = Array.from({ length: COMMITS }, (_, i) => ({
  sha: i.toString(16).padStart(40, '0'),
  message: `change ${i}\n\nCo-authored-by: Pair ${i} <${1000 + (i % 300)}+pair${i % 300}@users.noreply.github.com>\nCo-authored-by: other <other${i % 50}@example.com>`,
  author: { login: dev(i), email: `${dev(i)}@example.com`, name: dev(i) },
  committer: { login: 'web-flow', email: 'noreply@github.com', name: 'GitHub' },
}));
const change = {
  head,
  requested_at: '2026-11-23T10:00:00Z',
  labels: [],
  files: [{ path: 'db/migrations/1.sql', status: 'added', additions: 5, deletions: 0 }],
  commits,
  pull_requests: [{ number: 1, author: 'dev1', labels: [] }],
  triggering_actor: 'dev2',
};
const approvals = Array.from({ length: APPROVALS }, (_, i) => ({
  login: rand() < 0.5 ? dev(i * 7) : `reviewer${i % 200}`,
  type: 'User',
  decision: rand() < 0.05 ? 'reject' : 'approve',
  at: new Date(Date.parse('2026-11-23T10:00:00Z') + i * 60_000).toISOString(),
  sha: rand() < 0.9 ? head : 'b'.repeat(40),
  permission: rand() < 0.9 ? 'write' : 'read',
  teams: i % 3 === 0 ? ['@acme/sre'] : i % 3 === 1 ? ['@acme/dba'] : [],
}));
const at = new Date('2026-11-23T18:00:00Z');

function best(fn) {
  let fastest = Infinity;
  let value;
  for (let i = 0; i < ROUNDS; i++) {
    const start = process.hrtime.bigint();
    value = fn();
    fastest = Math.min(fastest, Number(process.hrtime.bigint() - start) / 1e6);
  }
  return { ms: fastest, value };
}

// Baseline: one JSON round trip of the same inputs, the least any consumer of them pays.
const baseline = best(() => JSON.parse(JSON.stringify({ change, approvals })));
classify(policy, change, { at });
const full = best(() => decide({ policy, change, approvals, at }));
console.log(
  `bench/evaluate: ${COMMITS} commits, ${APPROVALS} approvals -> ${full.value.status}, ${full.value.counted.length} counted, ${full.value.discounted.length} discounted`,
);
console.log(`  decide (best of ${ROUNDS}): ${full.ms.toFixed(2)} ms   [target < 50 ms]`);
console.log(
  `  baseline, a JSON round trip of the inputs: ${baseline.ms.toFixed(2)} ms; decide / baseline = ${(full.ms / baseline.ms).toFixed(2)}x`,
);
