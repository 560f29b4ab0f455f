// The default base (what runs in the environment now) and trusted files read at that base.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigurationError } from '@countersign/core';
import { defaultBase, readTrustedFile, type GitHubClient } from '../../packages/github/src/index.js';
import { startFakeGitHub, type FakeGitHub } from '../fakes/github/index.js';
import { commitAll, createRepository, writeFiles } from '../git/helpers.js';
import { ISO, callsSince, clientFor } from './helpers.js';

const REPO = 'acme/widgets';
const target = { owner: 'acme', repo: 'widgets' };
let fake: FakeGitHub;
let client: GitHubClient;
let shas: string[];

beforeAll(async () => {
  fake = await startFakeGitHub();
  client = clientFor(fake);
  fake.state.addRepo(REPO, { files: { '.countersign.yml': 'version: 1 # base\n' } });
  shas = fake.state
    .pushCommits(REPO, [
      {
        message: 'a',
        files: [{ filename: '.countersign.yml', status: 'modified', content: 'version: 1 # weakened\n' }],
      },
      { message: 'b' },
      { message: 'c' },
      { message: 'd' },
      { message: 'e' },
    ])
    .map((c) => c.sha);
});
afterAll(() => fake.close());

describe('defaultBase', () => {
  beforeAll(() => {
    const s = fake.state;
    const [a, b, c, d, e] = shas as [string, string, string, string, string];
    s.addDeployment(REPO, {
      sha: a,
      environment: 'production',
      statuses: ['in_progress', 'success'],
      created_at: ISO(1),
    });
    // Succeeded, then rolled back: not what runs now.
    const rolledBack = s.addDeployment(REPO, {
      sha: b,
      environment: 'production',
      statuses: ['success'],
      created_at: ISO(2),
    });
    s.addDeploymentStatus(REPO, rolledBack.id, { state: 'failure', created_at: ISO(3) });
    // Succeeded, failed, then replaced: its latest state is no failure, yet it was undone.
    const undone = s.addDeployment(REPO, {
      sha: b,
      environment: 'production',
      statuses: ['success'],
      created_at: ISO(3),
    });
    s.addDeploymentStatus(REPO, undone.id, { state: 'failure', created_at: ISO(3) });
    s.addDeploymentStatus(REPO, undone.id, { state: 'inactive', created_at: ISO(4) });
    s.addDeployment(REPO, {
      sha: c,
      environment: 'production',
      transient_environment: true,
      statuses: ['success'],
      created_at: ISO(4),
    });
    s.addDeployment(REPO, { sha: d, environment: 'staging', statuses: ['success'], created_at: ISO(5) });
    s.addDeployment(REPO, {
      sha: e,
      environment: 'production',
      statuses: ['queued', 'in_progress'],
      created_at: ISO(6),
    });
  });

  it('is the head of the newest deployment to the environment that succeeded and still stands', async () => {
    expect(await defaultBase({ client, ...target, environment: 'production', prBase: 'f'.repeat(40) })).toBe(shas[0]);
    expect(await defaultBase({ client, ...target, environment: 'staging' })).toBe(shas[3]);
  });

  it('falls back to the pull request base, then to nothing', async () => {
    expect(await defaultBase({ client, ...target, environment: 'qa', prBase: 'f'.repeat(40) })).toBe('f'.repeat(40));
    expect(await defaultBase({ client, ...target, environment: 'qa' })).toBeNull();
  });
});

describe('readTrustedFile', () => {
  it('reads the file at the base through the contents API, not at the head', async () => {
    const base = fake.state.repo(REPO).commits[shas[0] ?? '']?.parents[0] ?? '';
    const read = (ref: string) => readTrustedFile({ client, ...target, ref, path: '.countersign.yml' });
    expect(await read(base)).toBe('version: 1 # base\n');
    expect(await read(shas[4] ?? '')).toBe('version: 1 # weakened\n');
  });

  it('is null when no file is there, encodes odd names, and refuses a path that leaves the repository', async () => {
    fake.state.setFile(REPO, 'main', 'config/a b/é.yml', 'x: 1\n');
    expect(await readTrustedFile({ client, ...target, ref: 'main', path: 'absent.yml' })).toBeNull();
    expect(await readTrustedFile({ client, ...target, ref: 'main', path: 'config/a b/é.yml' })).toBe('x: 1\n');
    await expect(readTrustedFile({ client, ...target, ref: 'main', path: '../secrets' })).rejects.toThrow(
      ConfigurationError,
    );
  });

  it('reads from local git when the checkout has the ref, and from the API when it does not', async () => {
    const checkout = await createRepository();
    try {
      await writeFiles(checkout.path, { '.countersign.yml': 'version: 1 # local\n' });
      const local = await commitAll(checkout.path, 'policy\n');
      const start = fake.requests.length;
      expect(
        await readTrustedFile({ client, ...target, ref: local, path: '.countersign.yml', localGitCwd: checkout.path }),
      ).toBe('version: 1 # local\n');
      expect(
        await readTrustedFile({ client, ...target, ref: local, path: 'absent.yml', localGitCwd: checkout.path }),
      ).toBeNull();
      expect(callsSince(fake, start)).toEqual([]);
      const remote = await readTrustedFile({
        client,
        ...target,
        ref: shas[4] ?? '',
        path: '.countersign.yml',
        localGitCwd: checkout.path,
      });
      expect(remote).toBe('version: 1 # weakened\n');
      expect(callsSince(fake, start)).toEqual(['GET /repos/acme/widgets/contents/.countersign.yml']);
    } finally {
      await checkout.remove();
    }
  });
});
