// One repository with something behind every endpoint, including the awkward cases a schema is most
// likely to reject: null git authors' accounts, bots, renamed and removed files, a pending review,
// labels with and without descriptions, closed and reopened issues, string payloads.
import type { FakeState } from '../state.js';

export const REPO = 'acme/widgets';
export const RUN_ID = 7001;

export interface World {
  base: string;
  head: string;
  pull: number;
  issue: number;
  closedIssue: number;
  comment: number;
  deployment: number;
  artifact: number;
  legacyArtifact: number;
  expiredArtifact: number;
  doomedArtifact: number;
}

export function buildWorld(state: FakeState): World {
  state.addUser('alice', { name: 'Alice Author', email: 'alice@example.com' });
  state.addUser('bob', { name: 'Bob Reviewer' });
  state.addUser('dependabot[bot]');
  state.addTeam('acme', 'sre', { bob: 'maintainer', carol: 'member' });
  state.addRepo(REPO, {
    files: { '.countersign.yml': 'version: 1\n', 'docs/old name.md': '# old\n', 'src/gone.ts': 'x\n' },
  });
  state.setPermission(REPO, 'alice', 'write');
  state.setPermission(REPO, 'bob', 'maintain');
  state.setPermission(REPO, 'dave', 'triage', 'release-captain');
  const base = state.repo(REPO).branches['main'] as string;
  state.label(REPO, 'db', { description: 'Touches the database', color: 'b60205' });
  const commits = state.pushCommits(
    REPO,
    [
      {
        message: 'Add migration',
        author: { name: 'Alice Author', email: 'alice@example.com', login: 'alice' },
        files: [
          {
            filename: 'db/migrations/001.sql',
            content: 'create table t (id int);\n',
            patch: '@@ -0,0 +1 @@\n+create table t (id int);',
          },
        ],
        verified: true,
      },
      {
        message: 'Rename and remove\n\nCo-authored-by: Bob <12345+bob@users.noreply.github.com>',
        author: { name: 'Someone Unlinked', email: 'nobody@example.org', login: null },
        committer: { name: 'GitHub', email: 'noreply@github.com', login: null },
        files: [
          {
            filename: 'docs/new name.md',
            status: 'renamed',
            previous_filename: 'docs/old name.md',
            content: '# new\n',
          },
          { filename: 'src/gone.ts', status: 'removed' },
          { filename: '.countersign.yml', status: 'modified', content: 'version: 1\nroles: {}\n' },
        ],
      },
    ],
    'feature/db',
  );
  const head = commits.at(-1)?.sha as string;
  const pull = state.addPull(REPO, {
    user: 'alice',
    head: { ref: 'feature/db' },
    labels: ['db', 'needs-review'],
    commits: commits.map((c) => c.sha),
    body: 'Adds the table',
  });
  state.addReview(REPO, pull.number, { user: 'bob', state: 'APPROVED', body: 'LGTM' });
  state.addReview(REPO, pull.number, {
    user: 'dependabot[bot]',
    state: 'COMMENTED',
    commit_id: commits[0]?.sha ?? null,
  });
  state.addReview(REPO, pull.number, { user: 'carol', state: 'CHANGES_REQUESTED' });
  state.addReview(REPO, pull.number, { user: 'dave', state: 'DISMISSED' });
  state.addReview(REPO, pull.number, { user: 'alice', state: 'PENDING' });

  const issue = state.addIssue(REPO, {
    title: 'Approve deployment to production',
    body: '<!-- countersign:request -->',
    labels: ['countersign'],
    assignees: ['bob'],
  });
  const comment = state.addComment(REPO, issue.number, { user: 'bob', body: '/approve looks fine' });
  state.editComment(REPO, comment.id, '/approve looks fine, really');
  state.addComment(REPO, issue.number, { user: 'dependabot[bot]', body: '/approve' });
  state.addComment(REPO, pull.number, { user: 'carol', body: 'A comment on the pull request' });
  const closedIssue = state.addIssue(REPO, { title: 'Old request', state: 'closed', user: 'alice' });

  const deployment = state.addDeployment(REPO, {
    sha: base,
    ref: 'main',
    environment: 'production',
    payload: { build: 42 },
    statuses: ['in_progress', 'success'],
  });
  state.addDeployment(REPO, {
    sha: head,
    ref: 'feature/db',
    environment: 'staging',
    payload: 'raw payload',
    transient_environment: true,
    description: 'Preview',
  });
  // A failing check on the feature head, so a deployment that must pass checks is refused.
  state.setCommitStatus(REPO, head, 'ci/test', 'failure');
  // A branch left behind the default branch, which a deployment with auto_merge brings up to date.
  state.pushCommits(REPO, [{ message: 'Stale work' }], 'stale');
  state.pushCommits(REPO, [{ message: 'Hotfix on main' }], 'main');
  state.setRunApprovals(REPO, RUN_ID, [
    { environments: ['production'], state: 'approved', user: 'bob', comment: 'Ship it' },
    { environments: ['production', 'staging'], state: 'rejected', user: 'carol', comment: '' },
  ]);
  state.addWorkflowRun(REPO, { id: RUN_ID, head_branch: 'feature/db', head_sha: head });
  const artifact = state.addArtifact(REPO, {
    runId: RUN_ID,
    name: 'build',
    files: { 'dist/app.js': 'console.log(1)\n', 'attestation.json': '{}' },
  });
  state.addArtifact(REPO, { runId: RUN_ID, name: 'build', files: { 'dist/app.js': 'console.log(2)\n' } });
  const legacyArtifact = state.addArtifact(REPO, {
    runId: RUN_ID,
    name: 'v3 upload',
    bytes: Buffer.from('raw'),
    withoutDigest: true,
  });
  const expiredArtifact = state.addArtifact(REPO, {
    runId: RUN_ID,
    name: 'old logs',
    files: { 'log.txt': 'x' },
    created_at: '2020-01-01T00:00:00Z',
    expires_at: '2020-04-01T00:00:00Z',
  });
  const doomedArtifact = state.addArtifact(REPO, { runId: RUN_ID, name: 'scratch', files: { x: 'x' } });
  return {
    artifact: artifact.id,
    legacyArtifact: legacyArtifact.id,
    expiredArtifact: expiredArtifact.id,
    doomedArtifact: doomedArtifact.id,
    base,
    head,
    pull: pull.number,
    issue: issue.number,
    closedIssue: closedIssue.number,
    comment: comment.id,
    deployment: deployment.id,
  };
}
