// The guardrails: migrations need the policy's say-so, a rollback is never rolled back, and a
// re-run does nothing twice. Also the policy's `rollback` section.
import { describe, expect, it } from 'vitest';
import { loadPolicy } from '../../../packages/core/src/policy/load.js';
import { checkMigration, isMigrationRule, priorRollback } from '../../../packages/core/src/rollback/guardrails.js';
import { runRollback } from '../../../packages/core/src/rollback/run.js';
import type { RollbackRecord } from '../../../packages/core/src/rollback/types.js';
import { fakeClock, ROLLBACK_POLICY, rollbackPolicy, scripted } from './helpers.js';

describe('the policy rollback section', () => {
  it('is optional, and absent from a policy without it', () => {
    expect(rollbackPolicy().rollback).toBeUndefined();
  });

  it('reads allow-with-rules and migration-rules', () => {
    const policy = rollbackPolicy('rollback:\n  allow-with-rules: [db-migration]\n  migration-rules: [schema-files]\n');
    expect(policy.rollback).toEqual({ allowWithRules: ['db-migration'], migrationRules: ['schema-files'] });
  });

  it('names the line of a rule id that does not exist', () => {
    expect(() =>
      loadPolicy(`${ROLLBACK_POLICY}rollback:\n  allow-with-rules: [db-migration, nope]\n`, 'p.yml'),
    ).toThrow(
      /p\.yml:\d+:\d+ rollback\.allow-with-rules\[1\] names the rule 'nope', which is not defined under rules \(defined: db-migration, schema-files, docs-only\)/,
    );
    expect(() => loadPolicy(`${ROLLBACK_POLICY}rollback:\n  unknown: 1\n`, 'p.yml')).toThrow('p.yml:');
  });
});

describe('migration rules', () => {
  const policy = rollbackPolicy('rollback:\n  migration-rules: [docs-only]\n');

  it('are recognised by id, by their globs, by the files they matched, or by the policy listing them', () => {
    expect(isMigrationRule({ rule: 'db-migration' })).toBe(true);
    expect(isMigrationRule({ rule: 'schema-files' })).toBe(false);
    expect(isMigrationRule({ rule: 'schema-files', files: ['db/migrations/002.sql'] })).toBe(true);
    expect(isMigrationRule({ rule: 'large', files: ['src/app.ts'] })).toBe(false);
    expect(isMigrationRule({ rule: 'docs-only' }, policy)).toBe(true);
    const globs = loadPolicy(
      `${ROLLBACK_POLICY.replace('id: schema-files', 'id: schema-files\n    description: x').replace('["schema/**"]', '["**/*.sql"]')}`,
      'p',
    );
    expect(isMigrationRule({ rule: 'schema-files' }, globs)).toBe(true);
    expect(isMigrationRule({ rule: 'migration-ish', kind: 'environment' })).toBe(false);
  });

  it('refuse a rollback unless allow-with-rules lists every one, saying the schema is not reverted', () => {
    const refused = checkMigration(
      [
        { rule: 'db-migration', kind: 'rule' },
        { rule: 'docs-only', kind: 'rule' },
      ],
      null,
    );
    expect(refused.rules).toEqual(['db-migration']);
    expect(refused.refusal).toContain('rolling back the code does not revert the database schema');
    expect(refused.refusal).toContain("unless the policy's rollback.allow-with-rules lists it");
    const allowed = checkMigration(
      [{ rule: 'db-migration' }],
      rollbackPolicy('rollback:\n  allow-with-rules: [db-migration]\n'),
    );
    expect(allowed.refusal).toBeNull();
    expect(allowed.warning).toContain('does not revert the database schema');
    expect(checkMigration([{ rule: 'docs-only' }], null)).toEqual({
      rules: [],
      check: 'checked',
      refusal: null,
      warning: null,
    });
  });

  it('says when the classification is unknown, and refuses then when the policy has a rollback section', () => {
    const unknown = checkMigration([], rollbackPolicy(), { reasonsKnown: false });
    expect(unknown).toMatchObject({ rules: [], check: 'unknown', refusal: null });
    expect(unknown.warning).toContain('could not be checked');
    const withSection = rollbackPolicy('rollback:\n  allow-with-rules: [db-migration]\n');
    const refused = checkMigration([], withSection, { reasonsKnown: false });
    expect(refused.check).toBe('unknown');
    expect(refused.refusal).toContain('the policy has a rollback section; automatic rollback is refused');
    expect(refused.refusal).toContain('allow-unknown-migration');
    expect(checkMigration([], withSection, { reasonsKnown: false, allowUnknown: true }).refusal).toBeNull();
    // The default stays as before, for callers that always know the reasons.
    expect(checkMigration([], withSection).check).toBe('checked');
  });
});

function record(overrides: Partial<RollbackRecord>): RollbackRecord {
  return {
    _type: 'https://countersign.dev/rollback-record/v1',
    environment: 'production',
    started_at: '2026-03-01T12:00:00.000Z',
    finished_at: '2026-03-01T12:01:00.000Z',
    outcome: 'rolled-back',
    failed: { deployment_id: null, sha: 'abc', digest: 'sha256:FF', ref: null, name: null },
    restored: { deployment_id: null, sha: null, digest: 'sha256:ee', ref: null, name: null },
    restored_from: null,
    health: {
      status: 'failed',
      reason: 'down',
      rounds: 1,
      early: false,
      tallies: [],
      measurements: [],
      started_at: '2026-03-01T12:00:00.000Z',
      finished_at: '2026-03-01T12:00:00.000Z',
    },
    decision: { action: 'rolled-back', reason: 'down' },
    command: null,
    reprobe: null,
    migration_rules: [],
    actor: null,
    run_url: 'https://ci/run/1',
    previous: null,
    ...overrides,
  };
}

describe('priorRollback', () => {
  it('finds an earlier rollback of the same failure in the same run', () => {
    const prior = record({});
    expect(priorRollback([prior], { digest: 'sha256:ff' }, 'https://ci/run/1')).toBe(prior);
    expect(priorRollback([prior], { sha: 'ABC' }, null)).toBe(prior);
    expect(priorRollback([prior], { digest: 'sha256:00' }, 'https://ci/run/1')).toBeNull();
    expect(priorRollback([prior], { digest: 'sha256:ff' }, 'https://ci/run/2')).toBeNull();
    expect(
      priorRollback([record({ decision: { action: 'refused', reason: 'x' } })], { digest: 'sha256:ff' }, null),
    ).toBeNull();
  });

  it('tells environments apart: a staging rollback in the same run is no rollback of production', () => {
    const staging = record({ environment: 'staging' });
    expect(priorRollback([staging], { digest: 'sha256:ff' }, 'https://ci/run/1', 'production')).toBeNull();
    expect(priorRollback([staging], { digest: 'sha256:ff' }, 'https://ci/run/1', 'Staging')).toBe(staging);
    // Unknown on either side: the other fields decide, as before.
    expect(priorRollback([staging], { digest: 'sha256:ff' }, 'https://ci/run/1')).toBe(staging);
    expect(priorRollback([record({ environment: null })], { sha: 'abc' }, null, 'production')).not.toBeNull();
  });
});

const LOOP = { initialDelayMs: 0, count: 2, intervalMs: 1_000, failureLimit: 0, consecutiveErrorLimit: 0 };

describe('runRollback guardrails', () => {
  const neverRun = () => Promise.reject(new Error('the command must not run'));

  it('never rolls back a rollback', async () => {
    const run = await runRollback({
      probes: [scripted('api', ['fail'])],
      loop: LOOP,
      failed: { digest: 'sha256:aa' },
      restore: { digest: 'sha256:bb' },
      command: neverRun,
      failedIsRollback: 'deployment 7 has task deploy:rollback',
      clock: fakeClock(),
    });
    expect(run.record.decision).toEqual({
      action: 'refused',
      reason:
        'the failed deployment is itself a rollback (deployment 7 has task deploy:rollback); a rollback is never rolled back',
    });
    expect(run.record.command).toBeNull();
    expect(run.exitCode).toBe(1);
  });

  it('refuses a migration change, and proceeds when the policy allows its rule', async () => {
    let ran = 0;
    const command = () => {
      ran++;
      return Promise.resolve({
        exit_code: 0,
        signal: null,
        error: null,
        started_at: '',
        duration_ms: 0,
        output: '',
        truncated: false,
      });
    };
    const base = {
      probes: [scripted('api', ['fail', 'pass'])],
      loop: { ...LOOP, count: 1 },
      failed: { digest: 'sha256:aa' },
      restore: { digest: 'sha256:bb' },
      command,
      reasons: [{ rule: 'db-migration', kind: 'rule', files: ['db/migrations/1.sql'] }],
      clock: fakeClock(),
    };
    const refused = await runRollback({ ...base, policy: rollbackPolicy() });
    expect(refused.record.outcome).toBe('failed');
    expect(refused.record.migration_rules).toEqual(['db-migration']);
    expect(refused.record.decision.reason).toContain('does not revert the database schema');
    expect(ran).toBe(0);
    const allowed = await runRollback({
      ...base,
      probes: [scripted('api', ['fail', 'pass'])],
      policy: rollbackPolicy('rollback:\n  allow-with-rules: [db-migration]\n'),
    });
    expect(allowed.record.outcome).toBe('rolled-back');
    expect(allowed.record.decision.reason).toContain('does not revert the database schema');
    expect(allowed.record.migration_check).toBe('checked');
    expect(ran).toBe(1);
  });

  it('records an unknown classification, and refuses under a rollback section unless allowed', async () => {
    const command = () =>
      Promise.resolve({
        exit_code: 0,
        signal: null,
        error: null,
        started_at: '',
        duration_ms: 0,
        output: '',
        truncated: false,
      });
    const base = {
      loop: { ...LOOP, count: 1 },
      failed: { digest: 'sha256:aa' },
      restore: { digest: 'sha256:bb' },
      command,
      reasons: [],
      reasonsKnown: false,
      clock: fakeClock(),
    };
    const warned = await runRollback({ ...base, probes: [scripted('api', ['fail', 'pass'])] });
    expect(warned.record).toMatchObject({ outcome: 'rolled-back', migration_rules: [], migration_check: 'unknown' });
    expect(warned.record.decision.reason).toContain('could not be checked');
    const policy = rollbackPolicy('rollback:\n  allow-with-rules: [db-migration]\n');
    const refused = await runRollback({ ...base, probes: [scripted('api', ['fail', 'pass'])], policy });
    expect(refused.record).toMatchObject({ outcome: 'failed', decision: { action: 'refused' } });
    const allowed = await runRollback({
      ...base,
      probes: [scripted('api', ['fail', 'pass'])],
      policy,
      allowUnknownMigration: true,
    });
    expect(allowed.record.outcome).toBe('rolled-back');
  });

  it('a production failure after a staging rollback in the same run is rolled back', async () => {
    let ran = 0;
    const run = await runRollback({
      probes: [scripted('api', ['fail', 'pass'])],
      loop: { ...LOOP, count: 1 },
      failed: { digest: 'sha256:ff' },
      restore: { digest: 'sha256:bb' },
      command: () => {
        ran++;
        return Promise.resolve({
          exit_code: 0,
          signal: null,
          error: null,
          started_at: '',
          duration_ms: 0,
          output: '',
          truncated: false,
        });
      },
      environment: 'production',
      prior: [record({ environment: 'staging' })],
      runUrl: 'https://ci/run/1',
      clock: fakeClock(),
    });
    expect(run.repeated).toBe(false);
    expect(run.record.outcome).toBe('rolled-back');
    expect(ran).toBe(1);
  });

  it('a re-run after a rollback does nothing twice: no probe, no command', async () => {
    const probe = scripted('api', ['fail']);
    const run = await runRollback({
      probes: [probe],
      loop: LOOP,
      failed: { digest: 'sha256:ff' },
      restore: { digest: 'sha256:bb' },
      command: neverRun,
      prior: [record({})],
      runUrl: 'https://ci/run/1',
      clock: fakeClock(),
    });
    expect(run.repeated).toBe(true);
    expect(probe.calls).toBe(0);
    expect(run.record.decision.action).toBe('skipped');
    expect(run.record.decision.reason).toContain('a re-run does nothing twice');
    expect(run.exitCode).toBe(1);
  });
});
