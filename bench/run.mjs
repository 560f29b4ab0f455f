// `npm run bench`: every benchmark, one after another (each prints its own figures and ratios).
// The GitHub ones (idle-cost, approve-latency, startup) run the actions against the fake GitHub;
// approve-latency and startup run the bundles, so build them first (`npm run build:actions`).
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const BENCHES = [
  'classify.mjs',
  'evaluate.mjs',
  'glob-index.mjs',
  'verify.mjs',
  'hash.mjs',
  'idle-cost.mjs',
  'approve-latency.mjs',
  'startup.mjs',
];

let failed = false;
for (const name of BENCHES) {
  const result = spawnSync(process.execPath, [fileURLToPath(new URL(name, import.meta.url))], { stdio: 'inherit' });
  failed ||= result.status !== 0;
}
process.exitCode = failed ? 1 : 0;
