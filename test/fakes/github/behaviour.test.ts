// What the endpoints do with state: GitHub's limits on large comparisons, contents at a ref, issue
// filters and writes, look-ups, deployments. The contract test covers shapes; this covers meaning.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { COMPARE_MAX_COMMITS, COMPARE_MAX_FILES, startFakeGitHub, type FakeGitHub } from './index.js';

const REPO = 'acme/widgets';
const R = `/repos/${REPO}`;
let gh: FakeGitHub;

beforeEach(async () => {
  gh = await startFakeGitHub();
  gh.state.addRepo(REPO, { files: { '.countersign.yml': 'version: 1\n' } });
});

afterEach(async () => {
  await gh.close();
});

interface Answer<T> {
  status: number;
  json: T;
  headers: Headers;
}

async function api<T = Record<string, unknown>>(path: string, init: RequestInit = {}): Promise<Answer<T>> {
  const res = await fetch(`${gh.url}${path}`, {
    ...init,
    headers: {
      authorization: 'token t',
      'content-type': 'application/json',
      ...(init.headers as Record<string, string>),
    },
  });
  const text = await res.text();
  return { status: res.status, json: (text === '' ? undefined : JSON.parse(text)) as T, headers: res.headers };
}

type Compare = {
  status: string;
  ahead_by: number;
  behind_by: number;
  total_commits: number;
  commits: Array<{ sha: string; author: { login: string } | null }>;
  files: Array<{ filename: string; status: string; previous_filename?: string }>;
  merge_base_commit: { sha: string };
};

describe('compare', () => {
  it('caps an unpaginated comparison at 250 commits and pages through every commit when asked', async () => {
    const base = gh.state.repo(REPO).branches['main'] as string;
    gh.state.pushCommits(
      REPO,
      Array.from({ length: 260 }, (_, i) => ({
        message: `c${i}`,
        files: [{ filename: `f${i % 3}.txt`, status: 'modified' as const }],
      })),
      'big',
    );
    const whole = await api<Compare>(`${R}/compare/${base}...big`);
    expect(whole.json.total_commits).toBe(260);
    expect(whole.json.commits).toHaveLength(COMPARE_MAX_COMMITS);
    expect(whole.headers.get('link')).toBeNull();

    const seen: string[] = [];
    let next: string | undefined = `${R}/compare/${base}...big?per_page=100`;
    let pages = 0;
    while (next) {
      const page: Answer<Compare> = await api<Compare>(next);
      pages += 1;
      seen.push(...page.json.commits.map((c) => c.sha));
      expect(page.json.files.length).toBe(pages === 1 ? 3 : 0);
      const link = /<([^>]+)>;\s*rel="next"/.exec(page.headers.get('link') ?? '')?.[1];
      next = link === undefined ? undefined : link.slice(gh.url.length);
    }
    expect(pages).toBe(3);
    expect(new Set(seen).size).toBe(260);
  });

  it('lists at most 300 files', async () => {
    const files = Array.from({ length: 310 }, (_, i) => ({
      filename: `src/${String(i).padStart(3, '0')}.ts`,
      content: 'x\n',
    }));
    gh.state.pushCommits(REPO, [{ message: 'huge', files }], 'huge');
    const res = await api<Compare>(`${R}/compare/main...huge`);
    expect(res.json.files).toHaveLength(COMPARE_MAX_FILES);
  });

  it('nets out per-commit changes, reports renames, and honours an override', async () => {
    const base = gh.state.repo(REPO).branches['main'] as string;
    const [, second] = gh.state.pushCommits(
      REPO,
      [
        {
          files: [
            { filename: 'tmp.txt', content: 'a\n' },
            { filename: 'old.md', content: 'o\n' },
          ],
        },
        {
          files: [
            { filename: 'tmp.txt', status: 'removed' },
            { filename: 'new.md', status: 'renamed', previous_filename: 'old.md' },
          ],
        },
      ],
      'topic',
    );
    const res = await api<Compare>(`${R}/compare/main...topic`);
    expect(res.json.files.map((f) => [f.filename, f.status])).toEqual([['new.md', 'added']]);

    gh.state.setCompareFiles(REPO, base, second?.sha ?? '', [
      { filename: 'x.sql', status: 'modified', additions: 1, deletions: 1 },
    ]);
    const overridden = await api<Compare>(`${R}/compare/main...${second?.sha.slice(0, 7) ?? ''}`);
    expect(overridden.json.files.map((f) => f.filename)).toEqual(['x.sql']);
  });

  it('reports ahead, behind, diverged and identical, and 404s unrelated histories', async () => {
    const root = gh.state.repo(REPO).branches['main'] as string;
    gh.state.pushCommits(REPO, [{ message: 'on topic' }], 'topic');
    gh.state.pushCommits(REPO, [{ message: 'on main' }], 'main');
    const diverged = await api<Compare>(`${R}/compare/main...topic`);
    expect(diverged.json).toMatchObject({ status: 'diverged', ahead_by: 1, behind_by: 1 });
    expect(diverged.json.merge_base_commit.sha).toBe(root);
    expect((await api<Compare>(`${R}/compare/${root}...topic`)).json.status).toBe('ahead');
    expect((await api<Compare>(`${R}/compare/main...${root}`)).json).toMatchObject({ status: 'behind', behind_by: 1 });
    expect((await api<Compare>(`${R}/compare/topic...topic`)).json.status).toBe('identical');

    gh.state.pushCommits(REPO, [{ message: 'orphan', parents: [] }], 'orphan');
    const unrelated = await api(`${R}/compare/main...orphan`);
    expect(unrelated.status).toBe(404);
    expect(unrelated.json['message']).toBe('No common ancestor between main and orphan.');
  });

  it('links a commit to an account only when the commit says so', async () => {
    gh.state.pushCommits(
      REPO,
      [
        { author: { name: 'Alice', email: 'alice@example.com', login: 'alice' } },
        { author: { name: 'Ghost', email: 'ghost@example.com' } },
      ],
      'topic',
    );
    const res = await api<Compare>(`${R}/compare/main...topic`);
    expect(res.json.commits.map((c) => c.author?.login ?? null)).toEqual(['alice', null]);
  });
});

describe('contents', () => {
  it('serves a file as it was at each ref, base64 in 60-character lines', async () => {
    const base = gh.state.repo(REPO).branches['main'] as string;
    const long = `version: 1\n# ${'x'.repeat(100)}\n`;
    gh.state.pushCommits(
      REPO,
      [{ files: [{ filename: '.countersign.yml', status: 'modified', content: long }] }],
      'topic',
    );
    const atBase = await api<{ content: string; encoding: string }>(`${R}/contents/.countersign.yml?ref=${base}`);
    expect(Buffer.from(atBase.json.content, 'base64').toString()).toBe('version: 1\n');
    const atHead = await api<{ content: string; encoding: string; size: number }>(
      `${R}/contents/.countersign.yml?ref=topic`,
    );
    expect(atHead.json.encoding).toBe('base64');
    expect(atHead.json.content.split('\n').every((line) => line.length <= 60)).toBe(true);
    expect(Buffer.from(atHead.json.content, 'base64').toString()).toBe(long);
    const defaultRef = await api<{ content: string }>(`${R}/contents/.countersign.yml`);
    expect(Buffer.from(defaultRef.json.content, 'base64').toString()).toBe('version: 1\n');
  });

  it('prefers a file set on a ref, answers the raw media type, and 404s what is missing', async () => {
    gh.state.setFile(REPO, 'main', 'policy/extra.yml', 'extra: true\n');
    const raw = await fetch(`${gh.url}${R}/contents/policy/extra.yml?ref=main`, {
      headers: { authorization: 'token t', accept: 'application/vnd.github.raw+json' },
    });
    expect(raw.headers.get('content-type')).toMatch(/^application\/vnd\.github\.raw/);
    expect(await raw.text()).toBe('extra: true\n');
    const missing = await api(`${R}/contents/nope.yml`);
    expect(missing.status).toBe(404);
    expect(missing.json['message']).toBe('Not Found');
    const badRef = await api(`${R}/contents/.countersign.yml?ref=no-such-ref`);
    expect(badRef.status).toBe(404);
    expect(badRef.json['message']).toBe('No commit found for the ref no-such-ref');
  });
});

type Issue = { number: number; title: string; labels: Array<{ name: string }>; pull_request?: unknown; state: string };

describe('issues and comments', () => {
  it('filters by labels (all of them), state and creator, newest first, pull requests included', async () => {
    gh.state.addIssue(REPO, { title: 'a', labels: ['countersign', 'production'] });
    gh.state.addIssue(REPO, { title: 'b', labels: ['countersign'], user: 'alice' });
    gh.state.addIssue(REPO, { title: 'c', labels: ['countersign', 'production'], state: 'closed' });
    gh.state.pushCommits(REPO, [{}], 'topic');
    gh.state.addPull(REPO, { user: 'alice', head: { ref: 'topic' }, labels: ['countersign'] });
    const titles = async (q: string) => (await api<Issue[]>(`${R}/issues${q}`)).json.map((i) => i.title);
    expect(await titles('?labels=countersign,production')).toEqual(['a']);
    expect(await titles('?labels=countersign,production&state=all')).toEqual(['c', 'a']);
    expect(await titles('?labels=countersign&creator=alice')).toEqual(['Pull request from topic', 'b']);
    const all = (await api<Issue[]>(`${R}/issues?state=all&direction=asc`)).json;
    expect(all.map((i) => i.number)).toEqual([1, 2, 3, 4]);
    expect(all.filter((i) => i.pull_request !== undefined).map((i) => i.number)).toEqual([4]);
  });

  it('creates issues with new labels, edits and closes them, and rejects bad bodies', async () => {
    const created = await api<Issue & { user: { login: string } }>(`${R}/issues`, {
      method: 'POST',
      body: JSON.stringify({ title: 'Approve', labels: ['countersign'] }),
    });
    expect(created.status).toBe(201);
    expect(created.headers.get('location')).toBe(`${gh.url}${R}/issues/1`);
    expect(created.json.user.login).toBe('github-actions[bot]');
    expect(gh.state.repo(REPO).labels['countersign']).toBeDefined();

    const closed = await api<Issue & { closed_at: string; state_reason: string; closed_by: { login: string } }>(
      `${R}/issues/1`,
      {
        method: 'PATCH',
        body: JSON.stringify({ state: 'closed', body: 'Decided' }),
      },
    );
    expect(closed.json).toMatchObject({
      state: 'closed',
      state_reason: 'completed',
      closed_by: { login: 'github-actions[bot]' },
    });
    expect(gh.state.repo(REPO).issues[1]?.body).toBe('Decided');

    const noTitle = await api(`${R}/issues`, { method: 'POST', body: JSON.stringify({ body: 'x' }) });
    expect(noTitle.status).toBe(422);
    const badJson = await api(`${R}/issues`, { method: 'POST', body: '{nope' });
    expect(badJson.status).toBe(400);
    expect(badJson.json['message']).toBe('Problems parsing JSON');
  });

  it('lists comments oldest first, filters by since on updated_at, and takes comments on pull requests', async () => {
    gh.state.clock = () => Date.parse('2026-11-23T15:00:00Z');
    gh.state.addIssue(REPO, { title: 'r' });
    const early = gh.state.addComment(REPO, 1, { user: 'bob', body: '/approve' });
    gh.state.clock = () => Date.parse('2026-11-23T16:00:00Z');
    gh.state.addComment(REPO, 1, { user: 'carol', body: '/reject no' });
    type C = { id: number; body: string; user: { login: string }; updated_at: string };
    const since = async () =>
      (await api<C[]>(`${R}/issues/1/comments?since=2026-11-23T15:30:00Z`)).json.map((c) => c.user.login);
    expect(await since()).toEqual(['carol']);
    gh.state.editComment(REPO, early.id, '/approve, edited');
    expect(await since()).toEqual(['bob', 'carol']);

    gh.state.pushCommits(REPO, [{}], 'topic');
    const pull = gh.state.addPull(REPO, { user: 'alice', head: { ref: 'topic' } });
    const posted = await api<C>(`${R}/issues/${pull.number}/comments`, {
      method: 'POST',
      body: JSON.stringify({ body: 'hi' }),
    });
    expect(posted.status).toBe(201);
  });

  it('tells how each commenter relates to the repository', async () => {
    gh.state.addTeam('acme', 'sre', ['member']);
    gh.state.setPermission(REPO, 'collab', 'write');
    gh.state.pushCommits(REPO, [{ author: { name: 'C', email: 'c@example.com', login: 'contrib' } }]);
    gh.state.addIssue(REPO, { title: 'r' });
    for (const user of ['acme', 'member', 'collab', 'contrib', 'stranger'])
      gh.state.addComment(REPO, 1, { user, body: 'x' });
    const list = (await api<Array<{ author_association: string }>>(`${R}/issues/1/comments`)).json;
    expect(list.map((c) => c.author_association)).toEqual(['OWNER', 'MEMBER', 'COLLABORATOR', 'CONTRIBUTOR', 'NONE']);
  });
});

describe('pull requests and reviews', () => {
  it('finds the pull requests carrying a commit, and 422s an unknown one', async () => {
    const [a, b] = gh.state.pushCommits(REPO, [{}, {}], 'topic');
    gh.state.addPull(REPO, { user: 'alice', head: { ref: 'topic' }, commits: [a?.sha ?? '', b?.sha ?? ''] });
    const found = await api<Array<{ number: number }>>(`${R}/commits/${a?.sha ?? ''}/pulls`);
    expect(found.json.map((p) => p.number)).toEqual([1]);
    const none = await api<unknown[]>(`${R}/commits/${gh.state.repo(REPO).branches['main'] ?? ''}/pulls`);
    expect(none.json).toEqual([]);
    expect((await api(`${R}/commits/${'f'.repeat(40)}/pulls`)).status).toBe(422);
  });

  it('lists reviews in order, with their commit and no submitted_at while pending', async () => {
    const [c1, c2] = gh.state.pushCommits(REPO, [{}, {}], 'topic');
    const pull = gh.state.addPull(REPO, { user: 'alice', head: { ref: 'topic' } });
    gh.state.addReview(REPO, pull.number, { user: 'bob', state: 'APPROVED', commit_id: c1?.sha ?? null });
    gh.state.addReview(REPO, pull.number, { user: 'carol', state: 'PENDING' });
    type Rv = { user: { login: string }; state: string; commit_id: string; submitted_at?: string };
    const reviews = (await api<Rv[]>(`${R}/pulls/${pull.number}/reviews`)).json;
    expect(reviews.map((r) => [r.user.login, r.state, r.commit_id])).toEqual([
      ['bob', 'APPROVED', c1?.sha],
      ['carol', 'PENDING', c2?.sha],
    ]);
    expect(reviews[1]).not.toHaveProperty('submitted_at');
    const full = await api<{ merged: boolean; commits: number; head: { sha: string } }>(`${R}/pulls/${pull.number}`);
    expect(full.json).toMatchObject({ merged: false, commits: 1, head: { sha: c2?.sha } });
  });
});

describe('look-ups', () => {
  it("gives GitHub's legacy permission next to the finer role", async () => {
    gh.state.setPermission(REPO, 'm', 'maintain');
    gh.state.setPermission(REPO, 't', 'triage');
    gh.state.setPermission(REPO, 'c', 'write', 'deployer');
    gh.state.addUser('outsider');
    const p = async (u: string) =>
      (await api<{ permission: string; role_name: string }>(`${R}/collaborators/${u}/permission`)).json;
    expect(await p('m')).toMatchObject({ permission: 'write', role_name: 'maintain' });
    expect(await p('t')).toMatchObject({ permission: 'read', role_name: 'triage' });
    expect(await p('c')).toMatchObject({ permission: 'write', role_name: 'deployer' });
    expect(await p('outsider')).toMatchObject({ permission: 'none' });
  });

  it('answers team membership, or refuses as GITHUB_TOKEN is refused', async () => {
    gh.state.addTeam('acme', 'sre', { bob: 'maintainer' });
    const ok = await api(`/orgs/acme/teams/sre/memberships/bob`);
    expect(ok.json).toMatchObject({ role: 'maintainer', state: 'active' });
    gh.state.addToken('limited', 'github-actions[bot]', 'forbidden');
    const refused = await api(`/orgs/acme/teams/sre/memberships/bob`, { headers: { authorization: 'token limited' } });
    expect(refused.status).toBe(403);
    expect(refused.json['message']).toBe('Resource not accessible by integration');
    expect(refused.headers.get('x-accepted-github-permissions')).toBe('members=read');
    gh.state.addToken('hidden', 'github-actions[bot]', 'not-found');
    expect(
      (await api(`/orgs/acme/teams/sre/memberships/bob`, { headers: { authorization: 'token hidden' } })).status,
    ).toBe(404);
  });

  it('tells bots from people', async () => {
    gh.state.addUser('renovate[bot]');
    expect((await api(`/users/${encodeURIComponent('renovate[bot]')}`)).json['type']).toBe('Bot');
    gh.state.addUser('alice');
    expect((await api('/users/alice')).json['type']).toBe('User');
  });
});

describe('deployments', () => {
  type D = { id: number; environment: string; sha: string };
  type S = { state: string; creator: { login: string } };

  it('lists newest first with filters, and marks older successes inactive on a new success', async () => {
    const main = gh.state.repo(REPO).branches['main'] as string;
    const older = gh.state.addDeployment(REPO, { sha: main, environment: 'staging', statuses: ['success'] });
    const prod = gh.state.addDeployment(REPO, { sha: main, environment: 'production', statuses: ['success'] });
    const newer = gh.state.addDeployment(REPO, { sha: main, environment: 'staging' });
    expect((await api<D[]>(`${R}/deployments`)).json.map((d) => d.id)).toEqual([newer.id, prod.id, older.id]);
    expect((await api<D[]>(`${R}/deployments?environment=staging`)).json.map((d) => d.id)).toEqual([
      newer.id,
      older.id,
    ]);

    const posted = await api<S>(`${R}/deployments/${newer.id}/statuses`, {
      method: 'POST',
      body: JSON.stringify({ state: 'success' }),
    });
    expect(posted.status).toBe(201);
    const olderStatuses = (await api<S[]>(`${R}/deployments/${older.id}/statuses`)).json.map((s) => s.state);
    expect(olderStatuses).toEqual(['inactive', 'success']);
    expect(prod.statuses.map((s) => s.state)).toEqual(['success']);

    const invalid = await api(`${R}/deployments/${newer.id}/statuses`, {
      method: 'POST',
      body: JSON.stringify({ state: 'done' }),
    });
    expect(invalid.status).toBe(422);
  });

  it('creates a deployment at the sha a branch resolves to, with GitHub defaults, found again by id and filters', async () => {
    const main = gh.state.repo(REPO).branches['main'] as string;
    type Created = D & { ref: string; task: string; payload: unknown; production_environment: boolean };
    const made = await api<Created>(`${R}/deployments`, {
      method: 'POST',
      body: JSON.stringify({ ref: 'main', required_contexts: [], payload: '{"build":7}' }),
    });
    expect(made.status).toBe(201);
    expect(made.json).toMatchObject({
      sha: main,
      ref: 'main',
      task: 'deploy',
      environment: 'production',
      production_environment: true,
      payload: '{"build":7}',
    });
    expect((await api<D>(`${R}/deployments/${made.json.id}`)).json.id).toBe(made.json.id);
    const filtered = await api<D[]>(`${R}/deployments?sha=${main}&environment=production&task=deploy`);
    expect(filtered.json.map((d) => d.id)).toEqual([made.json.id]);
    expect((await api(`${R}/deployments/999999`)).status).toBe(404);
  });

  it("checks the commit's statuses unless required_contexts is empty", async () => {
    const main = gh.state.repo(REPO).branches['main'] as string;
    gh.state.setCommitStatus(REPO, main, 'ci/build', 'success');
    gh.state.setCommitStatus(REPO, main, 'ci/lint', 'pending');
    const post = (body: object) => api(`${R}/deployments`, { method: 'POST', body: JSON.stringify(body) });
    expect((await post({ ref: main })).status).toBe(409);
    expect((await post({ ref: main, required_contexts: ['ci/build'] })).status).toBe(201);
    expect((await post({ ref: main, required_contexts: ['ci/missing'] })).status).toBe(409);
    expect((await post({ ref: main, required_contexts: [] })).status).toBe(201);
    expect((await post({ ref: main, task: 7 })).status).toBe(422);
    expect((await post({ ref: 'no-such-branch' })).json).toMatchObject({ message: 'No ref found for: no-such-branch' });
  });

  it('merges the default branch into a branch behind it first (202), then deploys the merge (201)', async () => {
    gh.state.pushCommits(REPO, [{ message: 'feature work' }], 'feature');
    const [hotfix] = gh.state.pushCommits(REPO, [{ message: 'hotfix' }], 'main');
    const post = () =>
      api<D & { message?: string }>(`${R}/deployments`, {
        method: 'POST',
        body: JSON.stringify({ ref: 'feature', environment: 'staging' }),
      });
    const first = await post();
    expect(first.status).toBe(202);
    expect(first.json.message).toBe('Auto-merged main into feature on deployment.');
    const merge = gh.state.repo(REPO).branches['feature'] as string;
    expect(gh.state.repo(REPO).commits[merge]?.parents).toContain(hotfix?.sha);
    const second = await post();
    expect(second.status).toBe(201);
    expect(second.json.sha).toBe(merge);
  });

  it('answers run approvals, and 404s an unknown run', async () => {
    gh.state.setRunApprovals(REPO, 1, [
      { environments: ['production'], state: 'approved', user: 'bob', comment: 'ok' },
    ]);
    const list = await api<Array<{ state: string; user: { login: string }; environments: Array<{ name: string }> }>>(
      `${R}/actions/runs/1/approvals`,
    );
    expect(list.json).toMatchObject([
      { state: 'approved', user: { login: 'bob' }, environments: [{ name: 'production' }] },
    ]);
    expect((await api(`${R}/actions/runs/2/approvals`)).status).toBe(404);
  });
});
