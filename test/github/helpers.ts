import { createGitHubClient, type GitHubClient, type GitHubClientOptions } from '../../packages/github/src/index.js';
import type { FakeGitHub } from '../fakes/github/index.js';

/** A token shaped like GitHub's, so a leak would be recognisable in any message. */
export const TOKEN = 'ghs_S3cretT0kenThatMustNeverBePrinted42';

export interface Captured {
  lines: string[];
}

/** A client on the fake with back-off shrunk to milliseconds (retry-after 1 waits 10 ms). */
export function clientFor(
  fake: FakeGitHub,
  options: Partial<GitHubClientOptions> = {},
  captured: Captured = { lines: [] },
): GitHubClient {
  const keep = (message: string) => captured.lines.push(message);
  return createGitHubClient({
    token: TOKEN,
    baseUrl: fake.url,
    backoffUnitMs: 10,
    timeoutMs: 2_000,
    log: { debug: keep, info: keep, warn: keep, error: keep },
    ...options,
  });
}

/** Requests the fake received since `from`, as `METHOD path` strings. */
export function callsSince(fake: FakeGitHub, from: number): string[] {
  return fake.requests.slice(from).map((r) => `${r.method} ${r.path}`);
}

export const ISO = (seconds: number): string =>
  new Date(Date.UTC(2026, 0, 5, 12, 0, 0) + seconds * 1000).toISOString().replace('.000Z', 'Z');
