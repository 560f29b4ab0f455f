// Every discount reason reached end to end through GitHub's own data: the request and wait actions
// run as a runner runs them (`node dist/index.js`) against the fake GitHub, and each scenario checks
// the decision file the wait step writes. Short timeouts (a scenario that stays pending costs ~1s of
// waiting, and each write to GitHub ~1s of the client's throttle), and each scenario has its own branch,
// pull request and request issue, so the scenarios run concurrently.
import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeGitHub, type FakeGitHub } from '../fakes/github/index.js';
import type { CommitInput } from '../fakes/github/state.js';
import type { Decision } from '../../packages/core/src/index.js';
import { POLICY, REPO, errorLines, runAction, runnerEnv, type Run, type Scene } from './helpers.js';

const ALICE = { name: 'Alice', email: 'alice@example.com', login: 'alice' };
/** The same as helpers' POLICY, but medium risk also needs an SRE, and SRE is a GitHub team. */
const TEAM_POLICY = POLICY.replace('roles: {}', "roles:\n  sre: ['@acme/sre']").replace(
  'medium: { approvals: 1 }',
  'medium: { approvals: 1, require: [{ role: sre }] }',
);
/** A token GitHub refuses team look-ups to, as it does the workflow's GITHUB_TOKEN. */
const NO_TEAMS_TOKEN = 'ghs_TokenWithoutMembersRead0000000000001';

let runs = 0;

/** A repository (made once per fake) with the policy on main, and one branch with its pull request. */
function stage(
  fake: FakeGitHub,
  branch: string,
  options: { policy?: string; prAuthor?: string; commits?: CommitInput[] } = {},
): Scene {
  const s = fake.state;
  if (!s.repos[REPO]) {
    s.addRepo(REPO, { files: { '.countersign.yml': options.policy ?? POLICY } });
    for (const [login, permission] of [
      ['alice', 'write'],
      ['bob', 'write'],
      ['carol', 'write'],
      ['frank', 'write'],
      ['erin', 'read'],
      ['dave', 'admin'],
      ['renovate[bot]', 'write'],
    ] as const)
      s.setPermission(REPO, login, permission);
  }
  const base = s.repo(REPO).branches['main'] ?? '';
  const commits = s.pushCommits(
    REPO,
    options.commits ?? [
      { message: `Change on ${branch}`, author: ALICE, files: [{ filename: 'src/app.ts', content: `// ${branch}\n` }] },
    ],
    branch,
  );
  const head = commits.at(-1)?.sha ?? '';
  const pull = s.addPull(REPO, {
    user: options.prAuthor ?? 'alice',
    head: { ref: branch },
    commits: commits.map((c) => c.sha),
  }).number;
  runs += 1;
  const runId = 5000 + runs;
  s.setRunApprovals(REPO, runId, []);
  return { base, head, pull, runId };
}

interface Outcome {
  number: number;
  run: Run;
  decision: Decision;
}

/**
 * request-approval, then whatever people do on GitHub (`act`, given the request issue's number),
 * then wait-for-approval. `env` overrides the runner's variables for both steps.
 */
async function deploy(
  fake: FakeGitHub,
  scene: Scene,
  act: (number: number) => void,
  env: NodeJS.ProcessEnv = {},
): Promise<Outcome> {
  const requesting = await runnerEnv(fake, scene, { environment: 'production' });
  Object.assign(requesting.env, env);
  const request = await runAction('request-approval', requesting);
  expect(errorLines(request.stdout)).toEqual([]);
  expect(request.outputs['status']).toBe('pending');
  const number = Number(request.outputs['request-id']);
  act(number);
  const waiting = await runnerEnv(fake, scene, {
    environment: 'production',
    'request-id': String(number),
    timeout: '1s',
    'poll-interval': '200ms',
  });
  Object.assign(waiting.env, env);
  const run = await runAction('wait-for-approval', waiting);
  const decision = JSON.parse(await readFile(run.outputs['decision-file'] ?? '', 'utf8')) as Decision;
  return { number, run, decision };
}

/** Still pending when time ran out: the step fails and says so. */
function expectTimedOut({ run, decision }: Outcome): void {
  expect(run.code).toBe(1);
  expect(run.outputs['status']).toBe('timed-out');
  expect(errorLines(run.stdout).join('\n')).toMatch(/within the timeout/);
  expect(decision.status).toBe('pending');
  expect(decision.approvers).toEqual([]);
}

function discounted(decision: Decision) {
  return decision.discounted.map(({ login, reason, detail, source }) => ({ login, reason, detail, source }));
}

describe.concurrent('discount reasons, from what GitHub says', () => {
  let fake: FakeGitHub;
  beforeAll(async () => {
    fake = await startFakeGitHub();
  });
  afterAll(() => fake.close());

  it('counts a write collaborator who took no part (the control for the scenarios below)', async () => {
    const scene = stage(fake, 'control');
    const outcome = await deploy(fake, scene, (n) => {
      fake.state.addComment(REPO, n, { user: 'bob', body: '/approve' });
      fake.state.addReview(REPO, scene.pull, { user: 'dave', state: 'APPROVED' });
    });
    expect(outcome.run.code).toBe(0);
    expect(outcome.decision.status).toBe('approved');
    expect(outcome.decision.counted.map((c) => [c.login, c.source])).toEqual([
      ['bob', 'issue-comment'],
      ['dave', 'pull-request-review'],
    ]);
    expect(outcome.decision.discounted).toEqual([]);
  });

  it('discounts an /approve by the pull request author, found through the commit’s pull requests (participant)', async () => {
    // frank opened the pull request; alice wrote its commit and triggered the run.
    const scene = stage(fake, 'pr-author', { prAuthor: 'frank' });
    const outcome = await deploy(fake, scene, (n) =>
      fake.state.addComment(REPO, n, { user: 'frank', body: '/approve looks fine to me' }),
    );
    expectTimedOut(outcome);
    expect(discounted(outcome.decision)).toEqual([
      {
        login: 'frank',
        reason: 'participant',
        detail: `author of pull request #${scene.pull}`,
        source: 'issue-comment',
      },
    ]);
    expect(outcome.decision.participants).toContainEqual(
      expect.objectContaining({ kind: 'pr-author', login: 'frank', pull_request: scene.pull }),
    );
    expect(fake.state.repo(REPO).issues[outcome.number]?.body).toMatch(/\| frank \| approve \| participant \|/);
  });

  it('discounts a co-author named only by a no-reply address in a Co-authored-by trailer (participant)', async () => {
    const scene = stage(fake, 'co-author', {
      commits: [
        {
          message: 'Pair on the parser\n\nCo-authored-by: C. <4567+carol@users.noreply.github.com>',
          author: ALICE,
          files: [{ filename: 'src/parser.ts', content: '// parser\n' }],
        },
      ],
    });
    const outcome = await deploy(fake, scene, (n) =>
      fake.state.addComment(REPO, n, { user: 'carol', body: '/approve' }),
    );
    expectTimedOut(outcome);
    expect(discounted(outcome.decision)).toEqual([
      {
        login: 'carol',
        reason: 'participant',
        detail: `co-author of commit ${scene.head.slice(0, 12)}`,
        source: 'issue-comment',
      },
    ]);
  });

  it('discounts the actor who re-ran the workflow (GITHUB_TRIGGERING_ACTOR, participant)', async () => {
    // alice's run, re-run by bob: GITHUB_ACTOR stays alice, the triggering actor is bob.
    const scene = stage(fake, 're-run');
    const outcome = await deploy(
      fake,
      scene,
      (n) => fake.state.addComment(REPO, n, { user: 'bob', body: '/approve' }),
      { GITHUB_ACTOR: 'alice', GITHUB_TRIGGERING_ACTOR: 'bob' },
    );
    expectTimedOut(outcome);
    expect(discounted(outcome.decision)).toEqual([
      { login: 'bob', reason: 'participant', detail: 'the actor who triggered the run', source: 'issue-comment' },
    ]);
  });

  it('discounts an /approve comment edited after it was given (edited)', async () => {
    const scene = stage(fake, 'edited');
    let editedAt = '';
    const outcome = await deploy(fake, scene, (n) => {
      const comment = fake.state.addComment(REPO, n, { user: 'dave', body: '/approve' });
      editedAt = fake.state.editComment(REPO, comment.id, '/approve with a reason added later').updated_at;
    });
    expectTimedOut(outcome);
    expect(discounted(outcome.decision)).toEqual([
      {
        login: 'dave',
        reason: 'edited',
        detail: `edited at ${new Date(editedAt).toISOString()}, after it was given`,
        source: 'issue-comment',
      },
    ]);
  });

  it('discounts a read-only collaborator (permission)', async () => {
    const scene = stage(fake, 'read-only');
    const outcome = await deploy(fake, scene, (n) =>
      fake.state.addComment(REPO, n, { user: 'erin', body: '/approve' }),
    );
    expectTimedOut(outcome);
    expect(discounted(outcome.decision)).toEqual([
      { login: 'erin', reason: 'permission', detail: 'has read; write is required', source: 'issue-comment' },
    ]);
  });

  it("discounts a bot's approving review, even with write access (bot)", async () => {
    const scene = stage(fake, 'bot');
    const outcome = await deploy(fake, scene, () =>
      fake.state.addReview(REPO, scene.pull, { user: 'renovate[bot]', state: 'APPROVED' }),
    );
    expectTimedOut(outcome);
    expect(discounted(outcome.decision)).toEqual([
      { login: 'renovate[bot]', reason: 'bot', detail: 'bot accounts may not approve', source: 'pull-request-review' },
    ]);
  });

  it('discounts an APPROVED review given on an older commit of the pull request (stale)', async () => {
    const scene = stage(fake, 'stale', {
      commits: [
        { message: 'First', author: ALICE, files: [{ filename: 'src/a.ts', content: 'a\n' }] },
        { message: 'Second', author: ALICE, files: [{ filename: 'src/b.ts', content: 'b\n' }] },
      ],
    });
    const older = fake.state.repo(REPO).pulls[scene.pull]?.commits[0] ?? '';
    expect(older).not.toBe(scene.head);
    const outcome = await deploy(fake, scene, () =>
      fake.state.addReview(REPO, scene.pull, { user: 'bob', state: 'APPROVED', commit_id: older }),
    );
    expectTimedOut(outcome);
    expect(discounted(outcome.decision)).toEqual([
      {
        login: 'bob',
        reason: 'stale',
        detail: `it is for ${older.slice(0, 12)}, the head is ${scene.head.slice(0, 12)}`,
        source: 'pull-request-review',
      },
    ]);
  });

  it('ignores a DISMISSED review: neither counted nor discounted', async () => {
    const scene = stage(fake, 'dismissed');
    const outcome = await deploy(fake, scene, () =>
      fake.state.addReview(REPO, scene.pull, { user: 'bob', state: 'DISMISSED' }),
    );
    expectTimedOut(outcome);
    expect(outcome.decision.counted).toEqual([]);
    expect(outcome.decision.discounted).toEqual([]);
    expect(outcome.decision.missing.approvals).toBe(1);
    // The review was there to be read: the wait step did ask for the pull request's reviews.
    expect(
      fake.requests.some((r) => r.method === 'GET' && r.path.startsWith(`/repos/${REPO}/pulls/${scene.pull}/reviews`)),
    ).toBe(true);
  });
});

describe.concurrent('a role filled by a GitHub team', () => {
  let fake: FakeGitHub;
  beforeAll(async () => {
    fake = await startFakeGitHub();
    stage(fake, 'teams-setup', { policy: TEAM_POLICY });
    fake.state.addTeam('acme', 'sre', ['dave']);
    fake.state.addToken(NO_TEAMS_TOKEN, 'github-actions[bot]', 'forbidden');
  });
  afterAll(() => fake.close());

  it('does not fill the role with an approver outside the team', async () => {
    const scene = stage(fake, 'team-outsider');
    const outcome = await deploy(fake, scene, (n) => fake.state.addComment(REPO, n, { user: 'bob', body: '/approve' }));
    expect(outcome.run.code).toBe(1);
    expect(outcome.run.outputs['status']).toBe('timed-out');
    expect(outcome.decision.status).toBe('pending');
    expect(outcome.decision.counted).toEqual([expect.objectContaining({ login: 'bob', roles: [] })]);
    expect(outcome.decision.missing).toEqual({ approvals: 0, roles: [{ role: 'sre', count: 1 }] });
    expect(outcome.decision.notes).toEqual([]);
  });

  it('fills the role with a member of the team', async () => {
    const scene = stage(fake, 'team-member');
    const outcome = await deploy(fake, scene, (n) =>
      fake.state.addComment(REPO, n, { user: 'dave', body: '/approve' }),
    );
    expect(errorLines(outcome.run.stdout)).toEqual([]);
    expect(outcome.run.code).toBe(0);
    expect(outcome.run.outputs).toMatchObject({ status: 'approved', approvers: 'dave' });
    expect(outcome.decision.counted).toEqual([expect.objectContaining({ login: 'dave', roles: ['sre'] })]);
    expect(outcome.decision.missing).toEqual({ approvals: 0, roles: [] });
  });

  it('keeps a member pending, with a note naming the permission, when the token may not read teams', async () => {
    const scene = stage(fake, 'team-forbidden');
    const outcome = await deploy(
      fake,
      scene,
      (n) => fake.state.addComment(REPO, n, { user: 'dave', body: '/approve' }),
      { 'INPUT_GITHUB-TOKEN': NO_TEAMS_TOKEN },
    );
    expect(outcome.run.code).toBe(1);
    expect(outcome.run.outputs['status']).toBe('timed-out');
    expect(outcome.decision.status).toBe('pending');
    expect(outcome.decision.counted).toEqual([expect.objectContaining({ login: 'dave', roles: [] })]);
    expect(outcome.decision.missing.roles).toEqual([{ role: 'sre', count: 1 }]);
    const notes = outcome.decision.notes.join('\n');
    expect(notes).toMatch(/Membership of @acme\/sre could not be read \(HTTP 403\)/);
    expect(notes).toMatch(/"Members: read"/);
    expect(notes).toMatch(/members=read/);
    const shown = outcome.run.everything.split('\n').filter((line) => line !== `::add-mask::${NO_TEAMS_TOKEN}`);
    expect(shown.join('\n')).not.toContain(NO_TEAMS_TOKEN);
  });
});

/** The same as helpers' POLICY, with a freeze in force at any time of any day, for medium risk. */
const FROZEN_POLICY = `${POLICY}freezes:
  - id: always
    start: '* * * * *'
    end: '0 0 1 1 *'
    timezone: UTC
    blocks: [medium, high, critical]
`;

describe('a freeze in force', () => {
  let fake: FakeGitHub;
  beforeAll(async () => {
    fake = await startFakeGitHub();
  });
  afterAll(() => fake.close());

  it('asks nobody, and the wait ends frozen with no approval accepted, saying so', async () => {
    const scene = stage(fake, 'frozen', { policy: FROZEN_POLICY });
    // An approval that would count on any other day.
    fake.state.addReview(REPO, scene.pull, { user: 'dave', state: 'APPROVED' });
    const request = await runAction('request-approval', await runnerEnv(fake, scene, { environment: 'production' }));
    expect(request.code).toBe(1);
    expect(request.outputs).toMatchObject({ status: 'frozen', 'request-id': '' });
    expect(errorLines(request.stdout).join('\n')).toMatch(/production is frozen for medium-risk changes/);
    expect(Object.values(fake.state.repo(REPO).issues).filter((i) => i.labels.includes('countersign'))).toEqual([]);

    // A workflow that runs the wait anyway (no `if:` on the request's status) is refused as well.
    const run = await runAction(
      'wait-for-approval',
      await runnerEnv(fake, scene, { environment: 'production', 'request-id': '', timeout: '5s' }),
    );
    const decision = JSON.parse(await readFile(run.outputs['decision-file'] ?? '', 'utf8')) as Decision;
    expect(run.code).toBe(1);
    expect(run.outputs['status']).toBe('frozen');
    expect(run.outputs['approvers']).toBe('');
    expect(errorLines(run.stdout).join('\n')).toMatch(/production is frozen for medium-risk changes/);
    expect(decision.status).toBe('frozen');
    expect(decision.classification.frozen).toBe(true);
    expect(run.summary).toMatch(/frozen/i);
  });
});

describe.concurrent('rejections, time-outs and re-runs', () => {
  let fake: FakeGitHub;
  beforeAll(async () => {
    fake = await startFakeGitHub();
  });
  afterAll(() => fake.close());

  it.for([
    { failOnRejection: 'true', code: 1 },
    { failOnRejection: 'false', code: 0 },
  ])('a /reject with fail-on-rejection $failOnRejection ends rejected, exit code $code', async (c) => {
    const scene = stage(fake, `reject-${c.failOnRejection}`);
    const outcome = await deploy(
      fake,
      scene,
      (n) => {
        fake.state.addComment(REPO, n, { user: 'bob', body: '/reject not during the sale' });
        fake.state.addComment(REPO, n, { user: 'dave', body: '/approve' });
      },
      { 'INPUT_FAIL-ON-REJECTION': c.failOnRejection },
    );
    expect(outcome.run.code).toBe(c.code);
    expect(outcome.run.outputs['status']).toBe('rejected');
    // A rejection is final whatever else was said: dave's approval does not carry the change.
    expect(outcome.decision.status).toBe('rejected');
    expect(outcome.decision.rejected_by).toEqual(['bob']);
    const errors = errorLines(outcome.run.stdout).join('\n');
    if (c.failOnRejection === 'true') expect(errors).toMatch(/rejected by bob/);
    else expect(errors).toBe('');
    const issue = fake.state.repo(REPO).issues[outcome.number];
    expect(issue).toMatchObject({ state: 'closed', state_reason: 'not_planned' });
    expect(issue?.body).toMatch(/Rejected by:\*\* bob/);
  });

  it('times out when nobody acts, closing the request as not planned', async () => {
    const scene = stage(fake, 'nobody');
    const outcome = await deploy(fake, scene, () => undefined);
    expectTimedOut(outcome);
    expect(outcome.decision.discounted).toEqual([]);
    expect(outcome.run.summary).toMatch(/Timed out/);
    expect(fake.state.repo(REPO).issues[outcome.number]).toMatchObject({
      state: 'closed',
      state_reason: 'not_planned',
    });
  });

  it('a re-run after a time-out finds the same issue, reopens it, and counts an approval given since', async () => {
    const scene = stage(fake, 'rerun-after-timeout');
    const first = await deploy(fake, scene, () => undefined);
    expectTimedOut(first);
    const number = first.number;
    expect(fake.state.repo(REPO).issues[number]).toMatchObject({ state: 'closed', state_reason: 'not_planned' });

    // Someone approves on the closed request, then the workflow is re-run (same head, same environment).
    fake.state.addComment(REPO, number, { user: 'bob', body: '/approve sorry, was away' });
    const request = await runAction('request-approval', await runnerEnv(fake, scene, { environment: 'production' }));
    expect(errorLines(request.stdout)).toEqual([]);
    expect(request.outputs).toMatchObject({ status: 'pending', 'request-id': String(number) });
    expect(request.summary).toMatch(/opened by an earlier attempt/);
    const run = await runAction(
      'wait-for-approval',
      await runnerEnv(fake, scene, {
        environment: 'production',
        'request-id': String(number),
        timeout: '5s',
        'poll-interval': '200ms',
      }),
    );

    expect(errorLines(run.stdout)).toEqual([]);
    expect(run.outputs).toMatchObject({ status: 'approved', approvers: 'bob' });
    const forHead = Object.values(fake.state.repo(REPO).issues).filter((i) => i.body?.includes(scene.head));
    expect(forHead.map((i) => i.number)).toEqual([number]);
    expect(fake.state.repo(REPO).issues[number]).toMatchObject({ state: 'closed', state_reason: 'completed' });
    const decisions = (fake.state.repo(REPO).comments[number] ?? [])
      .map((c) => /^<!-- countersign:decision v1 status=(\w+) -->/.exec(c.body)?.[1])
      .filter((status) => status !== undefined);
    expect(decisions).toEqual(['pending', 'approved']);
  });

  it('a re-run after a time-out with nobody acting reopens the issue while it waits, then closes it again', async () => {
    const scene = stage(fake, 'rerun-nobody');
    const first = await deploy(fake, scene, () => undefined);
    expectTimedOut(first);
    const from = fake.requests.length;
    const second = await deploy(fake, scene, () => undefined);
    expectTimedOut(second);
    expect(second.number).toBe(first.number);
    expect(second.run.stdout).toMatch(
      new RegExp(`Request #${first.number} was closed by an earlier attempt; reopened it`),
    );
    const states = fake.requests
      .slice(from)
      .filter((r) => r.method === 'PATCH' && r.path === `/repos/${REPO}/issues/${first.number}`)
      .map((r) => (r.body as { state?: string }).state)
      .filter((state) => state !== undefined);
    expect(states).toEqual(['open', 'closed']);
    expect(fake.state.repo(REPO).issues[first.number]).toMatchObject({ state: 'closed', state_reason: 'not_planned' });
  });
});
