// The HTTP behaviour clients depend on: authentication, ETags and free 304s, the rate-limit budget and
// its headers, Link paging, and the request log. Checked with plain fetch and with a real Octokit.
import { Octokit } from '@octokit/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startFakeGitHub, type FakeGitHub } from './index.js';

const REPO = 'acme/widgets';
let gh: FakeGitHub;

beforeEach(async () => {
  gh = await startFakeGitHub();
  gh.state.addRepo(REPO);
});

afterEach(async () => {
  await gh.close();
});

function get(path: string, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(`${gh.url}${path}`, { headers: { authorization: 'token t', ...headers } });
}

function links(header: string | null): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of (header ?? '').matchAll(/<([^>]+)>;\s*rel="(\w+)"/g)) out[m[2] ?? ''] = m[1] ?? '';
  return out;
}

describe('authentication', () => {
  it('refuses a request without a token with GitHub 401 body, and takes `token` and `Bearer`', async () => {
    const none = await fetch(`${gh.url}/repos/${REPO}/issues`);
    expect(none.status).toBe(401);
    expect(none.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(await none.json()).toEqual({
      message: 'Requires authentication',
      documentation_url: 'https://docs.github.com/rest',
      status: '401',
    });
    expect((await get(`/repos/${REPO}/issues`)).status).toBe(200);
    expect((await get(`/repos/${REPO}/issues`, { authorization: 'Bearer t' })).status).toBe(200);
    const basic = await get(`/repos/${REPO}/issues`, { authorization: 'Basic dTpw' });
    expect(basic.status).toBe(401);
    expect(await basic.json()).toMatchObject({ message: 'Bad credentials' });
  });

  it('acts as the token identity, and refuses unknown tokens once only listed tokens are accepted', async () => {
    gh.state.addToken('alice-token', 'alice');
    gh.state.anyToken = null;
    const created = await fetch(`${gh.url}/repos/${REPO}/issues`, {
      method: 'POST',
      headers: { authorization: 'token alice-token', 'content-type': 'application/json' },
      body: JSON.stringify({ title: 'Mine' }),
    });
    expect(created.status).toBe(201);
    expect(((await created.json()) as { user: { login: string } }).user.login).toBe('alice');
    expect((await get(`/repos/${REPO}/issues`, { authorization: 'token stranger' })).status).toBe(401);
  });
});

describe('conditional requests and the rate limit', () => {
  it('sends rate-limit headers on every answer, and a 304 does not spend the budget', async () => {
    gh.state.addIssue(REPO, { title: 'Request' });
    const first = await get(`/repos/${REPO}/issues/1`);
    await first.text();
    expect(first.headers.get('x-ratelimit-limit')).toBe('5000');
    expect(first.headers.get('x-ratelimit-remaining')).toBe('4999');
    expect(first.headers.get('x-ratelimit-used')).toBe('1');
    expect(first.headers.get('x-ratelimit-resource')).toBe('core');
    expect(Number(first.headers.get('x-ratelimit-reset'))).toBeGreaterThan(Date.now() / 1000);
    const etag = first.headers.get('etag') ?? '';

    for (let i = 0; i < 5; i += 1) {
      const again = await get(`/repos/${REPO}/issues/1`, { 'if-none-match': etag });
      expect(again.status).toBe(304);
      expect(await again.text()).toBe('');
      expect(again.headers.get('x-ratelimit-remaining')).toBe('4999');
    }
    expect(gh.rateLimit).toMatchObject({ remaining: 4999, used: 1 });

    // A change to the issue changes its ETag, so the same conditional request is answered in full.
    gh.state.addComment(REPO, 1, { user: 'bob', body: '/approve' });
    const changed = await get(`/repos/${REPO}/issues/1`, { 'if-none-match': etag });
    expect(changed.status).toBe(200);
    expect(changed.headers.get('etag')).not.toBe(etag);
    expect(changed.headers.get('x-ratelimit-remaining')).toBe('4998');

    const notFound = await get(`/repos/${REPO}/issues/99`);
    expect(notFound.status).toBe(404);
    expect(notFound.headers.get('x-ratelimit-remaining')).toBe('4997');
    const unauthorised = await fetch(`${gh.url}/rate_limit`);
    expect(unauthorised.headers.get('x-ratelimit-limit')).toBe('5000');
  });

  it('a comment edit changes the comment list ETag, because updated_at moves', async () => {
    gh.state.addIssue(REPO, { title: 'Request' });
    const c = gh.state.addComment(REPO, 1, { user: 'bob', body: '/approve' });
    const first = await get(`/repos/${REPO}/issues/1/comments`);
    await first.text();
    gh.state.editComment(REPO, c.id, '/approve (edited)');
    const again = await get(`/repos/${REPO}/issues/1/comments`, { 'if-none-match': first.headers.get('etag') ?? '' });
    expect(again.status).toBe(200);
    const [edited] = (await again.json()) as Array<{ created_at: string; updated_at: string }>;
    expect(edited && edited.updated_at > edited.created_at).toBe(true);
  });

  it('answers 403 with remaining 0 once the budget is spent, lets /rate_limit through free, and refills at reset', async () => {
    gh.rateLimit.remaining = 1;
    expect((await get(`/repos/${REPO}/issues`)).status).toBe(200);
    const spent = await get(`/repos/${REPO}/issues`);
    expect(spent.status).toBe(403);
    expect(spent.headers.get('x-ratelimit-remaining')).toBe('0');
    expect(((await spent.json()) as { message: string }).message).toMatch(/^API rate limit exceeded/);
    const overview = await get('/rate_limit');
    expect(overview.status).toBe(200);
    expect(((await overview.json()) as { rate: { remaining: number } }).rate.remaining).toBe(0);
    expect(gh.requests.filter((r) => r.counted)).toHaveLength(1);

    gh.rateLimit.reset = Math.floor(Date.now() / 1000) - 1;
    const refilled = await get(`/repos/${REPO}/issues`);
    expect(refilled.status).toBe(200);
    expect(refilled.headers.get('x-ratelimit-remaining')).toBe('4999');
  });
});

describe('Link pagination', () => {
  it('pages lists by 30 by default, at most 100, with GitHub relations that lead somewhere', async () => {
    for (let i = 0; i < 75; i += 1) gh.state.addIssue(REPO, { title: `Issue ${i}` });
    const repoId = gh.state.repo(REPO).id;

    const first = await get(`/repos/${REPO}/issues`);
    expect((await first.json()) as unknown[]).toHaveLength(30);
    const firstLinks = links(first.headers.get('link'));
    expect(Object.keys(firstLinks)).toEqual(['next', 'last']);
    expect(firstLinks['next']).toBe(`${gh.url}/repositories/${repoId}/issues?page=2`);
    expect(firstLinks['last']).toBe(`${gh.url}/repositories/${repoId}/issues?page=3`);

    // GitHub's Link URLs use /repositories/{id}; the fake serves them like GitHub does.
    const second = await get(new URL(firstLinks['next'] ?? '').pathname + new URL(firstLinks['next'] ?? '').search);
    expect((await second.json()) as unknown[]).toHaveLength(30);
    expect(Object.keys(links(second.headers.get('link')))).toEqual(['prev', 'next', 'last', 'first']);

    const last = await get(`/repos/${REPO}/issues?page=3&state=open`);
    expect((await last.json()) as unknown[]).toHaveLength(15);
    const lastLinks = links(last.headers.get('link'));
    expect(Object.keys(lastLinks)).toEqual(['prev', 'first']);
    expect(lastLinks['prev']).toContain('state=open');

    const big = await get(`/repos/${REPO}/issues?per_page=500`);
    expect((await big.json()) as unknown[]).toHaveLength(75);
    expect(big.headers.get('link')).toBeNull();
    const hundred = await get(`/repos/${REPO}/issues?per_page=50`);
    expect(links(hundred.headers.get('link'))['last']).toMatch(/page=2$/);
  });
});

describe('the request log', () => {
  it('records method, path, query, headers of interest, body, status and cost', async () => {
    gh.state.addIssue(REPO, { title: 'Request' });
    await (
      await get(`/repos/${REPO}/issues?labels=countersign&state=all`, { 'user-agent': 'countersign-test' })
    ).text();
    await (
      await fetch(`${gh.url}/repos/${REPO}/issues/1/comments`, {
        method: 'POST',
        headers: { authorization: 'Bearer t', 'content-type': 'application/json' },
        body: JSON.stringify({ body: '/approve' }),
      })
    ).text();
    await (await fetch(`${gh.url}/nowhere`, { headers: { authorization: 'token t' } })).text();
    expect(gh.requests).toHaveLength(3);
    expect(gh.requests[0]).toMatchObject({
      method: 'GET',
      path: `/repos/${REPO}/issues`,
      route: '/repos/{owner}/{repo}/issues',
      query: { labels: 'countersign', state: 'all' },
      headers: { authorization: 'token t', 'user-agent': 'countersign-test' },
      status: 200,
      counted: true,
      fault: undefined,
    });
    expect(gh.requests[1]).toMatchObject({
      method: 'POST',
      route: '/repos/{owner}/{repo}/issues/{issue_number}/comments',
      body: { body: '/approve' },
      status: 201,
    });
    expect(gh.requests[2]).toMatchObject({ path: '/nowhere', route: undefined, status: 404 });
  });
});

describe('a real Octokit client', () => {
  it('talks to the fake through baseUrl: reads, writes, conditional requests and errors', async () => {
    gh.state.addIssue(REPO, { title: 'Request', labels: ['countersign'] });
    const octokit = new Octokit({ baseUrl: gh.url, auth: 'octokit-token' });
    const issue = await octokit.request('GET /repos/{owner}/{repo}/issues/{issue_number}', {
      owner: 'acme',
      repo: 'widgets',
      issue_number: 1,
    });
    expect(issue.data.labels).toEqual([expect.objectContaining({ name: 'countersign' })]);
    const etag = issue.headers.etag ?? '';
    expect(gh.requests.at(-1)?.headers.authorization).toBe('token octokit-token');
    expect(gh.requests.at(-1)?.headers['user-agent']).toMatch(/octokit-core\.js/);

    const notModified = await octokit
      .request('GET /repos/{owner}/{repo}/issues/{issue_number}', {
        owner: 'acme',
        repo: 'widgets',
        issue_number: 1,
        headers: { 'if-none-match': etag },
      })
      .then(
        () => undefined,
        (error: unknown) => error as { status: number },
      );
    expect(notModified?.status).toBe(304);

    const comment = await octokit.request('POST /repos/{owner}/{repo}/issues/{issue_number}/comments', {
      owner: 'acme',
      repo: 'widgets',
      issue_number: 1,
      body: '/approve',
    });
    expect(comment.status).toBe(201);
    expect(comment.data.user?.login).toBe('github-actions[bot]');

    const missing = await octokit.request('GET /users/{username}', { username: 'nobody-here' }).then(
      () => undefined,
      (error: unknown) => error as { status: number; message: string },
    );
    expect(missing?.status).toBe(404);
    expect(missing?.message).toMatch(/Not Found/);

    const bot = await octokit.request('GET /users/{username}', { username: 'github-actions[bot]' });
    expect(bot.data.type).toBe('Bot');
  });
});
