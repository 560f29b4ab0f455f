// One GitHub client per run, logging through the runner so retries and rate limits show in the log.
import * as core from '@actions/core';
import { createGitHubClient, type GitHubClient } from '@countersign/github';

export function clientFor(token: string, apiUrl: string): GitHubClient {
  return createGitHubClient({
    token,
    baseUrl: apiUrl,
    userAgent: 'countersign-action/0.1.0',
    log: { debug: core.debug, info: core.info, warn: core.warning, error: core.error },
  });
}
