// The shapes every part of Countersign agrees on. Wire formats (the --change, --approvals and
// --members files of SPEC section 3) keep their snake_case field names here so that one shape is
// used from the file to the decision, with no mapping layer to drift.

export const RISK_LEVELS = ['low', 'medium', 'high', 'critical'] as const;
export type Risk = (typeof RISK_LEVELS)[number];

export const PERMISSIONS = ['none', 'read', 'triage', 'write', 'maintain', 'admin'] as const;
export type Permission = (typeof PERMISSIONS)[number];

export const EXCLUSIONS = ['commit-authors', 'committers', 'co-authors', 'pr-authors', 'triggering-actor'] as const;
export type Exclusion = (typeof EXCLUSIONS)[number];

export const FILE_STATUSES = ['added', 'modified', 'removed', 'renamed'] as const;
export type FileStatus = (typeof FILE_STATUSES)[number];

export const STATUSES = ['approved', 'pending', 'rejected', 'frozen'] as const;
export type Status = (typeof STATUSES)[number];

/** SPEC section 2's discount reasons, in the order they are tried. */
export const DISCOUNT_REASONS = [
  'unverified',
  'participant',
  'bot',
  'permission',
  'before-request',
  'stale',
  'edited',
  'superseded',
] as const;
export type DiscountReason = (typeof DISCOUNT_REASONS)[number];

export function riskRank(risk: Risk): number {
  return RISK_LEVELS.indexOf(risk);
}

export function maxRisk(a: Risk, b: Risk): Risk {
  return riskRank(a) >= riskRank(b) ? a : b;
}

export function permissionRank(permission: Permission): number {
  return PERMISSIONS.indexOf(permission);
}

// ---------------------------------------------------------------------------------------------
// The change (SPEC section 3, `--change FILE`)

export interface Person {
  login?: string | null;
  email?: string | null;
  name?: string | null;
}

export interface ChangedFile {
  path: string;
  status: FileStatus;
  additions: number;
  deletions: number;
  /** The old path of a renamed file. */
  previous_path?: string | null;
  /** A unified diff of the file; only needed by rules with a `content` condition. */
  patch?: string | null;
}

export interface Commit {
  sha: string;
  message: string;
  author: Person;
  committer: Person;
}

export interface PullRequest {
  number: number;
  author: string;
  labels: string[];
}

export interface Change {
  repository?: string | null;
  environment?: string | null;
  /** The branch the change is deployed from or merged into; matched by a rule's `branches`. */
  branch?: string | null;
  base?: string | null;
  head?: string | null;
  requested_at?: string | null;
  labels: string[];
  files: ChangedFile[];
  commits: Commit[];
  pull_requests: PullRequest[];
  triggering_actor?: string | null;
  /** True when only the paths are known (`--files-from`): statuses and line counts are unknown. */
  paths_only?: boolean | null;
}

// ---------------------------------------------------------------------------------------------
// Approvals (SPEC section 3, `--approvals FILE`) and team members (`--members FILE`)

export interface Approval {
  login?: string | null;
  /** The approver's email, where the platform knows it (the git platform's signing principal). */
  email?: string | null;
  type?: 'User' | 'Bot' | null;
  decision: 'approve' | 'reject';
  at?: string | null;
  edited_at?: string | null;
  sha?: string | null;
  permission?: Permission | null;
  teams?: string[] | null;
  source?: string | null;
  url?: string | null;
  /** false when the platform could not establish who gave it (an unverifiable signed tag). */
  verified?: boolean | null;
  /** Why the identity could not be verified (shown with an `unverified` discount). */
  verification?: string | null;
  reason?: string | null;
}

/** `"@org/team"` to the logins (or emails) of its members. */
export type Members = Record<string, string[]>;
