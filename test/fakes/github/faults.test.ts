// Each fault kind as a client meets it, plus scoping, seeded random schedules and the fault log.
import { Octokit } from '@octokit/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FAULT_KINDS, TRANSIENT_FAULT_KINDS, startFakeGitHub, type FakeGitHub } from './index.js';

const REPO = 'acme/widgets';
const ISSUES = `/repos/${REPO}/issues`;
let gh: FakeGitHub;

beforeEach(async () => {
  gh = await startFakeGitHub({ seed: 42 });
  gh.state.addRepo(REPO);
});

afterEach(async () => {
  await gh.close();
});

function get(path = ISSUES): Promise<Response> {
  return fetch(`${gh.url}${path}`, { headers: { authorization: 'token t' } });
}

describe('fault kinds', () => {
  it.each([
    ['server-error', 500],
    ['bad-gateway', 502],
    ['service-unavailable', 503],
  ] as const)('%s answers %i once, then the real answer', async (kind, status) => {
    gh.faults.next(kind);
    const failed = await get();
    expect(failed.status).toBe(status);
    expect(failed.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(failed.headers.get('x-ratelimit-remaining')).not.toBeNull();
    expect(await failed.json()).toHaveProperty('message');
    expect((await get()).status).toBe(200);
    expect(gh.requests.map((r) => [r.status, r.fault])).toEqual([
      [status, kind],
      [200, undefined],
    ]);
  });

  it("secondary-rate-limit: 403, retry-after and GitHub's message, with budget left", async () => {
    gh.faults.next('secondary-rate-limit', { retryAfter: 7 });
    const res = await get();
    expect(res.status).toBe(403);
    expect(res.headers.get('retry-after')).toBe('7');
    expect(Number(res.headers.get('x-ratelimit-remaining'))).toBeGreaterThan(0);
    const body = (await res.json()) as { message: string; documentation_url: string };
    expect(body.message).toMatch(/^You have exceeded a secondary rate limit/);
    expect(body.documentation_url).toMatch(/#about-secondary-rate-limits$/);

    gh.faults.next('secondary-rate-limit', { status: 429 });
    const as429 = await get();
    expect(as429.status).toBe(429);
    expect(as429.headers.get('retry-after')).toBe('1');
  });

  it('primary-rate-limit: remaining 0 and a reset time, as 403 or 429', async () => {
    gh.faults.next('primary-rate-limit', { retryAfter: 30 });
    const res = await get();
    expect(res.status).toBe(403);
    expect(res.headers.get('x-ratelimit-remaining')).toBe('0');
    const reset = Number(res.headers.get('x-ratelimit-reset'));
    expect(reset - Date.now() / 1000).toBeGreaterThan(25);
    expect(reset - Date.now() / 1000).toBeLessThan(32);
    expect(((await res.json()) as { message: string }).message).toMatch(/^API rate limit exceeded/);
    gh.faults.next('primary-rate-limit', { status: 429 });
    expect((await get()).status).toBe(429);
    // The injected limit is one answer's; the real budget is untouched.
    expect(gh.rateLimit.remaining).toBe(gh.rateLimit.limit);
  });

  it('too-many-requests: 429 with retry-after', async () => {
    gh.faults.next('too-many-requests', { retryAfter: 2 });
    const res = await get();
    expect(res.status).toBe(429);
    expect(res.headers.get('retry-after')).toBe('2');
  });

  it('connection-reset: the socket closes without an answer', async () => {
    gh.faults.next('connection-reset');
    await expect(get()).rejects.toThrow();
    expect((await get()).status).toBe(200);
    expect(gh.requests[0]).toMatchObject({
      status: 0,
      fault: 'connection-reset',
      counted: false,
      route: '/repos/{owner}/{repo}/issues',
    });
  });

  it('slow: the real answer, late', async () => {
    gh.faults.next('slow', { delayMs: 250 });
    const started = Date.now();
    const res = await get();
    expect(res.status).toBe(200);
    expect(Date.now() - started).toBeGreaterThanOrEqual(240);
  });

  it('a client time-out on a slow answer leaves the server healthy', async () => {
    gh.faults.next('slow', { delayMs: 2_000 });
    await expect(
      fetch(`${gh.url}${ISSUES}`, { headers: { authorization: 'token t' }, signal: AbortSignal.timeout(100) }),
    ).rejects.toThrow();
    expect((await get()).status).toBe(200);
  });

  it('Octokit surfaces a secondary limit the way its throttling plugin recognises it', async () => {
    gh.faults.next('secondary-rate-limit');
    const octokit = new Octokit({ baseUrl: gh.url, auth: 't' });
    const error = await octokit.request('GET /repos/{owner}/{repo}/issues', { owner: 'acme', repo: 'widgets' }).then(
      () => undefined,
      (e: unknown) => e as { status: number; message: string; response?: { headers: Record<string, string> } },
    );
    expect(error?.status).toBe(403);
    expect(error?.message).toMatch(/\bsecondary rate\b/i);
    expect(error?.response?.headers['retry-after']).toBe('1');
  });
});

describe('scheduling faults', () => {
  it('only() and a per-fault path confine faults to matching requests', async () => {
    gh.state.addIssue(REPO, { title: 'x' });
    gh.faults.only(/\/comments/).next('server-error');
    expect((await get()).status).toBe(200);
    expect((await get(`${ISSUES}/1/comments`)).status).toBe(500);
    gh.faults.only();
    gh.faults.next('bad-gateway', { path: /\/issues\/1$/, method: 'GET' });
    expect((await get()).status).toBe(200);
    expect((await get(`${ISSUES}/1`)).status).toBe(502);
    expect(gh.faults.pending).toBe(0);
  });

  it('random faults follow the seed, so a schedule replays exactly', async () => {
    const schedule = async (fake: FakeGitHub) => {
      fake.faults.rate = 0.2;
      const out: string[] = [];
      for (let i = 0; i < 100; i += 1) {
        const res = await fetch(`${fake.url}${ISSUES}`, { headers: { authorization: 'token t' } }).catch(
          () => undefined,
        );
        await res?.text();
        out.push(fake.requests.at(-1)?.fault ?? '-');
      }
      return out;
    };
    const first = await schedule(gh);
    const twin = await startFakeGitHub({ seed: 42 });
    twin.state.addRepo(REPO);
    const second = await schedule(twin);
    await twin.close();
    expect(second).toEqual(first);
    const faulted = first.filter((f) => f !== '-');
    expect(faulted.length).toBeGreaterThan(8);
    expect(faulted.length).toBeLessThan(35);
    expect(new Set(faulted).size).toBeGreaterThan(2);
    for (const kind of faulted) expect(TRANSIENT_FAULT_KINDS).toContain(kind);
    expect(gh.faults.injected.map((f) => f.kind)).toEqual(faulted);
  });

  it('kinds narrows random faults; clear() stops them', async () => {
    gh.faults.rate = 1;
    gh.faults.kinds = ['service-unavailable'];
    expect((await get()).status).toBe(503);
    gh.faults.clear();
    expect((await get()).status).toBe(200);
    expect(FAULT_KINDS).toHaveLength(8);
  });

  it('latencyMs slows every answer', async () => {
    const slow = await startFakeGitHub({ latencyMs: 120 });
    try {
      const started = Date.now();
      const res = await fetch(`${slow.url}/rate_limit`, { headers: { authorization: 'token t' } });
      expect(res.status).toBe(200);
      expect(Date.now() - started).toBeGreaterThanOrEqual(110);
    } finally {
      await slow.close();
    }
  });
});
