// Deployments and their statuses, newest first as GitHub lists them.
import { HttpError, errorBody, invalidRequest, notFound, validationFailed } from '../errors.js';
import { compare, resolveRef } from '../git.js';
import { paginate } from '../pagination.js';
import { intParam, requireRepo, type Reply, type Route, type RouteContext } from '../router.js';
import { nodeId, repoApi, simpleUser, type Json, type View } from '../shapes.js';
import type { DeploymentState, FakeDeployment, FakeDeploymentStatus, FakeRepo } from '../state.js';

const DOCS_LIST = 'https://docs.github.com/rest/deployments/deployments#list-deployments';
const DOCS_CREATE = 'https://docs.github.com/rest/deployments/deployments#create-a-deployment';
const DOCS_GET = 'https://docs.github.com/rest/deployments/deployments#get-a-deployment';
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
    method: 'POST',
    path: '/repos/{owner}/{repo}/deployments',
    docs: DOCS_CREATE,
    handle: createDeployment,
  },
  {
    method: 'GET',
    path: '/repos/{owner}/{repo}/deployments/{deployment_id}',
    docs: DOCS_GET,
    handle(ctx) {
      const { repo, deployment } = requireDeployment(ctx);
      return { body: deploymentJson(ctx, repo, deployment) };
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

interface CreateInput {
  ref: string;
  task: string;
  autoMerge: boolean;
  requiredContexts: string[] | undefined;
  payload: Record<string, unknown> | string;
  environment: string;
  description: string | null;
  transient: boolean;
  production: boolean | undefined;
}

/**
 * GitHub's order: the ref must resolve; with `auto_merge` (default on) a branch behind the default
 * branch gets the default branch merged in and the answer is 202 with no deployment, so the caller
 * asks again; then the commit's statuses must be green for `required_contexts` (all of its contexts
 * when omitted, none for `[]`), else 409.
 */
function createDeployment(ctx: RouteContext): Reply {
  const repo = requireRepo(ctx);
  const input = readCreateInput(ctx.body);
  const fullName = `${repo.owner}/${repo.name}`;
  const sha = resolveRef(repo, input.ref);
  if (sha === undefined) {
    // 422 bodies follow the validation-error schema, which has no `status`.
    throw new HttpError(422, { message: `No ref found for: ${input.ref}`, documentation_url: DOCS_CREATE });
  }
  const isBranch = repo.branches[input.ref] !== undefined && input.ref !== repo.default_branch;
  if (input.autoMerge && isBranch) {
    const outcome = compare(repo, input.ref, repo.default_branch);
    if (outcome.ok && outcome.comparison.ahead.length > 0) {
      const tip = repo.branches[repo.default_branch] as string;
      ctx.state.pushCommits(
        fullName,
        [{ message: `Merge branch '${repo.default_branch}' into ${input.ref}`, parents: [sha, tip] }],
        input.ref,
      );
      return {
        status: 202,
        body: { message: `Auto-merged ${repo.default_branch} into ${input.ref} on deployment.` },
      };
    }
  }
  const statuses = repo.commitStatuses[sha] ?? {};
  const contexts = input.requiredContexts ?? Object.keys(statuses);
  if (contexts.some((c) => statuses[c] !== 'success')) {
    throw new HttpError(409, errorBody(409, `Conflict: Commit status checks failed for ${input.ref}.`, DOCS_CREATE));
  }
  const deployment = ctx.state.addDeployment(fullName, {
    sha,
    ref: input.ref,
    task: input.task,
    environment: input.environment,
    payload: input.payload,
    description: input.description,
    creator: ctx.viewer.login,
    transient_environment: input.transient,
    ...(input.production === undefined ? {} : { production_environment: input.production }),
  });
  return { status: 201, body: deploymentJson(ctx, repo, deployment) };
}

function readCreateInput(raw: unknown): CreateInput {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw invalidRequest(DOCS_CREATE, `${JSON.stringify(raw)} is not an object.`);
  }
  const body = raw as Record<string, unknown>;
  const wrongType = (field: string, type: string) =>
    invalidRequest(DOCS_CREATE, `For 'properties/${field}', ${JSON.stringify(body[field])} is not ${type}.`);
  const text = (field: string, fallback: string): string => {
    const value = body[field];
    if (value === undefined) return fallback;
    if (typeof value !== 'string') throw wrongType(field, 'a string');
    return value;
  };
  const flag = (field: string): boolean | undefined => {
    const value = body[field];
    if (value === undefined) return undefined;
    if (typeof value !== 'boolean') throw wrongType(field, 'a boolean');
    return value;
  };
  if (body['ref'] === undefined) throw invalidRequest(DOCS_CREATE, '"ref" wasn\'t supplied.');
  const contexts = body['required_contexts'];
  if (contexts !== undefined && (!Array.isArray(contexts) || contexts.some((c) => typeof c !== 'string'))) {
    throw wrongType('required_contexts', 'an array of strings');
  }
  const payload = body['payload'] ?? {};
  if (typeof payload !== 'string' && (typeof payload !== 'object' || Array.isArray(payload))) {
    throw wrongType('payload', 'an object or a string');
  }
  const description = body['description'];
  if (description !== undefined && description !== null && typeof description !== 'string') {
    throw wrongType('description', 'a string or null');
  }
  return {
    ref: text('ref', ''),
    task: text('task', 'deploy'),
    autoMerge: flag('auto_merge') ?? true,
    requiredContexts: contexts as string[] | undefined,
    payload: payload as Record<string, unknown> | string,
    environment: text('environment', 'production'),
    description: description === undefined ? '' : description,
    transient: flag('transient_environment') ?? false,
    production: flag('production_environment'),
  };
}

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
