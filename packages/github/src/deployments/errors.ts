// Failed deployment calls said in the words an on-call engineer needs: what we were doing, in which
// environment and repository, and for a refusal the permission a workflow must grant.
import { GitHubApiError } from '../errors.js';

export interface CallContext {
  owner: string;
  repo: string;
  /** Named in messages when known; a status write by deployment id may not know it. */
  environment?: string | undefined;
}

export type Access = 'read' | 'write';

/** Runs one call; a GitHubApiError comes back out with context and, for a 403, the permission. */
export async function explained<T>(
  doing: string,
  context: CallContext,
  access: Access,
  call: () => Promise<T>,
): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (!(error instanceof GitHubApiError)) throw error;
    // The environment is user text: quoted, so an odd name cannot blur the message.
    const where =
      context.environment === undefined
        ? `${context.owner}/${context.repo}`
        : `environment ${JSON.stringify(context.environment)} of ${context.owner}/${context.repo}`;
    const message = `Could not ${doing} for ${where}: ${error.message}${advice(error, access)}`;
    throw new GitHubApiError(message, {
      status: error.status,
      requestId: error.requestId,
      acceptedPermissions: error.acceptedPermissions,
    });
  }
}

function advice(error: GitHubApiError, access: Access): string {
  // Rate limits also answer 403; the client has already said so and waited what it could.
  if (error.status !== 403 || /rate limit/i.test(error.message)) return '';
  const accepted = error.acceptedPermissions === null ? '' : ` (GitHub accepts: ${error.acceptedPermissions})`;
  return (
    `. The token needs the "deployments: ${access}" permission${accepted}: ` +
    `in a workflow, \`permissions: deployments: ${access}\`; for a GitHub App, Deployments ${access === 'write' ? 'read and write' : 'read'}`
  );
}
