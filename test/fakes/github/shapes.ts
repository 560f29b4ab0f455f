// Objects that several endpoints embed (users, repositories, labels, commits), shaped as GitHub sends
// them. Each carries every field the OpenAPI description requires and no field it does not describe.
import { createHash } from 'node:crypto';
import type { FakeCommit, FakeRepo, FakeState } from './state.js';

export const HTML = 'https://github.com';

/** What a shape needs to know: the state, and the API's own address for the `url` fields. */
export interface View {
  state: FakeState;
  api: string;
}

export type Json = Record<string, unknown>;

export function nodeId(kind: string, id: number | string): string {
  return Buffer.from(`0${kind.length}:${kind}${id}`).toString('base64').replace(/=+$/, '');
}

export function sha1(text: string): string {
  return createHash('sha1').update(text).digest('hex');
}

/** Path segments escaped, slashes kept: file names with spaces still make valid URLs. */
export function encodePath(path: string): string {
  return path.split('/').map(encodeURIComponent).join('/');
}

export function repoApi(view: View, repo: FakeRepo): string {
  return `${view.api}/repos/${repo.owner}/${repo.name}`;
}

export function repoHtml(repo: FakeRepo): string {
  return `${HTML}/${repo.owner}/${repo.name}`;
}

export function simpleUser(view: View, login: string): Json {
  const user = view.state.ensureUser(login);
  const api = `${view.api}/users/${encodeURIComponent(login)}`;
  return {
    login: user.login,
    id: user.id,
    node_id: nodeId(user.type === 'Organization' ? 'Organization' : user.type, user.id),
    avatar_url: `https://avatars.githubusercontent.com/u/${user.id}?v=4`,
    gravatar_id: '',
    url: api,
    html_url: `${HTML}/${encodeURIComponent(login)}`,
    followers_url: `${api}/followers`,
    following_url: `${api}/following{/other_user}`,
    gists_url: `${api}/gists{/gist_id}`,
    starred_url: `${api}/starred{/owner}{/repo}`,
    subscriptions_url: `${api}/subscriptions`,
    organizations_url: `${api}/orgs`,
    repos_url: `${api}/repos`,
    events_url: `${api}/events{/privacy}`,
    received_events_url: `${api}/received_events`,
    type: user.type,
    user_view_type: 'public',
    site_admin: false,
  };
}

export function nullableUser(view: View, login: string | null): Json | null {
  return login === null ? null : simpleUser(view, login);
}

export function repository(view: View, repo: FakeRepo): Json {
  const api = repoApi(view, repo);
  const html = repoHtml(repo);
  const openIssues = Object.values(repo.issues).filter((i) => i.state === 'open').length;
  const openPulls = Object.values(repo.pulls).filter((p) => p.state === 'open').length;
  return {
    id: repo.id,
    node_id: nodeId('Repository', repo.id),
    name: repo.name,
    full_name: `${repo.owner}/${repo.name}`,
    private: repo.private,
    owner: simpleUser(view, repo.owner),
    html_url: html,
    description: null,
    fork: false,
    url: api,
    forks_url: `${api}/forks`,
    keys_url: `${api}/keys{/key_id}`,
    collaborators_url: `${api}/collaborators{/collaborator}`,
    teams_url: `${api}/teams`,
    hooks_url: `${api}/hooks`,
    issue_events_url: `${api}/issues/events{/number}`,
    events_url: `${api}/events`,
    assignees_url: `${api}/assignees{/user}`,
    branches_url: `${api}/branches{/branch}`,
    tags_url: `${api}/tags`,
    blobs_url: `${api}/git/blobs{/sha}`,
    git_tags_url: `${api}/git/tags{/sha}`,
    git_refs_url: `${api}/git/refs{/sha}`,
    trees_url: `${api}/git/trees{/sha}`,
    statuses_url: `${api}/statuses/{sha}`,
    languages_url: `${api}/languages`,
    stargazers_url: `${api}/stargazers`,
    contributors_url: `${api}/contributors`,
    subscribers_url: `${api}/subscribers`,
    subscription_url: `${api}/subscription`,
    commits_url: `${api}/commits{/sha}`,
    git_commits_url: `${api}/git/commits{/sha}`,
    comments_url: `${api}/comments{/number}`,
    issue_comment_url: `${api}/issues/comments{/number}`,
    contents_url: `${api}/contents/{+path}`,
    compare_url: `${api}/compare/{base}...{head}`,
    merges_url: `${api}/merges`,
    archive_url: `${api}/{archive_format}{/ref}`,
    downloads_url: `${api}/downloads`,
    issues_url: `${api}/issues{/number}`,
    pulls_url: `${api}/pulls{/number}`,
    milestones_url: `${api}/milestones{/number}`,
    notifications_url: `${api}/notifications{?since,all,participating}`,
    labels_url: `${api}/labels{/name}`,
    releases_url: `${api}/releases{/id}`,
    deployments_url: `${api}/deployments`,
    created_at: repo.created_at,
    updated_at: repo.created_at,
    pushed_at: repo.created_at,
    git_url: `git://github.com/${repo.owner}/${repo.name}.git`,
    ssh_url: `git@github.com:${repo.owner}/${repo.name}.git`,
    clone_url: `${html}.git`,
    svn_url: html,
    homepage: null,
    size: 0,
    stargazers_count: 0,
    watchers_count: 0,
    language: null,
    has_issues: true,
    has_projects: true,
    has_downloads: true,
    has_wiki: true,
    has_pages: false,
    has_discussions: false,
    forks_count: 0,
    mirror_url: null,
    archived: false,
    disabled: false,
    open_issues_count: openIssues + openPulls,
    license: null,
    allow_forking: true,
    is_template: false,
    web_commit_signoff_required: false,
    topics: [],
    visibility: repo.private ? 'private' : 'public',
    forks: 0,
    open_issues: openIssues + openPulls,
    watchers: 0,
    default_branch: repo.default_branch,
  };
}

/**
 * A label object. `nullableDescription` is false where GitHub's description types the field as a plain
 * string (pull-request-simple); there an unset description is sent as "" to keep to the contract.
 */
export function label(view: View, repo: FakeRepo, name: string, nullableDescription = true): Json {
  const l = view.state.label(`${repo.owner}/${repo.name}`, name);
  return {
    id: l.id,
    node_id: nodeId('Label', l.id),
    url: `${repoApi(view, repo)}/labels/${encodeURIComponent(name)}`,
    name: l.name,
    color: l.color,
    default: l.default,
    description: l.description ?? (nullableDescription ? null : ''),
  };
}

/** How GitHub relates an account to a repository, in its order of precedence. */
export function authorAssociation(state: FakeState, repo: FakeRepo, login: string): string {
  if (login === repo.owner) return 'OWNER';
  if (state.orgs[repo.owner]?.members.includes(login)) return 'MEMBER';
  const collaborator = repo.collaborators[login];
  if (collaborator && collaborator.permission !== 'none') return 'COLLABORATOR';
  if (Object.values(repo.commits).some((c) => c.author_login === login)) return 'CONTRIBUTOR';
  return 'NONE';
}

export function reactions(url: string): Json {
  return {
    url: `${url}/reactions`,
    total_count: 0,
    '+1': 0,
    '-1': 0,
    laugh: 0,
    hooray: 0,
    confused: 0,
    heart: 0,
    rocket: 0,
    eyes: 0,
  };
}

/** A commit as the compare and commit endpoints embed it (without `stats` and `files`). */
export function commit(view: View, repo: FakeRepo, c: FakeCommit): Json {
  const api = repoApi(view, repo);
  const html = repoHtml(repo);
  const tree = sha1(`tree ${c.sha}`);
  return {
    sha: c.sha,
    node_id: nodeId('Commit', c.sha),
    commit: {
      author: { ...c.author },
      committer: { ...c.committer },
      message: c.message,
      tree: { sha: tree, url: `${api}/git/trees/${tree}` },
      url: `${api}/git/commits/${c.sha}`,
      comment_count: 0,
      verification: {
        verified: c.verified,
        reason: c.verified ? 'valid' : 'unsigned',
        signature: null,
        payload: null,
        verified_at: null,
      },
    },
    url: `${api}/commits/${c.sha}`,
    html_url: `${html}/commit/${c.sha}`,
    comments_url: `${api}/commits/${c.sha}/comments`,
    author: c.author_login === null ? null : simpleUser(view, c.author_login),
    committer: c.committer_login === null ? null : simpleUser(view, c.committer_login),
    parents: c.parents.map((p) => ({ sha: p, url: `${api}/commits/${p}`, html_url: `${html}/commit/${p}` })),
  };
}
