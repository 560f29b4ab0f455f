// The records the fake keeps, typed after GitHub's JSON (snake_case field names) so a test that
// arranges them reads like the API they stand in for.

export type UserType = 'User' | 'Bot' | 'Organization';

export interface FakeUser {
  login: string;
  id: number;
  type: UserType;
  name: string | null;
  email: string | null;
  created_at: string;
}

export interface GitIdentity {
  name: string;
  email: string;
  date: string;
}

export type FileStatus = 'added' | 'removed' | 'modified' | 'renamed' | 'copied' | 'changed' | 'unchanged';

export interface FakeFileChange {
  filename: string;
  status: FileStatus;
  additions: number;
  deletions: number;
  patch?: string;
  previous_filename?: string;
  /** The file's text after this change; the contents API serves it at this commit and after. */
  content?: string;
}

export interface FakeCommit {
  sha: string;
  message: string;
  author: GitIdentity;
  committer: GitIdentity;
  /** The GitHub account the author email resolves to, or null when GitHub cannot link it. */
  author_login: string | null;
  committer_login: string | null;
  parents: string[];
  files: FakeFileChange[];
  verified: boolean;
}

export interface FakeLabel {
  id: number;
  name: string;
  color: string;
  description: string | null;
  default: boolean;
}

export interface FakePull {
  id: number;
  number: number;
  title: string;
  body: string | null;
  user: string;
  labels: string[];
  state: 'open' | 'closed';
  draft: boolean;
  merged: boolean;
  merged_at: string | null;
  merged_by: string | null;
  merge_commit_sha: string | null;
  head: { ref: string; sha: string };
  base: { ref: string; sha: string };
  /** Commits the pull request carries; `GET /commits/{sha}/pulls` finds the pull through these. */
  commits: string[];
  created_at: string;
  updated_at: string;
  closed_at: string | null;
}

export type ReviewState = 'APPROVED' | 'CHANGES_REQUESTED' | 'COMMENTED' | 'DISMISSED' | 'PENDING';

export interface FakeReview {
  id: number;
  user: string;
  state: ReviewState;
  commit_id: string | null;
  submitted_at: string | null;
  body: string;
}

export type StateReason = 'completed' | 'reopened' | 'not_planned' | 'duplicate';

export interface FakeIssue {
  id: number;
  number: number;
  title: string;
  body: string | null;
  labels: string[];
  state: 'open' | 'closed';
  state_reason: StateReason | null;
  user: string;
  assignees: string[];
  locked: boolean;
  created_at: string;
  updated_at: string;
  closed_at: string | null;
  closed_by: string | null;
}

export interface FakeComment {
  id: number;
  user: string;
  body: string;
  created_at: string;
  updated_at: string;
}

export type Permission = 'admin' | 'maintain' | 'write' | 'triage' | 'read' | 'none';

export interface FakeCollaborator {
  permission: Permission;
  /** GitHub's finer role; a custom repository role shows here while `permission` keeps its base. */
  role_name: string;
}

export type DeploymentState = 'error' | 'failure' | 'inactive' | 'pending' | 'success' | 'queued' | 'in_progress';

export interface FakeDeploymentStatus {
  id: number;
  state: DeploymentState;
  creator: string;
  description: string;
  environment: string;
  target_url: string;
  log_url: string;
  environment_url: string;
  created_at: string;
  updated_at: string;
}

export interface FakeDeployment {
  id: number;
  sha: string;
  ref: string;
  task: string;
  environment: string;
  original_environment: string;
  payload: Record<string, unknown> | string;
  description: string | null;
  creator: string;
  created_at: string;
  updated_at: string;
  transient_environment: boolean;
  production_environment: boolean;
  /** Oldest first, as they were made; the API lists them newest first. */
  statuses: FakeDeploymentStatus[];
}

export interface FakeEnvironment {
  id: number;
  name: string;
  created_at: string;
  updated_at: string;
}

export interface FakeEnvironmentApproval {
  environments: string[];
  state: 'approved' | 'rejected' | 'pending';
  user: string;
  comment: string;
}

export interface FakeRepo {
  id: number;
  owner: string;
  name: string;
  private: boolean;
  default_branch: string;
  created_at: string;
  branches: Record<string, string>;
  commits: Record<string, FakeCommit>;
  /** Overrides for the files of a comparison, keyed `baseSha...headSha`; otherwise derived from commits. */
  compareFiles: Record<string, FakeFileChange[]>;
  /** Overrides for file contents, keyed by ref (branch or sha) then path; otherwise derived from commits. */
  contents: Record<string, Record<string, string>>;
  labels: Record<string, FakeLabel>;
  pulls: Record<number, FakePull>;
  reviews: Record<number, FakeReview[]>;
  issues: Record<number, FakeIssue>;
  /** Issue comments by issue or pull request number. */
  comments: Record<number, FakeComment[]>;
  collaborators: Record<string, FakeCollaborator>;
  deployments: FakeDeployment[];
  environments: Record<string, FakeEnvironment>;
  runApprovals: Record<number, FakeEnvironmentApproval[]>;
  /** Commit statuses by sha, then context: the checks a deployment's `required_contexts` meets. */
  commitStatuses: Record<string, Record<string, CommitStatusState>>;
  /** Workflow runs by id: what artefacts belong to. */
  runs: Record<number, FakeWorkflowRun>;
  /** Artefacts, pending uploads included (`finalized: false`); deleted ones are removed. */
  artifacts: FakeArtifact[];
  /** Issues and pull requests share one number sequence, as on GitHub. */
  nextNumber: number;
}

export type CommitStatusState = 'error' | 'failure' | 'pending' | 'success';

export interface FakeWorkflowRun {
  id: number;
  head_sha: string;
  head_branch: string;
  /** The results service knows a run and its job by these ids, which the runtime token carries. */
  backend_id: string;
  /** The repository whose code ran: another one for a pull request from a fork. Default: this one. */
  head_repository_id?: number;
  job_backend_id: string;
}

export interface FakeArtifact {
  id: number;
  name: string;
  run_id: number;
  /** The size recorded at finalisation (or seeding); the served bytes may differ after tampering. */
  size_in_bytes: number;
  /** `sha256:<hex>` of the bytes as recorded; null for artefacts made before digests existed. */
  digest: string | null;
  content_type: string;
  /** The stored blob, what a download serves; null until an upload commits its block list. */
  bytes: Buffer | null;
  /** Uploaded blocks not yet committed, by block id. */
  blocks: Record<string, Buffer>;
  finalized: boolean;
  created_at: string;
  updated_at: string;
  expires_at: string;
}

export type TeamRole = 'member' | 'maintainer';

export interface FakeTeam {
  id: number;
  slug: string;
  name: string;
  members: Record<string, { role: TeamRole; state: 'active' | 'pending' }>;
}

export interface FakeOrg {
  login: string;
  id: number;
  members: string[];
  teams: Record<string, FakeTeam>;
}

/** What a token may do: GITHUB_TOKEN cannot read an organisation's teams, and GitHub says so two ways. */
export type TeamsAccess = 'allowed' | 'forbidden' | 'not-found';

export interface FakeToken {
  login: string;
  teams: TeamsAccess;
}

export interface CommitInput {
  message?: string;
  sha?: string;
  author?: { name: string; email: string; login?: string | null; date?: string };
  committer?: { name: string; email: string; login?: string | null; date?: string };
  files?: Array<Partial<FakeFileChange> & { filename: string }>;
  parents?: string[];
  verified?: boolean;
}
