import type { Exclusion, FileStatus, Permission, Risk } from '../model.js';

export interface RoleRequirement {
  role: string;
  count: number;
}

export interface Level {
  approvals: number;
  require: RoleRequirement[];
}

export interface RuleCondition {
  paths?: string[];
  allPaths?: string[];
  filesOver?: number;
  linesOver?: number;
  labels?: string[];
  environments?: string[];
  branches?: string[];
  statuses?: FileStatus[];
  /** The regular expression's source, as written in the policy. */
  content?: string;
}

export interface Rule {
  id: string;
  description?: string;
  when: RuleCondition;
  risk?: Risk;
  require: RoleRequirement[];
}

export interface Freeze {
  id: string;
  description?: string;
  start: string;
  end: string;
  timezone: string;
  blocks: Risk[];
}

export interface SeparationOfDuties {
  exclude: Exclusion[];
  minPermission: Permission;
  allowBots: boolean;
  distinctRequirements: boolean;
}

export interface BreakGlass {
  labels: string[];
  approvals: number;
  /** As written, e.g. "24h". */
  postReviewWithin: string;
  postReviewWithinMs: number;
}

export interface EnvironmentSettings {
  minimumRisk?: Risk;
}

/** What `countersign rollback` may do after a failed deploy (docs/rollback.md). */
export interface RollbackSettings {
  /** Ids of migration rules whose changes may still be rolled back automatically. */
  allowWithRules: string[];
  /** Ids of more rules that mark a database migration, beyond those recognised by id and paths. */
  migrationRules: string[];
}

/** A validated policy, with every default filled in. Plain data: safe to serialise. */
export interface Policy {
  version: 1;
  /** Where it was read from, for messages ("base:.countersign.yml" when read from git). */
  file: string;
  /** SHA-256 (hex) of the policy file's bytes, recorded in evidence. */
  sha256: string;
  defaultRisk: Risk;
  roles: Record<string, string[]>;
  levels: Record<Risk, Level>;
  rules: Rule[];
  /** In declaration order, which is the promotion order. */
  environments: Array<{ name: string } & EnvironmentSettings>;
  freezes: Freeze[];
  separationOfDuties: SeparationOfDuties;
  breakGlass: BreakGlass | null;
  /** The git platform's allowed-signers file, relative to the repository root. */
  allowedSigners: string;
  /** Present only when the policy has a `rollback` section. */
  rollback?: RollbackSettings;
}
