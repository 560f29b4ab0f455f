// GET /rate_limit: the budget the server keeps, as GitHub reports it. Asking costs nothing.
import type { Route } from '../router.js';

const DOCS = 'https://docs.github.com/rest/rate-limit/rate-limit#get-rate-limit-status-for-the-authenticated-user';

export const rateLimitRoutes: Route[] = [
  {
    method: 'GET',
    path: '/rate_limit',
    docs: DOCS,
    handle(ctx) {
      const { limit, remaining, used, reset } = ctx.rateLimit;
      const core = { limit, remaining, reset, used };
      const untouched = (n: number) => ({ limit: n, remaining: n, reset, used: 0 });
      return {
        body: {
          resources: {
            core,
            search: untouched(30),
            graphql: untouched(5000),
            integration_manifest: untouched(5000),
            code_search: untouched(10),
          },
          rate: core,
        },
      };
    },
  },
];
