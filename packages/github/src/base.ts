// Where a change starts when the user names no base: what is running in the environment now, i.e.
// the head of the newest deployment there that succeeded (SPEC, "Trusted inputs": the base is what
// is deployed). Without one, the pull request's base; without that, nothing (the caller decides).
import type { GitHubClient } from './client.js';
import { newestFirst, standing } from './deployments/shape.js';

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

async function succeeded({ client, owner, repo }: Target, deploymentId: number): Promise<boolean> {
  const statuses = await client.paginate('GET /repos/{owner}/{repo}/deployments/{deployment_id}/statuses', {
    owner,
    repo,
    deployment_id: deploymentId,
    per_page: 100,
  });
  // The same rule as the rollback's known good: success → failure → inactive was undone, and is
  // not what runs, although its latest state is no failure.
  return standing(statuses) === 'good';
}
