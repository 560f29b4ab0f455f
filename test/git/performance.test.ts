import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { performance } from 'node:perf_hooks';
import { readChange } from '../../packages/git/src/index.js';
import { createRepository, git, importCommits } from './helpers.js';

const COMMITS = 5_000;

describe('readChange on a long history', () => {
  let root = '';
  let remove = (): Promise<void> => Promise.resolve();

  beforeAll(async () => {
    ({ path: root, remove } = await createRepository());
    // One extra commit to serve as base, so that base..head holds exactly COMMITS commits.
    await importCommits(root, COMMITS + 1);
  });

  afterAll(() => remove());

  it(`reads ${COMMITS} commits correctly (and reports how long it took)`, async () => {
    const base = (await git(root, ['rev-list', '--max-parents=0', 'main'])).trim();
    const started = performance.now();
    const change = await readChange({ cwd: root, base, head: 'main', withPatches: true });
    const elapsed = performance.now() - started;
    console.log(
      `readChange: ${change.commits.length} commits, ${change.files.length} files in ${elapsed.toFixed(0)} ms`,
    );

    expect(change.commits).toHaveLength(COMMITS);
    expect(new Set(change.commits.map((commit) => commit.sha)).size).toBe(COMMITS);
    change.commits.forEach((commit, offset) => {
      const index = offset + 1;
      const who = `author-${index % 50}`;
      expect(commit.author).toEqual({ login: null, name: who, email: `${who}@example.com` });
      expect(commit.committer.email).toBe('committer@example.com');
      expect(commit.message).toBe(
        `Commit ${index}\n\nBody line of ${index}.\nauthor Mallory <mallory@example.com> 0 +0000\n`,
      );
    });
    expect(change.files).toHaveLength(100);
    // The base commit created file-0.txt; the range adds the other 99 and rewrites each file's line.
    for (const file of change.files) {
      const expected =
        file.path === 'file-0.txt' ? { status: 'modified', deletions: 1 } : { status: 'added', deletions: 0 };
      expect(file).toMatchObject({ ...expected, additions: 1 });
    }
  });
});
