// The CLI through the real binary: the ways a change comes in, the formats, and every error path
// ending in exit code 2 with a message that names the flag, file or line.
import { mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BASE_POLICY } from '../helpers/builders.js';
import { runCli } from '../helpers/cli.js';
import { commitAll, createRepository, writeFiles } from '../git/helpers.js';

const STRICT_POLICY = BASE_POLICY.replace('high: { approvals: 2 }', 'high: { approvals: 3 }');

describe('classify --base/--head reads the change and the policy from git', () => {
  let repo: { path: string; remove: () => Promise<void> };
  let base: string;
  let head: string;
  let outside: string;

  beforeAll(async () => {
    repo = await createRepository();
    await writeFiles(repo.path, { '.countersign.yml': BASE_POLICY, 'src/app.ts': 'x\n' });
    base = (await commitAll(repo.path, 'base')).trim();
    // The head loosens its own policy (high needs 0 approvals) and adds a migration.
    await writeFiles(repo.path, {
      '.countersign.yml': BASE_POLICY.replace('high: { approvals: 2 }', 'high: { approvals: 0 }'),
      'db/migrations/002.sql': 'ALTER TABLE t ADD c int;\n',
    });
    head = (await commitAll(repo.path, 'loosen the rules\n\nCo-authored-by: Bob <bob@example.com>')).trim();
    outside = await mkdtemp(join(tmpdir(), 'countersign-outside-'));
    await writeFile(join(outside, 'policy.yml'), STRICT_POLICY);
  });
  afterAll(async () => {
    await repo.remove();
    await rm(outside, { recursive: true, force: true });
  });

  it('judges the change by the policy at its base, and the policy change makes it high', async () => {
    const result = await runCli(['classify', '--base', base, '--head', head, '--format', 'json'], { cwd: repo.path });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const out = JSON.parse(result.stdout) as {
      risk: string;
      required: { approvals: number };
      reasons: Array<{ rule: string }>;
      policy: { file: string };
      change: { commits: number };
    };
    expect(out.risk).toBe('high');
    expect(out.required.approvals).toBe(2);
    expect(out.reasons.map((r) => r.rule)).toEqual(['db-migration', 'trusted-input']);
    expect(out.policy.file).toBe(`${base}:.countersign.yml`);
    expect(out.change.commits).toBe(1);
  });

  it('uses a policy outside the repository as it is', async () => {
    const result = await runCli(
      ['classify', '--policy', join(outside, 'policy.yml'), '--base', base, '--head', head, '--format', 'json'],
      { cwd: repo.path },
    );
    expect(result.code).toBe(0);
    expect((JSON.parse(result.stdout) as { required: { approvals: number } }).required.approvals).toBe(3);
  });

  it('a symbolic link cannot make the policy in the repository look outside it', async () => {
    const link = join(outside, 'link-to-repo');
    await symlink(repo.path, link);
    const result = await runCli(
      ['classify', '--policy', join(link, '.countersign.yml'), '--base', base, '--head', head, '--format', 'json'],
      { cwd: repo.path },
    );
    expect(result.code).toBe(0);
    const out = JSON.parse(result.stdout) as { required: { approvals: number }; policy: { file: string } };
    expect(out.required.approvals).toBe(2);
    expect(out.policy.file).toBe(`${base}:.countersign.yml`);
  });

  it('refuses when the policy does not exist at the base', async () => {
    const first = await createRepository();
    try {
      await writeFiles(first.path, { 'README.md': 'x\n' });
      const b = (await commitAll(first.path, 'one')).trim();
      await writeFiles(first.path, { '.countersign.yml': BASE_POLICY });
      const h = (await commitAll(first.path, 'two')).trim();
      const result = await runCli(['classify', '--base', b, '--head', h], { cwd: first.path });
      expect(result.code).toBe(2);
      expect(result.stderr).toContain('.countersign.yml does not exist at the base');
    } finally {
      await first.remove();
    }
  });

  it('names the flag of a revision that does not exist', async () => {
    const result = await runCli(['classify', '--base', 'no-such-ref', '--head', head], { cwd: repo.path });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--base');
  });

  it('says so outside a git repository', async () => {
    const result = await runCli(['classify', '--policy', join(outside, 'policy.yml'), '--base', 'a', '--head', 'b'], {
      cwd: outside,
    });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('not inside a git repository');
  });

  it('prints text and Markdown for people', async () => {
    const text = await runCli(['classify', '--base', base, '--head', head], { cwd: repo.path });
    expect(text.stdout).toContain('Risk: HIGH');
    expect(text.stdout).toContain('db/migrations/002.sql');
    expect(text.stdout).not.toContain('\u001b[');
    const coloured = await runCli(['classify', '--base', base, '--head', head], {
      cwd: repo.path,
      env: { FORCE_COLOR: '1', NO_COLOR: undefined },
    });
    expect(coloured.stdout).toContain('\u001b[31;1mHIGH');
    const markdown = await runCli(['classify', '--base', base, '--head', head, '--format', 'markdown'], {
      cwd: repo.path,
    });
    expect(markdown.stdout).toContain('### Countersign classification');
    expect(markdown.stdout).toContain('`db/migrations/002.sql`');
  });
});

describe('classify from a change file or a path list', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'countersign-cli-'));
    await writeFile(join(dir, 'policy.yml'), BASE_POLICY);
  });
  afterAll(async () => rm(dir, { recursive: true, force: true }));

  it('reads paths from standard input', async () => {
    const result = await runCli(['classify', '--policy', 'policy.yml', '--files-from', '-', '--format', 'json'], {
      cwd: dir,
      input: 'docs/a.md\nguide/b.md\n',
    });
    expect(result.code).toBe(0);
    expect((JSON.parse(result.stdout) as { risk: string }).risk).toBe('low');
  });

  it('answers --at in a named zone, and exits 1 when frozen', async () => {
    const frozen = `${BASE_POLICY}freezes:\n  - { id: market-hours, start: "30 9 * * 1-5", end: "0 16 * * 1-5", timezone: America/New_York, blocks: [high] }\n`;
    await writeFile(join(dir, 'frozen.yml'), frozen);
    const args = ['classify', '--policy', 'frozen.yml', '--files-from', '-', '--format', 'json', '--at'];
    const monday10 = await runCli([...args, '2026-11-23T10:00[America/New_York]'], {
      cwd: dir,
      input: 'db/migrations/1.sql\n',
    });
    expect(monday10.code).toBe(1);
    const out = JSON.parse(monday10.stdout) as { frozen: boolean; at: string; freezes: Array<{ until: string }> };
    expect(out).toMatchObject({ frozen: true, at: '2026-11-23T15:00:00.000Z' });
    expect(out.freezes[0]?.until).toBe('2026-11-23T21:00:00.000Z');
    const monday17 = await runCli([...args, '2026-11-23T17:00:00-05:00'], { cwd: dir, input: 'db/migrations/1.sql\n' });
    expect(monday17.code).toBe(0);
  });

  it.each([
    [['classify', '--policy', 'policy.yml'], 'exactly one of --base/--head, --change FILE or --files-from'],
    [['classify', '--policy', 'policy.yml', '--base', 'x'], '--base and --head go together'],
    [['classify', '--policy', 'missing.yml', '--files-from', '-'], '--policy: cannot read missing.yml: no such file'],
    [['classify', '--policy', 'policy.yml', '--change', 'nope.json'], '--change: cannot read'],
    [
      ['classify', '--policy', 'policy.yml', '--files-from', '-', '--format', 'xml'],
      '--format must be one of text, json, markdown',
    ],
    [['classify', '--policy', 'policy.yml', '--files-from', '-', '--at', 'tomorrow'], '--at:'],
    [['classify', '--policy', 'policy.yml', '--files-from', '-', '--bogus'], "Unknown option '--bogus'"],
    [['evaluate', '--policy', 'policy.yml'], 'evaluate needs --change FILE'],
    [['frobnicate'], "unknown verb 'frobnicate'"],
    [[], 'Usage: countersign'],
  ])('exits 2 for %j', async (args, message) => {
    const result = await runCli(args, { cwd: dir });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(message);
    expect(result.stderr).not.toMatch(/^\s+at /m);
  });

  it('names the file, line and column of a bad change file', async () => {
    await writeFile(join(dir, 'change.json'), '{\n  "files": [\n    { "path": "a", "status": "changed" }\n  ]\n}\n');
    const result = await runCli(['classify', '--policy', 'policy.yml', '--change', 'change.json'], { cwd: dir });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(
      'change.json:3:30 files[0].status must be one of added, modified, removed, renamed',
    );
    await writeFile(join(dir, 'broken.json'), '{\n  "files": [,]\n}\n');
    const broken = await runCli(['classify', '--policy', 'policy.yml', '--change', 'broken.json'], { cwd: dir });
    expect(broken.code).toBe(2);
    expect(broken.stderr).toMatch(/broken\.json:2:\d+ is not valid JSON/);
  });

  it('prints help and the version with exit 0', async () => {
    expect((await runCli(['help', 'classify'])).stdout).toContain('countersign classify');
    expect((await runCli(['evaluate', '--help'])).stdout).toContain('countersign evaluate');
    expect((await runCli(['--version'])).stdout).toMatch(/^\d+\.\d+\.\d+\n$/);
  });
});
