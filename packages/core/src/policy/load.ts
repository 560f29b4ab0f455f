// Loading a policy: YAML → schema → meaning. A policy that does not validate is an error naming
// the file, line and column; nothing ever falls back to a default policy (SPEC section 1).
import { createHash } from 'node:crypto';
import { ConfigurationError, type Problem } from '../errors.js';
import { checkGlob } from '../glob/index.js';
import { displayPath, parseYaml, type Located, type PathSegment } from '../input/document.js';
import { schemaProblems } from '../input/validate.js';
import { EXCLUSIONS, RISK_LEVELS, type Exclusion, type FileStatus, type Permission, type Risk } from '../model.js';
import { parseDuration } from '../time/duration.js';
import { checkCron } from '../time/freeze.js';
import { isValidTimeZone } from '../time/instant.js';
import { policySchema } from './schema.js';
import type { BreakGlass, Freeze, Level, Policy, RoleRequirement, Rule, RuleCondition } from './types.js';

const DEFAULT_POST_REVIEW = '24h';
export const DEFAULT_ALLOWED_SIGNERS = '.countersign/allowed_signers';

/* The raw shapes after schema validation (keys as written in YAML). */
interface RawRequirement {
  role: string;
  count?: number;
}
interface RawCondition {
  paths?: string[];
  'all-paths'?: string[];
  'files-over'?: number;
  'lines-over'?: number;
  labels?: string[];
  environments?: string[];
  branches?: string[];
  statuses?: FileStatus[];
  content?: string;
}
interface RawRule {
  id: string;
  description?: string;
  when: RawCondition;
  risk?: Risk;
  require?: RawRequirement[];
}
interface RawFreeze {
  id: string;
  description?: string;
  start: string;
  end: string;
  timezone: string;
  blocks: Risk[];
}
interface RawPolicy {
  version: 1;
  'default-risk'?: Risk;
  roles?: Record<string, string[]>;
  levels: Record<Risk, { approvals: number; require?: RawRequirement[] }>;
  rules?: RawRule[];
  environments?: Record<string, { 'minimum-risk'?: Risk }>;
  freezes?: RawFreeze[];
  'separation-of-duties'?: {
    exclude?: Exclusion[];
    'min-permission'?: Permission;
    'allow-bots'?: boolean;
    'distinct-requirements'?: boolean;
  };
  'break-glass'?: { labels: string[]; approvals?: number; 'post-review-within'?: string };
  'allowed-signers'?: string;
  rollback?: { 'allow-with-rules'?: string[]; 'migration-rules'?: string[] };
}

/**
 * Reads a policy. `file` is what messages call it (a path, or "BASE:.countersign.yml").
 * Throws ConfigurationError, and nothing else, for any input.
 */
export function loadPolicy(source: string | Uint8Array, file: string): Policy {
  try {
    return load(source, file);
  } catch (error) {
    if (error instanceof ConfigurationError) throw error;
    // A bug here must still not let a bad policy through, nor crash with a stack trace.
    throw new ConfigurationError({ file, message: `could not be read as a policy: ${(error as Error).message}` });
  }
}

function load(source: string | Uint8Array, file: string): Policy {
  const bytes = typeof source === 'string' ? Buffer.from(source, 'utf8') : Buffer.from(source);
  const text = bytes.toString('utf8');
  const located = parseYaml(text, file);
  if (located.value === null || located.value === undefined) {
    throw new ConfigurationError({
      file,
      line: 1,
      column: 1,
      message: 'is empty: a policy needs at least `version: 1` and `levels`',
    });
  }
  const problems = schemaProblems(policySchema, located);
  if (problems.length > 0) throw new ConfigurationError(problems);
  const raw = located.value as RawPolicy;
  const meaning = checkMeaning(raw, located);
  if (meaning.length > 0) throw new ConfigurationError(meaning);
  return build(raw, file, createHash('sha256').update(bytes).digest('hex'));
}

function requirements(list: RawRequirement[] | undefined): RoleRequirement[] {
  // The same role required twice keeps the larger count (SPEC section 2).
  const byRole = new Map<string, number>();
  for (const item of list ?? []) byRole.set(item.role, Math.max(byRole.get(item.role) ?? 0, item.count ?? 1));
  return [...byRole].map(([role, count]) => ({ role, count }));
}

function build(raw: RawPolicy, file: string, sha256: string): Policy {
  const levels = Object.fromEntries(
    RISK_LEVELS.map((risk): [Risk, Level] => [
      risk,
      { approvals: raw.levels[risk].approvals, require: requirements(raw.levels[risk].require) },
    ]),
  ) as Record<Risk, Level>;
  const sod = raw['separation-of-duties'] ?? {};
  const policy: Policy = {
    version: 1,
    file,
    sha256,
    defaultRisk: raw['default-risk'] ?? 'medium',
    roles: raw.roles ?? {},
    levels,
    rules: (raw.rules ?? []).map(buildRule),
    environments: Object.entries(raw.environments ?? {}).map(([name, settings]) =>
      settings['minimum-risk'] === undefined ? { name } : { name, minimumRisk: settings['minimum-risk'] },
    ),
    freezes: (raw.freezes ?? []).map(buildFreeze),
    separationOfDuties: {
      exclude: sod.exclude ?? [...EXCLUSIONS],
      minPermission: sod['min-permission'] ?? 'write',
      allowBots: sod['allow-bots'] ?? false,
      distinctRequirements: sod['distinct-requirements'] ?? false,
    },
    breakGlass: buildBreakGlass(raw['break-glass']),
    allowedSigners: (raw['allowed-signers'] ?? DEFAULT_ALLOWED_SIGNERS).replace(/^\.\//, ''),
  };
  // Set only when written, so policies without the section stay exactly as they were.
  if (raw.rollback !== undefined)
    policy.rollback = {
      allowWithRules: raw.rollback['allow-with-rules'] ?? [],
      migrationRules: raw.rollback['migration-rules'] ?? [],
    };
  return policy;
}

function buildRule(raw: RawRule): Rule {
  const when: RuleCondition = {};
  const w = raw.when;
  if (w.paths !== undefined) when.paths = w.paths;
  if (w['all-paths'] !== undefined) when.allPaths = w['all-paths'];
  if (w['files-over'] !== undefined) when.filesOver = w['files-over'];
  if (w['lines-over'] !== undefined) when.linesOver = w['lines-over'];
  if (w.labels !== undefined) when.labels = w.labels;
  if (w.environments !== undefined) when.environments = w.environments;
  if (w.branches !== undefined) when.branches = w.branches;
  if (w.statuses !== undefined) when.statuses = w.statuses;
  if (w.content !== undefined) when.content = w.content;
  const rule: Rule = { id: raw.id, when, require: requirements(raw.require) };
  if (raw.description !== undefined) rule.description = raw.description;
  if (raw.risk !== undefined) rule.risk = raw.risk;
  return rule;
}

function buildFreeze(raw: RawFreeze): Freeze {
  const freeze: Freeze = { id: raw.id, start: raw.start, end: raw.end, timezone: raw.timezone, blocks: raw.blocks };
  if (raw.description !== undefined) freeze.description = raw.description;
  return freeze;
}

function buildBreakGlass(raw: RawPolicy['break-glass']): BreakGlass | null {
  if (raw === undefined) return null;
  const within = raw['post-review-within'] ?? DEFAULT_POST_REVIEW;
  return {
    labels: raw.labels,
    approvals: raw.approvals ?? 1,
    postReviewWithin: within,
    // The schema's pattern already guarantees a duration.
    postReviewWithinMs: parseDuration(within) ?? 0,
  };
}

/** What the schema cannot say: references between sections, and values that must compile. */
function checkMeaning(raw: RawPolicy, located: Located): Problem[] {
  const problems: Problem[] = [];
  const at = (path: PathSegment[], message: string, key = false) =>
    problems.push({ file: located.file, ...located.locate(path, { key }), message: `${displayPath(path)} ${message}` });
  const roles = Object.keys(raw.roles ?? {});

  const checkRequirements = (list: RawRequirement[] | undefined, path: PathSegment[]) =>
    (list ?? []).forEach((item, i) => {
      if (!roles.includes(item.role)) {
        const defined = roles.length > 0 ? `defined: ${roles.join(', ')}` : 'no roles are defined';
        at([...path, i, 'role'], `names the role '${item.role}', which is not defined under roles (${defined})`);
      }
    });

  for (const risk of RISK_LEVELS) checkRequirements(raw.levels[risk].require, ['levels', risk, 'require']);

  const ruleIds = new Map<string, number>();
  (raw.rules ?? []).forEach((rule, i) => {
    const earlier = ruleIds.get(rule.id);
    if (earlier !== undefined)
      at(['rules', i, 'id'], `'${rule.id}' is already the id of rules[${earlier}]; rule ids must be unique`);
    else ruleIds.set(rule.id, i);
    checkRequirements(rule.require, ['rules', i, 'require']);
    for (const key of ['paths', 'all-paths', 'branches'] as const) {
      (rule.when[key] ?? []).forEach((glob, j) => {
        const problem = checkGlob(glob);
        if (problem !== null) at(['rules', i, 'when', key, j], `is not a usable glob: ${problem}`);
      });
    }
    if (rule.when.content !== undefined) {
      try {
        new RegExp(rule.when.content);
      } catch (error) {
        at(['rules', i, 'when', 'content'], `is not a valid regular expression: ${(error as Error).message}`);
      }
    }
    if (rule.risk === undefined && (rule.require ?? []).length === 0) {
      at(['rules', i], 'has neither a risk nor a require, so it could never change a decision');
    }
  });

  const freezeIds = new Map<string, number>();
  (raw.freezes ?? []).forEach((freeze, i) => {
    const earlier = freezeIds.get(freeze.id);
    if (earlier !== undefined)
      at(['freezes', i, 'id'], `'${freeze.id}' is already the id of freezes[${earlier}]; freeze ids must be unique`);
    else freezeIds.set(freeze.id, i);
    for (const key of ['start', 'end'] as const) {
      const problem = checkCron(freeze[key]);
      if (problem !== null) at(['freezes', i, key], `'${freeze[key]}' ${problem}`);
    }
    if (!isValidTimeZone(freeze.timezone)) {
      at(
        ['freezes', i, 'timezone'],
        `'${freeze.timezone}' is not an IANA time zone (e.g. America/New_York, Europe/London, UTC)`,
      );
    }
  });

  for (const key of ['allow-with-rules', 'migration-rules'] as const) {
    (raw.rollback?.[key] ?? []).forEach((id, i) => {
      if (!ruleIds.has(id)) {
        const defined = ruleIds.size > 0 ? `defined: ${[...ruleIds.keys()].join(', ')}` : 'no rules are defined';
        at(['rollback', key, i], `names the rule '${id}', which is not defined under rules (${defined})`);
      }
    });
  }

  const signers = raw['allowed-signers'];
  if (
    signers !== undefined &&
    (signers.startsWith('/') || signers.split('/').some((part) => part === '..' || part === ''))
  ) {
    at(
      ['allowed-signers'],
      `'${signers}' must be a path inside the repository, relative to its root (e.g. .countersign/allowed_signers)`,
    );
  }

  return problems.sort((a, b) => (a.line ?? 0) - (b.line ?? 0));
}
