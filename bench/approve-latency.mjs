// bench/approve-latency: from an approving comment landing on the fake GitHub to the wait step's
// output. The real bundle runs as a runner runs it (`node actions/wait-for-approval/dist/index.js` with
// INPUT_* and GITHUB_OUTPUT); once it is polling, bob's `/approve` lands at a random moment, and the
// time until `status=approved` is in GITHUB_OUTPUT is one sample. Target: median under 1.5x the poll
// interval. The interval itself is the baseline: half of it is the expected wait for the next poll,
// and the rest is what the step adds (reading, deciding, the decision comment, closing the issue).
//
//   npx tsc -b && npm run build:actions && node bench/approve-latency.mjs [--samples 10] [--polls 1,5]
import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { prng } from './fixtures.mjs';
import * as flow from './github-flow.mjs';

const { values } = parseArgs({
  options: { samples: { type: 'string', default: '10' }, polls: { type: 'string', default: '1,5' } },
});
const SAMPLES = Number(values.samples);
const POLLS = values.polls.split(',').map(Number);
const TARGET_RATIO = 1.5;
const random = prng(11);
const entry = join(flow.ROOT, 'actions', 'wait-for-approval', 'dist', 'index.js');

const fake = await flow.startFakeGitHub();
let failed = false;
try {
  for (const poll of POLLS) {
    const latencies = [];
    // Long intervals take long samples: half as many of them.
    for (let i = 0; i < Math.max(1, Math.round(SAMPLES / (poll >= 5 ? 2 : 1))); i += 1)
      latencies.push(await sample(poll, `latency-${poll}s-${i}`));
    const median = flow.median(latencies);
    const ratio = median / (poll * 1000);
    const met = ratio < TARGET_RATIO;
    failed ||= !met;
    console.log(
      `bench/approve-latency: poll-interval ${poll}s, ${latencies.length} samples: median ${median.toFixed(0)} ms, ` +
        `min ${Math.min(...latencies).toFixed(0)} ms, max ${Math.max(...latencies).toFixed(0)} ms; ` +
        `median / poll interval = ${ratio.toFixed(2)}x   [target < ${TARGET_RATIO}x] ${met ? 'met' : 'MISSED'}`,
    );
  }
} finally {
  await fake.close();
}
if (failed) process.exitCode = 1;

async function sample(pollSeconds, branch) {
  const staged = await flow.scene(fake, branch);
  const number = await flow.request(fake, staged);
  const prepared = await flow.runnerEnv(fake, staged, {
    environment: 'production',
    'request-id': String(number),
    'poll-interval': `${pollSeconds}s`,
    timeout: '2m',
  });
  const comments = `/repos/${flow.REPO}/issues/${number}/comments`;
  const child = spawn(process.execPath, [entry], { cwd: prepared.dir, env: prepared.env, stdio: 'ignore' });
  const exited = new Promise((resolve) => child.on('close', resolve));
  // Once the step is polling, the comment lands anywhere within the next two intervals.
  while (!fake.requests.some((r) => r.method === 'GET' && r.path === comments)) await sleep(5);
  await sleep(random() * 2 * pollSeconds * 1000);
  const landed = performance.now();
  fake.state.addComment(flow.REPO, number, { user: 'bob', body: '/approve' });
  let output = '';
  while (!/^status<</m.test(output)) {
    await sleep(2);
    output = await readFile(prepared.outputFile, 'utf8');
  }
  const latency = performance.now() - landed;
  const status = flow.parseOutputs(output)['status'];
  await exited;
  if (status !== 'approved') throw new Error(`sample ${branch}: the wait step ended ${status}, not approved`);
  return latency;
}
