// bench/idle-cost: what an hour of waiting with nobody acting costs in rate limit. The real wait loop
// (actions/shared/src/wait.ts) runs against the fake GitHub with the default poll interval (5 s) and
// a simulated clock, so the hour passes in seconds: every poll still makes its real HTTP requests, and
// the fake counts those that spend rate limit (a 304 does not). Target: at most 30 in the hour.
//
//   npx tsc -b && node bench/idle-cost.mjs [--minutes 60] [--poll 5]
import { parseArgs } from 'node:util';
import * as flow from './github-flow.mjs';

const { values } = parseArgs({
  options: { minutes: { type: 'string', default: '60' }, poll: { type: 'string', default: '5' } },
});
const HOUR_MS = Number(values.minutes) * 60_000;
const POLL_MS = Number(values.poll) * 1000;
const TARGET = 30;

const fake = await flow.startFakeGitHub();
try {
  const staged = await flow.scene(fake, 'idle-hour');
  const number = await flow.request(fake, staged);
  const from = fake.requests.length;
  let now = Date.now();
  let sleeps = 0;
  const clock = {
    now: () => now,
    sleep: async (ms) => {
      sleeps += 1;
      now += ms;
    },
  };
  const outcome = await flow.waitForApproval(
    flow.client(fake),
    staged.runner,
    { ...flow.subject(staged), requestId: number, timeoutMs: HOUR_MS, pollMs: POLL_MS },
    undefined,
    clock,
  );
  const during = fake.requests.slice(from);
  const counted = during.filter((r) => r.counted);
  const notModified = during.filter((r) => r.status === 304).length;
  const byRoute = new Map();
  for (const r of counted) {
    const key = `${r.method} ${r.route ?? r.path}`;
    byRoute.set(key, (byRoute.get(key) ?? 0) + 1);
  }
  console.log(
    `bench/idle-cost: ${HOUR_MS / 60_000} simulated minutes, poll every ${POLL_MS / 1000} s, ${sleeps + 1} polls -> ${outcome.status}`,
  );
  console.log(
    `  requests: ${during.length} in all, ${notModified} answered 304 (free), ${counted.length} counted against the rate limit   [target <= ${TARGET}]`,
  );
  for (const [route, count] of [...byRoute].sort((a, b) => b[1] - a[1])) console.log(`    ${count}  ${route}`);
  if (outcome.status !== 'timed-out') {
    console.error(`  expected the idle wait to time out, got ${outcome.status}`);
    process.exitCode = 1;
  }
} finally {
  await fake.close();
}
