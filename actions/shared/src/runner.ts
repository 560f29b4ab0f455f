// What the runner tells every step through its environment. Read here, once, so the rest of the
// code takes plain values and tests can run it with any environment they set.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigurationError } from '@countersign/core';

export interface Runner {
  owner: string;
  repo: string;
  /** The workflow's commit: the default head. */
  sha: string | null;
  runId: number | null;
  /** `github.triggering_actor`: who started this attempt (a re-run may be someone else). */
  triggeringActor: string | null;
  apiUrl: string;
  serverUrl: string;
  /** A checkout with history, when the workspace has one; otherwise the API is used alone. */
  checkout: string | null;
  /** The pull request's base sha when the workflow runs for a pull request. */
  pullRequestBase: string | null;
  branch: string | null;
  workspace: string;
}

export function readRunner(env: NodeJS.ProcessEnv = process.env): Runner {
  const repository = env['GITHUB_REPOSITORY'] ?? '';
  const [owner, repo, extra] = repository.split('/');
  if (!owner || !repo || extra !== undefined)
    throw new ConfigurationError({
      message: `GITHUB_REPOSITORY must be owner/name (got '${repository}'); is this running outside GitHub Actions?`,
    });
  const workspace = env['GITHUB_WORKSPACE'] || process.cwd();
  const event = readEvent(env['GITHUB_EVENT_PATH']);
  const runId = Number(env['GITHUB_RUN_ID']);
  return {
    owner,
    repo,
    sha: env['GITHUB_SHA'] || null,
    runId: Number.isSafeInteger(runId) && runId > 0 ? runId : null,
    triggeringActor: env['GITHUB_TRIGGERING_ACTOR'] || env['GITHUB_ACTOR'] || null,
    // A trailing slash would make every request path start with `//`.
    apiUrl: (env['GITHUB_API_URL'] || 'https://api.github.com').replace(/\/+$/, ''),
    serverUrl: (env['GITHUB_SERVER_URL'] || 'https://github.com').replace(/\/+$/, ''),
    checkout: env['GITHUB_WORKSPACE'] && existsSync(join(workspace, '.git')) ? workspace : null,
    pullRequestBase: event.pullRequestBase,
    branch: event.branch ?? (env['GITHUB_REF_NAME'] || null),
    workspace,
  };
}

interface EventFacts {
  pullRequestBase: string | null;
  branch: string | null;
}

/** The few fields of the event payload we use; an unreadable payload just means none of them. */
function readEvent(path: string | undefined): EventFacts {
  if (!path || !existsSync(path)) return { pullRequestBase: null, branch: null };
  try {
    const payload = JSON.parse(readFileSync(path, 'utf8')) as {
      pull_request?: { base?: { sha?: unknown; ref?: unknown } };
    };
    const base = payload.pull_request?.base;
    return {
      pullRequestBase: typeof base?.sha === 'string' ? base.sha : null,
      branch: typeof base?.ref === 'string' ? base.ref : null,
    };
  } catch {
    return { pullRequestBase: null, branch: null };
  }
}
