// Every endpoint the fake serves. The contract test walks this list, so a route added here without a
// matching operation in GitHub's OpenAPI description, or without a contract check, fails there.
import type { Route } from '../router.js';
import { actionsRoutes } from './actions.js';
import { artifactRoutes } from './artifacts.js';
import { compareRoutes } from './compare.js';
import { contentsRoutes } from './contents.js';
import { deploymentRoutes } from './deployments.js';
import { directoryRoutes } from './directory.js';
import { issueRoutes } from './issues.js';
import { pullRoutes } from './pulls.js';
import { rateLimitRoutes } from './rate-limit.js';

export const ROUTES: readonly Route[] = [
  ...compareRoutes,
  ...pullRoutes,
  ...contentsRoutes,
  ...issueRoutes,
  ...directoryRoutes,
  ...deploymentRoutes,
  ...actionsRoutes,
  ...artifactRoutes,
  ...rateLimitRoutes,
];
