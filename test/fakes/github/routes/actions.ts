// Environment approvals given to a workflow run (GitHub's own required reviewers).
import { notFound } from '../errors.js';
import { intParam, requireRepo, type Route } from '../router.js';
import { encodePath, nodeId, repoApi, repoHtml, simpleUser } from '../shapes.js';

const DOCS_APPROVALS = 'https://docs.github.com/rest/actions/workflow-runs#get-the-review-history-for-a-workflow-run';

export const actionsRoutes: Route[] = [
  {
    method: 'GET',
    path: '/repos/{owner}/{repo}/actions/runs/{run_id}/approvals',
    docs: DOCS_APPROVALS,
    handle(ctx) {
      const repo = requireRepo(ctx);
      const approvals = repo.runApprovals[intParam(ctx, 'run_id')];
      if (!approvals) throw notFound(DOCS_APPROVALS);
      const api = repoApi(ctx, repo);
      return {
        body: approvals.map((a) => ({
          environments: a.environments.map((name) => {
            const env = ctx.state.environment(`${repo.owner}/${repo.name}`, name);
            return {
              id: env.id,
              node_id: nodeId('Environment', env.id),
              name: env.name,
              url: `${api}/environments/${encodePath(env.name)}`,
              html_url: `${repoHtml(repo)}/deployments/activity_log?environments_filter=${encodeURIComponent(env.name)}`,
              created_at: env.created_at,
              updated_at: env.updated_at,
            };
          }),
          state: a.state,
          user: simpleUser(ctx, a.user),
          comment: a.comment,
        })),
      };
    },
  },
];
