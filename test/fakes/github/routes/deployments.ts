// Deployments and their statuses, newest first as GitHub lists them.
import { invalidRequest, notFound, validationFailed } from '../errors.js';
import { paginate } from '../pagination.js';
import { intParam, requireRepo, type Route, type RouteContext } from '../router.js';
import { nodeId, repoApi, simpleUser, type Json, type View } from '../shapes.js';
import type { DeploymentState, FakeDeployment, FakeDeploymentStatus, FakeRepo } from '../state.js';

const DOCS_LIST = 'https://docs.github.com/rest/deployments/deployments#list-deployments';
const DOCS_STATUSES = 'https://docs.github.com/rest/deployments/statuses#list-deployment-statuses';
const DOCS_CREATE_STATUS = 'https://docs.github.com/rest/deployments/statuses#create-a-deployment-status';

const STATES: readonly DeploymentState[] = [
  'error',
  'failure',
  'inactive',
  'in_progress',
  'queued',
  'pending',
  'success',
];

export const deploymentRoutes: Route[] = [
  {
    method: 'GET',
    path: '/repos/{owner}/{repo}/deployments',
    docs: DOCS_LIST,
    handle(ctx) {
      const repo = requireRepo(ctx);
      const filters = (['sha', 'ref', 'task', 'environment'] as const).flatMap((name) => {
        const value = ctx.query.get(name);
        return value === null || value === '' ? [] : [[name, value] as const];
      });
      const list = repo.deployments
        .filter((d) => filters.every(([name, value]) => d[name] === value))
        .sort((a, b) => b.id - a.id);
      const page = paginate(list, ctx.query, ctx.linkBase);
      return { body: page.items.map((d) => deploymentJson(ctx, repo, d)), link: page.link };
    },
  },
  {
    method: 'GET',
    path: '/repos/{owner}/{repo}/deployments/{deployment_id}/statuses',
    docs: DOCS_STATUSES,
    handle(ctx) {
      const { repo, deployment } = requireDeployment(ctx);
      const list = [...deployment.statuses].reverse();
      const page = paginate(list, ctx.query, ctx.linkBase);
      return { body: page.items.map((s) => statusJson(ctx, repo, deployment, s)), link: page.link };
    },
  },
  {
    method: 'POST',
    path: '/repos/{owner}/{repo}/deployments/{deployment_id}/statuses',
    docs: DOCS_CREATE_STATUS,
    handle(ctx) {
      const { repo, deployment } = requireDeployment(ctx);
      const input = ctx.body;
      if (typeof input !== 'object' || input === null || Array.isArray(input)) {
        throw invalidRequest(DOCS_CREATE_STATUS, `${JSON.stringify(input)} is not an object.`);
      }
      const body = input as Record<string, unknown>;
      const state = body['state'];
      if (state === undefined) throw invalidRequest(DOCS_CREATE_STATUS, '"state" wasn\'t supplied.');
      if (typeof state !== 'string' || !STATES.includes(state as DeploymentState)) {
        throw validationFailed(DOCS_CREATE_STATUS, [
          {
            resource: 'DeploymentStatus',
            field: 'state',
            code: 'custom',
            message: `state is not included in the list`,
          },
        ]);
      }
      const strings: Record<string, string> = {};
      for (const field of ['description', 'environment', 'target_url', 'log_url', 'environment_url']) {
        const value = body[field];
        if (value === undefined || value === null) continue;
        if (typeof value !== 'string') {
          throw invalidRequest(
            DOCS_CREATE_STATUS,
            `For 'properties/${field}', ${JSON.stringify(value)} is not a string.`,
          );
        }
        strings[field] = value;
      }
      const autoInactive = body['auto_inactive'];
      const status = ctx.state.addDeploymentStatus(`${repo.owner}/${repo.name}`, deployment.id, {
        state: state as DeploymentState,
        creator: ctx.viewer.login,
        ...strings,
        ...(typeof autoInactive === 'boolean' ? { auto_inactive: autoInactive } : {}),
      });
      const json = statusJson(ctx, repo, deployment, status);
      return { status: 201, body: json, headers: { location: String(json['url']) } };
    },
  },
];

function requireDeployment(ctx: RouteContext): { repo: FakeRepo; deployment: FakeDeployment } {
  const repo = requireRepo(ctx);
  const id = intParam(ctx, 'deployment_id');
  const deployment = repo.deployments.find((d) => d.id === id);
  if (!deployment) throw notFound(ctx.docs);
  return { repo, deployment };
}

function deploymentJson(view: View, repo: FakeRepo, d: FakeDeployment): Json {
  const api = repoApi(view, repo);
  const url = `${api}/deployments/${d.id}`;
  return {
    url,
    id: d.id,
    node_id: nodeId('Deployment', d.id),
    sha: d.sha,
    ref: d.ref,
    task: d.task,
    payload: d.payload,
    original_environment: d.original_environment,
    environment: d.environment,
    description: d.description,
    creator: simpleUser(view, d.creator),
    created_at: d.created_at,
    updated_at: d.updated_at,
    statuses_url: `${url}/statuses`,
    repository_url: api,
    transient_environment: d.transient_environment,
    production_environment: d.production_environment,
    performed_via_github_app: null,
  };
}

function statusJson(view: View, repo: FakeRepo, d: FakeDeployment, s: FakeDeploymentStatus): Json {
  const api = repoApi(view, repo);
  const deploymentUrl = `${api}/deployments/${d.id}`;
  return {
    url: `${deploymentUrl}/statuses/${s.id}`,
    id: s.id,
    node_id: nodeId('DeploymentStatus', s.id),
    state: s.state,
    creator: simpleUser(view, s.creator),
    description: s.description,
    environment: s.environment,
    target_url: s.target_url,
    created_at: s.created_at,
    updated_at: s.updated_at,
    deployment_url: deploymentUrl,
    repository_url: api,
    environment_url: s.environment_url,
    log_url: s.log_url,
    performed_via_github_app: null,
  };
}
