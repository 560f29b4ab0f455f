// keygen → evaluate → attest → verify through the real binary, and every way evidence can be
// tampered with or misused: each must fail verify with exit 1 and name the check that failed.
import { execFile } from 'node:child_process';
import { chmod, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';

const POLICY = `version: 1
roles: { sre: [erin, frank] }
levels:
  low: { approvals: 0 }
  medium: { approvals: 1 }
  high: { approvals: 2, require: [{ role: sre }] }
  critical: { approvals: 2 }
environments:
  staging: {}
  production: { minimum-risk: medium }
`;
const STRICTER = POLICY.replace('medium: { approvals: 1 }', 'medium: { approvals: 2 }');
const HEAD = 'a'.repeat(40);

let dir: string;
const cli = (args: string[], env?: NodeJS.ProcessEnv) => runCli(args, { cwd: dir, env });

async function decision(
  name: string,
  environment: string,
  approvers: string[],
  at = '2026-11-23T16:00:00Z',
): Promise<string> {
  await writeFile(
    join(dir, `${name}.change.json`),
    JSON.stringify({
      repository: 'acme/widgets',
      environment,
      base: 'b'.repeat(40),
      head: HEAD,
      requested_at: '2026-11-23T15:00:00Z',
      files: [{ path: 'src/app.ts', status: 'modified', additions: 3, deletions: 1 }],
      commits: [{ sha: HEAD, message: 'change', author: { login: 'alice' }, committer: { login: 'alice' } }],
      triggering_actor: 'alice',
    }),
  );
  await writeFile(
    join(dir, `${name}.approvals.json`),
    JSON.stringify(
      approvers.map((login) => ({
        login,
        type: 'User',
        decision: 'approve',
        at: '2026-11-23T15:30:00Z',
        sha: HEAD,
        permission: 'write',
      })),
    ),
  );
  const result = await cli([
    'evaluate',
    '--policy',
    'policy.yml',
    '--change',
    `${name}.change.json`,
    '--approvals',
    `${name}.approvals.json`,
    '--environment',
    environment,
    '--at',
    at,
    '--format',
    'json',
  ]);
  expect([0, 1]).toContain(result.code);
  await writeFile(join(dir, `${name}.decision.json`), result.stdout);
  return `${name}.decision.json`;
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'countersign-attest-'));
  await writeFile(join(dir, 'policy.yml'), POLICY);
  await writeFile(join(dir, 'stricter.yml'), STRICTER);
  await writeFile(join(dir, 'app.tgz'), Buffer.alloc(3 * 1024 * 1024 + 17, 7));
  await writeFile(join(dir, 'other.tgz'), 'something else');
  for (const [prefix, algorithm] of [
    ['ed', 'ed25519'],
    ['ec', 'ecdsa-p256'],
    ['stranger', 'ed25519'],
  ]) {
    const made = await cli(['keygen', '--algorithm', algorithm as string, '--out', prefix as string]);
    expect(made.code).toBe(0);
  }
});
afterAll(async () => rm(dir, { recursive: true, force: true }));

describe('keygen', () => {
  it('writes the private key with mode 600, never prints it, and never overwrites', async () => {
    expect((await stat(join(dir, 'ed.key'))).mode & 0o777).toBe(0o600);
    const again = await cli(['keygen', '--out', 'ed']);
    expect(again.code).toBe(2);
    expect(again.stderr).toContain('already exists');
    const fresh = await cli(['keygen', '--out', 'fresh']);
    const key = await readFile(join(dir, 'fresh.key'), 'utf8');
    expect(fresh.stdout).not.toContain(key.split('\n')[1]);
    expect(fresh.stdout).toContain('COUNTERSIGN_SIGNING_KEY');
  });
});

/** Checks an envelope's first signature with the openssl CLI over the DSSE PAE bytes. */
async function opensslAccepts(jsonl: string, publicKey: string, ed25519: boolean): Promise<boolean> {
  const envelope = JSON.parse(jsonl.split('\n')[0] as string) as {
    payloadType: string;
    payload: string;
    signatures: Array<{ sig: string }>;
  };
  const body = Buffer.from(envelope.payload, 'base64');
  const type = Buffer.from(envelope.payloadType);
  const pae = Buffer.concat([Buffer.from(`DSSEv1 ${type.length} `), type, Buffer.from(` ${body.length} `), body]);
  await writeFile(join(dir, 'pae.bin'), pae);
  await writeFile(join(dir, 'sig.bin'), Buffer.from(envelope.signatures[0]?.sig ?? '', 'base64'));
  const args = ed25519
    ? ['pkeyutl', '-verify', '-pubin', '-inkey', publicKey, '-rawin', '-in', 'pae.bin', '-sigfile', 'sig.bin']
    : ['dgst', '-sha256', '-verify', publicKey, '-signature', 'sig.bin', 'pae.bin'];
  return new Promise((done) => {
    execFile('openssl', args, { cwd: dir }, (error) => done(error === null));
  });
}

describe('attest and verify', () => {
  it.each([['ed'], ['ec']])(
    'round-trips with a %s key, from a file and from an environment variable',
    async (prefix) => {
      const d = await decision(`ok-${prefix}`, 'production', ['bob']);
      const out = `${prefix}.intoto.jsonl`;
      const made = await cli([
        'attest',
        '--subject-path',
        'app.tgz',
        '--decision',
        d,
        '--key',
        `${prefix}.key`,
        '--out',
        out,
        '--format',
        'json',
      ]);
      expect(made.stderr).toBe('');
      expect(made.code).toBe(0);
      const summary = JSON.parse(made.stdout) as { attestation_digest: string };
      const file = await readFile(join(dir, out));
      const { createHash } = await import('node:crypto');
      expect(summary.attestation_digest).toBe(`sha256:${createHash('sha256').update(file).digest('hex')}`);
      const verified = await cli([
        'verify',
        '--subject-path',
        'app.tgz',
        '--attestation',
        out,
        '--public-key',
        `${prefix}.pub`,
        '--environment',
        'production',
      ]);
      expect(verified.stdout).toContain('Verified:');
      expect(verified.code).toBe(0);
      // Our verifier is not the only judge: openssl accepts the envelope the CLI wrote.
      expect(await opensslAccepts(file.toString('utf8'), `${prefix}.pub`, prefix === 'ed')).toBe(true);

      const viaEnv = await cli(
        [
          'attest',
          '--digest',
          `sha256:${'c'.repeat(64)}`,
          '--subject-name',
          'image',
          '--decision',
          d,
          '--out',
          `${prefix}-env.jsonl`,
        ],
        {
          COUNTERSIGN_SIGNING_KEY: await readFile(join(dir, `${prefix}.key`), 'utf8'),
        },
      );
      expect(viaEnv.code).toBe(0);
      const byDigest = await cli([
        'verify',
        '--digest',
        `sha256:${'C'.repeat(64)}`,
        '--attestation',
        `${prefix}-env.jsonl`,
        '--public-key',
        `${prefix}.pub`,
      ]);
      expect(byDigest.code).toBe(0);
    },
  );

  describe('every tamper fails verify with exit 1 and names the check', () => {
    let line: string;
    beforeAll(async () => {
      const d = await decision('base', 'production', ['bob']);
      await cli(['attest', '--subject-path', 'app.tgz', '--decision', d, '--key', 'ed.key', '--out', 'good.jsonl']);
      line = (await readFile(join(dir, 'good.jsonl'), 'utf8')).trim();
    });

    const verifyWith = (opts: { subject?: string; key?: string }, extra: string[] = []) =>
      cli([
        'verify',
        '--subject-path',
        opts.subject ?? 'app.tgz',
        '--attestation',
        'tampered.jsonl',
        '--public-key',
        opts.key ?? 'ed.pub',
        '--format',
        'json',
        ...extra,
      ]);
    async function verifyText(content: string, extra: string[] = []) {
      await writeFile(join(dir, 'tampered.jsonl'), content);
      return verifyWith({}, extra);
    }
    const failedCheck = (stdout: string) => (JSON.parse(stdout) as { failed: { name: string; detail: string } }).failed;

    it('a payload byte flipped', async () => {
      const envelope = JSON.parse(line) as { payload: string };
      const bytes = Buffer.from(envelope.payload, 'base64');
      const at = bytes.indexOf('approved');
      bytes[at] = 'A'.charCodeAt(0);
      const result = await verifyText(JSON.stringify({ ...envelope, payload: bytes.toString('base64') }));
      expect(result.code).toBe(1);
      expect(failedCheck(result.stdout).name).toBe('signature');
    });

    it('the payload type changed', async () => {
      const envelope = JSON.parse(line) as { payloadType: string };
      const result = await verifyText(JSON.stringify({ ...envelope, payloadType: 'application/json' }));
      expect(result.code).toBe(1);
      expect(failedCheck(result.stdout).name).toBe('shape');
    });

    it('a signature swapped in from another envelope', async () => {
      const other = await decision('other', 'production', ['dan']);
      await cli([
        'attest',
        '--subject-path',
        'app.tgz',
        '--decision',
        other,
        '--key',
        'ed.key',
        '--out',
        'other.jsonl',
      ]);
      const theirs = JSON.parse(await readFile(join(dir, 'other.jsonl'), 'utf8')) as { signatures: unknown };
      const result = await verifyText(
        JSON.stringify({ ...(JSON.parse(line) as object), signatures: theirs.signatures }),
      );
      expect(result.code).toBe(1);
      expect(failedCheck(result.stdout).name).toBe('signature');
    });

    it('a key that is not the given public key', async () => {
      const result = await verifyText(line, []);
      expect(result.code).toBe(0);
      const stranger = await verifyWith({ key: 'stranger.pub' });
      expect(stranger.code).toBe(1);
      expect(failedCheck(stranger.stdout).name).toBe('signature');
      // A keyring holding the right key among others verifies.
      await writeFile(
        join(dir, 'ring.pem'),
        (await readFile(join(dir, 'stranger.pub'), 'utf8')) + (await readFile(join(dir, 'ed.pub'), 'utf8')),
      );
      const ring = await verifyWith({ key: 'ring.pem' });
      expect(ring.code).toBe(0);
    });

    it('another artefact', async () => {
      await writeFile(join(dir, 'tampered.jsonl'), line);
      const result = await verifyWith({ subject: 'other.tgz' });
      expect(result.code).toBe(1);
      expect(failedCheck(result.stdout).name).toBe('subject');
    });

    it('another environment', async () => {
      const result = await verifyText(line, ['--environment', 'staging']);
      expect(result.code).toBe(1);
      expect(failedCheck(result.stdout)).toMatchObject({ name: 'environment' });
    });

    it('a rejected decision', async () => {
      const pending = await decision('pending', 'production', []);
      const made = await cli([
        'attest',
        '--subject-path',
        'app.tgz',
        '--decision',
        pending,
        '--key',
        'ed.key',
        '--out',
        'pending.jsonl',
      ]);
      expect(made.code).toBe(0);
      expect(made.stderr).toContain("the decision is 'pending'");
      const result = await verifyText(await readFile(join(dir, 'pending.jsonl'), 'utf8'));
      expect(result.code).toBe(1);
      expect(failedCheck(result.stdout).name).toBe('decision');
    });

    it('an expired attestation', async () => {
      const result = await verifyText(line, ['--max-age', '1ms']);
      expect(result.code).toBe(1);
      expect(failedCheck(result.stdout).name).toBe('age');
    });

    it('a truncated file', async () => {
      const result = await verifyText(line.slice(0, Math.floor(line.length / 2)));
      expect(result.code).toBe(1);
      expect(failedCheck(result.stdout).name).toBe('shape');
    });

    it('a stricter policy fails old evidence', async () => {
      expect((await verifyText(line, ['--policy', 'policy.yml'])).code).toBe(0);
      const result = await verifyText(line, ['--policy', 'stricter.yml']);
      expect(result.code).toBe(1);
      expect(failedCheck(result.stdout)).toMatchObject({ name: 'policy' });
      expect(failedCheck(result.stdout).detail).toContain('pending');
    });
  });

  describe('the promotion chain', () => {
    it('staging then production verifies with --chain; production alone, or in the wrong order, does not', async () => {
      const staging = await decision('stg', 'staging', ['bob']);
      const production = await decision('prd', 'production', ['dan']);
      const attest = (d: string, out: string) =>
        cli(['attest', '--subject-path', 'app.tgz', '--decision', d, '--key', 'ed.key', '--out', out]);
      const chainArgs = (file: string) => [
        'verify',
        '--subject-path',
        'app.tgz',
        '--attestation',
        file,
        '--public-key',
        'ed.pub',
        '--policy',
        'policy.yml',
        '--chain',
        '--format',
        'json',
      ];

      expect((await attest(staging, 'chain.jsonl')).code).toBe(0);
      expect((await attest(production, 'chain.jsonl')).code).toBe(0);
      const good = await cli([...chainArgs('chain.jsonl'), '--environment', 'production']);
      expect(good.code).toBe(0);
      expect(
        (JSON.parse(good.stdout) as { checks: Array<{ name: string; detail: string }> }).checks.at(-1),
      ).toMatchObject({ name: 'chain', detail: 'staging → production' });

      expect((await attest(production, 'alone.jsonl')).code).toBe(0);
      const alone = await cli([...chainArgs('alone.jsonl'), '--environment', 'production']);
      expect(alone.code).toBe(1);
      expect((JSON.parse(alone.stdout) as { failed: { name: string; detail: string } }).failed.detail).toContain(
        'no staging attestation precedes production',
      );

      // Promoted to production twice, staging never: the newest production follows a production.
      expect((await attest(production, 'wrong.jsonl')).code).toBe(0);
      expect((await attest(production, 'wrong.jsonl')).code).toBe(0);
      const wrong = await cli([...chainArgs('wrong.jsonl'), '--environment', 'production']);
      expect(wrong.code).toBe(1);
      expect((JSON.parse(wrong.stdout) as { failed: { detail: string } }).failed.detail).toContain(
        'wrong order: production is preceded by production, expected staging',
      );

      // Drop the staging line: the production link now points at nothing.
      const lines = (await readFile(join(dir, 'chain.jsonl'), 'utf8')).trim().split('\n');
      await writeFile(join(dir, 'broken.jsonl'), `${lines[1]}\n`);
      const broken = await cli([...chainArgs('broken.jsonl'), '--environment', 'production']);
      expect(broken.code).toBe(1);
      expect((JSON.parse(broken.stdout) as { failed: { detail: string } }).failed.detail).toContain('chain is broken');
    });
  });

  it.each([
    [
      ['attest', '--subject-path', 'app.tgz', '--decision', 'none.json', '--key', 'ed.key'],
      '--decision: cannot read none.json',
    ],
    [['attest', '--subject-path', 'missing.bin', '--decision', 'policy.yml', '--key', 'ed.key'], ''],
    [
      ['attest', '--digest', 'sha256:xyz', '--subject-name', 'x', '--decision', 'policy.yml', '--key', 'ed.key'],
      '--digest',
    ],
    [
      ['attest', '--digest', `sha256:${'a'.repeat(64)}`, '--decision', 'policy.yml', '--key', 'ed.key'],
      'each --digest needs its own --subject-name',
    ],
    [['attest', '--subject-path', 'app.tgz', '--decision', 'policy.yml', '--key', 'ed.pub'], '--key ed.pub'],
    [['verify', '--subject-path', 'app.tgz', '--public-key', 'ed.key'], '--public-key ed.key'],
    [['verify', '--subject-path', 'app.tgz', '--public-key', 'ed.pub', '--chain'], '--chain needs --policy'],
    [
      ['verify', '--subject-path', 'app.tgz', '--public-key', 'ed.pub', '--max-age', 'soon'],
      '--max-age must be a duration',
    ],
    [['verify', '--public-key', 'ed.pub'], 'exactly one of --subject-path'],
  ])('exits 2 for bad input %j', async (args, message) => {
    const result = await cli(args);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(message);
    expect(result.stderr).not.toContain('PRIVATE KEY');
  });

  it('refuses to sign a decision made without an environment for one', async () => {
    await writeFile(
      join(dir, 'noenv.change.json'),
      JSON.stringify({ head: HEAD, requested_at: '2026-11-23T15:00:00Z', files: [{ path: 'a', status: 'modified' }] }),
    );
    await writeFile(
      join(dir, 'noenv.approvals.json'),
      JSON.stringify([
        { login: 'bob', type: 'User', decision: 'approve', at: '2026-11-23T15:30:00Z', sha: HEAD, permission: 'write' },
      ]),
    );
    const decided = await cli([
      'evaluate',
      '--policy',
      'policy.yml',
      '--change',
      'noenv.change.json',
      '--approvals',
      'noenv.approvals.json',
      '--at',
      '2026-11-23T16:00:00Z',
      '--format',
      'json',
    ]);
    await writeFile(join(dir, 'noenv.decision.json'), decided.stdout);
    const result = await cli([
      'attest',
      '--subject-path',
      'app.tgz',
      '--decision',
      'noenv.decision.json',
      '--key',
      'ed.key',
      '--environment',
      'production',
      '--out',
      'noenv.jsonl',
    ]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('decided without an environment');
  });

  it('never prints a key from the environment, even when it is not a valid key', async () => {
    const bogus = '-----BEGIN PRIVATE KEY-----\nTOPSECRETMATERIAL\n-----END PRIVATE KEY-----\n';
    const d = await decision('secret', 'production', ['bob']);
    const result = await cli(['attest', '--subject-path', 'app.tgz', '--decision', d], {
      COUNTERSIGN_SIGNING_KEY: bogus,
    });
    expect(result.code).toBe(2);
    expect(result.stderr + result.stdout).not.toContain('TOPSECRETMATERIAL');
    await chmod(join(dir, 'ed.key'), 0o600);
  });
});
