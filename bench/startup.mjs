// bench/startup: from `node actions/<name>/dist/index.js` being spawned to its first request reaching
// the fake GitHub, for each bundled action, as a runner starts it (INPUT_*, GITHUB_* variables). The
// baseline in the same run is `node -e ''` (spawn to exit): what starting Node costs before any of
// our code runs. Target: first API call within 200 ms; each bundle under 3 MB.
//
//   npx tsc -b && npm run build:actions && node bench/startup.mjs [--samples 10]
import { spawn } from 'node:child_process';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import * as flow from './github-flow.mjs';

const { values } = parseArgs({ options: { samples: { type: 'string', default: '10' } } });
const SAMPLES = Number(values.samples);
const ACTIONS = ['request-approval', 'wait-for-approval', 'gate'];
const TARGET_MS = 200;
const MAX_BYTES = 3 * 1024 * 1024;

async function baseline() {
  const start = performance.now();
  await new Promise((resolve) => spawn(process.execPath, ['-e', '']).on('close', resolve));
  return performance.now() - start;
}

const fake = await flow.startFakeGitHub();
let failed = false;
try {
  const staged = await flow.scene(fake, 'startup');
  const number = await flow.request(fake, staged);
  const nodeMs = [];
  for (let i = 0; i < SAMPLES; i += 1) nodeMs.push(await baseline());
  const nodeMedian = flow.median(nodeMs);
  console.log(
    `bench/startup: ${SAMPLES} samples each; baseline \`node -e ''\` spawn to exit: median ${nodeMedian.toFixed(0)} ms`,
  );
  for (const action of ACTIONS) {
    const entry = join(flow.ROOT, 'actions', action, 'dist', 'index.js');
    const size = statSync(entry).size;
    const firstCall = [];
    for (let i = 0; i < SAMPLES; i += 1) {
      const prepared = await flow.runnerEnv(fake, staged, {
        environment: 'production',
        'request-id': String(number),
        timeout: '1m',
      });
      const seen = fake.requests.length;
      const startedAt = Date.now();
      const child = spawn(process.execPath, [entry], { cwd: prepared.dir, env: prepared.env, stdio: 'ignore' });
      const exited = new Promise((resolve) => child.on('close', resolve));
      while (fake.requests.length === seen) {
        if (child.exitCode !== null) throw new Error(`${action} exited (${child.exitCode}) before calling the API`);
        await sleep(1);
      }
      // The fake stamps each request on arrival; the loop above only notices it a moment later.
      firstCall.push(fake.requests[seen].at - startedAt);
      child.kill();
      await exited;
    }
    const median = flow.median(firstCall);
    const slow = median >= TARGET_MS || size >= MAX_BYTES;
    failed ||= slow;
    console.log(
      `  ${action}: first API call after median ${median.toFixed(0)} ms (${(median / nodeMedian).toFixed(2)}x bare node)   [target < ${TARGET_MS} ms]; ` +
        `bundle ${(size / 1024 / 1024).toFixed(2)} MB   [target < 3 MB]`,
    );
  }
} finally {
  await fake.close();
}
if (failed) process.exitCode = 1;
