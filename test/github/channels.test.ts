// The three approval channels read from the fake over HTTP, and what the core then makes of them.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decide, loadPolicy, type Approval, type Change } from '../../packages/core/src/index.js';
import {
  parseCommand,
  readEnvironmentApprovals,
  readIssueCommentApprovals,
  readReviewApprovals,
  type GitHubClient,
} from '../../packages/github/src/index.js';
import { startFakeGitHub, type FakeGitHub } from '../fakes/github/index.js';
import { ISO, clientFor } from './helpers.js';

const REPO = 'acme/widgets';
const target = { owner: 'acme', repo: 'widgets' };
let fake: FakeGitHub;
let client: GitHubClient;
let head: string;
let older: string;
let pull: number;
let issue: number;

beforeAll(async () => {
  fake = await startFakeGitHub();
  client = clientFor(fake);
  const state = fake.state;
  state.addRepo(REPO);
  state.addUser('deploy-bot[bot]', { type: 'Bot' });
  const [first, second] = state.pushCommits(REPO, [{ message: 'one' }, { message: 'two' }], 'feature');
  older = first?.sha ?? '';
  head = second?.sha ?? '';
  pull = state.addPull(REPO, { user: 'paula', head: { ref: 'feature' }, commits: [older, head] }).number;
  issue = state.addIssue(REPO, { title: 'Approve deployment', created_at: ISO(0) }).number;
});
afterAll(() => fake.close());

describe('parseCommand', () => {
  it.each([
    ['/approve', { kind: 'decision', decision: 'approve', reason: null }],
    ['/APPROVE  ship it  \nmore text', { kind: 'decision', decision: 'approve', reason: 'ship it' }],
    ['/approve\t\r\nsecond line', { kind: 'decision', decision: 'approve', reason: null }],
    ['/Reject breaks the API', { kind: 'decision', decision: 'reject', reason: 'breaks the API' }],
    ['/reject', { kind: 'invalid', problem: '`/reject` needs a reason on the same line' }],
    ['/reject   ', { kind: 'invalid', problem: '`/reject` needs a reason on the same line' }],
    ['/reject\nthe reason, too late', { kind: 'invalid', problem: '`/reject` needs a reason on the same line' }],
  ])('%j', (body, expected) => {
    expect(parseCommand(body)).toEqual(expected);
  });

  it.each(['', 'LGTM', 'lgtm\n/approve', ' /approve', '/approved', '/approve:', '> /approve', '`/approve`'])(
    'ignores %j',
    (body) => {
      expect(parseCommand(body)).toBeNull();
    },
  );

  it('keeps regex-looking and markup reasons as plain data', () => {
    expect(parseCommand('/approve (a+)+$ <script>')).toEqual({
      kind: 'decision',
      decision: 'approve',
      reason: '(a+)+$ <script>',
    });
  });
});

describe('issue comments', () => {
  let result: Awaited<ReturnType<typeof readIssueCommentApprovals>>;
  let edited: number;

  beforeAll(async () => {
    const s = fake.state;
    // Filler before the commands, so they sit on the second page.
    for (let i = 0; i < 105; i += 1)
      s.addComment(REPO, issue, { user: 'chatty', body: `note ${i}`, created_at: ISO(1) });
    s.addComment(REPO, issue, { user: 'early', body: '/approve', created_at: ISO(-60) });
    s.addComment(REPO, issue, { user: 'alice', body: '/approve looks good', created_at: ISO(10) });
    edited = s.addComment(REPO, issue, { user: 'bob', body: '/approve', created_at: ISO(20) }).id;
    s.editComment(REPO, edited, '/approve (edited to add this)', ISO(80));
    s.addComment(REPO, issue, { user: 'carol', body: '/reject', created_at: ISO(30) });
    s.addComment(REPO, issue, { user: 'dave', body: '/REJECT not during the sale  ', created_at: ISO(40) });
    s.addComment(REPO, issue, { user: 'deploy-bot[bot]', body: '/approve', created_at: ISO(50) });
    s.addComment(REPO, issue, { user: 'erin', body: 'Looks fine to me\n/approve', created_at: ISO(60) });
    result = await readIssueCommentApprovals({ client, ...target, issueNumber: issue, head });
  });

  it('reads commands from every page and ignores everything else', () => {
    expect(result.approvals.map((a) => [a.login, a.decision])).toEqual([
      ['early', 'approve'],
      ['alice', 'approve'],
      ['bob', 'approve'],
      ['dave', 'reject'],
      ['deploy-bot[bot]', 'approve'],
    ]);
  });

  it('gives the approval shape: time, head, source, link, reason', () => {
    const alice = result.approvals.find((a) => a.login === 'alice');
    expect(alice).toMatchObject({
      type: 'User',
      decision: 'approve',
      at: ISO(10),
      edited_at: null,
      sha: head,
      source: 'issue-comment',
      reason: 'looks good',
    });
    expect(alice?.url).toMatch(/^https:\/\/github\.com\/acme\/widgets\/issues\/\d+#issuecomment-\d+$/);
    expect(result.approvals.find((a) => a.login === 'dave')?.reason).toBe('not during the sale');
  });

  it('marks an edited comment with its edit time', () => {
    const bob = result.approvals.find((a) => a.login === 'bob');
    expect(bob).toMatchObject({ at: ISO(20), edited_at: ISO(80), reason: '(edited to add this)' });
  });

  it('returns a comment from before the request with its own time', () => {
    expect(result.approvals.find((a) => a.login === 'early')?.at).toBe(ISO(-60));
  });

  it("takes the account type from the comment's author", () => {
    expect(result.approvals.find((a) => a.login === 'deploy-bot[bot]')?.type).toBe('Bot');
  });

  it('notes a reject without a reason instead of counting it', () => {
    expect(result.notes).toHaveLength(1);
    expect(result.notes[0]).toMatch(
      /^Ignored a comment by carol \(https:\/\/github\.com\/.+\): `\/reject` needs a reason/,
    );
  });
});

describe('pull request reviews', () => {
  let approvals: Approval[];

  beforeAll(async () => {
    const s = fake.state;
    s.addUser('renovate[bot]', { type: 'Bot' });
    s.addReview(REPO, pull, { user: 'rita', state: 'APPROVED', submitted_at: ISO(100) });
    s.addReview(REPO, pull, { user: 'sam', state: 'CHANGES_REQUESTED', body: 'needs a test', submitted_at: ISO(110) });
    s.addReview(REPO, pull, { user: 'tom', state: 'COMMENTED', submitted_at: ISO(120) });
    s.addReview(REPO, pull, { user: 'uma', state: 'DISMISSED', submitted_at: ISO(130) });
    s.addReview(REPO, pull, { user: 'vic', state: 'PENDING' });
    s.addReview(REPO, pull, { user: 'wes', state: 'APPROVED', commit_id: older, submitted_at: ISO(140) });
    s.addReview(REPO, pull, { user: 'renovate[bot]', state: 'APPROVED', submitted_at: ISO(150) });
    // The same pull request named twice is read once.
    approvals = (await readReviewApprovals({ client, ...target, pullNumbers: [pull, pull] })).approvals;
  });

  it('turns APPROVED and CHANGES_REQUESTED into decisions and ignores the rest, dismissed included', () => {
    expect(approvals.map((a) => [a.login, a.decision])).toEqual([
      ['rita', 'approve'],
      ['sam', 'reject'],
      ['wes', 'approve'],
      ['renovate[bot]', 'approve'],
    ]);
  });

  it("binds each review to its commit, so an older head's review keeps that commit", () => {
    expect(approvals.find((a) => a.login === 'rita')).toMatchObject({
      sha: head,
      at: ISO(100),
      source: 'pull-request-review',
      type: 'User',
      edited_at: null,
    });
    expect(approvals.find((a) => a.login === 'wes')?.sha).toBe(older);
    expect(approvals.find((a) => a.login === 'sam')?.reason).toBe('needs a test');
    expect(approvals.find((a) => a.login === 'rita')?.url).toMatch(/\/pull\/\d+#pullrequestreview-\d+$/);
  });

  it("gives a bot's review the type Bot", () => {
    expect(approvals.find((a) => a.login === 'renovate[bot]')?.type).toBe('Bot');
  });
});

describe('environment approvals', () => {
  const RUN = 4242;

  beforeAll(() => {
    fake.state.setRunApprovals(REPO, RUN, [
      { environments: ['production'], state: 'approved', user: 'hank', comment: 'go' },
      { environments: ['staging'], state: 'approved', user: 'iris', comment: '' },
      { environments: ['staging', 'Production'], state: 'rejected', user: 'jane', comment: 'not today' },
      { environments: ['production'], state: 'pending', user: 'kim', comment: 'looking' },
    ]);
  });

  it('keeps only decisions for the environment, bound to the run head', async () => {
    const { approvals, notes } = await readEnvironmentApprovals({
      client,
      ...target,
      runId: RUN,
      environment: 'production',
      head,
      givenAfter: ISO(200),
    });
    expect(approvals).toEqual([
      expect.objectContaining({
        login: 'hank',
        decision: 'approve',
        sha: head,
        at: ISO(200),
        source: 'environment',
        reason: 'go',
      }),
      expect.objectContaining({ login: 'jane', decision: 'reject', sha: head, reason: 'not today' }),
    ]);
    expect(notes).toEqual([]);
  });

  it('says so when no time is known for them', async () => {
    const { approvals, notes } = await readEnvironmentApprovals({
      client,
      ...target,
      runId: RUN,
      environment: 'production',
      head,
    });
    expect(approvals.every((a) => a.at === null)).toBe(true);
    expect(notes[0]).toMatch(/no time for environment approvals/);
  });
});

describe('what the core makes of them', () => {
  it('discounts the early, edited, stale and bot approvals and counts the rest', async () => {
    const policy = loadPolicy(
      'version: 1\nlevels:\n  low: { approvals: 0 }\n  medium: { approvals: 3 }\n  high: { approvals: 3 }\n  critical: { approvals: 3 }\n',
      '.countersign.yml',
    );
    const comments = await readIssueCommentApprovals({ client, ...target, issueNumber: issue, head });
    const reviews = await readReviewApprovals({ client, ...target, pullNumbers: [pull] });
    const approvals = [...comments.approvals, ...reviews.approvals]
      .filter((a) => a.decision === 'approve')
      .map((a) => ({ ...a, permission: 'write' as const }));
    const change: Change = {
      head,
      requested_at: ISO(0),
      labels: [],
      files: [],
      commits: [],
      pull_requests: [{ number: pull, author: 'paula', labels: [] }],
    };
    const decision = decide({ policy, change, approvals, at: new Date(ISO(1000)) });
    const reasons: Record<string, string> = Object.fromEntries(
      decision.discounted.map((d): [string, string] => [d.login ?? '', d.reason]),
    );
    expect(reasons).toEqual({
      early: 'before-request',
      bob: 'edited',
      wes: 'stale',
      'deploy-bot[bot]': 'bot',
      'renovate[bot]': 'bot',
    });
    expect(decision.approvers.sort()).toEqual(['alice', 'rita']);
  });
});
