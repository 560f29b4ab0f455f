// The bundled actions end to end, as a runner runs them: `node dist/index.js` with INPUT_* and the
// runner's files, against the fake GitHub. Each scenario deploys its own branch, so its own head.
import { readFile } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeGitHub, type FakeGitHub } from '../fakes/github/index.js';
import type { Decision } from '../../packages/core/src/index.js';
import { REPO, TOKEN, errorLines, runAction, runnerEnv, setUpScene, type Run } from './helpers.js';

let fake: FakeGitHub;

beforeAll(async () => {
  fake = await startFakeGitHub();
});
afterAll(() => fake.close());

/**
 * `::add-mask::` is how a step tells the runner to mask a value; the runner swallows that line, so
 * it is the one place the token may be written. Anywhere else it would be a leak.
 */
function expectNoLeak(run: Run): void {
  const shown = run.everything
    .split('\n')
    .filter((line) => line !== `::add-mask::${TOKEN}`)
    .join('\n');
  expect(shown).not.toContain(TOKEN);
}

async function decisionFile(run: Run): Promise<Decision> {
  return JSON.parse(await readFile(run.outputs['decision-file'] ?? '', 'utf8')) as Decision;
}

function requestIssues() {
  return Object.values(fake.state.repo(REPO).issues).filter((issue) => issue.labels.includes('countersign'));
}

async function request(branch: string, inputs: Record<string, string> = {}) {
  const scene = setUpScene(fake, branch);
  const run = await runAction(
    'request-approval',
    await runnerEnv(fake, scene, { environment: 'production', ...inputs }),
  );
  return { scene, run };
}

/** Resolves once the wait step has read the request issue's comments `times` times. */
async function commentsPolled(number: number, times = 1): Promise<void> {
  const path = `/repos/${REPO}/issues/${number}/comments`;
  for (let i = 0; i < 200; i += 1) {
    if (fake.requests.filter((r) => r.method === 'GET' && r.path.startsWith(path)).length >= times) return;
    await sleep(25);
  }
  throw new Error(`the wait step never read ${path}`);
}

describe('request-approval', () => {
  it('opens one request issue, sets its outputs and summary, and finds the same issue on a re-run', async () => {
    const { scene, run } = await request('feature-request');
    expect(errorLines(run.stdout)).toEqual([]);
    expect(run.code).toBe(0);
    expect(run.outputs).toMatchObject({ risk: 'medium', status: 'pending' });
    expect(JSON.parse(run.outputs['required'] ?? '')).toEqual({ approvals: 1, roles: [] });
    const number = Number(run.outputs['request-id']);
    const issue = fake.state.repo(REPO).issues[number];
    expect(issue?.labels).toContain('countersign');
    expect(issue?.user).toBe('github-actions[bot]');
    expect(issue?.body?.split('\n')[0]).toBe(
      `<!-- countersign:request v1 repo=${REPO} env=production head=${scene.head} -->`,
    );
    expect(run.outputs['request-url']).toMatch(new RegExp(`/issues/${number}$`));
    expect(run.summary).toContain('Countersign classification');
    expect(run.summary).toContain(`#${number}`);
    expectNoLeak(run);

    const again = await runAction('request-approval', await runnerEnv(fake, scene, { environment: 'production' }));
    expect(errorLines(again.stdout)).toEqual([]);
    expect(again.outputs['request-id']).toBe(String(number));
    expect(requestIssues().filter((i) => i.body?.includes(scene.head))).toHaveLength(1);
  });

  it('asks nobody when the policy requires no approval', async () => {
    const before = requestIssues().length;
    const scene = setUpScene(fake, 'docs-change', ['docs/guide.md']);
    const run = await runAction('request-approval', await runnerEnv(fake, scene, { environment: 'staging' }));
    expect(errorLines(run.stdout)).toEqual([]);
    expect(run.outputs).toMatchObject({ status: 'approved', risk: 'low', 'request-id': '' });
    expect(requestIssues()).toHaveLength(before);
  });

  it('fails with a message naming the input that is wrong', async () => {
    const { run } = await request('bad-input', { policy: '../outside.yml' });
    expect(run.code).toBe(1);
    expect(errorLines(run.stdout).join('\n')).toMatch(/^::error::Configuration: input policy must be a path inside/);
    expectNoLeak(run);
  });
});

describe('wait-for-approval', () => {
  const waitInputs = { environment: 'production', timeout: '20s', 'poll-interval': '200ms' };

  it('counts an /approve by a write collaborator who took no part, closes the issue and writes the decision', async () => {
    const { scene, run } = await request('feature-approve');
    const number = Number(run.outputs['request-id']);
    const prepared = await runnerEnv(fake, scene, { ...waitInputs, 'request-id': String(number) });
    const waiting = runAction('wait-for-approval', prepared);
    await commentsPolled(number);
    fake.state.addComment(REPO, number, { user: 'bob', body: '/approve ship it' });
    const done = await waiting;

    expect(errorLines(done.stdout)).toEqual([]);
    expect(done.code).toBe(0);
    expect(done.outputs).toMatchObject({ status: 'approved', approvers: 'bob' });
    const decision = await decisionFile(done);
    expect(decision).toMatchObject({ status: 'approved', approvers: ['bob'], environment: 'production' });
    const issue = fake.state.repo(REPO).issues[number];
    expect(issue?.state).toBe('closed');
    expect(fake.state.repo(REPO).comments[number]?.at(-1)?.body).toContain('Countersign decision');
    expect(done.summary).toContain('Countersign decision');
    expectNoLeak(done);
  });

  it('keeps a self-approval by the pull request author pending until the timeout, and says why', async () => {
    const { scene, run } = await request('feature-self');
    const number = Number(run.outputs['request-id']);
    fake.state.addComment(REPO, number, { user: 'alice', body: '/approve' });
    const done = await runAction(
      'wait-for-approval',
      await runnerEnv(fake, scene, { ...waitInputs, timeout: '2s', 'request-id': String(number) }),
    );

    expect(done.code).toBe(1);
    expect(done.outputs['status']).toBe('timed-out');
    expect(errorLines(done.stdout).join('\n')).toMatch(/within the timeout/);
    const decision = await decisionFile(done);
    expect(decision.status).toBe('pending');
    expect(decision.discounted).toEqual([expect.objectContaining({ login: 'alice', reason: 'participant' })]);
    // The issue's "Not counted" table and the summary both name her and the reason.
    expect(fake.state.repo(REPO).issues[number]?.body).toMatch(
      /### Not counted[\s\S]*\| alice \| approve \| participant \|/,
    );
    expect(done.summary).toMatch(/alice[^\n]*participant/);
    expectNoLeak(done);
  });

  it('fails on a /reject', async () => {
    const { scene, run } = await request('feature-reject');
    const number = Number(run.outputs['request-id']);
    fake.state.addComment(REPO, number, { user: 'bob', body: '/reject not during the sale' });
    const done = await runAction(
      'wait-for-approval',
      await runnerEnv(fake, scene, { ...waitInputs, 'request-id': String(number) }),
    );

    expect(done.code).toBe(1);
    expect(done.outputs['status']).toBe('rejected');
    expect(errorLines(done.stdout).join('\n')).toMatch(/rejected by bob/);
    expect(fake.state.repo(REPO).issues[number]?.state).toBe('closed');
    expectNoLeak(done);
  });
});

describe('the one-step gate (root action.yml)', () => {
  it('requests, waits for an approval and decides in one step', async () => {
    const scene = setUpScene(fake, 'feature-gate');
    const before = requestIssues().length;
    const waiting = runAction(
      'gate',
      await runnerEnv(fake, scene, { environment: 'production', timeout: '20s', 'poll-interval': '200ms' }),
    );
    for (let i = 0; i < 200 && requestIssues().length === before; i += 1) await sleep(25);
    const issue = requestIssues().at(-1);
    if (issue === undefined) throw new Error('the gate opened no request issue');
    await commentsPolled(issue.number);
    fake.state.addComment(REPO, issue.number, { user: 'dave', body: '/approve' });
    const done = await waiting;

    expect(errorLines(done.stdout)).toEqual([]);
    expect(done.outputs).toMatchObject({ 'request-id': String(issue.number), status: 'approved', approvers: 'dave' });
    expectNoLeak(done);
  });
});
