// The change from the compare API (paged), its pull requests, and the fall-back to local git when
// GitHub's answer is cut short, or the refusal when there is no history to fall back to.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigurationError } from '@countersign/core';
import { gatherChange, type GitHubClient } from '../../packages/github/src/index.js';
import { startFakeGitHub, type FakeFileChange, type FakeGitHub } from '../fakes/github/index.js';
import { commitAll, createRepository, writeFiles } from '../git/helpers.js';
import { callsSince, clientFor } from './helpers.js';

let fake: FakeGitHub;
let client: GitHubClient;

beforeAll(async () => {
  fake = await startFakeGitHub();
  client = clientFor(fake);
});
afterAll(() => fake.close());

const person = (n: number) => ({ name: `Dev ${n}`, email: `dev${n}@example.com`, login: `dev${n}` });

describe('from the compare API', () => {
  const REPO = 'acme/paged';
  let base: string;
  let shas: string[];

  beforeAll(() => {
    const s = fake.state;
    s.addRepo(REPO);
    base = s.repo(REPO).branches['main'] ?? '';
    const made = s.pushCommits(
      REPO,
      Array.from({ length: 120 }, (_, i) => ({
        message: i === 5 ? `Fix\n\nCo-authored-by: Pat <12+pat@users.noreply.github.com>\n` : `Commit ${i}`,
        author: person(i % 3),
        committer: i === 7 ? { name: 'GitHub', email: 'noreply@github.com', login: 'web-flow' } : person(i % 3),
        files: [{ filename: `src/file-${i % 4}.ts`, status: 'modified' as const, additions: 2, deletions: 1 }],
      })),
    );
    shas = made.map((c) => c.sha);
    s.addPull(REPO, {
      user: 'paula',
      head: { ref: 'main', sha: shas[10] ?? '' },
      commits: shas.slice(0, 11),
      labels: ['db'],
    });
    s.addPull(REPO, {
      user: 'quinn',
      head: { ref: 'main', sha: shas[119] ?? '' },
      commits: shas.slice(10),
      labels: ['emergency'],
    });
  });

  it('reads every commit across pages, the files, the pull requests and the actor', async () => {
    const start = fake.requests.length;
    const change = await gatherChange({
      client,
      owner: 'acme',
      repo: 'paged',
      base,
      head: shas.at(-1) ?? '',
      environment: 'production',
      triggeringActor: 'rerunner',
      branch: 'main',
      labels: ['given'],
    });
    const compares = fake.requests.slice(start).filter((r) => r.route === '/repos/{owner}/{repo}/compare/{basehead}');
    expect(compares.map((r) => r.query['page'])).toEqual(['1', '2']);
    expect(change.commits.map((c) => c.sha)).toEqual(shas);
    expect(change.commits[0]).toEqual({
      sha: shas[0],
      message: 'Commit 0',
      author: { login: 'dev0', email: 'dev0@example.com', name: 'Dev 0' },
      committer: { login: 'dev0', email: 'dev0@example.com', name: 'Dev 0' },
    });
    expect(change.commits[5]?.message).toContain('Co-authored-by: Pat <12+pat@users.noreply.github.com>');
    expect(change.commits[7]?.committer.login).toBe('web-flow');
    expect(change.files.map((f) => f.path)).toEqual([
      'src/file-0.ts',
      'src/file-1.ts',
      'src/file-2.ts',
      'src/file-3.ts',
    ]);
    expect(change.pull_requests.sort((a, b) => a.number - b.number)).toEqual([
      { number: expect.any(Number) as number, author: 'paula', labels: ['db'] },
      { number: expect.any(Number) as number, author: 'quinn', labels: ['emergency'] },
    ]);
    expect(change).toMatchObject({
      repository: 'acme/paged',
      environment: 'production',
      branch: 'main',
      base,
      head: shas.at(-1),
      labels: ['given'],
      triggering_actor: 'rerunner',
    });
  });

  it("maps GitHub's file statuses onto the core's", async () => {
    const head = shas[0] ?? '';
    const files: FakeFileChange[] = [
      { filename: 'a.txt', status: 'copied', additions: 3, deletions: 0, previous_filename: 'b.txt' },
      { filename: 'run.sh', status: 'changed', additions: 0, deletions: 0 },
      { filename: 'new/name.ts', status: 'renamed', additions: 0, deletions: 0, previous_filename: 'old/name.ts' },
      { filename: 'gone.md', status: 'removed', additions: 0, deletions: 9 },
      { filename: 'db/1.sql', status: 'added', additions: 1, deletions: 0, patch: '@@ -0,0 +1 @@\n+DROP TABLE users;' },
    ];
    fake.state.setCompareFiles(REPO, base, head, files);
    const change = await gatherChange({
      client,
      owner: 'acme',
      repo: 'paged',
      base,
      head,
      environment: null,
      triggeringActor: null,
    });
    expect(change.files).toEqual([
      { path: 'a.txt', status: 'added', additions: 3, deletions: 0, previous_path: 'b.txt', patch: null },
      { path: 'run.sh', status: 'modified', additions: 0, deletions: 0, previous_path: null, patch: null },
      { path: 'new/name.ts', status: 'renamed', additions: 0, deletions: 0, previous_path: 'old/name.ts', patch: null },
      { path: 'gone.md', status: 'removed', additions: 0, deletions: 9, previous_path: null, patch: null },
      {
        path: 'db/1.sql',
        status: 'added',
        additions: 1,
        deletions: 0,
        previous_path: null,
        patch: '@@ -0,0 +1 @@\n+DROP TABLE users;',
      },
    ]);
  });
});

describe('a change too large for the compare API', () => {
  const REPO = 'acme/large';
  let checkout: { path: string; remove: () => Promise<void> };
  let empty: { path: string; remove: () => Promise<void> };
  let base: string;
  let head: string;
  let middle: string;

  beforeAll(async () => {
    // A real repository whose commits the fake also holds, under the same shas.
    checkout = await createRepository();
    empty = await createRepository();
    await writeFiles(checkout.path, { 'README.md': 'hello\n' });
    base = await commitAll(checkout.path, 'Base\n');
    await writeFiles(checkout.path, { 'db/migrations/001.sql': 'CREATE TABLE t (id int);\n' });
    middle = await commitAll(checkout.path, 'Add a migration\n', { author: { name: 'Mia', email: 'mia@example.com' } });
    await writeFiles(checkout.path, { 'README.md': 'hello again\n', 'docs/guide.md': 'guide\n' });
    head = await commitAll(checkout.path, 'Docs\n\nCo-authored-by: Nat <nat@example.com>\n', {
      author: { name: 'Ola', email: '77+ola@users.noreply.github.com' },
    });
    const s = fake.state;
    s.addRepo(REPO);
    s.pushCommits(
      REPO,
      [
        { sha: base, message: 'Base\n', parents: [] },
        { sha: middle, message: 'Add a migration\n', author: { name: 'Mia', email: 'mia@example.com', login: 'mia' } },
        {
          sha: head,
          message: 'Docs\n',
          author: { name: 'Ola', email: '77+ola@users.noreply.github.com', login: 'ola' },
        },
      ],
      'big',
    );
    const many = Array.from({ length: 320 }, (_, i) => ({
      filename: `generated/${i}.txt`,
      status: 'added' as const,
      additions: 1,
      deletions: 0,
    }));
    s.setCompareFiles(REPO, base, head, many);
    s.addPull(REPO, { user: 'mia', head: { ref: 'big' }, labels: ['db'], commits: [middle, head] });
  });
  afterAll(async () => {
    await checkout.remove();
    await empty.remove();
  });

  it('reads the files and commits from local git, keeping the logins GitHub knows', async () => {
    const start = fake.requests.length;
    const change = await gatherChange({
      client,
      owner: 'acme',
      repo: 'large',
      base,
      head,
      environment: 'production',
      triggeringActor: 'ola',
      localGitCwd: checkout.path,
    });
    expect(change.files.map((f) => [f.path, f.status])).toEqual([
      ['README.md', 'modified'],
      ['db/migrations/001.sql', 'added'],
      ['docs/guide.md', 'added'],
    ]);
    expect(change.files.find((f) => f.path === 'db/migrations/001.sql')?.patch).toContain('+CREATE TABLE t (id int);');
    expect(change.commits.map((c) => [c.sha, c.author.login, c.author.email])).toEqual([
      [middle, 'mia', 'mia@example.com'],
      [head, 'ola', '77+ola@users.noreply.github.com'],
    ]);
    // The message is git's own, trailers included: co-authors are participants.
    expect(change.commits[1]?.message).toContain('Co-authored-by: Nat <nat@example.com>');
    expect(change.pull_requests).toEqual([{ number: expect.any(Number) as number, author: 'mia', labels: ['db'] }]);
    expect(callsSince(fake, start).filter((c) => c.endsWith('/pulls'))).toHaveLength(2);
  });

  it('refuses without a local checkout, saying how to get one', async () => {
    const error = await gatherChange({
      client,
      owner: 'acme',
      repo: 'large',
      base,
      head,
      environment: 'production',
      triggeringActor: 'ola',
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigurationError);
    expect((error as Error).message).toMatch(/too large for GitHub's compare API \(300 files listed/);
    expect((error as Error).message).toContain('no local checkout was given');
    expect((error as Error).message).toContain('fetch-depth: 0');
  });

  it('refuses when the checkout lacks the commits', async () => {
    const error = await gatherChange({
      client,
      owner: 'acme',
      repo: 'large',
      base,
      head,
      environment: 'production',
      triggeringActor: 'ola',
      localGitCwd: empty.path,
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigurationError);
    expect((error as Error).message).toMatch(/the local checkout cannot supply it: .*does not name a commit/);
    expect((error as Error).message).toContain('fetch-depth: 0');
  });
});
