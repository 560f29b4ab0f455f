// Who someone is and what they may do: collaborator permission, team membership, account look-up.
import { HttpError, errorBody, notFound } from '../errors.js';
import { requireRepo, type Route } from '../router.js';
import { HTML, simpleUser } from '../shapes.js';
import type { Permission } from '../state.js';

const DOCS_PERMISSION =
  'https://docs.github.com/rest/collaborators/collaborators#get-repository-permissions-for-a-user';
const DOCS_MEMBERSHIP = 'https://docs.github.com/rest/teams/members#get-team-membership-for-a-user';
const DOCS_USER = 'https://docs.github.com/rest/users/users#get-a-user';

/** `permission` keeps GitHub's legacy base roles; the finer role is only in `role_name`. */
const LEGACY: Record<Permission, 'admin' | 'write' | 'read' | 'none'> = {
  admin: 'admin',
  maintain: 'write',
  write: 'write',
  triage: 'read',
  read: 'read',
  none: 'none',
};

const RANK: Record<Permission, number> = { none: 0, read: 1, triage: 2, write: 3, maintain: 4, admin: 5 };

export const directoryRoutes: Route[] = [
  {
    method: 'GET',
    path: '/repos/{owner}/{repo}/collaborators/{username}/permission',
    docs: DOCS_PERMISSION,
    handle(ctx) {
      const repo = requireRepo(ctx);
      const login = ctx.params['username'] ?? '';
      const user = ctx.state.users[login];
      if (!user) throw notFound(DOCS_PERMISSION);
      const granted = repo.collaborators[login];
      const permission: Permission =
        granted?.permission ?? (login === repo.owner ? 'admin' : repo.private ? 'none' : 'read');
      const roleName = granted?.role_name ?? permission;
      const at = (p: Permission) => RANK[permission] >= RANK[p];
      return {
        body: {
          permission: LEGACY[permission],
          role_name: roleName,
          user: {
            ...simpleUser(ctx, login),
            permissions: {
              admin: at('admin'),
              maintain: at('maintain'),
              push: at('write'),
              triage: at('triage'),
              pull: at('read'),
            },
            role_name: roleName,
          },
        },
      };
    },
  },
  {
    method: 'GET',
    path: '/orgs/{org}/teams/{team_slug}/memberships/{username}',
    docs: DOCS_MEMBERSHIP,
    handle(ctx) {
      // GITHUB_TOKEN has no `members` permission: GitHub refuses outright, or hides the team.
      if (ctx.viewer.teams === 'forbidden') {
        throw new HttpError(403, errorBody(403, 'Resource not accessible by integration', DOCS_MEMBERSHIP), {
          'x-accepted-github-permissions': 'members=read',
        });
      }
      if (ctx.viewer.teams === 'not-found') throw notFound(DOCS_MEMBERSHIP);
      const orgName = ctx.params['org'] ?? '';
      const org = Object.values(ctx.state.orgs).find((o) => o.login.toLowerCase() === orgName.toLowerCase());
      const team =
        org?.teams[(ctx.params['team_slug'] ?? '').toLowerCase()] ?? org?.teams[ctx.params['team_slug'] ?? ''];
      const login = ctx.params['username'] ?? '';
      const membership = team?.members[login];
      if (!org || !team || !membership) throw notFound(DOCS_MEMBERSHIP);
      return {
        body: {
          url: `${ctx.api}/organizations/${org.id}/team/${team.id}/memberships/${encodeURIComponent(login)}`,
          role: membership.role,
          state: membership.state,
        },
      };
    },
  },
  {
    method: 'GET',
    path: '/users/{username}',
    docs: DOCS_USER,
    handle(ctx) {
      const login = ctx.params['username'] ?? '';
      const user =
        ctx.state.users[login] ??
        Object.values(ctx.state.users).find((u) => u.login.toLowerCase() === login.toLowerCase());
      if (!user) throw notFound(DOCS_USER);
      return {
        body: {
          ...simpleUser(ctx, user.login),
          html_url: `${HTML}/${encodeURIComponent(user.login)}`,
          name: user.name,
          company: null,
          blog: '',
          location: null,
          email: user.email,
          hireable: null,
          bio: null,
          twitter_username: null,
          public_repos: Object.values(ctx.state.repos).filter((r) => r.owner === user.login && !r.private).length,
          public_gists: 0,
          followers: 0,
          following: 0,
          created_at: user.created_at,
          updated_at: user.created_at,
        },
      };
    },
  },
];
