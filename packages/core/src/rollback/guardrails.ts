// What stops an automatic rollback from making things worse: a database migration that code
// rollback cannot undo, a rollback of a rollback, and a second rollback for the same failure when a
// job is re-run.
import type { Policy } from '../policy/types.js';
import { normaliseDigest } from './known-good.js';
import type { ArtefactInput, RollbackRecord } from './types.js';

/** A reason of the failed change's classification, as a decision or an attestation records it. */
export interface ReasonLike {
  rule: string;
  kind?: string | undefined;
  files?: readonly string[] | undefined;
}

const MIGRATION_PATH = /(^|\/)migrations?(\/|$)|\.sql$/i;
const MIGRATION_GLOB = /(^|\/|\*)migrations?(\/|\*|$)|\.sql$/i;

/**
 * Whether a rule marks a database migration. The policy has no "change type", so a rule counts
 * when any of these holds (fail closed: a false positive asks a person, a false negative could
 * leave code older than its schema):
 * - the policy lists it under `rollback.migration-rules`;
 * - its id contains "migration" (db-migration, schema-migrations);
 * - one of its path globs names a migrations directory or .sql files;
 * - a file it matched lies in a migrations directory or is a .sql file.
 */
export function isMigrationRule(reason: ReasonLike, policy?: Policy | null): boolean {
  if (reason.kind !== undefined && reason.kind !== 'rule') return false;
  if (policy?.rollback?.migrationRules.includes(reason.rule) === true) return true;
  if (/migration/i.test(reason.rule)) return true;
  const rule = policy?.rules.find((r) => r.id === reason.rule);
  const globs = [...(rule?.when.paths ?? []), ...(rule?.when.allPaths ?? [])];
  if (globs.some((glob) => MIGRATION_GLOB.test(glob))) return true;
  return (reason.files ?? []).some((file) => MIGRATION_PATH.test(file));
}

export interface MigrationVerdict {
  /** Migration rules the failed change matched. */
  rules: string[];
  /** 'unknown' when the failed change's classification was not available, so nothing could be checked. */
  check: MigrationCheck;
  /** Why the rollback is refused, or null when it may go ahead. */
  refusal: string | null;
  /** Said even when allowed, so the record shows the schema was left as it is (or was not checked). */
  warning: string | null;
}

/** 'checked': the failed change's classification was read; 'unknown': there was none to read. */
export type MigrationCheck = 'checked' | 'unknown';

export interface MigrationCheckOptions {
  /**
   * Whether `reasons` is the failed change's classification (default true). False when none was
   * found (no decision, no verified attestation): an empty list then means "not known", not "none".
   */
  reasonsKnown?: boolean | undefined;
  /** With `reasonsKnown: false` and a policy with a rollback section, roll back anyway (default false). */
  allowUnknown?: boolean | undefined;
}

export const UNKNOWN_MIGRATION =
  "the failed change's classification was not found (no decision, no verified attestation for it), so whether it migrated the database could not be checked";

export function checkMigration(
  reasons: readonly ReasonLike[],
  policy?: Policy | null,
  options: MigrationCheckOptions = {},
): MigrationVerdict {
  if (options.reasonsKnown === false) {
    // The policy's rollback section says this team cares which migrations may be undone: without
    // evidence, fail closed unless told explicitly to go ahead.
    if (policy?.rollback !== undefined && options.allowUnknown !== true)
      return {
        rules: [],
        check: 'unknown',
        refusal: `${UNKNOWN_MIGRATION}, and the policy has a rollback section; automatic rollback is refused. Give the failed change's classification (its decision or its verified attestation), or allow it explicitly (allow-unknown-migration)`,
        warning: null,
      };
    return { rules: [], check: 'unknown', refusal: null, warning: `${UNKNOWN_MIGRATION}; the schema was not checked` };
  }
  const rules = [...new Set(reasons.filter((r) => isMigrationRule(r, policy)).map((r) => r.rule))];
  if (rules.length === 0) return { rules, check: 'checked', refusal: null, warning: null };
  const allowed = policy?.rollback?.allowWithRules ?? [];
  const blocking = rules.filter((id) => !allowed.includes(id));
  const schema = 'rolling back the code does not revert the database schema';
  if (blocking.length > 0)
    return {
      rules,
      check: 'checked',
      refusal: `the failed change matched the database migration rule(s) ${blocking.join(', ')}, and ${schema}; automatic rollback is refused unless the policy's rollback.allow-with-rules lists ${blocking.length === 1 ? 'it' : 'them'}. Roll back by hand, with the schema in mind`,
      warning: null,
    };
  return {
    rules,
    check: 'checked',
    refusal: null,
    warning: `the failed change matched the migration rule(s) ${rules.join(', ')}, which the policy's rollback.allow-with-rules allows; ${schema}`,
  };
}

function same(a: string | null | undefined, b: string | null | undefined, digest = false): boolean {
  if (!a || !b) return false;
  return digest ? normaliseDigest(a) === normaliseDigest(b) : a.toLowerCase() === b.toLowerCase();
}

/**
 * An earlier rollback for this same failure, which makes a re-run do nothing twice. Same failure:
 * the same deployment id, digest or sha, in the same environment (when both say; compared without
 * regard to case), and (when both runs say) the same run URL — a re-run keeps its run's URL, while a
 * new deploy of the same artefact later is a new run, and one run that deploys to staging and then
 * production has two failures.
 */
export function priorRollback(
  records: readonly RollbackRecord[],
  failed: ArtefactInput,
  runUrl: string | null | undefined,
  environment?: string | null,
): RollbackRecord | null {
  for (const record of records) {
    if (record.decision?.action !== 'rolled-back') continue;
    const f = record.failed;
    const matches =
      same(f?.deployment_id, failed.deploymentId) || same(f?.digest, failed.digest, true) || same(f?.sha, failed.sha);
    if (!matches) continue;
    if (runUrl && record.run_url && runUrl !== record.run_url) continue;
    if (environment && record.environment && environment.toLowerCase() !== record.environment.toLowerCase()) continue;
    return record;
  }
  return null;
}
