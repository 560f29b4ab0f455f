import { describe, expect, it } from 'vitest';
import { classify, type ChangedFile } from '../../../packages/core/src/index.js';
import { AT, BASE_POLICY, change, policy } from '../../helpers/builders.js';

const file = (path: string, extra: Partial<ChangedFile> = {}): ChangedFile => ({
  path,
  status: 'modified',
  additions: 1,
  deletions: 1,
  ...extra,
});
const run = (
  files: ChangedFile[],
  opts: { yaml?: string; environment?: string; labels?: string[]; branch?: string } = {},
) =>
  classify(
    policy(opts.yaml ?? BASE_POLICY),
    change({ files, labels: opts.labels ?? [], branch: opts.branch ?? null }),
    {
      environment: opts.environment,
      at: AT,
    },
  );

describe('risk', () => {
  it('is the default risk when no rule matches, and says so', () => {
    const c = run([file('src/app.ts')]);
    expect(c.risk).toBe('medium');
    expect(c.reasons.map((r) => r.kind)).toEqual(['default']);
    expect(c.required).toEqual({ approvals: 1, roles: [] });
  });

  it('takes the highest matching rule and merges role requirements', () => {
    const c = run([file('db/migrations/001.sql'), file('README.md')]);
    expect(c.risk).toBe('high');
    expect(c.reasons[0]).toMatchObject({ rule: 'db-migration', files: ['db/migrations/001.sql'], matched_files: 1 });
    expect(c.required.approvals).toBe(2);
    expect(c.required.roles.map((r) => r.role)).toEqual(['dba', 'sre']);
    expect(c.required.roles[0]?.members).toEqual(['@acme/dba', 'carol']);
  });

  it('a docs-only change is low, but not in production where the minimum is medium', () => {
    expect(run([file('docs/a.md'), file('guide/b.md')]).risk).toBe('low');
    const prod = run([file('docs/a.md')], { environment: 'Production' });
    expect(prod.risk).toBe('medium');
    expect(prod.reasons.map((r) => r.kind)).toEqual(['rule', 'environment']);
  });

  it('all-paths needs every file, and an empty change is not docs-only', () => {
    expect(run([file('docs/a.md'), file('src/x.ts')]).risk).toBe('medium');
    expect(run([]).risk).toBe('medium');
  });

  it('a rename is judged by both its paths', () => {
    expect(run([file('archive/001.txt', { status: 'renamed', previous_path: 'db/migrations/001.txt' })]).risk).toBe(
      'high',
    );
    expect(run([file('docs/old.md', { status: 'renamed', previous_path: 'src/core.ts' })]).risk).toBe('medium');
  });

  it('a change to the policy itself is at least high', () => {
    const c = run([file('.countersign.yml')]);
    expect(c.risk).toBe('high');
    expect(c.reasons.at(-1)).toMatchObject({ kind: 'trusted-input', files: ['.countersign.yml'] });
    expect(run([file('.countersign/allowed_signers')]).risk).toBe('high');
  });

  it('lists at most 20 files per reason but counts them all', () => {
    const files = Array.from({ length: 25 }, (_, i) => file(`db/migrations/${String(i).padStart(3, '0')}.sql`));
    const reason = run(files).reasons[0];
    expect(reason?.files).toHaveLength(20);
    expect(reason?.matched_files).toBe(25);
  });
});

const CONDITIONS = `version: 1
roles: { sec: [sam] }
levels:
  low: { approvals: 0 }
  medium: { approvals: 1 }
  high: { approvals: 2 }
  critical: { approvals: 3 }
rules:
  - { id: big, when: { files-over: 2 }, risk: high }
  - { id: long, when: { lines-over: 100 }, risk: high }
  - { id: hotfix, when: { labels: [Hotfix] }, risk: critical }
  - { id: release, when: { branches: ["release/*"] }, risk: high }
  - { id: deletions, when: { paths: ["src/**"], statuses: [removed] }, risk: high }
  - { id: drops, when: { paths: ["**/*.sql"], content: "DROP\\\\s+TABLE" }, risk: critical }
  - { id: prod-only, when: { environments: [production], paths: ["infra/**"] }, require: [{ role: sec }] }
`;

describe('conditions', () => {
  const c = (files: ChangedFile[], opts: { environment?: string; labels?: string[]; branch?: string } = {}) =>
    run(files, { yaml: CONDITIONS, branch: 'main', ...opts });
  const matched = (result: ReturnType<typeof c>) => result.reasons.filter((r) => r.kind === 'rule').map((r) => r.rule);

  it('files-over and lines-over are strict thresholds', () => {
    expect(matched(c([file('a'), file('b')]))).toEqual([]);
    expect(matched(c([file('a'), file('b'), file('c')]))).toEqual(['big']);
    expect(matched(c([file('a', { additions: 50, deletions: 50 })]))).toEqual([]);
    expect(matched(c([file('a', { additions: 51, deletions: 50 })]))).toEqual(['long']);
  });

  it('labels match case-insensitively', () => {
    expect(matched(c([file('a')], { labels: ['hotfix'] }))).toEqual(['hotfix']);
  });

  it('branches: a known branch is matched, an unknown one assumed for a rule that only makes things stricter', () => {
    expect(matched(c([file('a')], { branch: 'release/1.2' }))).toEqual(['release']);
    expect(matched(c([file('a')], { branch: 'main' }))).toEqual([]);
    const unknown = run([file('a')], { yaml: CONDITIONS });
    expect(unknown.reasons.find((r) => r.rule === 'release')?.assumed).toContain('no branch');
  });

  it('a rule assumed to match never lowers the risk below default-risk', () => {
    const yaml = CONDITIONS.replace(
      '- { id: release, when: { branches: ["release/*"] }, risk: high }',
      '- { id: release, when: { branches: ["hotfix/*"] }, risk: low, require: [{ role: sec }] }',
    );
    const unknown = run([file('a')], { yaml });
    expect(unknown.reasons.find((r) => r.rule === 'release')?.assumed).toContain('no branch');
    expect(unknown.risk).toBe('medium');
    expect(unknown.required.roles.map((r) => r.role)).toEqual(['sec']);
  });

  it('a plain path list leaves statuses and line counts unknown, so strict rules are assumed', () => {
    const result = classify(
      policy(CONDITIONS),
      change({ files: [file('src/a.ts', { additions: 0, deletions: 0 })], paths_only: true, branch: 'main' }),
      { at: AT },
    );
    const deletions = result.reasons.find((r) => r.rule === 'deletions');
    expect(deletions?.assumed).toContain('paths only');
    expect(result.reasons.find((r) => r.rule === 'long')?.assumed).toContain('paths only');
    expect(result.risk).toBe('high');
  });

  it('statuses narrow paths to files with those statuses', () => {
    expect(matched(c([file('src/a.ts')], { branch: 'main' }))).toEqual([]);
    expect(matched(c([file('src/a.ts', { status: 'removed' })], { branch: 'main' }))).toEqual(['deletions']);
  });

  it('content tests added lines of the files the paths matched', () => {
    const drop = file('db/1.sql', { patch: '@@ -0,0 +1 @@\n+DROP  TABLE users;\n' });
    expect(matched(c([drop], { branch: 'main' }))).toEqual(['drops']);
    const removedDrop = file('db/1.sql', { patch: '@@ -1 +0,0 @@\n-DROP TABLE users;\n' });
    expect(matched(c([removedDrop], { branch: 'main' }))).toEqual([]);
    const inDocs = file('docs/x.md', { patch: '+DROP TABLE users;\n' });
    expect(matched(c([inDocs, file('db/2.sql', { patch: '+SELECT 1;\n' })], { branch: 'main' }))).toEqual([]);
    const noDiff = c([file('db/1.sql')], { branch: 'main' });
    expect(noDiff.reasons.find((r) => r.rule === 'drops')?.assumed).toContain('no diff');
  });

  it('environments are matched case-insensitively and ANDed with the other conditions', () => {
    expect(matched(c([file('infra/main.tf')], { environment: 'PRODUCTION', branch: 'main' }))).toEqual(['prod-only']);
    expect(matched(c([file('infra/main.tf')], { environment: 'staging', branch: 'main' }))).toEqual([]);
  });
});

describe('freezes', () => {
  const yaml =
    BASE_POLICY +
    `freezes:
  - id: market-hours
    start: "30 9 * * 1-5"
    end: "0 16 * * 1-5"
    timezone: America/New_York
    blocks: [high, critical]
`;
  const at = (iso: string) =>
    classify(policy(yaml), change({ files: [file('db/migrations/1.sql')] }), { at: new Date(iso) });

  it('blocks a high change at 09:31 New York time and frees it at 16:01', () => {
    expect(at('2026-11-23T14:31:00Z').frozen).toBe(true);
    expect(at('2026-11-23T21:01:00Z').frozen).toBe(false);
    expect(at('2026-07-20T13:31:00Z').frozen).toBe(true);
  });

  it('does not block a risk it does not list', () => {
    expect(classify(policy(yaml), change(), { at: new Date('2026-11-23T14:31:00Z') }).frozen).toBe(false);
  });
});
