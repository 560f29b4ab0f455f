// One error type for every failed GitHub call, built from the parts of a failure that are safe to
// show: method, path, status and GitHub's own message. The original error is not kept as `cause`
// because its request object carries headers, and the token must never travel with an error.

export class GitHubApiError extends Error {
  readonly status: number | null;
  /** GitHub's `x-github-request-id`, for a support ticket. */
  readonly requestId: string | null;
  /** GitHub's `x-accepted-github-permissions` on a refusal: what the token would need. */
  readonly acceptedPermissions: string | null;

  constructor(
    message: string,
    details: { status: number | null; requestId?: string | null; acceptedPermissions?: string | null },
  ) {
    super(message);
    this.name = 'GitHubApiError';
    this.status = details.status;
    this.requestId = details.requestId ?? null;
    this.acceptedPermissions = details.acceptedPermissions ?? null;
  }
}

/** The HTTP status of a failed call, or null when no answer came (or it is not an API error). */
export function statusOf(error: unknown): number | null {
  if (error instanceof GitHubApiError) return error.status;
  return null;
}

export function isNotFound(error: unknown): boolean {
  return statusOf(error) === 404;
}
