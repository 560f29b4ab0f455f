// `countersign rollback` through the real binary against a real HTTP service on 127.0.0.1 that turns
// unhealthy on cue. Intervals are 20ms so the whole file runs in seconds; the rollback commands are
// small shell lines that leave files behind to show what ran and what they were given.
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { generateKeyPair, parsePrivateKey } from '../../packages/core/src/attestation/keys.js';
import { keySigner } from '../../packages/core/src/attestation/signer.js';
import type { RollbackRecord } from '../../packages/core/src/rollback/types.js';
import { runCli, type CliResult } from '../helpers/cli.js';
import { drop, echo, ok, slow, startHealthService, status, type HealthService } from '../helpers/health-service.js';
import { attestDeploy, ROLLBACK_POLICY } from '../core/rollback/helpers.js';

const FAST = ['--interval', '20ms', '--timeout', '2s'];
// Leaves a line per run in ran.txt and the variables it was given in env.txt; cue.txt heals the service.
const COMMAND = 'echo ran >> ran.txt; env | grep "^COUNTERSIGN_" | sort > env.txt; touch cue.txt';

const pair = generateKeyPair('ed25519');
const signer = keySigner(parsePrivateKey(pair.privatePem, 'test key'));
const GOOD = '1'.repeat(64);
const OLDER = '0'.repeat(64);
const FAILED = '2'.repeat(64);

let service: HealthService;
let dir: string;

beforeAll(async () => {
  service = await startHealthService();
});
afterAll(async () => service.close());
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'countersign-rollback-'));
  service.set(ok);
  service.cue(join(dir, 'cue.txt'), ok);
});
afterEach(async () => rm(dir, { recursive: true, force: true }));

function rollback(args: string[], env: NodeJS.ProcessEnv = {}): Promise<CliResult> {
  return runCli(['rollback', ...args], { cwd: dir, env: { COUNTERSIGN_ROLLBACK: undefined, ...env } });
}

async function record(file = 'countersign-rollback.json'): Promise<RollbackRecord> {
  return JSON.parse(await readFile(join(dir, file), 'utf8')) as RollbackRecord;
}

async function runs(): Promise<number> {
  return existsSync(join(dir, 'ran.txt')) ? (await readFile(join(dir, 'ran.txt'), 'utf8')).split('\n').length - 1 : 0;
}

async function envOfCommand(): Promise<Record<string, string>> {
  const text = await readFile(join(dir, 'env.txt'), 'utf8');
  return Object.fromEntries(
    text
      .trim()
      .split('\n')
      .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]),
  );
}

async function writeAttestations(deploys: Parameters<typeof attestDeploy>[1][]): Promise<void> {
  let file = '';
  for (const deploy of deploys) file = await attestDeploy(signer, deploy, file);
  await mkdir(join(dir, 'evidence'), { recursive: true });
  await writeFile(join(dir, 'evidence', 'app.intoto.jsonl'), file);
  await writeFile(join(dir, 'signing.pub'), pair.publicPem);
}

const HISTORY = [
  { digest: OLDER, time: '2026-02-01T10:00:00Z', head: 'a'.repeat(40) },
  { digest: GOOD, time: '2026-02-10T10:00:00Z', head: 'b'.repeat(40) },
  { digest: FAILED, time: '2026-02-20T10:00:00Z', head: 'c'.repeat(40) },
];
const FROM_EVIDENCE = ['--attestations', 'evidence', '--public-key', 'signing.pub', '--environment', 'production'];

describe('countersign rollback', () => {
  it('healthy: exit 0, progress on stderr as it runs, a record, and the command never runs', async () => {
    const result = await rollback([
      '--probe',
      service.url,
      '--count',
      '3',
      ...FAST,
      '--rollback-command',
      COMMAND,
      '--restore-digest',
      `sha256:${GOOD}`,
    ]);
    expect(result.code).toBe(0);
    expect(result.stdout.split('\n')[0]).toBe('Rollback: HEALTHY — nothing to do');
    expect(result.stderr).toContain(`[watch 1/3] ${service.url}: pass`);
    expect(result.stderr).toContain('(failures left 0, errors left 4, 0 round(s) left)');
    expect(await runs()).toBe(0);
    const r = await record();
    expect(r.outcome).toBe('healthy');
    expect(r.health.measurements).toHaveLength(3);
    expect(r.health.measurements[0]).toMatchObject({ probe: service.url, result: 'pass', round: 1 });
  });

  it('failed → rolled back → healthy, with header values never shown', async () => {
    service.set(status(503));
    const before = service.requests;
    const result = await rollback([
      '--probe',
      service.url,
      '--header',
      'Authorization: Bearer tok-9f8e7d6c5b',
      '--count',
      '3',
      ...FAST,
      '--rollback-command',
      COMMAND,
      '--restore-digest',
      `sha256:${GOOD}`,
      '--restore-ref',
      'v1.4.2',
      '--failed-digest',
      `sha256:${FAILED}`,
      '--failed-sha',
      'c'.repeat(40),
      '--actor',
      'erin',
      '--run-url',
      'https://ci.example/runs/7',
    ]);
    expect(result.code).toBe(1);
    expect(result.stdout.split('\n')[0]).toBe('Rollback: ROLLED BACK — healthy again');
    expect(result.stderr).toContain('status 503, expected 200-299');
    expect(result.stderr).toContain('rolling back sha256:2222');
    expect(await runs()).toBe(1);
    const env = await envOfCommand();
    expect(env).toMatchObject({
      COUNTERSIGN_ROLLBACK: '1',
      COUNTERSIGN_ROLLBACK_DIGEST: `sha256:${GOOD}`,
      COUNTERSIGN_ROLLBACK_REF: 'v1.4.2',
      COUNTERSIGN_ROLLBACK_SHA: '',
      COUNTERSIGN_FAILED_DIGEST: `sha256:${FAILED}`,
      COUNTERSIGN_FAILED_SHA: 'c'.repeat(40),
    });
    expect(env['COUNTERSIGN_ROLLBACK_REASON']).toContain('status 503');
    const r = await record();
    expect(r).toMatchObject({
      outcome: 'rolled-back',
      decision: { action: 'rolled-back' },
      command: { exit_code: 0 },
      reprobe: { status: 'healthy' },
      actor: 'erin',
      run_url: 'https://ci.example/runs/7',
      restored_from: { kind: 'explicit' },
    });
    // One failed round, then three healthy re-probe rounds.
    expect(service.requests - before).toBe(4);
    expect(service.log.at(-1)?.headers['authorization']).toBe('Bearer tok-9f8e7d6c5b');
    const everything = result.stdout + result.stderr + (await readFile(join(dir, 'countersign-rollback.json'), 'utf8'));
    expect(everything).not.toContain('tok-9f8e7d6c5b');
  });

  it('a slow service over --max-latency fails and is rolled back', async () => {
    // Wide margins: the healed service must answer under 400ms on a loaded runner, the slow one takes 1s.
    service.set(slow(1_000));
    const result = await rollback([
      '--probe',
      service.url,
      '--max-latency',
      '400ms',
      '--count',
      '2',
      ...FAST,
      '--rollback-command',
      COMMAND,
      '--restore-ref',
      'v1',
    ]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/answered in \d+ms, over the 400ms maximum/);
    expect((await record()).outcome).toBe('rolled-back');
  });

  it('never shows a header token, even when the service and the command echo it back', async () => {
    service.set(echo);
    const result = await rollback([
      '--probe',
      service.url,
      '--header',
      'Authorization: Bearer tok-9f8e7d6c5b',
      '--expect-body',
      'healthy',
      '--count',
      '1',
      ...FAST,
      '--rollback-command',
      'echo "deploying with tok-9f8e7d6c5b"; echo "token: tok-9f8e"; echo "7d6c5b"; touch cue.txt',
      '--restore-ref',
      'v1',
      '--format',
      'json',
    ]);
    expect(result.code).toBe(1);
    // The service answered with the header, so the failure quotes it: masked.
    expect(result.stderr).toContain('the body does not contain the expected text');
    expect(result.stderr).toContain('deploying with ***');
    const everything = result.stdout + result.stderr + (await readFile(join(dir, 'countersign-rollback.json'), 'utf8'));
    expect(everything).not.toContain('tok-9f8e7d6c5b');
    expect(everything).not.toContain('Bearer tok');
  });

  it('never shows a token from the probe URL query, however short', async () => {
    service.set(echo);
    const result = await rollback([
      '--probe',
      `${service.url}?token=qX7`,
      '--expect-body',
      'healthy',
      '--count',
      '1',
      ...FAST,
      '--rollback-command',
      'echo "probe token qX7"; touch cue.txt',
      '--restore-ref',
      'v1',
    ]);
    expect(result.code).toBe(1);
    expect(service.log.at(-1)?.path).toBe('/health?token=qX7');
    expect(result.stderr).toContain('probe token ***');
    const everything = result.stdout + result.stderr + (await readFile(join(dir, 'countersign-rollback.json'), 'utf8'));
    expect(everything).not.toContain('qX7');
  });

  it('a rollback command that fails, or a rollback that is not healthy either, is rollback-failed', async () => {
    service.set(status(500));
    const failing = await rollback([
      '--probe',
      service.url,
      '--count',
      '2',
      ...FAST,
      '--rollback-command',
      'echo "deploy broke" >&2; exit 3',
      '--restore-ref',
      'v1',
    ]);
    expect(failing.code).toBe(1);
    expect(failing.stdout).toContain('ROLLBACK FAILED');
    expect(failing.stderr).toContain('deploy broke');
    expect(await record()).toMatchObject({ outcome: 'rollback-failed', command: { exit_code: 3 }, reprobe: null });

    const stillDown = await rollback([
      '--probe',
      service.url,
      '--count',
      '2',
      ...FAST,
      '--rollback-command',
      'echo ran >> ran.txt',
      '--restore-ref',
      'v1',
      '--record',
      'second.json',
    ]);
    expect(stillDown.code).toBe(1);
    expect(await runs()).toBe(1);
    expect(await record('second.json')).toMatchObject({
      outcome: 'rollback-failed',
      command: { exit_code: 0 },
      reprobe: { status: 'failed' },
    });
  });

  it('degraded only: a failing non-critical probe warns, exit 0, no rollback', async () => {
    const search = await startHealthService(status(500));
    try {
      const result = await rollback([
        '--probe',
        service.url,
        '--probe',
        search.url,
        '--non-critical',
        search.url,
        '--count',
        '3',
        ...FAST,
        '--rollback-command',
        COMMAND,
        '--restore-ref',
        'v1',
        '--format',
        'markdown',
      ]);
      expect(result.code).toBe(0);
      expect(result.stdout).toContain('### ⚠️ Countersign rollback: DEGRADED');
      expect(result.stderr).toContain(`${search.url} (non-critical): fail`);
      expect(await runs()).toBe(0);
      expect((await record()).outcome).toBe('degraded');
    } finally {
      await search.close();
    }
  });

  it('known good only in an attestation: picked, passed to the command, and the signed record is no approval', async () => {
    await writeAttestations(HISTORY);
    await writeFile(join(dir, 'signing.key'), pair.privatePem, { mode: 0o600 });
    service.set(status(502));
    const result = await rollback([
      '--probe',
      service.url,
      '--count',
      '2',
      ...FAST,
      '--rollback-command',
      COMMAND,
      '--failed-digest',
      `sha256:${FAILED}`,
      ...FROM_EVIDENCE,
      '--key',
      'signing.key',
      '--out',
      'rollback.intoto.jsonl',
    ]);
    expect(result.code).toBe(1);
    expect(await envOfCommand()).toMatchObject({
      COUNTERSIGN_ROLLBACK_DIGEST: `sha256:${GOOD}`,
      COUNTERSIGN_ROLLBACK_SHA: 'b'.repeat(40),
      COUNTERSIGN_FAILED_SHA: 'c'.repeat(40),
    });
    const r = await record();
    expect(r.outcome).toBe('rolled-back');
    expect(r.restored_from).toMatchObject({
      kind: 'attestation',
      attestation: { file: 'evidence/app.intoto.jsonl', line: 2 },
    });
    expect(r.previous).toMatch(/^[0-9a-f]{64}$/);
    expect(result.stdout + result.stderr).not.toContain('PRIVATE KEY');

    const verify = await runCli(
      ['verify', '--digest', `sha256:${GOOD}`, '--attestation', 'rollback.intoto.jsonl', '--public-key', 'signing.pub'],
      { cwd: dir },
    );
    expect(verify.code).toBe(1);
    expect(verify.stdout).toContain(
      "Failed check 'predicate-type': predicateType is https://countersign.dev/rollback/v1",
    );
  });

  it('no known good: exit 1, says so, and the command is not run', async () => {
    await writeAttestations([{ digest: FAILED, time: '2026-02-20T10:00:00Z' }]);
    service.set(status(503));
    const result = await rollback([
      '--probe',
      service.url,
      '--count',
      '2',
      ...FAST,
      '--rollback-command',
      COMMAND,
      '--failed-digest',
      FAILED,
      ...FROM_EVIDENCE,
    ]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('not rolling back: no known good; nothing done');
    expect(result.stdout).toContain('FAILED — not rolled back');
    expect(await runs()).toBe(0);
    expect((await record()).decision.action).toBe('refused');
  });

  it('a flapping service passes under --failure-limit, and fails over it', async () => {
    service.cycle([ok, status(500)]);
    const tolerant = await rollback([
      '--probe',
      service.url,
      '--count',
      '6',
      '--failure-limit',
      '3',
      ...FAST,
      '--rollback-command',
      COMMAND,
      '--restore-ref',
      'v1',
    ]);
    expect(tolerant.code).toBe(0);
    expect((await record()).health.tallies[0]).toMatchObject({ passes: 3, failures: 3 });
    service.cycle([ok, status(500)]);
    const strict = await rollback([
      '--probe',
      service.url,
      '--count',
      '6',
      '--failure-limit',
      '1',
      ...FAST,
      '--rollback-command',
      'echo ran >> ran.txt',
      '--restore-ref',
      'v1',
    ]);
    expect(strict.code).toBe(1);
    expect(strict.stderr).toContain('failed 2 time(s), over the failure limit of 1');
    expect(await runs()).toBe(1);
  });

  it('dropped connections are counted apart, under --consecutive-error-limit', async () => {
    service.cycle([drop, drop, ok]);
    const tolerant = await rollback([
      '--probe',
      service.url,
      '--count',
      '6',
      '--consecutive-error-limit',
      '2',
      ...FAST,
      '--rollback-command',
      COMMAND,
      '--restore-ref',
      'v1',
    ]);
    expect(tolerant.code).toBe(0);
    expect((await record()).health.tallies[0]).toMatchObject({ passes: 2, errors: 4, failures: 0 });
    service.cycle([ok, drop, drop, drop]);
    const down = await rollback([
      '--probe',
      service.url,
      '--count',
      '6',
      '--consecutive-error-limit',
      '2',
      ...FAST,
      '--rollback-command',
      'echo ran >> ran.txt',
      '--restore-ref',
      'v1',
    ]);
    expect(down.code).toBe(1);
    expect(down.stderr).toContain('3 errors in a row, over the consecutive error limit of 2');
  });

  it('a re-run after a rollback does nothing twice', async () => {
    service.set(status(503));
    const args = [
      '--probe',
      service.url,
      '--count',
      '2',
      ...FAST,
      '--rollback-command',
      COMMAND,
      '--restore-ref',
      'v1',
      '--failed-sha',
      'c'.repeat(40),
      '--run-url',
      'https://ci/runs/1',
    ];
    const first = await rollback(args);
    expect(first.code).toBe(1);
    expect(await runs()).toBe(1);
    const written = await readFile(join(dir, 'countersign-rollback.json'), 'utf8');
    service.set(status(503));
    const before = service.requests;
    const again = await rollback(args);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('a re-run does nothing twice');
    expect(await runs()).toBe(1);
    expect(service.requests).toBe(before);
    expect(await readFile(join(dir, 'countersign-rollback.json'), 'utf8')).toBe(written);
  });

  it('never rolls back from inside a rollback (COUNTERSIGN_ROLLBACK=1)', async () => {
    service.set(status(503));
    const result = await rollback(
      ['--probe', service.url, '--count', '1', ...FAST, '--rollback-command', COMMAND, '--restore-ref', 'v1'],
      { COUNTERSIGN_ROLLBACK: '1' },
    );
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('a rollback is never rolled back');
    expect(await runs()).toBe(0);
  });

  it('a migration change is refused without rollback.allow-with-rules, and rolled back with it', async () => {
    await writeAttestations([
      ...HISTORY.slice(0, 2),
      { digest: FAILED, time: '2026-02-20T10:00:00Z', files: ['db/migrations/0042_add_index.sql'] },
    ]);
    await writeFile(join(dir, 'policy.yml'), ROLLBACK_POLICY);
    await writeFile(join(dir, 'allowing.yml'), `${ROLLBACK_POLICY}rollback:\n  allow-with-rules: [db-migration]\n`);
    service.set(status(503));
    const args = [
      '--probe',
      service.url,
      '--count',
      '1',
      ...FAST,
      '--rollback-command',
      COMMAND,
      '--failed-digest',
      FAILED,
      ...FROM_EVIDENCE,
    ];
    const refused = await rollback([...args, '--policy', 'policy.yml']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('database migration rule(s) db-migration');
    expect(refused.stderr).toContain('rolling back the code does not revert the database schema');
    expect(await runs()).toBe(0);
    expect((await record()).migration_rules).toEqual(['db-migration']);

    const allowed = await rollback([...args, '--policy', 'allowing.yml', '--record', 'allowed.json']);
    expect(allowed.code).toBe(1);
    expect(await runs()).toBe(1);
    expect((await record('allowed.json')).outcome).toBe('rolled-back');
    expect(allowed.stdout).toContain('the database schema was not rolled back');
  });

  it('passes values only through the environment: shell metacharacters in a digest or ref are never run', async () => {
    service.set(status(503));
    const digest = 'sha256:$(touch pwned1)`touch pwned2`';
    const ref = "v1; touch pwned3 && echo '";
    const result = await rollback([
      '--probe',
      service.url,
      '--count',
      '1',
      ...FAST,
      '--rollback-command',
      'printf "%s|%s" "$COUNTERSIGN_ROLLBACK_DIGEST" "$COUNTERSIGN_ROLLBACK_REF" > got.txt; touch cue.txt',
      '--restore-digest',
      digest,
      '--restore-ref',
      ref,
    ]);
    expect(result.code).toBe(1);
    expect(await readFile(join(dir, 'got.txt'), 'utf8')).toBe(`${digest}|${ref}`);
    for (const name of ['pwned1', 'pwned2', 'pwned3']) expect(existsSync(join(dir, name))).toBe(false);
  });

  it.each([
    [['--probe', 'URL', '--restore-ref', 'v1'], '--rollback-command'],
    [['--rollback-command', 'x', '--restore-ref', 'v1'], '--probe URL or --probe-command'],
    [['--probe', 'URL', '--rollback-command', 'x'], '--restore-digest / --restore-ref, or --attestations'],
    [
      ['--probe', 'URL', '--rollback-command', 'x', '--restore-ref', 'v1', '--expect-status', '2xx'],
      "--expect-status: '2xx'",
    ],
    [
      ['--probe', 'URL', '--rollback-command', 'x', '--restore-ref', 'v1', '--interval', 'soon'],
      '--interval must be a duration',
    ],
    [
      ['--probe', 'URL', '--rollback-command', 'x', '--restore-ref', 'v1', '--count', '0'],
      '--count must be a whole number',
    ],
    [['--probe', 'URL', '--rollback-command', 'x', '--restore-ref', 'v1', '--expect-json', 'status'], '--expect-json'],
    [
      ['--probe', 'URL', '--rollback-command', 'x', '--restore-ref', 'v1', '--non-critical', 'http://other/'],
      '--non-critical',
    ],
    [
      ['--probe', 'URL', '--rollback-command', 'x', '--attestations', 'evidence', '--environment', 'production'],
      '--attestations needs --public-key',
    ],
    [
      [
        '--probe',
        'URL',
        '--rollback-command',
        'x',
        '--public-key',
        'k',
        '--environment',
        'e',
        '--attestations',
        'evidence',
      ],
      '--attestations needs --failed-digest',
    ],
    [['--probe', 'URL', '--probe', 'URL', '--rollback-command', 'x', '--restore-ref', 'v1'], 'two probes are named'],
    [
      ['--probe', 'URL', '--rollback-command', 'x', '--restore-ref', 'v1', '--header', 'no-colon-tok-55667788'],
      "--header must be 'Name: value'",
    ],
    [
      ['--probe', 'URL', '--rollback-command', 'x', '--restore-ref', 'v1', '--header', 'X-Api-Key tok-55667788:x'],
      '--header: the header name is not valid (it is not shown',
    ],
    [
      ['--probe', 'not a url', '--rollback-command', 'x', '--restore-ref', 'v1'],
      '--probe: the value given is not a URL (it is not shown here, since it may hold a token)',
    ],
    [
      ['--probe', 'https://u:tok-55667788@exa mple.com/', '--rollback-command', 'x', '--restore-ref', 'v1'],
      '--probe: the value given is not a URL',
    ],
    [
      ['--probe', 'http://user:tok-55667788@127.0.0.1:1/h', '--rollback-command', 'x', '--restore-ref', 'v1'],
      "has a user name or password in it, which is refused (it is not shown); put the credentials in a header instead (--header 'Authorization: Basic …')",
    ],
    [
      ['--probe', 'http://u:%zz-tok-55667788@127.0.0.1:1/h', '--rollback-command', 'x', '--restore-ref', 'v1'],
      'has a user name or password in it',
    ],
    [
      ['--probe', 'URL', '--rollback-command', 'x', '--restore-ref', 'v1', '--max-latency', '5s'],
      'must be less than the timeout',
    ],
    [
      ['--probe', 'URL', '--rollback-command', 'x', '--restore-ref', 'v1', '--record', 'no/such/dir/r.json'],
      '--record: cannot write no/such/dir/r.json: its directory does not exist',
    ],
    [
      ['--probe', 'URL', '--rollback-command', 'x', '--restore-ref', 'v1', '--failed-at', 'last tuesday'],
      '--failed-at',
    ],
    [
      ['--probe', 'URL', '--rollback-command', 'x', '--restore-ref', 'v1', '--policy', 'missing.yml'],
      '--policy: cannot read missing.yml',
    ],
    [['--probe', 'URL', '--rollback-command', 'x', '--restore-ref', 'v1\nrm -rf /'], 'restore-ref must be one line'],
    [
      ['--probe', 'URL', '--rollback-command', 'x', '--restore-ref', 'v1', '--key', 'signing.key'],
      '--key: cannot read',
    ],
    [['--probe', 'URL', '--rollback-command', 'x', '--restore-ref', 'v1', '--bogus'], "Unknown option '--bogus'"],
  ])('bad input %j: exit 2 naming the option, nothing done', async (args, message) => {
    const before = service.requests;
    const result = await rollback(args.map((a) => (a === 'URL' ? service.url : a)));
    expect(service.requests).toBe(before);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(message);
    expect(result.stderr).not.toContain('tok-55667788');
    expect(result.stderr).not.toContain('internal error');
    expect(existsSync(join(dir, 'countersign-rollback.json'))).toBe(false);
  });

  it('--key without --failed-digest is refused before probing, even with --restore-digest', async () => {
    await writeFile(join(dir, 'signing.key'), pair.privatePem, { mode: 0o600 });
    const before = service.requests;
    const result = await rollback([
      '--probe',
      service.url,
      '--count',
      '1',
      ...FAST,
      '--rollback-command',
      COMMAND,
      '--restore-digest',
      `sha256:${GOOD}`,
      '--key',
      'signing.key',
    ]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--key signs the record for an artefact');
    expect(service.requests).toBe(before);
    expect(existsSync(join(dir, 'countersign-rollback.json'))).toBe(false);
  });

  it('a record that cannot be written after the run is printed instead, exit 1, never 2', async () => {
    service.set(status(503));
    await mkdir(join(dir, 'records'));
    const result = await rollback([
      '--probe',
      service.url,
      '--count',
      '1',
      ...FAST,
      // The deploy removes the folder the record was to go to.
      '--rollback-command',
      'rm -rf records; touch cue.txt; echo ran >> ran.txt',
      '--restore-ref',
      'v1',
      '--record',
      'records/r.json',
    ]);
    expect(result.code).toBe(1);
    expect(await runs()).toBe(1);
    expect(result.stderr).toContain('--record: cannot write records/r.json');
    expect(result.stderr).toContain('its record is printed on stdout instead');
    const json = result.stdout.slice(result.stdout.indexOf('{\n'));
    expect((JSON.parse(json) as RollbackRecord).outcome).toBe('rolled-back');
  });

  it('--failed-at gives the cut-off when the failed artefact has no approval of its own', async () => {
    await writeAttestations([
      HISTORY[0] as Parameters<typeof attestDeploy>[1],
      { digest: GOOD, time: '2026-02-25T10:00:00Z', head: 'b'.repeat(40) },
    ]);
    service.set(status(503));
    const args = ['--probe', service.url, '--count', '1', ...FAST, '--rollback-command', COMMAND];
    const refused = await rollback([...args, '--failed-digest', FAILED, ...FROM_EVIDENCE]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain("the failed artefact's own approval");
    expect(await runs()).toBe(0);
    const given = await rollback([
      ...args,
      '--failed-digest',
      FAILED,
      '--failed-at',
      '2026-02-20T10:00:00Z',
      ...FROM_EVIDENCE,
      '--record',
      'given.json',
    ]);
    expect(given.code).toBe(1);
    expect((await envOfCommand())['COUNTERSIGN_ROLLBACK_DIGEST']).toBe(`sha256:${OLDER}`);
  });

  it('says when the migration check could not be made, and refuses under a rollback section unless allowed', async () => {
    await writeFile(join(dir, 'allowing.yml'), `${ROLLBACK_POLICY}rollback:\n  allow-with-rules: [db-migration]\n`);
    service.set(status(503));
    const args = ['--probe', service.url, '--count', '1', ...FAST, '--rollback-command', COMMAND];
    const plain = await rollback([...args, '--restore-ref', 'v1']);
    expect(plain.stderr).toContain("warning: the failed change's classification was not found");
    expect(await record()).toMatchObject({ outcome: 'rolled-back', migration_check: 'unknown' });
    await rm(join(dir, 'cue.txt'));
    const refused = await rollback([...args, '--restore-ref', 'v1', '--policy', 'allowing.yml', '--record', 'r.json']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('--allow-unknown-migration');
    expect(await record('r.json')).toMatchObject({ outcome: 'failed', decision: { action: 'refused' } });
    expect(await runs()).toBe(1);
    expect(existsSync(join(dir, 'cue.txt'))).toBe(false);
    const allowed = await rollback([
      ...args,
      '--restore-ref',
      'v1',
      '--policy',
      'allowing.yml',
      '--allow-unknown-migration',
      '--record',
      'a.json',
    ]);
    expect(allowed.code).toBe(1);
    expect(await record('a.json')).toMatchObject({ outcome: 'rolled-back', migration_check: 'unknown' });
  });

  it('is listed in the help', async () => {
    const help = await runCli(['--help']);
    expect(help.stdout).toContain('rollback   watch a deploy');
    const usage = await runCli(['help', 'rollback']);
    expect(usage.stdout).toContain(
      'countersign rollback (--probe URL ... | --probe-command CMD ...) --rollback-command CMD',
    );
  });
});
