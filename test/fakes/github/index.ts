// A fake of the GitHub REST API for tests: a real HTTP server on 127.0.0.1 that Octokit reaches through
// GITHUB_API_URL / baseUrl, with state, GitHub's caching and paging headers, and injected faults.
// contract.test.ts checks its answers against GitHub's published OpenAPI description.
import type { AddressInfo } from 'node:net';
import { mintRuntimeToken } from './artifacts/token.js';
import { FaultPlan } from './faults.js';
import { ROUTES } from './routes/index.js';
import { Router, type RateLimit } from './router.js';
import { createFakeServer, type RecordedRequest } from './server.js';
import { FakeState } from './state.js';

export { FAULT_KINDS, TRANSIENT_FAULT_KINDS, FaultPlan } from './faults.js';
export type { Fault, FaultKind, FaultOptions, InjectedFault } from './faults.js';
export type { RecordedRequest } from './server.js';
export type { RateLimit, Route } from './router.js';
export { ROUTES } from './routes/index.js';
export { COMPARE_MAX_COMMITS, COMPARE_MAX_FILES } from './routes/compare.js';
export { FakeState, sha256Digest } from './state.js';
export { zipOf } from './artifacts/zip.js';
export { invalidArtifactName } from './artifacts/twirp.js';
export type * from './model.js';

export interface FakeGitHub {
  /** Base URL without a trailing slash, for GITHUB_API_URL or Octokit's baseUrl. */
  url: string;
  state: FakeState;
  /** Every request in arrival order, including faulted ones. */
  requests: RecordedRequest[];
  faults: FaultPlan;
  /** The primary (core) budget; change it to simulate a nearly spent token. */
  rateLimit: RateLimit;
  /** The artefact service (Actions results API and blob store) on the same port. */
  artifacts: FakeArtifactService;
  close(): Promise<void>;
}

export interface FakeArtifactService {
  /** ACTIONS_RESULTS_URL; the client uses only its origin. */
  resultsUrl: string;
  /** ACTIONS_RUNTIME_TOKEN for a job of this run (see `state.addWorkflowRun`). */
  runtimeToken(runId: number, options?: { ttlSeconds?: number }): string;
  /**
   * What the runner gives a step of this run, for @actions/artifact and Octokit to reach the fake.
   * GITHUB_SERVER_URL is github.com: @actions/artifact refuses hosts it takes for GitHub Enterprise
   * Server, and an IP address is one of them.
   */
  env(runId: number): Record<string, string>;
}

export interface FakeGitHubOptions {
  /** Seed for random faults, so a schedule can be replayed. */
  seed?: number;
  /** Added to every answer, to make polling and time-outs realistic. */
  latencyMs?: number;
  /** Starting state; a fresh one otherwise. */
  state?: FakeState;
  /** Size of the hourly budget; GitHub gives installations 5000. */
  rateLimit?: number;
}

export async function startFakeGitHub(options: FakeGitHubOptions = {}): Promise<FakeGitHub> {
  const state = options.state ?? new FakeState();
  const faults = new FaultPlan(options.seed ?? 1);
  const limit = options.rateLimit ?? 5000;
  const rateLimit: RateLimit = { limit, remaining: limit, used: 0, reset: Math.floor(Date.now() / 1000) + 3600 };
  const requests: RecordedRequest[] = [];
  let url = '';
  const { server, cancelTimers } = createFakeServer({
    state,
    faults,
    rateLimit,
    requests,
    router: new Router(ROUTES),
    latencyMs: options.latencyMs ?? 0,
    baseUrl: () => url,
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  url = `http://127.0.0.1:${port}`;
  const runtimeToken = (runId: number, tokenOptions: { ttlSeconds?: number } = {}) => {
    const found = state.findRun(runId);
    if (!found) throw new Error(`fake GitHub: no workflow run ${runId}; call state.addWorkflowRun first`);
    return mintRuntimeToken(state.secret, found.run, state.clock(), tokenOptions.ttlSeconds);
  };
  const artifacts: FakeArtifactService = {
    resultsUrl: `${url}/`,
    runtimeToken,
    env(runId) {
      const found = state.findRun(runId);
      if (!found) throw new Error(`fake GitHub: no workflow run ${runId}; call state.addWorkflowRun first`);
      return {
        ACTIONS_RUNTIME_TOKEN: runtimeToken(runId),
        ACTIONS_RESULTS_URL: `${url}/`,
        GITHUB_API_URL: url,
        GITHUB_SERVER_URL: 'https://github.com',
        GITHUB_REPOSITORY: `${found.repo.owner}/${found.repo.name}`,
        GITHUB_RUN_ID: String(runId),
        GITHUB_SHA: found.run.head_sha,
      };
    },
  };
  return {
    url,
    state,
    requests,
    faults,
    rateLimit,
    artifacts,
    close: () =>
      new Promise<void>((resolve, reject) => {
        cancelTimers();
        server.close((error) => (error ? reject(error) : resolve()));
        // Keep-alive sockets from fetch would otherwise hold close() open.
        server.closeAllConnections();
      }),
  };
}
