import { execFile } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Approval } from '@countersign/core';
import { ConfigurationError } from '@countersign/core';
import { formatDecisionMessage } from '../../packages/git/src/decision.js';
import { verifySshSignature } from '../../packages/git/src/ssh-signature.js';
import {
  createDecisionTag,
  decisionTagPrefix,
  readDecisionTags,
  type CreateDecisionOptions,
} from '../../packages/git/src/tags.js';
import { CAROL, commitAll, createRepository, git, temporaryDirectory, writeFiles, type Identity } from './helpers.js';
import {
  isolateGitConfig,
  makeKey,
  signerLine,
  signingConfig,
  signTag,
  writeTagObject,
  type SshKey,
} from './ssh-helpers.js';

const run = promisify(execFile);

const BOB: Identity = { name: 'Bob Reviewer', email: 'bob@example.com' };
const DANA: Identity = { name: 'Dana Files', email: 'dana@example.com' };
const MALLORY: Identity = { name: 'Mallory', email: 'mallory@example.com' };
/** The time the test helpers give every commit and tag they make. */
const FIXED_TIME = '2024-01-02T03:04:05Z';

interface Keys {
  bob: SshKey;
  dana: SshKey;
  mallory: SshKey;
  wild: SshKey;
  expired: SshKey;
  shared: SshKey;
}

let keys: Keys;
let keyDirectory: { path: string; remove: () => Promise<void> };
let restoreConfig = (): void => undefined;
let allowedSigners = '';

beforeAll(async () => {
  restoreConfig = isolateGitConfig();
  keyDirectory = await temporaryDirectory();
  const make = (name: string): Promise<SshKey> => makeKey(keyDirectory.path, name);
  const [bob, dana, mallory, wild, expired, shared] = await Promise.all(
    ['bob', 'dana', 'mallory', 'wild', 'expired', 'shared'].map(make),
  );
  keys = { bob, dana, mallory, wild, expired, shared } as Keys;
  allowedSigners = [
    '# who may approve',
    signerLine(BOB.email, keys.bob),
    signerLine(DANA.email, keys.dana, 'namespaces="file"'),
    signerLine('*@wild.example', keys.wild, ''),
    signerLine('eve@example.com', keys.expired, 'namespaces="git",valid-before="20230101"'),
    signerLine('sam@example.com', keys.shared),
    signerLine('tom@example.com', keys.shared),
    '',
  ].join('\n');
});

afterAll(async () => {
  restoreConfig();
  await keyDirectory.remove();
});

describe('decision tags', () => {
  let root = '';
  let remove = (): Promise<void> => Promise.resolve();
  let head = '';
  let other = '';

  beforeEach(async () => {
    ({ path: root, remove } = await createRepository());
    await writeFiles(root, { 'README.md': 'hello\n' });
    const base = await commitAll(root, 'base\n');
    await writeFiles(root, { 'app.txt': 'v2\n' });
    head = await commitAll(root, 'head\n');
    await git(root, ['checkout', '--quiet', '-b', 'other', base]);
    await writeFiles(root, { 'app.txt': 'other\n' });
    other = await commitAll(root, 'other\n');
    await git(root, ['checkout', '--quiet', 'main']);
  });

  afterEach(() => remove());

  const decide = (
    key: SshKey,
    who: Identity,
    extra: Partial<CreateDecisionOptions> = {},
  ): Promise<{ tag: string; head: string }> =>
    createDecisionTag({
      cwd: root,
      environment: 'production',
      head,
      decision: 'approve',
      config: signingConfig(key, who),
      ...extra,
    });

  const read = (
    options: { head?: string; environment?: string; allowedSigners?: string | null } = {},
  ): Promise<Approval[]> =>
    readDecisionTags({
      cwd: root,
      environment: options.environment ?? 'production',
      head: options.head ?? head,
      allowedSigners: options.allowedSigners === undefined ? allowedSigners : options.allowedSigners,
    });

  const message = (
    fields: { decision?: 'approve' | 'reject'; environment?: string; head?: string; reason?: string | null } = {},
  ): string =>
    formatDecisionMessage({
      countersign: 1,
      decision: fields.decision ?? 'approve',
      environment: fields.environment ?? 'production',
      head: fields.head ?? head,
      reason: fields.reason ?? null,
    });

  const only = async (options: Parameters<typeof read>[0] = {}): Promise<Approval> => {
    const approvals = await read(options);
    expect(approvals).toHaveLength(1);
    return approvals[0] as Approval;
  };

  it('reads a signed approval by a listed principal as verified, and git verify-tag agrees', async () => {
    const before = Date.now();
    const { tag, head: resolved } = await decide(keys.bob, BOB, { head: 'main', reason: 'looks good' });
    expect(resolved).toBe(head);
    expect(tag).toMatch(new RegExp(`^countersign/production/${head}/[0-9a-z]+-[0-9a-f]{8}$`));
    const approval = await only();
    expect(approval).toEqual({
      login: null,
      email: BOB.email,
      type: 'User',
      decision: 'approve',
      at: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/) as unknown,
      edited_at: null,
      sha: head,
      permission: 'write',
      teams: [],
      source: 'git-tag',
      url: `refs/tags/${tag}`,
      verified: true,
      verification: null,
      reason: 'looks good',
    });
    // The signed tagger time, to the second.
    expect(Date.parse(approval.at ?? '')).toBeGreaterThanOrEqual(Math.floor(before / 1000) * 1000);
    expect(Date.parse(approval.at ?? '')).toBeLessThanOrEqual(Date.now());

    const raw = await git(root, ['cat-file', 'tag', tag]);
    expect(raw).toContain(
      `\n\nCountersign: approve production ${head}\n\n` +
        `{"countersign":1,"decision":"approve","environment":"production","head":"${head}","reason":"looks good"}\n` +
        '-----BEGIN SSH SIGNATURE-----\n',
    );
    const signersFile = join(root, '..', `${tag.split('/').at(-1) ?? 'x'}-signers`);
    await writeFile(signersFile, allowedSigners);
    await git(root, ['-c', `gpg.ssh.allowedSignersFile=${signersFile}`, 'verify-tag', tag]);
  });

  it('reads a reject as a reject', async () => {
    await decide(keys.bob, BOB, { decision: 'reject', reason: 'not during the sale' });
    expect(await only()).toMatchObject({
      decision: 'reject',
      verified: true,
      email: BOB.email,
      reason: 'not during the sale',
    });
  });

  it('names the signing principal, never the tagger line (Carol on the tag, Bob the key)', async () => {
    const { tag } = await decide(keys.bob, CAROL);
    expect(await git(root, ['cat-file', 'tag', tag])).toContain(`\ntagger ${CAROL.name} <${CAROL.email}> `);
    expect(await only()).toMatchObject({ email: BOB.email, verified: true, login: null });
  });

  it('signs where git has no identity, with a placeholder tagger that proves nothing either way', async () => {
    const config = ['gpg.format=ssh', `user.signingKey=${keys.bob.privateKey}`, 'user.useConfigOnly=true'];
    const { tag } = await createDecisionTag({
      cwd: root,
      environment: 'production',
      head,
      decision: 'approve',
      config,
    });
    expect(await git(root, ['cat-file', 'tag', tag])).toContain('\ntagger Countersign <countersign@localhost> ');
    expect(await only()).toMatchObject({ email: BOB.email, verified: true });
  });

  it('does not verify an unsigned annotated tag, whatever its tagger line claims', async () => {
    const name = `${decisionTagPrefix('production', head)}unsigned`;
    await git(root, ['tag', '-a', '--cleanup=verbatim', '--file=-', name, head], {
      input: message(),
      committer: CAROL,
    });
    expect(await only()).toEqual({
      login: null,
      email: null,
      type: null,
      decision: 'approve',
      at: FIXED_TIME,
      edited_at: null,
      sha: head,
      permission: 'none',
      teams: [],
      source: 'git-tag',
      url: `refs/tags/${name}`,
      verified: false,
      verification: `unsigned tag; its tagger line claims '${CAROL.name} <${CAROL.email}>' but proves nothing`,
      reason: null,
    });
  });

  it('does not verify a lightweight tag', async () => {
    const name = `${decisionTagPrefix('production', head)}light`;
    await git(root, ['tag', name, head]);
    expect(await only()).toMatchObject({
      verified: false,
      verification: 'a lightweight tag carries no signature',
      sha: head,
      at: null,
      email: null,
      url: `refs/tags/${name}`,
    });
  });

  it('does not verify a key the allowed-signers file does not list, and says which key', async () => {
    await decide(keys.mallory, MALLORY);
    const { stdout } = await run('ssh-keygen', ['-l', '-f', `${keys.mallory.privateKey}.pub`]);
    const fingerprint = stdout.split(' ')[1] ?? '';
    const approval = await only();
    expect(approval).toMatchObject({ verified: false, email: null, decision: 'approve', sha: head });
    expect(approval.verification).toBe(
      `signed by ED25519 key ${fingerprint}, which the allowed-signers file does not list (as valid at the tag time)`,
    );
  });

  it('does not verify a principal whose namespaces= excludes git', async () => {
    await decide(keys.dana, DANA);
    expect((await only()).verification).toBe(
      `the allowed-signers entry for '${DANA.email}' does not allow the "git" namespace (namespaces=)`,
    );
  });

  it('does not take a pattern principal for a person', async () => {
    await decide(keys.wild, { name: 'Wild', email: 'anyone@wild.example' });
    expect(await only()).toMatchObject({
      verified: false,
      verification: "the allowed-signers entry for the signing key is the pattern '*@wild.example', not one person",
    });
  });

  it('does not attribute a key listed for several people to any one of them', async () => {
    await decide(keys.shared, { name: 'Sam', email: 'sam@example.com' });
    expect(await only()).toMatchObject({ verified: false, email: null });
    expect((await only()).verification).toContain('listed for several people (sam@example.com, tom@example.com)');
  });

  it("judges a key's validity at the signed tagger time", async () => {
    // eve's key was valid until 2023; a tag dated 2024 is outside that, whatever the clock says now.
    const name = `${decisionTagPrefix('production', head)}late`;
    await signTag(root, name, head, message(), signingConfig(keys.expired, MALLORY), MALLORY);
    expect((await only()).verification).toMatch(/does not list \(as valid at the tag time\)$/);
  });

  it('does not verify a PGP signature: only SSH signatures can be checked', async () => {
    const name = `${decisionTagPrefix('production', head)}pgp`;
    const raw =
      `object ${head}\ntype commit\ntag ${name}\ntagger ${BOB.name} <${BOB.email}> 1704164645 +0000\n\n` +
      message() +
      '-----BEGIN PGP SIGNATURE-----\n\niQEzBAABCAAdFiEEAAAAAAAAAAAAAAAAAAAAAAAAAAAFAmWT\n=AAAA\n-----END PGP SIGNATURE-----\n';
    await git(root, ['update-ref', `refs/tags/${name}`, await writeTagObject(root, raw)]);
    expect(await only()).toMatchObject({
      verified: false,
      decision: 'approve',
      at: FIXED_TIME,
      sha: head,
      verification: 'signed with OpenPGP: only SSH signatures can be checked against the allowed-signers file',
    });
  });

  it('verifies nothing when the base has no allowed-signers file', async () => {
    await decide(keys.bob, BOB);
    expect(await only({ allowedSigners: null })).toMatchObject({
      verified: false,
      email: null,
      verification: 'no allowed-signers file on the base commit',
    });
  });

  it('does not verify a tag altered after signing; neither does git', async () => {
    const { tag } = await decide(keys.bob, BOB, { reason: 'looks good' });
    const raw = await git(root, ['cat-file', 'tag', tag]);
    const altered = raw.replace('"reason":"looks good"', '"reason":"looks fine"');
    expect(altered).not.toBe(raw);
    await git(root, ['update-ref', `refs/tags/${tag}`, await writeTagObject(root, altered)]);
    expect(await only()).toMatchObject({
      verified: false,
      reason: 'looks fine',
      verification: `the signature by '${BOB.email}' does not match the signed content: it was altered after signing`,
    });
    const signersFile = join(root, '..', 'altered-signers');
    await writeFile(signersFile, allowedSigners);
    await expect(git(root, ['-c', `gpg.ssh.allowedSignersFile=${signersFile}`, 'verify-tag', tag])).rejects.toThrow();
  });

  it('checks the signed message against the environment and head it is filed under', async () => {
    const prefix = decisionTagPrefix('production', head);
    const config = signingConfig(keys.bob, BOB);
    await signTag(root, `${prefix}a-staging`, head, message({ environment: 'staging' }), config, BOB);
    await signTag(root, `${prefix}b-other-head`, head, message({ head: other }), config, BOB);
    await signTag(root, `${prefix}c-release`, head, 'Release 1.2\n\nAll the things.\n', config, BOB);
    const approvals = await read();
    expect(approvals.map((approval) => [approval.verified, approval.verification])).toEqual([
      [false, "signed for environment 'staging', not 'production'"],
      [false, `signed for head ${other}, not ${head}`],
      [false, 'not a Countersign decision: its message carries no decision record'],
    ]);
  });

  it('files a decision on another head under that head, with that sha', async () => {
    await decide(keys.bob, BOB, { head: 'other' });
    expect(await read()).toEqual([]);
    expect(await only({ head: other })).toMatchObject({ verified: true, sha: other, email: BOB.email });
  });

  it("reports the tag's own object as the sha, so a tag on another commit is stale", async () => {
    // Filed under this head, saying this head, but pointing at another commit.
    const name = `${decisionTagPrefix('production', head)}elsewhere`;
    await signTag(root, name, other, message(), signingConfig(keys.bob, BOB), BOB);
    expect(await only()).toMatchObject({ verified: true, sha: other, email: BOB.email });
  });

  it('reports the signed tagger time as `at`, even when it is before the request', async () => {
    const name = `${decisionTagPrefix('production', head)}early`;
    await signTag(root, name, head, message(), signingConfig(keys.bob, BOB), BOB);
    expect(await only()).toMatchObject({ verified: true, at: FIXED_TIME });
  });

  it('does not verify a signed tag moved here from another prefix', async () => {
    const staging = await decide(keys.bob, BOB, { environment: 'staging' });
    const otherHead = await decide(keys.bob, BOB, { head: other });
    const prefix = decisionTagPrefix('production', head);
    for (const [suffix, source] of [
      ['moved-1', staging.tag],
      ['moved-2', otherHead.tag],
    ] as const) {
      const object = (await git(root, ['rev-parse', `refs/tags/${source}`])).trim();
      await git(root, ['update-ref', `refs/tags/${prefix}${suffix}`, object]);
    }
    const approvals = await read();
    expect(approvals.map((approval) => [approval.verified, approval.sha, approval.verification])).toEqual([
      [
        false,
        head,
        `the signed tag object is named '${staging.tag}', not '${prefix}moved-1': it was moved or copied here from elsewhere`,
      ],
      [
        false,
        other,
        `the signed tag object is named '${otherHead.tag}', not '${prefix}moved-2': it was moved or copied here from elsewhere`,
      ],
    ]);
  });

  it('reads only the new tag when one is deleted and re-created', async () => {
    const { tag } = await decide(keys.bob, BOB, { reason: 'first' });
    await git(root, ['tag', '-d', tag]);
    await signTag(
      root,
      tag,
      head,
      message({ decision: 'reject', reason: 'second' }),
      signingConfig(keys.bob, BOB),
      BOB,
    );
    expect(await only()).toMatchObject({ verified: true, decision: 'reject', reason: 'second', at: FIXED_TIME });
  });

  it('returns every tag by one approver (the core keeps the latest)', async () => {
    await decide(keys.bob, BOB, { reason: 'one' });
    await decide(keys.bob, BOB, { decision: 'reject', reason: 'two' });
    const approvals = await read();
    expect(approvals.map((approval) => [approval.email, approval.verified])).toEqual([
      [BOB.email, true],
      [BOB.email, true],
    ]);
    expect(approvals.map((approval) => approval.reason).sort()).toEqual(['one', 'two']);
  });

  it('round-trips a reason with quotes, newlines and shell metacharacters', async () => {
    const reason =
      `"double" 'single' $(rm -rf /) \`id\`; a | b & c > d < e \\ back\n` +
      '-----BEGIN SSH SIGNATURE-----\n# not a comment\r\n\ttab\n\nünïcødé 🚀\u2028 end  ';
    await decide(keys.bob, BOB, { reason });
    expect(await only()).toMatchObject({ verified: true, reason });
  });

  it('does not let two decisions in the same millisecond collide', async () => {
    const now = vi.spyOn(Date, 'now').mockReturnValue(1_700_000_000_000);
    try {
      const [first, second] = await Promise.all([decide(keys.bob, BOB), decide(keys.bob, BOB, { decision: 'reject' })]);
      expect(first.tag).not.toBe(second.tag);
      const time = (1_700_000_000_000).toString(36);
      expect(first.tag.split('/').at(-1)).toMatch(new RegExp(`^${time}-[0-9a-f]{8}$`));
      expect(second.tag.split('/').at(-1)).toMatch(new RegExp(`^${time}-[0-9a-f]{8}$`));
    } finally {
      now.mockRestore();
    }
    expect((await read()).map((approval) => approval.verified)).toEqual([true, true]);
  });

  it('refuses without a signing key and says how to set one up', async () => {
    const attempt = createDecisionTag({
      cwd: root,
      environment: 'production',
      head,
      decision: 'approve',
      config: [`user.name=${BOB.name}`, `user.email=${BOB.email}`],
    });
    await expect(attempt).rejects.toBeInstanceOf(ConfigurationError);
    await expect(attempt).rejects.toThrow(
      /git config gpg\.format ssh\n {2}git config user\.signingKey ~\/\.ssh\/id_ed25519\.pub\n/,
    );
    expect(await git(root, ['tag', '-l', 'countersign/*'])).toBe('');
  });

  it('refuses an OpenPGP signing setup, whose tags could never be verified', async () => {
    const config = [`user.signingKey=${keys.bob.privateKey}`, `user.name=${BOB.name}`, `user.email=${BOB.email}`];
    const attempt = createDecisionTag({ cwd: root, environment: 'production', head, decision: 'approve', config });
    await expect(attempt).rejects.toThrow(/gpg\.format openpgp, but only SSH signatures can be checked/);
  });

  it('pushes the tag when asked, and names the remote when that fails', async () => {
    const remote = await temporaryDirectory();
    try {
      await git(root, ['clone', '--quiet', '--bare', root, join(remote.path, 'origin.git')]);
      await git(root, ['remote', 'add', 'origin', join(remote.path, 'origin.git')]);
      const { tag } = await decide(keys.bob, BOB, { push: true });
      const listed = await git(root, ['ls-remote', 'origin', 'refs/tags/countersign/*']);
      expect(listed).toContain(`refs/tags/${tag}\n`);
      const failed = decide(keys.bob, BOB, { push: true, remote: 'nowhere' });
      await expect(failed).rejects.toBeInstanceOf(ConfigurationError);
      await expect(failed).rejects.toThrow(/could not push the decision to remote 'nowhere'/);
      expect((await git(root, ['tag', '-l', 'countersign/*'])).trim().split('\n')).toHaveLength(2);
    } finally {
      await remote.remove();
    }
  });
});

describe('environment names', () => {
  const head = 'a'.repeat(40);
  const valid = ['prod.', 'production', 'prod-eu.1', 'a', 'A_b', 'x.y', '0', 'v1.2.3', 'lock', 'x.locked'];
  const invalid = [
    '',
    ' ',
    'prod uction',
    '-prod',
    '.prod',
    '_prod',
    'a..b',
    'prod.lock',
    'prod/eu',
    'prod*',
    'prod?',
    'pröd',
    'prod\n',
    'prod@{1}',
    'a:b',
    'a~1',
    'a^',
  ];

  it('accepts names that make a valid tag name and names --environment otherwise', () => {
    for (const name of valid) expect(decisionTagPrefix(name, head)).toBe(`countersign/${name}/${head}/`);
    for (const name of invalid) {
      expect(() => decisionTagPrefix(name, head), name).toThrow(ConfigurationError);
      expect(() => decisionTagPrefix(name, head), name).toThrow(/^--environment: /);
    }
  });

  it('agrees with git check-ref-format on every name made of the allowed characters', async () => {
    const candidates = [...valid, ...invalid, 'a.lock.b', 'a.', 'a-', 'a--b', 'a.b.c', 'ab.lock', 'x..', 'A.LOCK'];
    for (const name of candidates) {
      let accepted = true;
      try {
        decisionTagPrefix(name, head);
      } catch {
        accepted = false;
      }
      const gitAccepts = await run('git', ['check-ref-format', `refs/tags/countersign/${name}/${head}/x`]).then(
        () => true,
        () => false,
      );
      // Past the character rule, the checks are git's own rules, so the answers must be the same.
      if (/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(name)) expect(accepted, name).toBe(gitAccepts);
      else expect(accepted, name).toBe(false);
    }
  });

  it('requires a full sha for the head', () => {
    for (const bad of ['HEAD', 'a'.repeat(39), 'A'.repeat(40), `${'a'.repeat(40)}/x`]) {
      expect(() => decisionTagPrefix('production', bad), bad).toThrow(/^--head: /);
    }
    expect(decisionTagPrefix('production', 'b'.repeat(64))).toBe(`countersign/production/${'b'.repeat(64)}/`);
  });

  it('rejects a bad environment before touching the repository', async () => {
    const attempt = createDecisionTag({ cwd: '/nonexistent', environment: 'a b', head: 'HEAD', decision: 'approve' });
    await expect(attempt).rejects.toThrow(/^--environment: "a b"/);
    const reading = readDecisionTags({
      cwd: '/nonexistent',
      environment: 'a..b',
      head: 'a'.repeat(40),
      allowedSigners: null,
    });
    await expect(reading).rejects.toThrow(/^--environment: "a\.\.b"/);
  });
});

describe('verifySshSignature', () => {
  it('refuses a signature made for another namespace than git', async () => {
    const directory = await temporaryDirectory();
    try {
      const file = join(directory.path, 'payload');
      await writeFile(file, 'payload\n');
      await run('ssh-keygen', ['-Y', 'sign', '-n', 'file', '-f', keys.bob.privateKey, file]);
      const signature = await readFile(`${file}.sig`, 'utf8');
      const result = await verifySshSignature(Buffer.from('payload\n'), signature, allowedSigners);
      expect(result).toEqual({
        problem: `the signature by '${BOB.email}' was not made for the "git" namespace`,
      });
    } finally {
      await directory.remove();
    }
  });

  it('verifies a git-namespace signature and returns the principal', async () => {
    const directory = await temporaryDirectory();
    try {
      const file = join(directory.path, 'payload');
      await writeFile(file, 'payload\n');
      await run('ssh-keygen', ['-Y', 'sign', '-n', 'git', '-f', keys.bob.privateKey, file]);
      const signature = await readFile(`${file}.sig`, 'utf8');
      expect(await verifySshSignature(Buffer.from('payload\n'), signature, allowedSigners)).toEqual({
        principal: BOB.email,
      });
      expect(await verifySshSignature(Buffer.from('payload!\n'), signature, allowedSigners)).toEqual({
        problem: `the signature by '${BOB.email}' does not match the signed content: it was altered after signing`,
      });
    } finally {
      await directory.remove();
    }
  });
});
