// Shared by the GitHub benches: the fake GitHub and the actions' own step functions, loaded from their
// TypeScript sources (tsx compiles them on import, as vitest does for the tests), and one scene on the
// fake to run them against: a pull request by alice that needs one approval to reach production.
import { register } from 'tsx/esm/api';

register();

const load = (path) => import(new URL(path, import.meta.url).href);
const fakes = await load('../test/fakes/github/index.ts');
const helpers = await load('../test/actions/helpers.ts');
const runnerModule = await load('../actions/shared/src/runner.ts');
const requestModule = await load('../actions/shared/src/request.ts');
const waitModule = await load('../actions/shared/src/wait.ts');
const { createGitHubClient } = await import('../packages/github/dist/index.js');

export const { startFakeGitHub } = fakes;
export const { REPO, TOKEN, ROOT, runnerEnv, setUpScene, parseOutputs } = helpers;
export const { waitForApproval } = waitModule;

/** The sources the wait step reads by default (action.yml's default). */
export const DEFAULT_SOURCES = ['issue-comments', 'pull-request-reviews', 'environment'];

/** A branch with its pull request, and the runner's view of a run for it. */
export async function scene(fake, branch) {
  const staged = setUpScene(fake, branch);
  const prepared = await runnerEnv(fake, staged, {});
  return { ...staged, prepared, runner: runnerModule.readRunner(prepared.env) };
}

export function client(fake) {
  return createGitHubClient({ token: TOKEN, baseUrl: fake.url, userAgent: 'countersign-bench' });
}

/** The request step in this process; returns the request issue's number. */
export async function request(fake, staged) {
  const outcome = await requestModule.requestApproval(client(fake), staged.runner, subject(staged), new Date());
  if (outcome.issue === null)
    throw new Error(`the bench scene needs an approval, but the request was ${outcome.status}`);
  return outcome.issue.number;
}

export function subject(staged) {
  return {
    environment: 'production',
    policyPath: '.countersign.yml',
    base: null,
    head: staged.head,
    labels: [],
    subjectDigest: null,
    tokenLogin: 'github-actions[bot]',
    sources: DEFAULT_SOURCES,
  };
}

export const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};
