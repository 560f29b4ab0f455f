// The GitHub Deployments side of rollback-on-failure (issue 7), through the real client against the
// fake GitHub over HTTP: which deployment is the last known good, where its digest comes from, and
// the writes (failed status, rollback deployment) with their guardrails.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { APPROVAL_PREDICATE, STATEMENT_TYPE, type Statement } from '@countersign/core';
import {
  GitHubApiError,
  RollbackRefusedError,
  createRollbackDeployment,
  findCurrentDeployment,
  findLastKnownGood,
  findRollbackOf,
  finishRollbackDeployment,
  getDeployment,
  markDeploymentFailed,
  rollbackAlreadyDone,
  type GitHubClient,
  type KnownGoodOptions,
} from '../../packages/github/src/index.js';
import { startFakeGitHub, type DeploymentState, type FakeGitHub } from '../fakes/github/index.js';
import { TOKEN, callsSince, clientFor } from './helpers.js';

const OWNER = 'acme';
const digestOf = (c: string) => `sha256:${c.repeat(64)}`;
const D1 = digestOf('1');
const D2 = digestOf('2');
const DA = digestOf('a');

let fake: FakeGitHub;
let client: GitHubClient;
let serial = 0;

beforeAll(async () => {
  fake = await startFakeGitHub();
  // One second per timestamp: seeded and created deployments then sort as they were made.
  let now = Date.UTC(2026, 0, 5, 12, 0, 0);
  fake.state.clock = () => (now += 1000);
  client = clientFor(fake);
});
afterAll(() => fake.close());

interface Repo {
  name: string;
  target: { owner: string; repo: string };
  shas: string[];
}

/** A repository of its own per test, with `commits` real commits (create needs a ref that resolves). */
function freshRepo(commits = 6): Repo {
  const name = `service-${++serial}`;
  const full = `${OWNER}/${name}`;
  fake.state.addRepo(full);
  const shas = fake.state
    .pushCommits(
      full,
      Array.from({ length: commits }, (_, i) => ({ message: `change ${i}` })),
    )
    .map((c) => c.sha);
  return { name: full, target: { owner: OWNER, repo: name }, shas };
}

function deploy(
  repo: Repo,
  sha: string,
  statuses: DeploymentState[],
  extra: { environment?: string; task?: string; payload?: Record<string, unknown> | string; transient?: boolean } = {},
): number {
  return fake.state.addDeployment(repo.name, {
    sha,
    environment: extra.environment ?? 'staging',
    statuses,
    ...(extra.task === undefined ? {} : { task: extra.task }),
    ...(extra.payload === undefined ? {} : { payload: extra.payload }),
    ...(extra.transient === undefined ? {} : { transient_environment: extra.transient }),
  }).id;
}

/** The deployments list, under either path: GitHub's Link header uses `/repositories/{id}/...`. */
function isList(repo: Repo, path: string): boolean {
  const id = fake.state.repo(repo.name).id;
  return path === `/repos/${repo.name}/deployments` || path === `/repositories/${id}/deployments`;
}

function statesOf(repo: Repo, id: number): string[] {
  const deployment = fake.state.repo(repo.name).deployments.find((d) => d.id === id);
  return (deployment?.statuses ?? []).map((s) => s.state);
}

/** An approval statement as `countersign verify` would have accepted it. */
function approval(head: string, environment: string, digests: string[], status = 'approved'): Statement {
  return {
    _type: STATEMENT_TYPE,
    subject: digests.map((d, i) => ({ name: `artefact-${i}`, digest: { sha256: d.replace(/^sha256:/, '') } })),
    predicateType: APPROVAL_PREDICATE,
    predicate: { environment, head, base: null, decision: { status } },
  };
}

async function knownGood(repo: Repo, options: Partial<KnownGoodOptions> = {}, lines: string[] = []) {
  return findLastKnownGood(client, {
    ...repo.target,
    environment: 'staging',
    explain: (line) => lines.push(line),
    ...options,
  });
}

describe('findLastKnownGood: which deployment', () => {
  it('passes over failed, transient, never-successful and failed-rollback deployments; inactive still counts', async () => {
    const repo = freshRepo();
    const [a, b, c, d, e, f] = repo.shas as [string, string, string, string, string, string];
    const d1 = deploy(repo, a, ['in_progress', 'success'], { payload: { digest: D1 } });
    const good = deploy(repo, b, ['in_progress', 'success'], { payload: { digest: D2 } });
    const undone = deploy(repo, c, ['in_progress', 'success']);
    fake.state.addDeploymentStatus(repo.name, undone, { state: 'failure' });
    const transient = deploy(repo, d, ['success'], { transient: true });
    const failedRollback = deploy(repo, b, ['in_progress', 'failure'], {
      task: 'deploy:rollback',
      payload: { rollback_of: undone, digest: D2 },
    });
    const errored = deploy(repo, e, ['in_progress', 'error']);
    const current = deploy(repo, f, ['in_progress', 'success']);
    // GitHub's auto_inactive marked the good one inactive when the next one succeeded: the case
    // this look-up must not mistake for a failure.
    expect(statesOf(repo, good)).toEqual(['in_progress', 'success', 'inactive']);
    expect(statesOf(repo, d1)).toEqual(['in_progress', 'success', 'inactive']);

    const lines: string[] = [];
    const found = await knownGood(repo, { currentDeploymentId: current, currentSha: f }, lines);
    expect(found).toEqual({ deploymentId: good, sha: b, ref: b, digest: D2, source: 'payload', notes: [] });
    expect(lines).toEqual([
      `deployment ${current} (${f.slice(0, 7)}) is not the known good: it is the current deployment`,
      `deployment ${errored} (${e.slice(0, 7)}) is not the known good: it failed`,
      `deployment ${failedRollback} (${b.slice(0, 7)}) is not the known good: a rollback that failed`,
      `deployment ${transient} (${d.slice(0, 7)}) is not the known good: its environment is transient`,
      // Marked failed too, but the rollback that undid it says so without a request for its statuses.
      `deployment ${undone} (${c.slice(0, 7)}) is not the known good: deployment ${failedRollback} rolled it back`,
    ]);
  });

  it('takes an inactive-after-success as good, but not an inactive that follows a failure', async () => {
    const repo = freshRepo();
    const [a, b, c] = repo.shas as [string, string, string];
    // Production: GitHub adds no inactive there on its own, so the states are set by hand.
    const env = { environment: 'production' };
    const older = deploy(repo, a, ['success', 'inactive'], env);
    const failedThenInactive = deploy(repo, b, ['success', 'failure', 'inactive'], env);
    const lines: string[] = [];
    expect(await knownGood(repo, { environment: 'production', currentSha: c }, lines)).toMatchObject({
      deploymentId: older,
      sha: a,
    });
    expect(lines).toEqual([
      `deployment ${failedThenInactive} (${b.slice(0, 7)}) is not the known good: it was marked failed after it had succeeded`,
    ]);
    expect(statesOf(repo, failedThenInactive)).toEqual(['success', 'failure', 'inactive']);
    // Succeeding again after a failure makes it good again: the newest success has nothing after it.
    fake.state.addDeploymentStatus(repo.name, failedThenInactive, { state: 'success' });
    expect(await knownGood(repo, { environment: 'production', currentSha: c })).toMatchObject({
      deploymentId: failedThenInactive,
    });
  });

  it('without a current id, the current sha is passed over; with one, deployments made after it are too', async () => {
    const repo = freshRepo();
    const [a, b, c, d] = repo.shas as [string, string, string, string];
    const old = deploy(repo, a, ['success']);
    const sameCommit = deploy(repo, c, ['success']);
    const current = deploy(repo, c, ['in_progress']);
    const newer = deploy(repo, d, ['success']);
    deploy(repo, b, ['success'], { environment: 'production' });

    expect((await knownGood(repo, { currentSha: c }))?.deploymentId).toBe(newer);
    expect((await knownGood(repo, { currentSha: d }))?.deploymentId).toBe(sameCommit);
    // The commit being rolled back cannot restore anything, even from an earlier deployment of it.
    expect((await knownGood(repo, { currentDeploymentId: current, currentSha: c }))?.deploymentId).toBe(old);
    // Without the sha, an earlier deployment of the same commit counts (a redeploy that worked).
    expect((await knownGood(repo, { currentDeploymentId: current }))?.deploymentId).toBe(sameCommit);
  });

  it('passes over a deployment that a rollback undid, even when nobody marked it failed', async () => {
    const repo = freshRepo();
    const [a, b, c] = repo.shas as [string, string, string];
    const older = deploy(repo, a, ['success', 'inactive']);
    const undone = deploy(repo, b, ['success']);
    // The rollback itself failed, and the deployment it undid still reads `success`.
    const rollback = deploy(repo, a, ['failure'], { task: 'deploy:rollback', payload: { rollback_of: undone } });
    expect(statesOf(repo, undone)).toEqual(['success']);
    const lines: string[] = [];
    expect(await knownGood(repo, { currentSha: c }, lines)).toMatchObject({ deploymentId: older });
    expect(lines).toContain(
      `deployment ${undone} (${b.slice(0, 7)}) is not the known good: deployment ${rollback} rolled it back`,
    );
  });

  it('is null when nothing qualifies, including an environment never deployed to', async () => {
    const repo = freshRepo();
    const [a, b] = repo.shas as [string, string];
    deploy(repo, a, ['success', 'failure']);
    deploy(repo, a, ['success'], { transient: true });
    const current = deploy(repo, b, ['in_progress']);
    expect(await knownGood(repo, { currentDeploymentId: current })).toBeNull();
    expect(await knownGood(repo, { environment: 'qa' })).toBeNull();
  });
});

describe('findLastKnownGood: where the digest comes from', () => {
  it('reads the payload as an object or as JSON text, under either field name', async () => {
    const repo = freshRepo();
    const [a, b, c] = repo.shas as [string, string, string];
    const text = deploy(repo, a, ['success'], { payload: JSON.stringify({ subject_digest: D1, note: 'x' }) });
    expect(await knownGood(repo, { currentSha: c })).toMatchObject({
      deploymentId: text,
      digest: D1,
      source: 'payload',
    });
    const upper = deploy(repo, b, ['success'], { payload: { digest: D2.toUpperCase().replace('SHA256', 'sha256') } });
    // Upper-case hex is the same digest; it is handed on in GitHub's lower-case form.
    expect(await knownGood(repo, { currentSha: c })).toMatchObject({ deploymentId: upper, digest: D2 });
  });

  it('falls back to the verified attestation of the head when there is no payload digest', async () => {
    const repo = freshRepo();
    const [a, b] = repo.shas as [string, string];
    const good = deploy(repo, a, ['success']);
    const attestations = [
      approval(b, 'staging', [DA]), // another commit
      approval(a, 'production', [D1]), // another environment
      approval(a, 'staging', [D2], 'rejected'), // not approved
      approval(a.toUpperCase(), 'Staging', [DA]),
    ];
    expect(await knownGood(repo, { currentSha: b, verifiedAttestations: attestations })).toEqual({
      deploymentId: good,
      sha: a,
      ref: a,
      digest: DA,
      source: 'attestation',
      notes: [],
    });
    // Without attestations there is still a known good commit, but no digest: the caller decides.
    expect(await knownGood(repo, { currentSha: b })).toMatchObject({ deploymentId: good, digest: null, source: null });
  });

  it('does not choose between attestations that name different digests', async () => {
    const repo = freshRepo();
    const [a, b] = repo.shas as [string, string];
    deploy(repo, a, ['success']);
    const found = await knownGood(repo, {
      currentSha: b,
      verifiedAttestations: [approval(a, 'staging', [D1]), approval(a, 'staging', [D2])],
    });
    expect(found).toMatchObject({ digest: null, source: null });
    expect(found?.notes).toEqual([`commit ${a.slice(0, 7)}: verified attestations name 2 different sha256 digests`]);
    // Re-runs attest the same digest again; that is one digest, not a conflict.
    const again = await knownGood(repo, {
      currentSha: b,
      verifiedAttestations: [approval(a, 'staging', [D1]), approval(a, 'staging', [D1])],
    });
    expect(again).toMatchObject({ digest: D1, source: 'attestation' });
  });

  const malformed: Array<[string, Record<string, unknown> | string]> = [
    ['63 hex digits', { digest: `sha256:${'a'.repeat(63)}` }],
    ['65 hex digits', { digest: `sha256:${'a'.repeat(65)}` }],
    ['a non-hex digit', { digest: `sha256:${'a'.repeat(63)}g` }],
    ['another algorithm', { digest: `sha512:${'a'.repeat(128)}` }],
    ['no algorithm', { digest: 'a'.repeat(64) }],
    ['a trailing newline', { digest: `${DA}\n` }],
    ['a leading space', { digest: ` ${DA}` }],
    ['a number', { digest: 42 }],
    ['a good digest beside a malformed one', { digest: DA, subject_digest: 'sha256:nope' }],
    ['two digests that disagree', { digest: DA, subject_digest: D1 }],
  ];
  it.each(malformed)('does not trust a payload digest with %s, and uses the attestation', async (_what, payload) => {
    const repo = freshRepo(2);
    const [a, b] = repo.shas as [string, string];
    const good = deploy(repo, a, ['success'], { payload });
    const found = await knownGood(repo, { currentSha: b, verifiedAttestations: [approval(a, 'staging', [D2])] });
    expect(found).toMatchObject({ deploymentId: good, digest: D2, source: 'attestation' });
    expect(found?.notes).toHaveLength(1);
    expect(found?.notes[0]).toMatch(
      new RegExp(`^deployment ${good}: payload\\.(digest|subject_digest) .*not trusted$`),
    );
  });

  it('trusts the verified approval over a payload digest that disagrees with it', async () => {
    const repo = freshRepo(2);
    const [a, b] = repo.shas as [string, string];
    const good = deploy(repo, a, ['success'], { payload: { digest: DA } });
    const found = await knownGood(repo, { currentSha: b, verifiedAttestations: [approval(a, 'staging', [D2])] });
    expect(found).toMatchObject({ deploymentId: good, digest: D2, source: 'attestation' });
    expect(found?.notes[0]).toContain('the approval is trusted');
    const agreeing = await knownGood(repo, { currentSha: b, verifiedAttestations: [approval(a, 'staging', [DA])] });
    expect(agreeing).toMatchObject({ digest: DA, source: 'payload', notes: [] });
  });

  it('a payload that is not JSON carries no digest', async () => {
    const repo = freshRepo(2);
    const [a, b] = repo.shas as [string, string];
    deploy(repo, a, ['success'], { payload: `digest=${DA}` });
    expect(await knownGood(repo, { currentSha: b })).toMatchObject({ digest: null, source: null, notes: [] });
  });
});

describe('findLastKnownGood: a long history', () => {
  it('pages past GitHub’s largest page and stops reading once it has the answer', async () => {
    const repo = freshRepo(3);
    const [a, b, c] = repo.shas as [string, string, string];
    deploy(repo, a, ['success'], { payload: { digest: D1 } });
    const good = deploy(repo, a, ['success'], { payload: { digest: D2 } });
    for (let i = 0; i < 120; i++) deploy(repo, b, ['in_progress', i % 2 === 0 ? 'failure' : 'error']);
    const start = fake.requests.length;
    const found = await knownGood(repo, { currentSha: c });
    expect(found).toMatchObject({ deploymentId: good, digest: D2 });
    const lists = fake.requests.slice(start).filter((r) => isList(repo, r.path));
    expect(lists.map((r) => r.query['page'] ?? '1')).toEqual(['1', '2']);
    // One statuses request per deployment examined: the 120 failures and the good one, no more.
    const statuses = callsSince(fake, start).filter((call) => call.endsWith('/statuses'));
    expect(statuses).toHaveLength(121);
  });

  it('pages with a small page size, and gives up after maxDeployments', async () => {
    const repo = freshRepo(3);
    const [a, b, c] = repo.shas as [string, string, string];
    const good = deploy(repo, a, ['success']);
    for (let i = 0; i < 7; i++) deploy(repo, b, ['failure']);
    const start = fake.requests.length;
    expect(await knownGood(repo, { currentSha: c, perPage: 3 })).toMatchObject({ deploymentId: good });
    const pages = fake.requests
      .slice(start)
      .filter((r) => isList(repo, r.path))
      .map((r) => [r.query['per_page'], r.query['page'] ?? '1']);
    expect(pages).toEqual([
      ['3', '1'],
      ['3', '2'],
      ['3', '3'],
    ]);
    const lines: string[] = [];
    expect(await knownGood(repo, { currentSha: c, perPage: 3, maxDeployments: 7 }, lines)).toBeNull();
    expect(lines.at(-1)).toBe('gave up after the newest 7 deployments to "staging"');
  });
});

describe('conditional requests', () => {
  it('a repeated look-up answered by 304s gives the same answer, and a change is still seen', async () => {
    const repo = freshRepo(3);
    const [a, b, c] = repo.shas as [string, string, string];
    const own = clientFor(fake);
    const older = deploy(repo, a, ['success'], { payload: { digest: D1 } });
    const newer = deploy(repo, b, ['success'], { payload: { digest: D2 } });
    const look = () => findLastKnownGood(own, { ...repo.target, environment: 'staging', currentSha: c });

    expect(await look()).toMatchObject({ deploymentId: newer, digest: D2 });
    const start = fake.requests.length;
    expect(await look()).toMatchObject({ deploymentId: newer, digest: D2 });
    const again = fake.requests.slice(start);
    expect(again.length).toBeGreaterThan(0);
    expect(again.every((r) => r.status === 304 && !r.counted)).toBe(true);

    // The newer one is found broken: its statuses change, so their ETag does, and the cache yields.
    await markDeploymentFailed(own, { ...repo.target, deploymentId: newer, description: 'probe failed' });
    expect(await look()).toMatchObject({ deploymentId: older, digest: D1 });
  });
});

describe('the current deployment', () => {
  it('is the newest deployment of the sha to the environment, and says whether it is a rollback', async () => {
    const repo = freshRepo(3);
    const [a, b] = repo.shas as [string, string];
    deploy(repo, a, ['success']);
    const second = deploy(repo, a, ['in_progress']);
    deploy(repo, a, ['in_progress'], { environment: 'production' });
    deploy(repo, b, ['in_progress']);
    const current = await findCurrentDeployment(client, { ...repo.target, environment: 'staging', sha: a });
    expect(current).toMatchObject({ id: second, sha: a, task: 'deploy', isRollback: false, rollbackOf: null });
    expect(await findCurrentDeployment(client, { ...repo.target, environment: 'qa', sha: a })).toBeNull();

    const rollback = deploy(repo, a, ['in_progress'], {
      task: 'deploy:rollback',
      payload: { rollback_of: second, digest: D1 },
    });
    const now = await findCurrentDeployment(client, { ...repo.target, environment: 'staging', sha: a });
    expect(now).toMatchObject({ id: rollback, isRollback: true, rollbackOf: second });
    expect((await getDeployment(client, { ...repo.target, deploymentId: rollback })).isRollback).toBe(true);
    // A payload that says rollback_of marks a rollback even under another task name.
    const byPayload = deploy(repo, b, ['success'], { task: 'deploy', payload: '{"rollback_of":"17"}' });
    expect(await getDeployment(client, { ...repo.target, deploymentId: byPayload })).toMatchObject({
      isRollback: true,
      rollbackOf: 17,
    });
  });
});

describe('rolling back', () => {
  it('marks the failed deployment, creates the rollback, and the rollback becomes the next known good', async () => {
    const repo = freshRepo(3);
    const [a, b, c] = repo.shas as [string, string, string];
    deploy(repo, a, ['success'], { payload: { digest: D1 } });
    deploy(repo, b, ['success'], { payload: { digest: D2 } });
    // A check that now fails on the known good commit: required_contexts [] must not let it block.
    fake.state.setCommitStatus(repo.name, b, 'ci/flaky', 'failure');
    const failedId = deploy(repo, c, ['in_progress', 'success']);
    const logUrl = 'https://github.com/acme/service/actions/runs/42';

    const current = await findCurrentDeployment(client, { ...repo.target, environment: 'staging', sha: c });
    expect(current?.id).toBe(failedId);
    await markDeploymentFailed(client, {
      ...repo.target,
      deploymentId: failedId,
      description: 'Health probe failed 3 of 5 times',
      logUrl,
    });
    expect(statesOf(repo, failedId).at(-1)).toBe('failure');

    const target = await knownGood(repo, { currentDeploymentId: failedId, currentSha: c });
    expect(target).toMatchObject({ sha: b, digest: D2 });
    expect(
      await rollbackAlreadyDone(client, { ...repo.target, environment: 'staging', failedDeploymentId: failedId }),
    ).toBe(false);

    const start = fake.requests.length;
    const rollback = await createRollbackDeployment(client, {
      ...repo.target,
      environment: 'staging',
      ref: b,
      rollbackOf: failedId,
      digest: D2,
      description: `Roll back deployment ${failedId}: ${'probe failed; '.repeat(20)}`,
      logUrl,
    });
    const create = fake.requests.slice(start).find((r) => r.method === 'POST' && r.path.endsWith('/deployments'));
    expect(create?.status).toBe(201);
    expect(create?.body).toMatchObject({
      ref: b,
      task: 'deploy:rollback',
      environment: 'staging',
      auto_merge: false,
      required_contexts: [],
      payload: { rollback_of: failedId, digest: D2 },
    });
    expect(rollback).toMatchObject({ sha: b, task: 'deploy:rollback', isRollback: true, rollbackOf: failedId });
    const stored = fake.state.repo(repo.name).deployments.find((d) => d.id === rollback.id);
    expect(stored?.statuses.map((s) => [s.state, s.log_url])).toEqual([['in_progress', logUrl]]);
    // GitHub refuses status descriptions over 140 characters; a long one is shortened, not refused.
    expect([...(stored?.statuses[0]?.description ?? '')]).toHaveLength(140);

    expect(
      await rollbackAlreadyDone(client, { ...repo.target, environment: 'staging', failedDeploymentId: failedId }),
    ).toBe(true);
    await finishRollbackDeployment(client, { ...repo.target, deploymentId: rollback.id, ok: true, logUrl });
    expect(statesOf(repo, rollback.id).at(-1)).toBe('success');

    // The next deploy fails too: what to restore now is what the rollback put back, digest and all.
    const next = deploy(repo, c, ['in_progress']);
    expect(await knownGood(repo, { currentDeploymentId: next })).toEqual({
      deploymentId: rollback.id,
      sha: b,
      ref: b,
      digest: D2,
      source: 'payload',
      notes: [],
    });
  });

  it('a rollback that fails is never a known good afterwards', async () => {
    const repo = freshRepo(3);
    const [a, b, c] = repo.shas as [string, string, string];
    const older = deploy(repo, a, ['success']);
    deploy(repo, b, ['success']);
    const failedId = deploy(repo, c, ['success', 'failure']);
    const rollback = await createRollbackDeployment(client, {
      ...repo.target,
      environment: 'staging',
      ref: b,
      rollbackOf: failedId,
      digest: null,
      description: 'Roll back',
    });
    expect(fake.state.repo(repo.name).deployments.find((d) => d.id === rollback.id)?.payload).toEqual({
      rollback_of: failedId,
      digest: null,
    });
    await finishRollbackDeployment(client, { ...repo.target, deploymentId: rollback.id, ok: false, logUrl: null });
    expect(statesOf(repo, rollback.id)).toEqual(['in_progress', 'failure']);
    // b is still good in its own right (its deployment was not failed); the failed rollback is skipped.
    const found = await knownGood(repo, { currentSha: c });
    expect(found?.sha).toBe(b);
    expect(found?.deploymentId).not.toBe(rollback.id);
    fake.state.addDeploymentStatus(repo.name, found?.deploymentId ?? 0, { state: 'failure' });
    expect((await knownGood(repo, { currentSha: c }))?.deploymentId).toBe(older);
  });

  it('a re-run finds the earlier rollback and does not roll back twice', async () => {
    const repo = freshRepo(3);
    const [a, b] = repo.shas as [string, string];
    deploy(repo, a, ['success']);
    const failedId = deploy(repo, b, ['success', 'failure']);
    const other = deploy(repo, b, ['failure']);
    const options = {
      ...repo.target,
      environment: 'staging',
      ref: a,
      rollbackOf: failedId,
      digest: D1,
      description: 'x',
    };
    const first = await createRollbackDeployment(client, options);

    expect(
      await rollbackAlreadyDone(client, { ...repo.target, environment: 'staging', failedDeploymentId: failedId }),
    ).toBe(true);
    expect(
      await rollbackAlreadyDone(client, { ...repo.target, environment: 'staging', failedDeploymentId: other }),
    ).toBe(false);
    // Found whatever the environment is spelt as: the id alone says which deployment was undone.
    expect(
      await findRollbackOf(client, { ...repo.target, environment: 'STAGING', failedDeploymentId: failedId }),
    ).toMatchObject({
      id: first.id,
    });

    const start = fake.requests.length;
    const second = createRollbackDeployment(client, options);
    await expect(second).rejects.toThrow(RollbackRefusedError);
    await expect(second).rejects.toMatchObject({ reason: 'already-rolled-back', existing: { id: first.id } });
    expect(callsSince(fake, start).filter((call) => call.startsWith('POST'))).toEqual([]);
    expect(fake.state.repo(repo.name).deployments.filter((d) => d.task === 'deploy:rollback')).toHaveLength(1);
  });

  it('refuses to roll back a rollback, before writing anything', async () => {
    const repo = freshRepo(3);
    const [a, b] = repo.shas as [string, string];
    deploy(repo, a, ['success']);
    const failedId = deploy(repo, b, ['success', 'failure']);
    const rollback = await createRollbackDeployment(client, {
      ...repo.target,
      environment: 'staging',
      ref: a,
      rollbackOf: failedId,
      digest: D1,
      description: 'first',
    });
    await finishRollbackDeployment(client, { ...repo.target, deploymentId: rollback.id, ok: false });
    const start = fake.requests.length;
    const refused = createRollbackDeployment(client, {
      ...repo.target,
      environment: 'staging',
      ref: a,
      rollbackOf: rollback.id,
      digest: D1,
      description: 'second',
    });
    await expect(refused).rejects.toMatchObject({
      name: 'RollbackRefusedError',
      reason: 'is-rollback',
      message: `Deployment ${rollback.id} to "staging" is itself a rollback; a rollback is never rolled back`,
    });
    expect(callsSince(fake, start).filter((call) => call.startsWith('POST'))).toEqual([]);
  });

  it('refuses a malformed digest before writing anything', async () => {
    const repo = freshRepo(2);
    const [a, b] = repo.shas as [string, string];
    const failedId = deploy(repo, b, ['failure']);
    const start = fake.requests.length;
    await expect(
      createRollbackDeployment(client, {
        ...repo.target,
        environment: 'staging',
        ref: a,
        rollbackOf: failedId,
        digest: 'sha256:short',
        description: 'x',
      }),
    ).rejects.toThrow(/digest: expected sha256:<64 hex digits>/);
    expect(fake.requests.length).toBe(start);
  });
});

describe('errors', () => {
  it('name what was being done and the environment', async () => {
    const repo = freshRepo(2);
    const [a] = repo.shas as [string];
    const failure = markDeploymentFailed(client, {
      ...repo.target,
      environment: 'staging',
      deploymentId: 999_999,
      description: 'x',
    });
    await expect(failure).rejects.toThrow(GitHubApiError);
    await expect(failure).rejects.toMatchObject({ status: 404 });
    await expect(failure).rejects.toThrow(
      new RegExp(`^Could not mark deployment 999999 failed for environment "staging" of ${repo.name}: GitHub API POST`),
    );
    // A ref GitHub cannot resolve: its 422 comes through with the environment named.
    const failedId = deploy(repo, a, ['failure']);
    const refused: unknown = await createRollbackDeployment(client, {
      ...repo.target,
      environment: 'staging',
      ref: 'f'.repeat(40),
      rollbackOf: failedId,
      digest: null,
      description: 'x',
    }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(GitHubApiError);
    expect((refused as GitHubApiError).status).toBe(422);
    expect((refused as GitHubApiError).message).toMatch(
      new RegExp(`^Could not create the rollback deployment of deployment ${failedId} for environment "staging"`),
    );
  });

  it('a rate limit that outlasts the retries is said as such, without permission advice', async () => {
    const repo = freshRepo(2);
    const impatient = clientFor(fake, { retries: 0 });
    fake.faults.next('primary-rate-limit', { retryAfter: 5 });
    const error: unknown = await findLastKnownGood(impatient, { ...repo.target, environment: 'staging' }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(GitHubApiError);
    expect((error as Error).message).toMatch(/rate limit/);
    expect((error as Error).message).not.toMatch(/deployments: read/);
  });
});

describe('a token without the deployments permission', () => {
  // The fake grants every token every permission, so GitHub's refusal is served here as GitHub
  // words it, over HTTP, to the same client.
  let refuser: Server;
  let url: string;
  beforeAll(async () => {
    refuser = createServer((_req, res) => {
      res.writeHead(403, {
        'content-type': 'application/json; charset=utf-8',
        'x-accepted-github-permissions': 'deployments=write',
        'x-github-request-id': 'ABCD:1234',
      });
      res.end(
        JSON.stringify({
          message: 'Resource not accessible by integration',
          documentation_url: 'https://docs.github.com/rest/deployments/statuses#create-a-deployment-status',
          status: '403',
        }),
      );
    });
    await new Promise<void>((resolve) => refuser.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(refuser.address() as AddressInfo).port}`;
  });
  afterAll(
    () =>
      new Promise<void>((resolve) => {
        refuser.closeAllConnections();
        refuser.close(() => resolve());
      }),
  );

  it('names the permission to grant, for writes and for reads, and never the token', async () => {
    const denied = clientFor({ ...fake, url });
    const write: unknown = await markDeploymentFailed(denied, {
      owner: 'acme',
      repo: 'x',
      environment: 'production',
      deploymentId: 5,
      description: 'x',
    }).catch((e: unknown) => e);
    expect(write).toBeInstanceOf(GitHubApiError);
    const writeError = write as GitHubApiError;
    expect(writeError.status).toBe(403);
    expect(writeError.requestId).toBe('ABCD:1234');
    expect(writeError.message).toContain('for environment "production" of acme/x');
    expect(writeError.message).toContain('Resource not accessible by integration');
    expect(writeError.message).toContain(
      'The token needs the "deployments: write" permission (GitHub accepts: deployments=write): in a workflow, `permissions: deployments: write`',
    );
    expect(writeError.message).not.toContain(TOKEN);

    const read: unknown = await findLastKnownGood(denied, {
      owner: 'acme',
      repo: 'x',
      environment: 'production',
    }).catch((e: unknown) => e);
    expect((read as Error).message).toMatch(
      /^Could not list deployments for environment "production" of acme\/x: .*403/,
    );
    expect((read as Error).message).toContain('"deployments: read" permission');
  });
});
