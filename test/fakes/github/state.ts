// The fake's world: plain records that tests arrange directly and that the write endpoints change.
// Field names follow GitHub's JSON (snake_case) so a test reads like the API it stands in for.
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { zipOf, tamper } from './artifacts/zip.js';
import type {
  UserType,
  FakeUser,
  FakeFileChange,
  FakeCommit,
  FakeLabel,
  FakePull,
  ReviewState,
  FakeReview,
  FakeIssue,
  FakeComment,
  Permission,
  DeploymentState,
  FakeDeploymentStatus,
  FakeDeployment,
  FakeEnvironment,
  FakeEnvironmentApproval,
  FakeRepo,
  TeamRole,
  FakeTeam,
  FakeOrg,
  TeamsAccess,
  FakeToken,
  CommitInput,
  CommitStatusState,
  FakeWorkflowRun,
  FakeArtifact,
} from './model.js';

export type * from './model.js';

export class FakeState {
  users: Record<string, FakeUser> = {};
  repos: Record<string, FakeRepo> = {};
  orgs: Record<string, FakeOrg> = {};
  tokens: Record<string, FakeToken> = {};
  /** Identity for any token not in `tokens`; null makes unknown tokens fail with 401 Bad credentials. */
  anyToken: FakeToken | null = { login: 'github-actions[bot]', teams: 'allowed' };
  /** Milliseconds since the epoch; replace it to make timestamps deterministic. */
  clock: () => number = () => Date.now();

  /** Signs runtime tokens and blob URLs; random per state, so nothing forged from outside passes. */
  readonly secret: Buffer = randomBytes(32);

  private lastId = 1000;
  private commitSerial = 0;

  constructor() {
    // GITHUB_TOKEN acts as this account; its id is GitHub's real one so id-based checks behave.
    this.addUser('github-actions[bot]', { type: 'Bot', id: 41898282 });
  }

  nextId(): number {
    this.lastId += 1;
    return this.lastId;
  }

  /** GitHub's timestamps have whole seconds and a `Z`. */
  now(offsetSeconds = 0): string {
    return isoSeconds(this.clock() + offsetSeconds * 1000);
  }

  addUser(login: string, options: Partial<Omit<FakeUser, 'login'>> = {}): FakeUser {
    const user: FakeUser = {
      login,
      id: options.id ?? this.nextId(),
      type: options.type ?? (login.endsWith('[bot]') ? 'Bot' : 'User'),
      name: options.name ?? null,
      email: options.email ?? null,
      created_at: options.created_at ?? '2020-01-01T00:00:00Z',
    };
    this.users[login] = user;
    return user;
  }

  ensureUser(login: string, type?: UserType): FakeUser {
    return this.users[login] ?? this.addUser(login, type === undefined ? {} : { type });
  }

  addToken(token: string, login: string, teams: TeamsAccess = 'allowed'): FakeToken {
    this.ensureUser(login);
    const entry = { login, teams };
    this.tokens[token] = entry;
    return entry;
  }

  addOrg(login: string): FakeOrg {
    const existing = this.orgs[login];
    if (existing) return existing;
    const user = this.ensureUser(login, 'Organization');
    const org: FakeOrg = { login, id: user.id, members: [], teams: {} };
    this.orgs[login] = org;
    return org;
  }

  addTeam(org: string, slug: string, members: string[] | Record<string, TeamRole> = []): FakeTeam {
    const o = this.addOrg(org);
    const roles: Record<string, TeamRole> = Array.isArray(members)
      ? Object.fromEntries(members.map((m) => [m, 'member' as const]))
      : members;
    const team: FakeTeam = { id: this.nextId(), slug, name: slug, members: {} };
    for (const [login, role] of Object.entries(roles)) {
      this.ensureUser(login);
      team.members[login] = { role, state: 'active' };
      if (!o.members.includes(login)) o.members.push(login);
    }
    o.teams[slug] = team;
    return team;
  }

  addRepo(
    fullName: string,
    options: { private?: boolean; default_branch?: string; files?: Record<string, string> } = {},
  ): FakeRepo {
    const [owner, name] = splitFullName(fullName);
    if (!this.users[owner]) {
      if (this.orgs[owner]) this.ensureUser(owner, 'Organization');
      else this.addOrg(owner);
    }
    const branch = options.default_branch ?? 'main';
    const repo: FakeRepo = {
      id: this.nextId(),
      owner,
      name,
      private: options.private ?? true,
      default_branch: branch,
      created_at: this.now(),
      branches: {},
      commits: {},
      compareFiles: {},
      contents: {},
      labels: {},
      pulls: {},
      reviews: {},
      issues: {},
      comments: {},
      collaborators: {},
      deployments: [],
      environments: {},
      runApprovals: {},
      commitStatuses: {},
      runs: {},
      artifacts: [],
      nextNumber: 1,
    };
    this.repos[fullName] = repo;
    const files = Object.entries(options.files ?? {}).map(([filename, content]) => ({ filename, content }));
    this.pushCommits(fullName, [{ message: 'Initial commit', files, parents: [] }], branch);
    return repo;
  }

  repo(fullName: string): FakeRepo {
    const repo = this.repos[fullName];
    if (!repo) throw new Error(`fake GitHub: no repository ${fullName}; call addRepo first`);
    return repo;
  }

  /** Appends commits to `branch` (creating it from the default branch's head), each the child of the last. */
  pushCommits(fullName: string, inputs: CommitInput[], branch?: string): FakeCommit[] {
    const repo = this.repo(fullName);
    const target = branch ?? repo.default_branch;
    let tip = repo.branches[target] ?? repo.branches[repo.default_branch];
    const made: FakeCommit[] = [];
    for (const input of inputs) {
      const commit = this.makeCommit(input, input.parents ?? (tip === undefined ? [] : [tip]));
      repo.commits[commit.sha] = commit;
      tip = commit.sha;
      made.push(commit);
    }
    if (tip !== undefined) repo.branches[target] = tip;
    return made;
  }

  private makeCommit(input: CommitInput, parents: string[]): FakeCommit {
    this.commitSerial += 1;
    const date = input.author?.date ?? this.now();
    const author = input.author ?? { name: 'Test Author', email: 'author@example.com' };
    const committer = input.committer ?? author;
    const message = input.message ?? `Commit ${this.commitSerial}`;
    const sha =
      input.sha ??
      createHash('sha1')
        .update(`${this.commitSerial}\0${parents.join(',')}\0${message}`)
        .digest('hex');
    for (const login of [author.login, committer.login]) if (login) this.ensureUser(login);
    return {
      sha,
      message,
      author: { name: author.name, email: author.email, date },
      committer: { name: committer.name, email: committer.email, date: input.committer?.date ?? date },
      author_login: author.login ?? null,
      committer_login: committer.login ?? author.login ?? null,
      parents,
      files: (input.files ?? []).map(fileChange),
      verified: input.verified ?? false,
    };
  }

  setCompareFiles(fullName: string, baseSha: string, headSha: string, files: FakeFileChange[]): void {
    this.repo(fullName).compareFiles[`${baseSha}...${headSha}`] = files;
  }

  setFile(fullName: string, ref: string, path: string, text: string): void {
    const repo = this.repo(fullName);
    (repo.contents[ref] ??= {})[path] = text;
  }

  label(fullName: string, name: string, options: Partial<Omit<FakeLabel, 'name' | 'id'>> = {}): FakeLabel {
    const repo = this.repo(fullName);
    const existing = repo.labels[name];
    if (existing) return Object.assign(existing, options);
    const created: FakeLabel = {
      id: this.nextId(),
      name,
      color: options.color ?? 'ededed',
      description: options.description ?? null,
      default: options.default ?? false,
    };
    repo.labels[name] = created;
    return created;
  }

  addPull(
    fullName: string,
    input: {
      user: string;
      head: { ref: string; sha?: string };
      base?: { ref: string; sha?: string };
      title?: string;
      body?: string | null;
      labels?: string[];
      commits?: string[];
      state?: 'open' | 'closed';
      draft?: boolean;
      merged?: boolean;
      merged_by?: string;
      merge_commit_sha?: string;
      created_at?: string;
    },
  ): FakePull {
    const repo = this.repo(fullName);
    this.ensureUser(input.user);
    const headSha = input.head.sha ?? repo.branches[input.head.ref];
    const baseRef = input.base?.ref ?? repo.default_branch;
    const baseSha = input.base?.sha ?? repo.branches[baseRef];
    if (headSha === undefined || baseSha === undefined) {
      throw new Error(`fake GitHub: pull request head ${input.head.ref} or base ${baseRef} has no commit`);
    }
    const labels = input.labels ?? [];
    for (const l of labels) this.label(fullName, l);
    const created = input.created_at ?? this.now();
    const merged = input.merged ?? false;
    if (input.merged_by) this.ensureUser(input.merged_by);
    const pull: FakePull = {
      id: this.nextId(),
      number: repo.nextNumber++,
      title: input.title ?? `Pull request from ${input.head.ref}`,
      body: input.body ?? null,
      user: input.user,
      labels,
      state: merged ? 'closed' : (input.state ?? 'open'),
      draft: input.draft ?? false,
      merged,
      merged_at: merged ? this.now() : null,
      merged_by: merged ? (input.merged_by ?? input.user) : null,
      merge_commit_sha: input.merge_commit_sha ?? (merged ? headSha : null),
      head: { ref: input.head.ref, sha: headSha },
      base: { ref: baseRef, sha: baseSha },
      commits: input.commits ?? [headSha],
      created_at: created,
      updated_at: created,
      closed_at: merged || input.state === 'closed' ? this.now() : null,
    };
    repo.pulls[pull.number] = pull;
    return pull;
  }

  addReview(
    fullName: string,
    pullNumber: number,
    input: { user: string; state: ReviewState; commit_id?: string | null; submitted_at?: string; body?: string },
  ): FakeReview {
    const repo = this.repo(fullName);
    const pull = repo.pulls[pullNumber];
    if (!pull) throw new Error(`fake GitHub: no pull request #${pullNumber} in ${fullName}`);
    this.ensureUser(input.user);
    const review: FakeReview = {
      id: this.nextId(),
      user: input.user,
      state: input.state,
      commit_id: input.commit_id === undefined ? pull.head.sha : input.commit_id,
      submitted_at: input.state === 'PENDING' ? null : (input.submitted_at ?? this.now()),
      body: input.body ?? '',
    };
    (repo.reviews[pullNumber] ??= []).push(review);
    return review;
  }

  addIssue(
    fullName: string,
    input: {
      title: string;
      body?: string | null;
      labels?: string[];
      user?: string;
      assignees?: string[];
      state?: 'open' | 'closed';
      created_at?: string;
    },
  ): FakeIssue {
    const repo = this.repo(fullName);
    const user = input.user ?? 'github-actions[bot]';
    this.ensureUser(user);
    const labels = input.labels ?? [];
    for (const l of labels) this.label(fullName, l);
    const created = input.created_at ?? this.now();
    const closed = input.state === 'closed';
    const issue: FakeIssue = {
      id: this.nextId(),
      number: repo.nextNumber++,
      title: input.title,
      body: input.body ?? null,
      labels,
      state: closed ? 'closed' : 'open',
      state_reason: closed ? 'completed' : null,
      user,
      assignees: input.assignees ?? [],
      locked: false,
      created_at: created,
      updated_at: created,
      closed_at: closed ? created : null,
      closed_by: closed ? user : null,
    };
    repo.issues[issue.number] = issue;
    return issue;
  }

  addComment(
    fullName: string,
    number: number,
    input: { user: string; body: string; created_at?: string },
  ): FakeComment {
    const repo = this.repo(fullName);
    const thread = repo.issues[number] ?? repo.pulls[number];
    if (!thread) throw new Error(`fake GitHub: no issue or pull request #${number} in ${fullName}`);
    this.ensureUser(input.user);
    const created = input.created_at ?? this.now();
    const comment: FakeComment = {
      id: this.nextId(),
      user: input.user,
      body: input.body,
      created_at: created,
      updated_at: created,
    };
    (repo.comments[number] ??= []).push(comment);
    if (created > thread.updated_at) thread.updated_at = created;
    return comment;
  }

  findComment(fullName: string, commentId: number): { number: number; comment: FakeComment } | undefined {
    for (const [number, list] of Object.entries(this.repo(fullName).comments)) {
      const comment = list.find((c) => c.id === commentId);
      if (comment) return { number: Number(number), comment };
    }
    return undefined;
  }

  /**
   * Edits a comment as its author would. `updated_at` moves past `created_at` even within the same
   * second: GitHub's timestamps have whole seconds, and an edit made at human speed is never that quick.
   */
  editComment(fullName: string, commentId: number, body: string, at?: string): FakeComment {
    const found = this.findComment(fullName, commentId);
    if (!found) throw new Error(`fake GitHub: no comment ${commentId} in ${fullName}`);
    const { comment } = found;
    let when = at ?? this.now();
    if (at === undefined && when <= comment.created_at) {
      when = isoSeconds(Date.parse(comment.created_at) + 1000);
    }
    comment.body = body;
    comment.updated_at = when;
    return comment;
  }

  setPermission(fullName: string, login: string, permission: Permission, role_name: string = permission): void {
    this.ensureUser(login);
    this.repo(fullName).collaborators[login] = { permission, role_name };
  }

  environment(fullName: string, name: string): FakeEnvironment {
    const repo = this.repo(fullName);
    const existing = repo.environments[name];
    if (existing) return existing;
    const created = this.now();
    const env: FakeEnvironment = { id: this.nextId(), name, created_at: created, updated_at: created };
    repo.environments[name] = env;
    return env;
  }

  addDeployment(
    fullName: string,
    input: {
      sha: string;
      environment: string;
      ref?: string;
      task?: string;
      payload?: Record<string, unknown> | string;
      description?: string | null;
      creator?: string;
      created_at?: string;
      transient_environment?: boolean;
      production_environment?: boolean;
      statuses?: DeploymentState[];
    },
  ): FakeDeployment {
    const repo = this.repo(fullName);
    const creator = input.creator ?? 'github-actions[bot]';
    this.ensureUser(creator);
    this.environment(fullName, input.environment);
    const created = input.created_at ?? this.now();
    const deployment: FakeDeployment = {
      id: this.nextId(),
      sha: input.sha,
      ref: input.ref ?? input.sha,
      task: input.task ?? 'deploy',
      environment: input.environment,
      original_environment: input.environment,
      payload: input.payload ?? {},
      description: input.description ?? null,
      creator,
      created_at: created,
      updated_at: created,
      transient_environment: input.transient_environment ?? false,
      production_environment: input.production_environment ?? input.environment === 'production',
      statuses: [],
    };
    repo.deployments.push(deployment);
    for (const state of input.statuses ?? []) {
      this.addDeploymentStatus(fullName, deployment.id, { state, creator, created_at: created });
    }
    return deployment;
  }

  /**
   * Adds a status the way GitHub does, including `auto_inactive` (default on): a new `success` marks
   * earlier successful deployments to the same environment `inactive`, which is what "the last
   * successful deployment" look-ups meet on GitHub.
   */
  addDeploymentStatus(
    fullName: string,
    deploymentId: number,
    input: {
      state: DeploymentState;
      creator?: string;
      description?: string;
      environment?: string;
      target_url?: string;
      log_url?: string;
      environment_url?: string;
      auto_inactive?: boolean;
      created_at?: string;
    },
  ): FakeDeploymentStatus {
    const repo = this.repo(fullName);
    const deployment = repo.deployments.find((d) => d.id === deploymentId);
    if (!deployment) throw new Error(`fake GitHub: no deployment ${deploymentId} in ${fullName}`);
    const creator = input.creator ?? 'github-actions[bot]';
    this.ensureUser(creator);
    const created = input.created_at ?? this.now();
    const previous = deployment.statuses.at(-1);
    const logUrl = input.log_url ?? input.target_url ?? '';
    const status: FakeDeploymentStatus = {
      id: this.nextId(),
      state: input.state,
      creator,
      description: input.description ?? '',
      environment: input.environment ?? previous?.environment ?? deployment.environment,
      target_url: logUrl,
      log_url: logUrl,
      environment_url: input.environment_url ?? previous?.environment_url ?? '',
      created_at: created,
      updated_at: created,
    };
    deployment.statuses.push(status);
    deployment.updated_at = created;
    if (status.state === 'success' && (input.auto_inactive ?? true)) {
      for (const other of repo.deployments) {
        if (other === deployment || other.environment !== status.environment) continue;
        if (other.transient_environment || other.production_environment) continue;
        if (other.statuses.at(-1)?.state !== 'success') continue;
        other.statuses.push({ ...status, id: this.nextId(), state: 'inactive', description: '' });
      }
    }
    return status;
  }

  setRunApprovals(fullName: string, runId: number, approvals: FakeEnvironmentApproval[]): void {
    for (const a of approvals) {
      this.ensureUser(a.user);
      for (const e of a.environments) this.environment(fullName, e);
    }
    this.repo(fullName).runApprovals[runId] = approvals;
  }

  setCommitStatus(fullName: string, sha: string, context: string, state: CommitStatusState): void {
    (this.repo(fullName).commitStatuses[sha] ??= {})[context] = state;
  }

  /** A workflow run at the default branch's head unless told otherwise; artefacts hang off it. */
  addWorkflowRun(
    fullName: string,
    input: { id?: number; head_sha?: string; head_branch?: string; head_repository_id?: number } = {},
  ): FakeWorkflowRun {
    const repo = this.repo(fullName);
    const branch = input.head_branch ?? repo.default_branch;
    const sha = input.head_sha ?? repo.branches[branch];
    if (sha === undefined) throw new Error(`fake GitHub: branch ${branch} has no commit in ${fullName}`);
    const run: FakeWorkflowRun = {
      id: input.id ?? this.nextId(),
      head_sha: sha,
      head_branch: branch,
      backend_id: randomUUID(),
      job_backend_id: randomUUID(),
      ...(input.head_repository_id === undefined ? {} : { head_repository_id: input.head_repository_id }),
    };
    repo.runs[run.id] = run;
    return run;
  }

  /** The run with this id in any repository (run ids are global on GitHub). */
  findRun(runId: number): { repo: FakeRepo; run: FakeWorkflowRun } | undefined {
    for (const repo of Object.values(this.repos)) {
      const run = repo.runs[runId];
      if (run) return { repo, run };
    }
    return undefined;
  }

  findRunByBackendId(backendId: string): { repo: FakeRepo; run: FakeWorkflowRun } | undefined {
    for (const repo of Object.values(this.repos)) {
      const run = Object.values(repo.runs).find((r) => r.backend_id === backendId);
      if (run) return { repo, run };
    }
    return undefined;
  }

  /**
   * A finished artefact, as if uploaded by the run: `files` are zipped (content type application/zip),
   * or `bytes` are stored as given. The run is made when it does not exist yet.
   */
  addArtifact(
    fullName: string,
    input: {
      runId: number;
      name: string;
      files?: Record<string, string | Buffer>;
      bytes?: Buffer;
      content_type?: string;
      created_at?: string;
      expires_at?: string;
      /** Seeds an artefact from before digests existed (upload-artifact v3). */
      withoutDigest?: boolean;
    },
  ): FakeArtifact {
    const repo = this.repo(fullName);
    if (!repo.runs[input.runId]) this.addWorkflowRun(fullName, { id: input.runId });
    const bytes = input.bytes ?? zipOf(input.files ?? {});
    const created = input.created_at ?? this.now();
    const artifact: FakeArtifact = {
      id: this.nextId(),
      name: input.name,
      run_id: input.runId,
      size_in_bytes: bytes.length,
      digest: input.withoutDigest ? null : sha256Digest(bytes),
      content_type: input.content_type ?? (input.bytes === undefined ? 'application/zip' : 'application/octet-stream'),
      bytes,
      blocks: {},
      finalized: true,
      created_at: created,
      updated_at: created,
      expires_at: input.expires_at ?? isoSeconds(Date.parse(created) + ARTIFACT_RETENTION_DAYS * 86_400_000),
    };
    repo.artifacts.push(artifact);
    return artifact;
  }

  findArtifact(fullName: string, id: number): FakeArtifact {
    const artifact = this.repo(fullName).artifacts.find((a) => a.id === id);
    if (!artifact) throw new Error(`fake GitHub: no artifact ${id} in ${fullName}`);
    return artifact;
  }

  /**
   * Makes the stored bytes differ from the recorded size and digest, as a corrupted or swapped blob
   * would. By default the zip stays a valid zip of the same files, so only a digest check notices.
   */
  tamperArtifact(fullName: string, id: number, replacement?: Buffer): FakeArtifact {
    const artifact = this.findArtifact(fullName, id);
    if (!artifact.bytes) throw new Error(`fake GitHub: artifact ${id} has no uploaded bytes to tamper with`);
    artifact.bytes = replacement ?? tamper(artifact.bytes);
    return artifact;
  }

  /** Whether `expires_at` has passed by the state's clock. */
  expired(artifact: FakeArtifact): boolean {
    return Date.parse(artifact.expires_at) <= this.clock();
  }
}

export function sha256Digest(bytes: Buffer): string {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
}

export const ARTIFACT_RETENTION_DAYS = 90;

export function splitFullName(fullName: string): [string, string] {
  const [owner, name, ...rest] = fullName.split('/');
  if (!owner || !name || rest.length > 0) throw new Error(`fake GitHub: expected owner/name, got ${fullName}`);
  return [owner, name];
}

export function isoSeconds(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}

function lineCount(text: string | undefined): number {
  if (!text) return 0;
  return text.split('\n').length - (text.endsWith('\n') ? 1 : 0);
}

function fileChange(input: Partial<FakeFileChange> & { filename: string }): FakeFileChange {
  const status = input.status ?? 'added';
  const change: FakeFileChange = {
    filename: input.filename,
    status,
    additions: input.additions ?? (status === 'added' ? lineCount(input.content) : status === 'modified' ? 1 : 0),
    deletions: input.deletions ?? (status === 'modified' || status === 'removed' ? 1 : 0),
  };
  if (input.patch !== undefined) change.patch = input.patch;
  if (input.previous_filename !== undefined) change.previous_filename = input.previous_filename;
  if (input.content !== undefined) change.content = input.content;
  return change;
}
