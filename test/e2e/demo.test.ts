// `countersign demo`, run as a newcomer runs it: each narrated step must show its outcome.
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';

describe('countersign demo', () => {
  let kept: string | undefined;
  afterAll(async () => {
    if (kept !== undefined) await rm(kept, { recursive: true, force: true });
  });

  it('narrates the whole flow and every step reaches its outcome', async () => {
    const parent = await mkdtemp(join(tmpdir(), 'countersign-demo-test-'));
    kept = parent;
    const result = await runCli(['demo', '--keep', join(parent, 'kept')], { cwd: parent });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const out = result.stdout;
    const step = (n: number) =>
      out.slice(
        out.indexOf(`Step ${n}:`),
        out.indexOf(`Step ${n + 1}:`) > 0 ? out.indexOf(`Step ${n + 1}:`) : undefined,
      );

    expect(step(1)).toContain('db/migrations/0042_add_ledger_index.sql');
    expect(step(2)).toContain('Risk: HIGH for production');
    expect(step(2)).toMatch(/db-migration \(high\)/);
    expect(step(2)).toContain('Requested approval for production');
    expect(step(3)).toContain('Status: PENDING');
    expect(step(3)).toMatch(/alice@payments\.example approve: participant \(author of commit [0-9a-f]{12}\)/);
    expect(step(4)).toContain('Status: APPROVED');
    expect(step(4)).toMatch(/\+ bob@payments\.example \[sre\]/);
    expect(step(4)).toMatch(/\+ carol@payments\.example \[dba\]/);
    expect(step(5)).toContain('Verified: sha256:');
    expect(step(5)).toContain('NOT VERIFIED: sha256:');
    expect(step(5)).toContain("Failed check 'subject'");
    expect(step(5)).toMatch(
      /Attested approved for production: build\/payments-service-1\.3\.tar \(sha256:[0-9a-f]{64}\)/,
    );
    const previous = /build\/payments-service-1\.3\.tar \((sha256:[0-9a-f]{64})\)/.exec(step(5))?.[1];
    expect(step(6)).toContain('Rollback — production: ROLLED BACK — healthy again');
    expect(step(6)).toContain('status 503, expected 200-299');
    expect(step(6)).toContain('Migration rule(s) db-migration: the database schema was not rolled back.');
    expect(step(6)).toMatch(/--rollback-command 'printf "%s\\n" "\$COUNTERSIGN_ROLLBACK_DIGEST" > deployed\.txt'/);
    expect(step(7)).toContain('signed tags');
    expect(step(7)).toContain('evidence/payments-service-rollback.json');
    expect(out).toMatch(/Done in \d+\.\d s\./);

    // --keep leaves the evidence where it said it would.
    const keptDir = join(parent, 'kept');
    expect((await readdir(keptDir)).sort()).toEqual([
      'build',
      'countersign-decision.json',
      'deployed.txt',
      'evidence',
      'keys',
      'payments-service',
      'release-1.3',
    ]);
    const decision = JSON.parse(await readFile(join(keptDir, 'countersign-decision.json'), 'utf8')) as {
      status: string;
    };
    expect(decision.status).toBe('approved');

    // The rollback put back release 1.3, found in the evidence, and left its record there.
    expect((await readFile(join(keptDir, 'deployed.txt'), 'utf8')).trim()).toBe(previous);
    const record = JSON.parse(await readFile(join(keptDir, 'evidence', 'payments-service-rollback.json'), 'utf8')) as {
      outcome: string;
      restored: { digest: string } | null;
      restored_from: { kind: string } | null;
      migration_rules: string[];
    };
    expect(record.outcome).toBe('rolled-back');
    expect(record.restored?.digest).toBe(previous);
    expect(record.restored_from?.kind).toBe('attestation');
    expect(record.migration_rules).toEqual(['db-migration']);
    const evidence = (await readFile(join(keptDir, 'evidence', 'payments-service.intoto.jsonl'), 'utf8'))
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { payload: string })
      .map(
        (envelope) => JSON.parse(Buffer.from(envelope.payload, 'base64').toString('utf8')) as { predicateType: string },
      );
    expect(evidence.map((statement) => statement.predicateType)).toEqual([
      'https://countersign.dev/deployment-approval/v1',
      'https://countersign.dev/deployment-approval/v1',
      'https://countersign.dev/rollback/v1',
    ]);
  });

  it('leaves nothing behind without --keep', async () => {
    const before = new Set(
      (await readdir(tmpdir())).filter(
        (name) => name.startsWith('countersign-demo-') && !name.startsWith('countersign-demo-test-'),
      ),
    );
    const result = await runCli(['demo']);
    expect(result.code).toBe(0);
    const after = (await readdir(tmpdir())).filter(
      (name) => name.startsWith('countersign-demo-') && !name.startsWith('countersign-demo-test-'),
    );
    expect(after.filter((name) => !before.has(name))).toEqual([]);
    expect(result.stdout).toContain('The temporary repository has been removed');
  });
});
