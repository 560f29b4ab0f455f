// request → approve/reject → wait on the git platform, through the real binary, with real SSH keys
// and real git, in temporary repositories isolated from the machine's git configuration.
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { devNull, tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';

const exec = promisify(execFile);

const POLICY = `version: 1
roles: { sre: [bob@example.com], dba: [carol@example.com] }
levels:
  low: { approvals: 0 }
  medium: { approvals: 1 }
  high: { approvals: 2, require: [{ role: sre }, { role: dba }] }
  critical: { approvals: 2 }
rules:
  - { id: db, when: { paths: ["db/**"] }, risk: high }
`;

const PEOPLE = ['alice', 'bob', 'carol', 'mallory'] as const;
type Who = (typeof PEOPLE)[number];

let work: string;
let home: string;
const env = (): NodeJS.ProcessEnv => ({ HOME: home, GIT_CONFIG_GLOBAL: devNull, GIT_CONFIG_NOSYSTEM: '1' });

async function git(cwd: string, args: string[], who: Who = 'alice'): Promise<string> {
  const { stdout } = await exec('git', ['-c', 'commit.gpgsign=false', '-c', 'init.defaultBranch=main', ...args], {
    cwd,
    env: {
      ...process.env,
      ...env(),
      GIT_AUTHOR_NAME: who,
      GIT_AUTHOR_EMAIL: `${who}@example.com`,
      GIT_COMMITTER_NAME: who,
      GIT_COMMITTER_EMAIL: `${who}@example.com`,
    },
  });
  return stdout.trim();
}

const cli = (cwd: string, args: string[]) => runCli(args, { cwd, env: env() });
const approve = (cwd: string, who: Who, head: string, verb: 'approve' | 'reject' = 'approve', extra: string[] = []) =>
  cli(cwd, [verb, '--environment', 'production', '--signing-key', join(work, 'keys', who), ...extra, head]);

/** `countersign wait` for production on this base and head, with the given extra flags. */
const waitFor = (cwd: string, base: string, head: string, extra: string[]) =>
  cli(cwd, ['wait', '--environment', 'production', '--base', base, ...extra, head]);

/** A repository whose base has the policy and allowed signers (alice, bob, carol — not mallory), and a migration by alice. */
async function repository(name: string): Promise<{ repo: string; base: string; head: string }> {
  const repo = join(work, name);
  await mkdir(join(repo, '.countersign'), { recursive: true });
  await git(repo, ['init', '-q']);
  const signers = [];
  for (const who of ['alice', 'bob', 'carol'] as const) {
    signers.push(
      `${who}@example.com namespaces="git" ${(await readFile(join(work, 'keys', `${who}.pub`), 'utf8')).trim()}`,
    );
  }
  await writeFile(join(repo, '.countersign.yml'), POLICY);
  await writeFile(join(repo, '.countersign', 'allowed_signers'), `${signers.join('\n')}\n`);
  await git(repo, ['add', '-A']);
  await git(repo, ['commit', '-q', '-m', 'base']);
  const base = await git(repo, ['rev-parse', 'HEAD']);
  await mkdir(join(repo, 'db'));
  await writeFile(join(repo, 'db', '1.sql'), 'create table t (id int);\n');
  await git(repo, ['add', '-A']);
  await git(repo, ['commit', '-q', '-m', 'migration']);
  return { repo, base, head: await git(repo, ['rev-parse', 'HEAD']) };
}

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'countersign-gitplatform-'));
  home = join(work, 'home');
  await mkdir(join(work, 'keys'), { recursive: true });
  await mkdir(home);
  for (const who of PEOPLE)
    await exec('ssh-keygen', ['-t', 'ed25519', '-N', '', '-q', '-C', who, '-f', join(work, 'keys', who)]);
});
afterAll(async () => rm(work, { recursive: true, force: true }));

describe('the git platform through the CLI', () => {
  it('request records once; approvals by the SRE and the DBA approve; the decision file feeds attest', async () => {
    const { repo, base, head } = await repository('happy');
    const first = await cli(repo, [
      'request',
      '--platform',
      'git',
      '--environment',
      'production',
      '--base',
      base,
      '--head',
      head,
    ]);
    expect(first.code).toBe(0);
    expect(first.stdout).toContain('Requested approval for production');
    expect(first.stdout).toContain(`countersign approve --environment production ${head}`);
    const again = await cli(repo, [
      'request',
      '--environment',
      'production',
      '--base',
      base,
      '--head',
      head,
      '--format',
      'json',
    ]);
    expect((JSON.parse(again.stdout) as { created: boolean }).created).toBe(false);
    expect(await git(repo, ['notes', '--ref', 'countersign', 'list', head])).not.toBe('');

    const waiting = await waitFor(repo, base, head, ['--timeout', '1s', '--poll-interval', '200ms']);
    expect(waiting.code).toBe(1);
    expect(waiting.stdout).toContain('Timed out after 1s, still pending');

    expect((await approve(repo, 'alice', head)).code).toBe(0);
    expect((await approve(repo, 'bob', head)).code).toBe(0);
    expect((await approve(repo, 'carol', head)).code).toBe(0);
    const done = await waitFor(repo, base, head, [
      '--timeout',
      '0',
      '--format',
      'json',
      '--decision-file',
      'decision.json',
    ]);
    expect(done.code).toBe(0);
    const decision = JSON.parse(done.stdout) as {
      status: string;
      approvers: string[];
      discounted: Array<{ email: string; reason: string }>;
    };
    expect(decision.status).toBe('approved');
    expect(decision.approvers.sort()).toEqual(['bob@example.com', 'carol@example.com']);
    expect(decision.discounted).toEqual([
      expect.objectContaining({ email: 'alice@example.com', reason: 'participant' }),
    ]);

    await writeFile(join(repo, 'app.bin'), 'artefact');
    expect((await cli(repo, ['keygen', '--out', 'release'])).code).toBe(0);
    const attested = await cli(repo, [
      'attest',
      '--subject-path',
      'app.bin',
      '--decision',
      'decision.json',
      '--key',
      'release.key',
    ]);
    expect(attested.code).toBe(0);
    const verified = await cli(repo, [
      'verify',
      '--subject-path',
      'app.bin',
      '--public-key',
      'release.pub',
      '--environment',
      'production',
    ]);
    expect(verified.code).toBe(0);
  });

  it('request refuses an environment approve could never answer, and records nothing', async () => {
    const { repo, base, head } = await repository('odd-environment');
    const refused = await cli(repo, ['request', '--environment', 'prod $(touch x)', '--base', base, '--head', head]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('--environment');
    expect(await git(repo, ['notes', '--ref', 'countersign', 'list']).catch(() => '')).toBe('');
  });

  it('a counted reject ends the wait rejected; a key outside allowed signers is unverified', async () => {
    const { repo, base, head } = await repository('reject');
    await cli(repo, ['request', '--environment', 'production', '--base', base, '--head', head]);
    expect((await approve(repo, 'mallory', head)).code).toBe(0);
    expect(
      (await approve(repo, 'bob', head, 'reject', ['--reason', 'no rollback plan; "quotes" & $(shell)'])).code,
    ).toBe(0);
    const result = await waitFor(repo, base, head, ['--timeout', '0', '--format', 'json']);
    expect(result.code).toBe(1);
    const decision = JSON.parse(result.stdout) as {
      status: string;
      rejected_by: string[];
      discounted: Array<{ reason: string; detail: string }>;
      inputs: { approvals: Array<{ reason: string | null }> };
    };
    expect(decision.status).toBe('rejected');
    expect(decision.rejected_by).toEqual(['bob@example.com']);
    expect(decision.discounted).toEqual([expect.objectContaining({ reason: 'unverified' })]);
    expect(decision.inputs.approvals.map((a) => a.reason)).toContain('no rollback plan; "quotes" & $(shell)');
  });

  it('an allowed-signers file added by the change itself does not count, and makes the change high', async () => {
    const repo = join(work, 'bootstrap');
    await mkdir(repo);
    await git(repo, ['init', '-q']);
    await writeFile(join(repo, '.countersign.yml'), POLICY);
    await git(repo, ['add', '-A']);
    await git(repo, ['commit', '-q', '-m', 'policy only']);
    const base = await git(repo, ['rev-parse', 'HEAD']);
    await mkdir(join(repo, '.countersign'));
    await writeFile(
      join(repo, '.countersign', 'allowed_signers'),
      `mallory@example.com ${(await readFile(join(work, 'keys', 'mallory.pub'), 'utf8')).trim()}\n`,
    );
    await git(repo, ['add', '-A']);
    await git(repo, ['commit', '-q', '-m', 'trust me'], 'mallory');
    const head = await git(repo, ['rev-parse', 'HEAD']);
    await cli(repo, ['request', '--environment', 'production', '--base', base, '--head', head]);
    await approve(repo, 'bob', head);
    const result = await waitFor(repo, base, head, ['--timeout', '0', '--format', 'json']);
    const decision = JSON.parse(result.stdout) as {
      status: string;
      risk: string;
      discounted: Array<{ reason: string }>;
      notes: string[];
    };
    expect(result.code).toBe(1);
    expect(decision.risk).toBe('high');
    expect(decision.discounted.map((d) => d.reason)).toEqual(['unverified']);
    expect(decision.notes.join(' ')).toContain('.countersign/allowed_signers');
  });

  it('a tag made before the request is before-request; a later reject by the same approver supersedes an approval', async () => {
    const { repo, base, head } = await repository('ordering');
    expect((await approve(repo, 'carol', head)).code).toBe(0);
    // Tag times are whole seconds: let one pass so the request is strictly later.
    await new Promise((done) => setTimeout(done, 1100));
    await cli(repo, ['request', '--environment', 'production', '--base', base, '--head', head]);
    expect((await approve(repo, 'bob', head)).code).toBe(0);
    expect((await approve(repo, 'bob', head, 'reject', ['--reason', 'changed my mind'])).code).toBe(0);
    const result = await waitFor(repo, base, head, ['--timeout', '0', '--format', 'json']);
    const decision = JSON.parse(result.stdout) as {
      status: string;
      discounted: Array<{ email: string; reason: string }>;
    };
    expect(decision.status).toBe('rejected');
    expect(decision.discounted.map((d) => [d.email, d.reason]).sort()).toEqual([
      ['bob@example.com', 'superseded'],
      ['carol@example.com', 'before-request'],
    ]);
  });

  it('approvals and requests travel through a remote', async () => {
    const { repo, base, head } = await repository('origin-src');
    const remote = join(work, 'remote.git');
    await git(work, ['clone', '-q', '--bare', repo, remote]);
    await git(repo, ['remote', 'add', 'origin', remote]);
    expect(
      (await cli(repo, ['request', '--environment', 'production', '--base', base, '--head', head, '--push'])).code,
    ).toBe(0);
    const approver = join(work, 'approver-clone');
    await git(work, ['clone', '-q', remote, approver]);
    await git(approver, ['fetch', '-q', 'origin', 'refs/notes/countersign:refs/notes/countersign']);
    expect((await approve(approver, 'bob', head, 'approve', ['--push'])).code).toBe(0);
    expect((await approve(approver, 'carol', head, 'approve', ['--push'])).code).toBe(0);
    const result = await waitFor(repo, base, head, ['--timeout', '0']);
    expect(result.stdout).toContain('Status: APPROVED');
    expect(result.code).toBe(0);
  });

  it.each([
    [['approve', '--environment', 'production', 'HEAD'], 'user.signingKey'],
    [['wait', '--environment', 'staging', '--base', 'HEAD~1', '--timeout', '0'], 'no request for staging'],
    [['request', '--environment', 'production', '--head', 'HEAD'], '--base is required'],
    [['request', '--platform', 'github', '--environment', 'production'], '--platform github'],
    [['approve', '--environment', 'bad env', '--signing-key', 'x', 'HEAD'], '--environment'],
    [['wait', '--environment', 'production', '--timeout', 'forever'], '--timeout must be a duration'],
    [['wait', '--environment', 'production', '--base', 'HEAD', '--timeout', '0'], 'the base is the head itself'],
    [
      ['request', '--environment', 'production', '--base', 'HEAD', '--head', 'HEAD~1'],
      'is not an ancestor of the head',
    ],
  ])('exits 2 for %j', async (args, message) => {
    const { repo } = await repository(`bad-${Math.random().toString(36).slice(2)}`);
    const result = await cli(repo, args);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(message);
  });
});
