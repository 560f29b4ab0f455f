// The scenario table: each file in test/fixtures/scenarios is a whole case — policy, change,
// approvals, members, time — run through the real CLI process, with the decision it must reach.
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { runCli } from '../helpers/cli.js';

const FIXTURES = new URL('../fixtures/', import.meta.url);

interface Scenario {
  description: string;
  verb?: 'evaluate' | 'classify';
  /** A file in test/fixtures/policies (without .yml), or the policy's YAML text. */
  policy: string;
  change: unknown;
  approvals?: unknown;
  members?: unknown;
  at: string;
  environment?: string;
  /** Extra CLI flags. */
  args?: string[];
  expect: {
    exit: number;
    status?: string;
    risk?: string;
    frozen?: boolean;
    counted?: string[];
    discounted?: Record<string, string>;
    missing?: { approvals?: number; roles?: Array<{ role: string; count: number }> };
    rules?: string[];
    break_glass_due?: string;
    stderr?: string;
  };
  /** Then attest the decision and verify the artefact, as a deploy job would. */
  attest?: {
    /** Policy for `verify --policy` (a fixture name or YAML), e.g. a stricter one than today's. */
    verify_policy?: string;
    verify_args?: string[];
    expect: { exit: number; failed?: string };
  };
}

const files = (await readdir(new URL('scenarios/', FIXTURES))).filter((f) => f.endsWith('.yml')).sort();
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'countersign-scenarios-'));
  const keys = await runCli(['keygen', '--out', join(dir, 'signing')]);
  expect(keys.code).toBe(0);
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function policyText(policy: string): Promise<string> {
  if (policy.includes('\n')) return policy;
  return readFile(new URL(`policies/${policy}.yml`, FIXTURES), 'utf8');
}

async function attestThenVerify(scenario: Scenario, base: string, decision: string): Promise<void> {
  const plan = scenario.attest as NonNullable<Scenario['attest']>;
  await writeFile(`${base}.decision.json`, decision);
  await writeFile(`${base}.artefact`, `artefact of ${base}`);
  const attested = await runCli([
    'attest',
    '--subject-path',
    `${base}.artefact`,
    '--decision',
    `${base}.decision.json`,
    '--key',
    join(dir, 'signing.key'),
    '--out',
    `${base}.intoto.jsonl`,
  ]);
  expect(attested.code, attested.stderr).toBe(0);
  const args = [
    'verify',
    '--subject-path',
    `${base}.artefact`,
    '--attestation',
    `${base}.intoto.jsonl`,
    '--public-key',
    join(dir, 'signing.pub'),
    '--format',
    'json',
  ];
  if (plan.verify_policy !== undefined) {
    await writeFile(`${base}.verify-policy.yml`, await policyText(plan.verify_policy));
    args.push('--policy', `${base}.verify-policy.yml`);
  }
  const verified = await runCli([...args, ...(plan.verify_args ?? [])]);
  expect({ exit: verified.code, stderr: verified.stderr }).toMatchObject({ exit: plan.expect.exit });
  const out = JSON.parse(verified.stdout) as { verified: boolean; failed: { name: string } | null };
  expect(out.verified).toBe(plan.expect.exit === 0);
  if (plan.expect.failed !== undefined) expect(out.failed?.name).toBe(plan.expect.failed);
}

describe('scenario table through the real CLI', () => {
  it('has at least 40 scenarios', () => {
    expect(files.length).toBeGreaterThanOrEqual(40);
  });

  it.each(files)('%s', async (name) => {
    const scenario = parse(await readFile(new URL(`scenarios/${name}`, FIXTURES), 'utf8')) as Scenario;
    const base = join(dir, name.replace(/\.yml$/, ''));
    await writeFile(`${base}.policy.yml`, await policyText(scenario.policy));
    await writeFile(`${base}.change.json`, JSON.stringify(scenario.change));
    const verb = scenario.verb ?? 'evaluate';
    const args = [
      verb,
      '--policy',
      `${base}.policy.yml`,
      '--change',
      `${base}.change.json`,
      '--at',
      scenario.at,
      '--format',
      'json',
    ];
    if (verb === 'evaluate') {
      await writeFile(`${base}.approvals.json`, JSON.stringify(scenario.approvals ?? []));
      args.push('--approvals', `${base}.approvals.json`);
      if (scenario.members !== undefined) {
        await writeFile(`${base}.members.json`, JSON.stringify(scenario.members));
        args.push('--members', `${base}.members.json`);
      }
    }
    if (scenario.environment !== undefined) args.push('--environment', scenario.environment);
    args.push(...(scenario.args ?? []));

    const result = await runCli(args);
    const want = scenario.expect;
    expect({ exit: result.code, stderr: result.stderr }).toMatchObject({ exit: want.exit });
    if (want.stderr !== undefined) {
      expect(result.stderr).toMatch(new RegExp(want.stderr));
      expect(result.stdout).toBe('');
      return;
    }
    expect(result.stderr).toBe('');
    const out = JSON.parse(result.stdout) as Record<string, unknown> & {
      classification?: { reasons: Array<{ rule: string; kind: string }> };
      reasons?: Array<{ rule: string; kind: string }>;
      counted?: Array<{ login: string | null; email: string | null }>;
      discounted?: Array<{ login: string | null; email: string | null; reason: string }>;
      break_glass?: { post_review_due?: string } | null;
    };
    if (want.status !== undefined) expect(out['status']).toBe(want.status);
    if (want.risk !== undefined) expect(out['risk']).toBe(want.risk);
    if (want.frozen !== undefined) expect(out['frozen']).toBe(want.frozen);
    if (want.counted !== undefined) expect((out.counted ?? []).map((c) => c.login ?? c.email)).toEqual(want.counted);
    if (want.discounted !== undefined) {
      const got = Object.fromEntries((out.discounted ?? []).map((d) => [d.login ?? d.email ?? '(none)', d.reason]));
      expect(got).toEqual(want.discounted);
    }
    if (want.missing !== undefined) expect(out['missing']).toMatchObject(want.missing);
    if (want.rules !== undefined) {
      const reasons = out.classification?.reasons ?? out.reasons ?? [];
      expect(reasons.filter((r) => r.kind === 'rule').map((r) => r.rule)).toEqual(want.rules);
    }
    if (want.break_glass_due !== undefined) expect(out.break_glass?.post_review_due).toBe(want.break_glass_due);
    if (scenario.attest !== undefined) await attestThenVerify(scenario, base, result.stdout);
  });
});
