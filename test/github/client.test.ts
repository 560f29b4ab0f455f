// The client against the fake over real HTTP: conditional requests, retries, rate limits, time-outs,
// and the token kept out of every error and log line.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { GitHubApiError, type GitHubClient } from '../../packages/github/src/index.js';
import { startFakeGitHub, type FakeGitHub } from '../fakes/github/index.js';
import { TOKEN, clientFor, type Captured } from './helpers.js';

const REPO = 'acme/widgets';
const COMMENTS = /\/issues\/1\/comments/;
let fake: FakeGitHub;
let issue: number;

beforeAll(async () => {
  fake = await startFakeGitHub();
  fake.state.addRepo(REPO);
  issue = fake.state.addIssue(REPO, { title: 'Deploy approval' }).number;
  fake.state.addComment(REPO, issue, { user: 'alice', body: 'hello' });
});
afterAll(() => fake.close());
afterEach(() => {
  fake.faults.clear();
  fake.state.anyToken = { login: 'github-actions[bot]', teams: 'allowed' };
});

function listComments(client: GitHubClient) {
  return client.paginate('GET /repos/{owner}/{repo}/issues/{issue_number}/comments', {
    owner: 'acme',
    repo: 'widgets',
    issue_number: issue,
    per_page: 100,
  });
}

describe('conditional requests', () => {
  it('repeats the ETag, is answered 304 from the cache, and spends no rate limit', async () => {
    const client = clientFor(fake);
    const start = fake.requests.length;
    const first = await listComments(client);
    const remaining = fake.rateLimit.remaining;
    const second = await listComments(client);
    expect(second).toEqual(first);
    expect(fake.rateLimit.remaining).toBe(remaining);
    const [a, b] = fake.requests.slice(start);
    expect(a?.headers['if-none-match']).toBeUndefined();
    expect(a?.status).toBe(200);
    expect(b?.headers['if-none-match']).toMatch(/^W\/"/);
    expect(b?.status).toBe(304);
    expect(b?.counted).toBe(false);
    expect(a?.headers.authorization).toBe(`token ${TOKEN}`);
  });

  it('sees a change: the ETag no longer matches and the new data comes back', async () => {
    const client = clientFor(fake);
    const before = await listComments(client);
    fake.state.addComment(REPO, issue, { user: 'bob', body: '/approve' });
    const after = await listComments(client);
    expect(after).toHaveLength(before.length + 1);
    expect(fake.requests.at(-1)?.status).toBe(200);
  });

  it('gives every caller its own copy of a cached answer', async () => {
    const client = clientFor(fake);
    const first = await listComments(client);
    (first[0] as { body?: string }).body = 'changed by the caller';
    const second = await listComments(client);
    expect(fake.requests.at(-1)?.status).toBe(304);
    expect(second[0]?.body).not.toBe('changed by the caller');
  });
});

describe('retries', () => {
  it('retries across 502 and 503 and then succeeds', async () => {
    fake.faults.next('bad-gateway', { path: COMMENTS }).next('service-unavailable', { path: COMMENTS });
    const start = fake.requests.length;
    const comments = await listComments(clientFor(fake));
    expect(comments.length).toBeGreaterThan(0);
    expect(fake.requests.slice(start).map((r) => r.status)).toEqual([502, 503, 200]);
  });

  it('honours retry-after on a secondary rate limit (403 and 429)', async () => {
    fake.faults
      .next('secondary-rate-limit', { path: COMMENTS, retryAfter: 1 })
      .next('secondary-rate-limit', { path: COMMENTS, retryAfter: 1, status: 429 });
    const start = fake.requests.length;
    const captured: Captured = { lines: [] };
    // Real seconds here: the point is that the client waits as long as GitHub asked.
    const client = clientFor(fake, { backoffUnitMs: 250 }, captured);
    const began = Date.now();
    await listComments(client);
    const attempts = fake.requests.slice(start);
    expect(attempts.map((r) => r.status)).toEqual([403, 429, 200]);
    expect((attempts[1]?.at ?? 0) - (attempts[0]?.at ?? 0)).toBeGreaterThanOrEqual(200);
    expect(Date.now() - began).toBeGreaterThanOrEqual(450);
    expect(captured.lines.join('\n')).toMatch(/secondary rate limit .*retrying in 1 s/);
  });

  it('retries a plain 429 after its retry-after', async () => {
    fake.faults.next('too-many-requests', { path: COMMENTS, retryAfter: 1 });
    const start = fake.requests.length;
    await listComments(clientFor(fake));
    expect(fake.requests.slice(start).map((r) => r.status)).toEqual([429, 200]);
  });

  it('waits for x-ratelimit-reset on a primary rate limit when it is near', async () => {
    fake.faults.next('primary-rate-limit', { path: COMMENTS, retryAfter: 1 });
    const start = fake.requests.length;
    await listComments(clientFor(fake));
    expect(fake.requests.slice(start).map((r) => r.status)).toEqual([403, 200]);
  });

  it('gives up at once, saying when it resets, when the primary limit is far off', async () => {
    fake.faults.next('primary-rate-limit', { path: COMMENTS, retryAfter: 3600 });
    const error = await listComments(clientFor(fake, { maxRetryAfterSeconds: 60 })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GitHubApiError);
    expect((error as GitHubApiError).status).toBe(403);
    expect((error as Error).message).toMatch(/rate limit exhausted; it resets at \d{4}-\d\d-\d\dT/);
  });

  it('retries a bounded number of times, then fails with a clear error', async () => {
    for (let i = 0; i < 6; i += 1) fake.faults.next('bad-gateway', { path: COMMENTS });
    const start = fake.requests.length;
    const error = await listComments(clientFor(fake, { retries: 2 })).catch((e: unknown) => e);
    expect(fake.requests.length - start).toBe(3);
    expect(error).toBeInstanceOf(GitHubApiError);
    expect((error as GitHubApiError).status).toBe(502);
    expect((error as Error).message).toMatch(
      /^GitHub API GET \/repos\/acme\/widgets\/issues\/\d+\/comments\?per_page=100 failed 502: Server Error.*\(after 2 retries\)$/,
    );
    expect((error as GitHubApiError).requestId).toMatch(/FAKE/);
  });

  it('retries a reset connection', async () => {
    fake.faults.next('connection-reset', { path: COMMENTS });
    const start = fake.requests.length;
    await listComments(clientFor(fake));
    expect(fake.requests.slice(start).map((r) => r.status)).toEqual([0, 200]);
  });

  it('times out a slow answer and tries again', async () => {
    fake.faults.next('slow', { path: COMMENTS, delayMs: 1_000 });
    const start = fake.requests.length;
    await listComments(clientFor(fake, { timeoutMs: 200 }));
    expect(fake.requests.slice(start)).toHaveLength(2);
  });

  it('says so when no answer comes in time', async () => {
    for (let i = 0; i < 3; i += 1) fake.faults.next('slow', { path: COMMENTS, delayMs: 1_000 });
    const error = await listComments(clientFor(fake, { timeoutMs: 150, retries: 2 })).catch((e: unknown) => e);
    expect((error as Error).message).toMatch(/failed: no answer within 0\.15 s \(after 2 retries\)/);
    expect((error as GitHubApiError).status).toBeNull();
  });
});

describe('the token', () => {
  async function failures(): Promise<unknown[]> {
    const captured: Captured = { lines: [] };
    const out: unknown[] = [];
    const attempt = async (run: () => Promise<unknown>) =>
      out.push(
        await run().then(
          () => null,
          (e: unknown) => e,
        ),
      );
    // A base URL carrying the token in its path puts it into the request URL itself.
    const leaky = clientFor(fake, { baseUrl: `${fake.url}/${TOKEN}` }, captured);
    await attempt(() => leaky.request('GET /repos/{owner}/{repo}', { owner: 'acme', repo: 'widgets' }));
    fake.state.anyToken = null;
    await attempt(() => listComments(clientFor(fake, {}, captured)));
    fake.state.anyToken = { login: 'github-actions[bot]', teams: 'allowed' };
    for (let i = 0; i < 3; i += 1) fake.faults.next('server-error', { path: COMMENTS });
    await attempt(() => listComments(clientFor(fake, { retries: 2 }, captured)));
    fake.faults.next('slow', { path: COMMENTS, delayMs: 1_000 });
    await attempt(() => listComments(clientFor(fake, { timeoutMs: 100, retries: 0 }, captured)));
    await attempt(() => listComments(clientFor(fake, { baseUrl: 'http://127.0.0.1:9', retries: 0 }, captured)));
    out.push(captured.lines.join('\n'));
    return out;
  }

  it('never appears in an error message, an error object or a log line', async () => {
    const results = await failures();
    const errors = results.slice(0, -1);
    expect(errors.every((e) => e instanceof GitHubApiError)).toBe(true);
    expect((errors[1] as Error).message).toMatch(/401: Bad credentials.*the token is invalid/);
    for (const error of errors) {
      const e = error as Error;
      expect(e.message).not.toContain(TOKEN);
      expect(String(e.stack)).not.toContain(TOKEN);
      expect(JSON.stringify(e)).not.toContain(TOKEN);
    }
    expect((errors[0] as Error).message).toContain('[redacted]');
    expect(results.at(-1)).not.toContain(TOKEN);
  });

  it('refuses an empty token before any request', () => {
    expect(() => clientFor(fake, { token: ' ' })).toThrow(/token is empty/);
  });
});
