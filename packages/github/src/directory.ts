// What GitHub knows about each approver: repository permission, account type, and membership of
// every team the policy's roles name. A look-up that fails leaves the fact unknown (null), which
// the core counts against approval; the notes say why, and what the token would need.
import { PERMISSIONS, type Approval, type Permission } from '@countersign/core';
import type { GitHubClient } from './client.js';
import { GitHubApiError, statusOf } from './errors.js';
import { mapLimit } from './limit.js';

export interface DirectoryOptions {
  client: GitHubClient;
  owner: string;
  repo: string;
  /** The policy's roles: entries written `@org/team` are the teams to look up. */
  roles: Readonly<Record<string, readonly string[]>>;
}

export interface Enriched {
  approvals: Approval[];
  notes: string[];
}

export interface Directory {
  enrich(approvals: readonly Approval[]): Promise<Enriched>;
}

interface Team {
  /** As the policy writes it, e.g. `@acme/sre`: the form the core matches roles against. */
  name: string;
  org: string;
  slug: string;
}

type Membership = { state: 'member' | 'not-member' } | { state: 'unknown'; note: string };
type Lookup<T> = { value: T; note: string | null };

const CONCURRENCY = 4;

/** One directory per run: every look-up is made once, however many approvals need it. */
export function createDirectory(options: DirectoryOptions): Directory {
  const teams = teamsOf(options.roles);
  const permissions = memo((login: string) => permissionOf(options, login));
  const types = memo((login: string) => typeOf(options, login));
  const memberships = memo((key: string) => {
    const [index, login] = splitKey(key);
    return membershipOf(options, teams[index] as Team, login);
  });

  async function enrichOne(approval: Approval, notes: Set<string>): Promise<Approval> {
    const login = approval.login?.trim();
    if (!login) return approval;
    const key = login.toLowerCase();
    const [permission, type, results] = await Promise.all([
      permissions(key),
      approval.type ? Promise.resolve({ value: approval.type, note: null }) : types(key),
      Promise.all(teams.map((_, index) => memberships(`${index}:${key}`))),
    ]);
    for (const note of [permission.note, type.note]) if (note !== null) notes.add(note);
    const known: string[] = [];
    let unknown = false;
    results.forEach((membership, index) => {
      if (membership.state === 'unknown') {
        notes.add(membership.note);
        unknown = true;
      } else if (membership.state === 'member') {
        known.push((teams[index] as Team).name);
      }
    });
    // Any team unknown makes the whole list unknown: a partial list would read as "member of no other".
    return { ...approval, permission: permission.value, type: type.value, teams: unknown ? null : known };
  }

  return {
    async enrich(approvals) {
      const notes = new Set<string>();
      const enriched = await mapLimit(approvals, CONCURRENCY, (approval) => enrichOne(approval, notes));
      return { approvals: enriched, notes: [...notes] };
    },
  };
}

function memo<T>(compute: (key: string) => Promise<T>): (key: string) => Promise<T> {
  const cache = new Map<string, Promise<T>>();
  return (key) => {
    let found = cache.get(key);
    if (found === undefined) {
      found = compute(key);
      cache.set(key, found);
    }
    return found;
  };
}

function splitKey(key: string): [number, string] {
  const colon = key.indexOf(':');
  return [Number(key.slice(0, colon)), key.slice(colon + 1)];
}

/** Every distinct `@org/team` entry of the roles, in first-seen order. */
export function teamsOf(roles: Readonly<Record<string, readonly string[]>>): Team[] {
  const seen = new Map<string, Team>();
  for (const entries of Object.values(roles)) {
    for (const entry of entries) {
      const match = /^@([^/\s]+)\/([^/\s]+)$/.exec(entry.trim());
      if (match === null) continue;
      const [, org, slug] = match as unknown as [string, string, string];
      const key = `${org}/${slug}`.toLowerCase();
      if (!seen.has(key)) seen.set(key, { name: `@${org}/${slug}`, org, slug });
    }
  }
  return [...seen.values()];
}

function failure(error: unknown): string {
  const status = statusOf(error);
  return status === null ? (error instanceof Error ? error.message : String(error)) : `HTTP ${status}`;
}

async function permissionOf(
  { client, owner, repo }: DirectoryOptions,
  login: string,
): Promise<Lookup<Permission | null>> {
  try {
    const response = await client.request('GET /repos/{owner}/{repo}/collaborators/{username}/permission', {
      owner,
      repo,
      username: login,
    });
    return { value: permissionFrom(response.data), note: null };
  } catch (error) {
    return {
      value: null,
      note: `The repository permission of ${login} could not be read (${failure(error)}); it counts as unknown.`,
    };
  }
}

interface PermissionAnswer {
  permission?: string;
  role_name?: string;
  user?: { permissions?: Record<string, boolean | undefined> } | null;
}

// The booleans GitHub sets on the collaborator, strongest first, and the level each one means.
const GRANTS: Array<[string, Permission]> = [
  ['admin', 'admin'],
  ['maintain', 'maintain'],
  ['push', 'write'],
  ['triage', 'triage'],
  ['pull', 'read'],
];

/**
 * `role_name` is exact for the five built-in roles; a custom role has its own name, and then the
 * granted booleans say what it amounts to. The legacy `permission` field folds maintain into write
 * and triage into read, so it comes last.
 */
export function permissionFrom(answer: PermissionAnswer): Permission | null {
  const named = PERMISSIONS.find((level) => level === answer.role_name);
  if (named !== undefined) return named;
  const grants = answer.user?.permissions;
  if (grants) {
    const granted = GRANTS.find(([flag]) => grants[flag] === true);
    return granted === undefined ? 'none' : granted[1];
  }
  return PERMISSIONS.find((level) => level === answer.permission) ?? null;
}

async function typeOf({ client }: DirectoryOptions, login: string): Promise<Lookup<'User' | 'Bot' | null>> {
  try {
    const response = await client.request('GET /users/{username}', { username: login });
    const type = response.data.type;
    return { value: type === 'Bot' ? 'Bot' : type === 'User' ? 'User' : null, note: null };
  } catch (error) {
    return { value: null, note: `The account type of ${login} could not be read (${failure(error)}).` };
  }
}

async function membershipOf({ client }: DirectoryOptions, team: Team, login: string): Promise<Membership> {
  try {
    const response = await client.request('GET /orgs/{org}/teams/{team_slug}/memberships/{username}', {
      org: team.org,
      team_slug: team.slug,
      username: login,
    });
    // A pending membership is an invitation not yet accepted: not a member.
    return { state: response.data.state === 'active' ? 'member' : 'not-member' };
  } catch (error) {
    if (statusOf(error) === 404) return { state: 'not-member' };
    return { state: 'unknown', note: membershipNote(team, error) };
  }
}

function membershipNote(team: Team, error: unknown): string {
  const refused = statusOf(error) === 403 || statusOf(error) === 401;
  const asked =
    error instanceof GitHubApiError && error.acceptedPermissions
      ? ` (GitHub asks for ${error.acceptedPermissions})`
      : '';
  const permission = refused
    ? ' The token needs the `read:org` scope (classic token) or the organization permission "Members: read"' +
      `${asked} (GitHub App or fine-grained token); the workflow GITHUB_TOKEN cannot read team membership.`
    : '';
  return (
    `Membership of ${team.name} could not be read (${failure(error)}).${permission} ` +
    'Approvers whose membership is unknown count as members of no team.'
  );
}
