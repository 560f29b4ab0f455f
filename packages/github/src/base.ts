// Where a change starts when the user names no base: what is running in the environment now, i.e.
// the head of the newest deployment there that succeeded (SPEC, "Trusted inputs": the base is what
// is deployed). Without one, the pull request's base; without that, nothing (the caller decides).
import type { GitHubClient } from './client.js';

export interface DefaultBaseOptions {
  client: GitHubClient;
  owner: string;
  repo: string;
  environment: string;
  /** The base sha of the pull request being deployed, if any. */
  prBase?: string | null;
}

// Deployments examined before giving up on finding a successful one: each costs a request.
const MAX_DEPLOYMENTS = 100;
// A deployment that succeeded and was later marked failed was rolled back: it is not what runs.
const UNDONE = new Set(['failure', 'error']);

export async function defaultBase(options: DefaultBaseOptions): Promise<string | null> {
  const deployed = await lastSuccessfulDeployment(options);
  return deployed ?? options.prBase ?? null;
}

async function lastSuccessfulDeployment({ client, owner, repo, environment }: DefaultBaseOptions) {
  const pages = client.paginate.iterator('GET /repos/{owner}/{repo}/deployments', {
    owner,
    repo,
    environment,
    per_page: 30,
  });
  let examined = 0;
  for await (const page of pages) {
    for (const deployment of newestFirst(page.data)) {
      if (examined++ >= MAX_DEPLOYMENTS) return null;
      if (deployment.transient_environment === true) continue;
      if (deployment.environment.toLowerCase() !== environment.toLowerCase()) continue;
      if (await succeeded({ client, owner, repo }, Number(deployment.id))) return deployment.sha;
    }
  }
  return null;
}

interface Target {
  client: GitHubClient;
  owner: string;
  repo: string;
}

/** GitHub lists newest first; sorting again keeps that true of any server that does not. */
function newestFirst<T extends { id: number | bigint; created_at: string }>(items: readonly T[]): T[] {
  return [...items].sort((a, b) => Date.parse(b.created_at) - Date.parse(a.created_at) || Number(b.id) - Number(a.id));
}

async function succeeded({ client, owner, repo }: Target, deploymentId: number): Promise<boolean> {
  const statuses = await client.paginate('GET /repos/{owner}/{repo}/deployments/{deployment_id}/statuses', {
    owner,
    repo,
    deployment_id: deploymentId,
    per_page: 100,
  });
  const latest = newestFirst(statuses)[0];
  return statuses.some((status) => status.state === 'success') && !UNDONE.has(latest?.state ?? '');
}
