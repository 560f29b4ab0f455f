// Permission, account type and team membership look-ups, cached per run and failing closed.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Approval } from '../../packages/core/src/index.js';
import { createDirectory, permissionFrom, teamsOf } from '../../packages/github/src/index.js';
import { startFakeGitHub, type FakeGitHub } from '../fakes/github/index.js';
import { callsSince, clientFor } from './helpers.js';

const REPO = 'acme/widgets';
const ROLES = { sre: ['@acme/sre'], dba: ['@acme/dba', 'carol'], security: ['@Acme/SRE', 'sec@example.com'] };
const FORBIDDEN = 'ghs_forbiddenTeamsToken000000000000000';
const HIDDEN = 'ghs_hiddenTeamsToken00000000000000000000';
let fake: FakeGitHub;

function approval(login: string, extra: Partial<Approval> = {}): Approval {
  return { login, decision: 'approve', at: '2026-01-05T12:00:00Z', sha: 'a'.repeat(40), ...extra };
}

beforeAll(async () => {
  fake = await startFakeGitHub();
  const s = fake.state;
  s.addRepo(REPO);
  s.addTeam('acme', 'sre', ['alice']);
  s.addTeam('acme', 'dba', ['bob', 'carol']);
  const dba = s.orgs['acme']?.teams['dba'];
  if (dba?.members['carol']) dba.members['carol'].state = 'pending';
  s.setPermission(REPO, 'alice', 'write');
  s.setPermission(REPO, 'bob', 'maintain');
  s.setPermission(REPO, 'carol', 'write', 'deployer');
  s.setPermission(REPO, 'erin', 'read');
  s.addUser('ci-bot[bot]', { type: 'Bot' });
  s.setPermission(REPO, 'ci-bot[bot]', 'write');
  s.addToken(FORBIDDEN, 'github-actions[bot]', 'forbidden');
  s.addToken(HIDDEN, 'github-actions[bot]', 'not-found');
});
afterAll(() => fake.close());

describe('teamsOf', () => {
  it('takes each @org/team of the roles once, ignoring logins and emails', () => {
    expect(teamsOf(ROLES).map((t) => t.name)).toEqual(['@acme/sre', '@acme/dba']);
  });
});

describe('permissionFrom', () => {
  it('prefers the exact role, reads a custom role through its grants, and falls back to the legacy field', () => {
    expect(permissionFrom({ permission: 'write', role_name: 'maintain' })).toBe('maintain');
    expect(
      permissionFrom({ permission: 'write', role_name: 'deployer', user: { permissions: { push: true, pull: true } } }),
    ).toBe('write');
    expect(permissionFrom({ permission: 'read', role_name: 'custom' })).toBe('read');
    expect(permissionFrom({ permission: 'weird', role_name: 'custom' })).toBeNull();
  });
});

describe('a directory with a token that can read teams', () => {
  it('adds permission, type and teams to each approver', async () => {
    const directory = createDirectory({ client: clientFor(fake), owner: 'acme', repo: 'widgets', roles: ROLES });
    const { approvals, notes } = await directory.enrich([
      approval('alice'),
      approval('bob'),
      approval('carol'),
      approval('erin'),
      approval('ci-bot[bot]'),
      approval('nobody-here'),
    ]);
    const by: Record<string, Approval> = Object.fromEntries(
      approvals.map((a): [string, Approval] => [a.login ?? '', a]),
    );
    expect(by['alice']).toMatchObject({ permission: 'write', type: 'User', teams: ['@acme/sre'] });
    expect(by['bob']).toMatchObject({ permission: 'maintain', teams: ['@acme/dba'] });
    // A custom role whose grants include push is write; a pending invitation is no membership.
    expect(by['carol']).toMatchObject({ permission: 'write', teams: [] });
    expect(by['erin']).toMatchObject({ permission: 'read', teams: [] });
    expect(by['ci-bot[bot]']).toMatchObject({ type: 'Bot' });
    expect(by['nobody-here']).toMatchObject({ permission: null, type: null, teams: [] });
    expect(notes).toEqual([
      'The repository permission of nobody-here could not be read (HTTP 404); it counts as unknown.',
      'The account type of nobody-here could not be read (HTTP 404).',
    ]);
  });

  it('keeps a type the channel already knew, and looks each fact up once per run', async () => {
    const directory = createDirectory({ client: clientFor(fake), owner: 'acme', repo: 'widgets', roles: ROLES });
    const start = fake.requests.length;
    await directory.enrich([approval('alice', { type: 'User' }), approval('Alice', { type: 'User' })]);
    const first = callsSince(fake, start);
    expect(first.sort()).toEqual([
      'GET /orgs/acme/teams/dba/memberships/alice',
      'GET /orgs/acme/teams/sre/memberships/alice',
      'GET /repos/acme/widgets/collaborators/alice/permission',
    ]);
    const again = fake.requests.length;
    await directory.enrich([approval('alice', { type: 'User' })]);
    expect(fake.requests.length).toBe(again);
  });

  it('leaves an approval without a login as it is', async () => {
    const directory = createDirectory({ client: clientFor(fake), owner: 'acme', repo: 'widgets', roles: ROLES });
    const unnamed: Approval = { email: 'x@example.com', decision: 'approve' };
    expect((await directory.enrich([unnamed])).approvals).toEqual([unnamed]);
  });
});

describe('a token that may not read teams (GITHUB_TOKEN)', () => {
  it('fails closed on 403: teams unknown, and a note naming the permission the token needs', async () => {
    const client = clientFor(fake, { token: FORBIDDEN });
    const directory = createDirectory({ client, owner: 'acme', repo: 'widgets', roles: ROLES });
    const { approvals, notes } = await directory.enrich([approval('alice'), approval('bob')]);
    expect(approvals.map((a) => a.teams)).toEqual([null, null]);
    // The permission look-up does not depend on team access.
    expect(approvals.map((a) => a.permission)).toEqual(['write', 'maintain']);
    expect(notes).toHaveLength(2);
    expect(notes[0]).toContain('Membership of @acme/sre could not be read (HTTP 403).');
    expect(notes[0]).toContain('`read:org`');
    expect(notes[0]).toContain('GitHub asks for members=read');
    expect(notes[0]).toContain('GITHUB_TOKEN cannot read team membership');
  });

  it('reads a hidden team (404) as no membership, which the core also counts against approval', async () => {
    const client = clientFor(fake, { token: HIDDEN });
    const directory = createDirectory({ client, owner: 'acme', repo: 'widgets', roles: ROLES });
    const { approvals, notes } = await directory.enrich([approval('alice')]);
    expect(approvals[0]?.teams).toEqual([]);
    expect(notes).toEqual([]);
  });
});
