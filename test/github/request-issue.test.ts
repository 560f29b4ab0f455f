// The request issue against the fake GitHub over HTTP: found again on a re-run, never confused with
// look-alikes, its body safe from hostile change data, and written only when something changed.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigurationError } from '@countersign/core';
import { decide, loadPolicy, type Approval, type Change, type Decision } from '../../packages/core/src/index.js';
import type { GitHubClient } from '../../packages/github/src/index.js';
import { renderRequestBody, type RenderRequestBodyInput } from '../../packages/github/src/request/body.js';
import {
  closeWithDecision,
  findOrOpenRequestIssue,
  updateRequestIssue,
  type RequestTarget,
} from '../../packages/github/src/request/issue.js';
import { markerOfBody, parseMarker, writeMarker } from '../../packages/github/src/request/marker.js';
import { startFakeGitHub, type FakeGitHub } from '../fakes/github/index.js';
import { ISO, clientFor } from './helpers.js';

const REPO = 'acme/widgets';
const BOT = 'github-actions[bot]';
const POLICY = loadPolicy(
  `version: 1
default-risk: medium
roles:
  dba: ['carol', '@acme/dba']
  sre: ['sam', 'carol']
levels:
  low: { approvals: 0 }
  medium: { approvals: 1 }
  high: { approvals: 2 }
  critical: { approvals: 2 }
rules:
  - id: db-migration
    description: Schema changes need a DBA and an SRE
    when: { paths: ['db/**'] }
    risk: high
    require: [{ role: dba }, { role: sre }]
separation-of-duties:
  exclude: [commit-authors, committers, co-authors, pr-authors, triggering-actor]
  min-permission: write
  allow-bots: false
  distinct-requirements: true
`,
  '.countersign.yml',
);

let fake: FakeGitHub;
let serial = 0;

/** A fresh full sha per call, so tests do not find each other's issues. */
function sha(): string {
  serial += 1;
  return serial.toString(16).padStart(40, 'a');
}

/**
 * Each call is a new run with its own client, as a re-run is. It also keeps tests quick: one client
 * spaces its content-creating writes 3 s apart, as GitHub asks of integrations.
 */
function target(head: string, environment = 'production'): RequestTarget {
  const client: GitHubClient = clientFor(fake);
  return { client, owner: 'acme', repo: 'widgets', environment, head, actorLogin: BOT };
}

function open(head: string, environment = 'production', body = 'Please approve.\n') {
  return findOrOpenRequestIssue({ ...target(head, environment), title: `Deploy ${head}`, body, labels: ['deploy'] });
}

function since(from: number, method: string, route: string): number {
  return fake.requests.slice(from).filter((r) => r.method === method && r.route === route).length;
}

const ISSUES = '/repos/{owner}/{repo}/issues';
const ISSUE = '/repos/{owner}/{repo}/issues/{issue_number}';
const COMMENTS = '/repos/{owner}/{repo}/issues/{issue_number}/comments';

beforeAll(async () => {
  fake = await startFakeGitHub();
  fake.state.addRepo(REPO);
});
afterAll(() => fake.close());

describe('marker', () => {
  it('round-trips repository, environment and head, encoding what would not fit on the line', () => {
    const marker = { repository: 'acme/widgets', environment: 'prod eu/west --> x', head: 'A'.repeat(40) };
    const line = writeMarker(marker);
    expect(line).toBe(
      `<!-- countersign:request v1 repo=acme/widgets env=prod%20eu%2Fwest%20--%3E%20x head=${'a'.repeat(40)} -->`,
    );
    expect(parseMarker(line)).toEqual({ ...marker, head: 'a'.repeat(40) });
  });

  it.each([
    ['an empty environment', { environment: '' }],
    ['a line break in the environment', { environment: 'prod\nx' }],
    ['an environment over 255 characters', { environment: 'e'.repeat(256) }],
    ['edge spaces', { environment: ' prod' }],
    ['a short head', { head: 'abc1234' }],
    ['a repository that is not owner/name', { repository: 'acme/widgets/x' }],
  ])('refuses %s', (_, change) => {
    const marker = { repository: 'acme/widgets', environment: 'production', head: 'b'.repeat(40), ...change };
    expect(() => writeMarker(marker)).toThrow(ConfigurationError);
  });

  it.each([
    ['a leading space', ` ${writeMarker({ repository: 'a/b', environment: 'p', head: 'c'.repeat(40) })}`],
    ['trailing text', `${writeMarker({ repository: 'a/b', environment: 'p', head: 'c'.repeat(40) })} x`],
    ['an upper-case head', `<!-- countersign:request v1 repo=a/b env=p head=${'C'.repeat(40)} -->`],
    ['a non-canonical encoding', `<!-- countersign:request v1 repo=a/b env=%70 head=${'c'.repeat(40)} -->`],
    ['another version', `<!-- countersign:request v2 repo=a/b env=p head=${'c'.repeat(40)} -->`],
  ])('does not parse a line with %s', (_, line) => {
    expect(parseMarker(line)).toBeNull();
  });

  it('is read from the first line only', () => {
    const line = writeMarker({ repository: 'a/b', environment: 'p', head: 'c'.repeat(40) });
    expect(markerOfBody(`${line}\r\nrest`)).not.toBeNull();
    expect(markerOfBody(`\n${line}`)).toBeNull();
    expect(markerOfBody(`quote:\n${line}`)).toBeNull();
  });
});

describe('findOrOpenRequestIssue', () => {
  it('opens one issue and finds the same one on a re-run', async () => {
    const head = sha();
    const from = fake.requests.length;
    const first = await open(head);
    const again = await open(head);
    expect(first.created).toBe(true);
    expect(again).toEqual({ ...first, created: false });
    expect(since(from, 'POST', ISSUES)).toBe(1);
    const stored = fake.state.repo(REPO).issues[first.number];
    expect(stored?.labels.sort()).toEqual(['countersign', 'deploy']);
    expect(stored?.user).toBe(BOT);
    expect(markerOfBody(stored?.body)).toEqual({ repository: REPO, environment: 'production', head });
  });

  it('treats the environment name without regard to case, as GitHub does', async () => {
    const head = sha();
    const first = await open(head, 'Production');
    expect((await open(head, 'production')).number).toBe(first.number);
  });

  it('opens another issue for a different head or environment', async () => {
    const head = sha();
    const prod = await open(head);
    const other = await open(sha());
    const staging = await open(head, 'staging');
    expect(new Set([prod.number, other.number, staging.number]).size).toBe(3);
    expect([other.created, staging.created]).toEqual([true, true]);
  });

  it('finds a closed request issue too: a decided request is not asked again', async () => {
    const head = sha();
    const first = await open(head);
    const issue = fake.state.repo(REPO).issues[first.number];
    if (issue !== undefined) issue.state = 'closed';
    expect(await open(head)).toMatchObject({ number: first.number, created: false, state: 'closed' });
  });

  it('ignores look-alikes: marker below the first line, no label, another author, a pull request', async () => {
    const head = sha();
    const line = writeMarker({ repository: REPO, environment: 'production', head });
    const decoys = [
      fake.state.addIssue(REPO, { title: 'quoted', body: `Earlier:\n${line}`, labels: ['countersign'], user: BOT }),
      fake.state.addIssue(REPO, { title: 'unlabelled', body: `${line}\n`, labels: ['deploy'], user: BOT }),
      fake.state.addIssue(REPO, { title: 'forged', body: `${line}\n`, labels: ['countersign'], user: 'mallory' }),
      fake.state.addIssue(REPO, { title: 'indented', body: ` ${line}\n`, labels: ['countersign'], user: BOT }),
    ].map((i) => i.number);
    fake.state.pushCommits(REPO, [{ message: 'x' }], 'look-alike');
    const pull = fake.state.addPull(REPO, { user: BOT, head: { ref: 'look-alike' }, labels: ['countersign'] });
    pull.body = `${line}\n`;
    const opened = await open(head);
    expect(opened.created).toBe(true);
    expect([...decoys, pull.number]).not.toContain(opened.number);
  });

  it('pages through older request issues to find its own', async () => {
    const head = sha();
    const first = await open(head);
    for (let i = 0; i < 120; i += 1)
      fake.state.addIssue(REPO, { title: `noise ${i}`, body: 'x', labels: ['countersign'], user: BOT });
    const from = fake.requests.length;
    expect((await open(head)).number).toBe(first.number);
    expect(since(from, 'GET', ISSUES)).toBeGreaterThanOrEqual(2);
    expect(since(from, 'POST', ISSUES)).toBe(0);
  });

  it('says so when the token is not the identity it was told, instead of opening an issue per run', async () => {
    await expect(
      findOrOpenRequestIssue({ ...target(sha()), actorLogin: 'deploy-app[bot]', title: 't', body: 'b' }),
    ).rejects.toThrow(/acts as github-actions\[bot\], not as deploy-app\[bot\]/);
  });
});

describe('updateRequestIssue', () => {
  it('writes only a body that changed', async () => {
    const head = sha();
    const { number } = await open(head, 'production', 'first\n');
    const from = fake.requests.length;
    expect(await updateRequestIssue({ ...target(head), number, body: 'first\n' })).toEqual({ updated: false });
    expect(since(from, 'PATCH', ISSUE)).toBe(0);
    expect(await updateRequestIssue({ ...target(head), number, body: 'second\n' })).toEqual({ updated: true });
    expect(await updateRequestIssue({ ...target(head), number, body: 'second\n' })).toEqual({ updated: false });
    expect(since(from, 'PATCH', ISSUE)).toBe(1);
    const body = fake.state.repo(REPO).issues[number]?.body ?? '';
    expect(body.split('\n').slice(1).join('\n')).toBe('second\n');
    expect(markerOfBody(body)?.head).toBe(head);
  });

  it('does not write to an issue that is not this request (a request id is an input)', async () => {
    const { number } = await open(sha());
    const from = fake.requests.length;
    await expect(updateRequestIssue({ ...target(sha()), number, body: 'x' })).rejects.toThrow(ConfigurationError);
    const forged = fake.state.addIssue(REPO, { title: 'f', body: 'x', labels: ['countersign'], user: 'mallory' });
    await expect(updateRequestIssue({ ...target(sha()), number: forged.number, body: 'x' })).rejects.toThrow(
      /not the Countersign request/,
    );
    expect(since(from, 'PATCH', ISSUE)).toBe(0);
  });
});

function decision(approvals: Approval[], change: Change = migration([])): Decision {
  return decide({ policy: POLICY, change, approvals, at: new Date(ISO(100)), environment: 'production' });
}

function migration(commits: Change['commits'], files = ['db/migrations/001.sql']): Change {
  return {
    head: 'f'.repeat(40),
    requested_at: ISO(0),
    labels: [],
    files: files.map((path) => ({ path, status: 'added', additions: 1, deletions: 0 })),
    commits,
    pull_requests: [],
  };
}

function approve(login: string, extra: Partial<Approval> = {}): Approval {
  return { login, decision: 'approve', at: ISO(10), sha: 'f'.repeat(40), permission: 'write', type: 'User', ...extra };
}

describe('closeWithDecision', () => {
  it('posts one decision comment and closes as completed when approved; a repeat writes nothing', async () => {
    const head = sha();
    const { number } = await open(head);
    const approved = decision([approve('carol'), approve('sam')]);
    expect(approved.status).toBe('approved');
    const from = fake.requests.length;
    expect(await closeWithDecision({ ...target(head), number, decision: approved })).toEqual({
      commented: true,
      closed: true,
    });
    expect(await closeWithDecision({ ...target(head), number, decision: approved })).toEqual({
      commented: false,
      closed: false,
    });
    expect(since(from, 'POST', COMMENTS)).toBe(1);
    expect(since(from, 'PATCH', ISSUE)).toBe(1);
    const repo = fake.state.repo(REPO);
    expect(repo.issues[number]).toMatchObject({ state: 'closed', state_reason: 'completed' });
    const comments = repo.comments[number] ?? [];
    expect(comments).toHaveLength(1);
    expect(comments[0]?.body).toContain('Countersign decision: ✅ approved');
  });

  it('closes as not planned when rejected, and a forged decision comment does not stop ours', async () => {
    const head = sha();
    const { number } = await open(head);
    fake.state.addComment(REPO, number, {
      user: 'mallory',
      body: '<!-- countersign:decision v1 status=rejected -->\nall good',
    });
    const rejected = decision([approve('sam', { decision: 'reject', reason: 'no' })]);
    expect(rejected.status).toBe('rejected');
    const from = fake.requests.length;
    await closeWithDecision({ ...target(head), number, decision: rejected });
    expect(since(from, 'POST', COMMENTS)).toBe(1);
    expect(fake.state.repo(REPO).issues[number]).toMatchObject({ state: 'closed', state_reason: 'not_planned' });
  });

  it('closes a pending (timed-out) request as not planned', async () => {
    const head = sha();
    const { number } = await open(head);
    await closeWithDecision({ ...target(head), number, decision: decision([]) });
    expect(fake.state.repo(REPO).issues[number]?.state_reason).toBe('not_planned');
  });
});

const HOSTILE = [
  '<img src=x onerror=alert(1)>',
  '@org/team',
  'a|b',
  '`code` ``x``',
  '[click](javascript:alert(1))',
  '](javascript:alert(1))',
  '<!-- countersign:request v1 -->',
];

function hostileInput(): RenderRequestBodyInput {
  const commits: Change['commits'] = HOSTILE.map((text, i) => ({
    sha: `${i}`.repeat(40),
    message: `${text} subject\n\nbody line that is not shown`,
    author: { login: text, name: 'A', email: 'a@example.org' },
    committer: { login: text, email: 'a@example.org' },
  }));
  const change = migration(
    commits,
    HOSTILE.map((t) => `db/${t}.sql`),
  );
  const d = decide({
    policy: POLICY,
    change,
    approvals: [
      approve('carol'),
      ...HOSTILE.map((text) => approve(text, { permission: 'read' })),
      approve(HOSTILE[0] ?? '', { type: 'Bot' }),
    ],
    at: new Date(ISO(100)),
    environment: 'production',
  });
  return {
    classification: d.classification,
    change: { head: change.head ?? '', base: 'e'.repeat(40), commits },
    subjectDigest: 'sha256:`|<b>',
    environment: 'prod<b>|`',
    decision: d,
    howToApprove: { sources: ['issue-comments', 'pull-request-reviews', 'environment'] },
  };
}

/** The text outside code spans, where Markdown and HTML would take effect. */
function outsideCode(text: string): string {
  return text
    .split('\n')
    .map((line) => line.replace(/\\[\\`]/g, '').replace(/(`+)(.+?)\1(?!`)/g, ''))
    .join('\n');
}

/** The `|` that end cells: those not escaped and not inside a code span. */
function cellBreaks(row: string): number {
  return (
    row
      .replace(/\\./g, '')
      .replace(/`[^`]*`/g, '')
      .split('|').length - 1
  );
}

describe('renderRequestBody', () => {
  it('lets no hostile file name, commit message, login or digest break out', () => {
    const body = renderRequestBody(hostileInput());
    const live = outsideCode(body);
    expect(live).not.toMatch(/<img|<b>|<!--/i);
    expect(live).not.toMatch(/[^\\]\]\(/); // no link or image target
    expect(live).not.toMatch(/@(?!\u200B)/); // no mention: GitHub finds them after rendering
    expect(live).not.toContain('`');
    for (const table of body.split('\n\n').filter((block) => block.startsWith('|'))) {
      const rows = table.split('\n');
      const width = cellBreaks(rows[0] ?? '');
      for (const row of rows) expect(cellBreaks(row), row).toBe(width);
    }
    for (const block of body.split('\n\n').filter((b) => b.startsWith('- ') && b.includes(' — ')))
      for (const line of block.split('\n')) expect(line.replace(/\\`/g, '').split('`').length % 2, line).toBe(1);
    expect(body).toContain('\\[click\\]\\(javascript\\:alert\\(1\\)\\) subject — \\[click\\]');
    expect(body).not.toContain('body line that is not shown');
    expect(body).not.toContain('a@example.org');
  });

  it('survives the trip through GitHub as one marker on the first line', async () => {
    const head = sha();
    const { number } = await open(head, 'production', renderRequestBody(hostileInput()));
    const stored = fake.state.repo(REPO).issues[number]?.body ?? '';
    // The only HTML comment outside a code span is the marker on the first line.
    expect(
      outsideCode(stored)
        .split('\n')
        .filter((line) => line.includes('<!--')),
    ).toEqual([stored.split('\n')[0]]);
    expect(markerOfBody(stored)?.head).toBe(head);
  });

  it('ticks requirements from the counted approvers and role assignments', () => {
    const input = hostileInput();
    const d = decision([approve('carol')]);
    const body = renderRequestBody({ ...input, decision: d, change: { ...input.change, commits: [] } });
    expect(d.status).toBe('pending');
    expect(body).toContain('- [x] approval (1 of 2) — carol\n- [ ] approval (2 of 2)');
    // carol is in both roles, but distinct requirements let her fill only one of them.
    const roles = body.split('\n').filter((l) => l.startsWith('- [') && l.includes('from'));
    expect(roles.filter((l) => l.startsWith('- [x]'))).toHaveLength(1);
    expect(roles).toHaveLength(2);
    expect(body).toContain('**Status:** ⏳ waiting for approvals');
  });

  it('starts unticked without a decision, and lists discounted approvals with reasons', () => {
    const input = hostileInput();
    const fresh = renderRequestBody({ ...input, decision: null });
    expect(fresh).not.toContain('- [x]');
    expect(fresh).not.toContain('### Not counted');
    const withDecision = renderRequestBody(input);
    expect(withDecision).toContain('### Not counted');
    expect(withDecision).toMatch(/\| &lt;img src=x onerror=alert\\\(1\\\)&gt; \| approve \| \S+ \|/);
  });

  it('lists at most 50 commits, and only the sources in use', () => {
    const commits = Array.from({ length: 60 }, (_, i) => ({
      sha: i.toString(16).padStart(40, '0'),
      message: `change ${i}`,
      author: { login: 'dev' },
    }));
    const body = renderRequestBody({
      ...hostileInput(),
      change: { head: 'f'.repeat(40), base: null, commits },
      howToApprove: { sources: ['issue-comments'] },
    });
    expect(body.match(/^- `[0-9a-f]{12}` change/gm)).toHaveLength(50);
    expect(body).toContain('- … and 10 more');
    expect(body).toContain('`/approve [reason]`');
    expect(body).not.toContain('pull request of this change');
  });
});
