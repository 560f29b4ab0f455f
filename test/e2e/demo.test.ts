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
    expect(step(6)).toContain('signed tags');
    expect(out).toMatch(/Done in \d+\.\d s\./);

    // --keep leaves the evidence where it said it would.
    const keptDir = join(parent, 'kept');
    expect((await readdir(keptDir)).sort()).toEqual([
      'build',
      'countersign-decision.json',
      'evidence',
      'keys',
      'payments-service',
    ]);
    const decision = JSON.parse(await readFile(join(keptDir, 'countersign-decision.json'), 'utf8')) as {
      status: string;
    };
    expect(decision.status).toBe('approved');
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
