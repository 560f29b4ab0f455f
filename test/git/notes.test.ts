import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ConfigurationError } from '@countersign/core';
import {
  addRequest,
  fetchCountersignRefs,
  pushRequests,
  readRequests,
  type RequestRecord,
} from '../../packages/git/src/notes.js';
import { commitAll, createRepository, git, temporaryDirectory, writeFiles } from './helpers.js';
import { isolateGitConfig } from './ssh-helpers.js';

const NOTES = 'refs/notes/countersign';

let restoreConfig = (): void => undefined;
beforeAll(() => {
  restoreConfig = isolateGitConfig();
});
afterAll(() => restoreConfig());

describe('requests as git notes', () => {
  let root = '';
  let remove = (): Promise<void> => Promise.resolve();
  let base = '';
  let head = '';
  let other = '';

  beforeEach(async () => {
    ({ path: root, remove } = await createRepository());
    await writeFiles(root, { 'README.md': 'hello\n' });
    base = await commitAll(root, 'base\n');
    await writeFiles(root, { 'app.txt': 'v2\n' });
    head = await commitAll(root, 'head\n');
    await writeFiles(root, { 'app.txt': 'v3\n' });
    other = await commitAll(root, 'later\n');
  });

  afterEach(() => remove());

  const request = (environment: string, fields: Partial<RequestRecord> = {}): RequestRecord => ({
    environment,
    head,
    base,
    requested_at: '2024-05-01T10:00:00.000Z',
    risk: 'high',
    required: { approvals: 2, require: [{ role: 'sre', count: 1 }] },
    policy_sha256: 'ab'.repeat(32),
    requested_by: 'alice@example.com',
    ...fields,
  });

  const note = (cwd: string, commit = head): Promise<string> => git(cwd, ['notes', `--ref=${NOTES}`, 'show', commit]);

  it('adds a request as one JSON line on the head and reads it back', async () => {
    const production = request('production');
    expect(await addRequest(root, production)).toEqual({ created: true, record: production });
    expect(await readRequests(root, head)).toEqual([production]);
    expect(await note(root)).toBe(`${JSON.stringify(production)}\n`);
  });

  it('reads no requests from a head without a note, or a repository without the notes ref', async () => {
    expect(await readRequests(root, head)).toEqual([]);
    await addRequest(root, request('production'));
    expect(await readRequests(root, other)).toEqual([]);
  });

  it('keeps the first request when the same environment and head are requested again', async () => {
    const first = request('production');
    await addRequest(root, first);
    const again = await addRequest(
      root,
      request('production', { requested_at: '2024-05-02T00:00:00.000Z', risk: 'low' }),
    );
    expect(again).toEqual({ created: false, record: first });
    expect(await readRequests(root, head)).toEqual([first]);
  });

  it('records two environments on one head, earliest first', async () => {
    const staging = request('staging', { requested_at: '2024-05-01T12:00:00.000Z' });
    const production = request('production', { requested_at: '2024-05-01T11:00:00.000Z' });
    expect((await addRequest(root, staging)).created).toBe(true);
    expect((await addRequest(root, production)).created).toBe(true);
    expect(await readRequests(root, head)).toEqual([production, staging]);
  });

  it('resolves the head revision and stores the full sha', async () => {
    const { record } = await addRequest(root, request('production', { head: 'HEAD~1' }));
    expect(record.head).toBe(head);
    await expect(addRequest(root, request('production', { head: 'no-such-rev' }))).rejects.toThrow(/^--head: /);
  });

  it('keeps lines it cannot read, and ignores a note copied onto another commit', async () => {
    await git(root, ['notes', `--ref=${NOTES}`, 'add', '-m', 'a line someone wrote by hand', head]);
    const production = request('production');
    await addRequest(root, production);
    expect(await note(root)).toBe(`a line someone wrote by hand\n${JSON.stringify(production)}\n`);
    expect(await readRequests(root, head)).toEqual([production]);
    await git(root, ['notes', `--ref=${NOTES}`, 'copy', head, other]);
    expect(await readRequests(root, other)).toEqual([]);
  });

  it('records a request where git has no identity, and uses the identity where there is one', async () => {
    await git(root, ['config', 'user.useConfigOnly', 'true']);
    await addRequest(root, request('production'));
    expect(await git(root, ['log', '-1', '--format=%an <%ae>', NOTES])).toBe('Countersign <countersign@localhost>\n');
    await git(root, ['config', 'user.name', 'Rita Requester']);
    await git(root, ['config', 'user.email', 'rita@example.com']);
    await addRequest(root, request('staging'));
    expect(await git(root, ['log', '-1', '--format=%an <%ae>', NOTES])).toBe('Rita Requester <rita@example.com>\n');
  });

  describe('with a remote', () => {
    let remote = { path: '', remove: (): Promise<void> => Promise.resolve() };
    let bare = '';
    let peer = '';

    beforeEach(async () => {
      remote = await temporaryDirectory();
      bare = join(remote.path, 'origin.git');
      peer = join(remote.path, 'peer');
      await git(root, ['clone', '--quiet', '--bare', root, bare]);
      await git(root, ['remote', 'add', 'origin', bare]);
      await git(remote.path, ['clone', '--quiet', bare, peer]);
    });

    afterEach(() => remote.remove());

    it('answers false when there is no such remote', async () => {
      expect(await fetchCountersignRefs(root, 'upstream')).toBe(false);
      expect(await pushRequests(root, 'upstream')).toBe(false);
      await expect(fetchCountersignRefs(root, '--upload-pack=touch /tmp/x')).rejects.toBeInstanceOf(ConfigurationError);
    });

    it('fetches decision tags and merges requests made on both sides, losing none', async () => {
      const local = request('production', { requested_at: '2024-05-01T10:00:00.000Z' });
      const theirs = request('staging', { requested_by: 'bob@example.com' });
      const theirProduction = request('production', {
        requested_at: '2024-05-01T09:00:00.000Z',
        requested_by: 'bob@example.com',
      });
      await addRequest(root, local);
      await addRequest(peer, theirs);
      await addRequest(peer, theirProduction);
      expect(await pushRequests(peer)).toBe(true);
      const decision = `countersign/production/${head}/peer-decision`;
      await git(peer, ['tag', decision, head]);
      await git(peer, ['tag', 'v1.0', head]);
      await git(peer, ['push', '--quiet', 'origin', 'refs/tags/*:refs/tags/*']);

      expect(await fetchCountersignRefs(root)).toBe(true);
      // The union of both sides; on the same environment the earlier request stands.
      expect(await readRequests(root, head)).toEqual([theirProduction, local, theirs]);
      expect(await addRequest(root, request('production'))).toEqual({ created: false, record: theirProduction });
      expect(await git(root, ['tag', '-l'])).toBe(`${decision}\n`);
      expect(await git(root, ['for-each-ref', 'refs/countersign/'])).toBe('');

      // Fetching again changes nothing and duplicates nothing.
      const before = await note(root);
      expect(await fetchCountersignRefs(root)).toBe(true);
      expect(await note(root)).toBe(before);
    });

    it('takes the remote notes as they are when there are none locally', async () => {
      const theirs = request('staging');
      await addRequest(peer, theirs);
      await pushRequests(peer);
      expect(await fetchCountersignRefs(root)).toBe(true);
      expect(await readRequests(root, head)).toEqual([theirs]);
      expect(await git(root, ['rev-parse', NOTES])).toBe(await git(bare, ['rev-parse', NOTES]));
    });

    it('fetches from a remote that has no requests yet', async () => {
      const local = request('production');
      await addRequest(root, local);
      expect(await fetchCountersignRefs(root)).toBe(true);
      expect(await readRequests(root, head)).toEqual([local]);
    });

    it('pushes the notes ref and nothing else', async () => {
      expect(await pushRequests(root)).toBe(true);
      expect(await git(bare, ['for-each-ref', 'refs/notes/'])).toBe('');
      const production = request('production');
      await addRequest(root, production);
      await git(root, ['tag', `countersign/production/${head}/local`, head]);
      await writeFiles(root, { 'app.txt': 'v4\n' });
      await commitAll(root, 'unpushed\n');
      const mainBefore = await git(bare, ['rev-parse', 'refs/heads/main']);
      expect(await pushRequests(root)).toBe(true);
      expect(await note(bare)).toBe(`${JSON.stringify(production)}\n`);
      expect(await git(bare, ['rev-parse', 'refs/heads/main'])).toBe(mainBefore);
      expect(await git(bare, ['tag', '-l'])).toBe('');
    });

    it('merges and retries when someone else pushed requests first', async () => {
      const theirs = request('staging');
      const local = request('production');
      await addRequest(peer, theirs);
      await pushRequests(peer);
      await addRequest(root, local);
      expect(await pushRequests(root)).toBe(true);
      expect(await readRequests(bare, head)).toEqual(
        [local, theirs].sort((a, b) => a.environment.localeCompare(b.environment)),
      );
      expect(await readRequests(root, head)).toHaveLength(2);
      expect(await git(bare, ['log', '-1', '--format=%s', NOTES])).toMatch(/^Merged notes from /);
    });
  });
});
