// Small builders so each test states only what it is about.
import { loadPolicy, type Approval, type Change, type Commit, type Policy } from '../../packages/core/src/index.js';

export const HEAD = 'a'.repeat(40);
export const OLD_HEAD = 'b'.repeat(40);
export const REQUESTED_AT = '2026-11-23T15:00:00Z';
export const AFTER = '2026-11-23T15:30:00Z';
export const AT = new Date('2026-11-23T16:30:00Z');

export const BASE_POLICY = `
version: 1
roles:
  sre: ["@acme/sre"]
  dba: ["@acme/dba", "carol"]
  security: ["@acme/appsec"]
levels:
  low: { approvals: 0 }
  medium: { approvals: 1 }
  high: { approvals: 2 }
  critical: { approvals: 2, require: [{ role: security }] }
rules:
  - id: db-migration
    description: Schema changes need a DBA and an SRE
    when: { paths: ["db/migrations/**", "**/*.sql"] }
    risk: high
    require: [{ role: dba }, { role: sre }]
  - id: docs-only
    when: { all-paths: ["docs/**", "**/*.md"] }
    risk: low
environments:
  production: { minimum-risk: medium }
break-glass:
  labels: [emergency]
  approvals: 1
  post-review-within: 24h
`;

export function policy(yaml: string = BASE_POLICY): Policy {
  return loadPolicy(yaml, '.countersign.yml');
}

export function commit(author: string, extra: Partial<Commit> = {}): Commit {
  return {
    sha: `c0ffee${author.length}`.padEnd(40, '0'),
    message: 'a change',
    author: { login: author, email: `${author}@example.com`, name: author },
    committer: { login: author, email: `${author}@example.com`, name: author },
    ...extra,
  };
}

export function change(overrides: Partial<Change> = {}): Change {
  return {
    repository: 'acme/widgets',
    head: HEAD,
    base: 'f'.repeat(40),
    requested_at: REQUESTED_AT,
    labels: [],
    files: [{ path: 'src/app.ts', status: 'modified', additions: 3, deletions: 1 }],
    commits: [commit('alice')],
    pull_requests: [],
    triggering_actor: 'alice',
    ...overrides,
  };
}

export function approval(login: string, overrides: Partial<Approval> = {}): Approval {
  return {
    login,
    type: 'User',
    decision: 'approve',
    at: AFTER,
    edited_at: null,
    sha: HEAD,
    permission: 'write',
    teams: [],
    source: 'issue-comment',
    url: null,
    ...overrides,
  };
}
