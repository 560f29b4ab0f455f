// The request issue's life: found or opened once per repository, environment and head; its body kept
// current without needless writes; closed with one comment that records the decision. Every step can
// be repeated by a re-run or a re-attempt without doubling anything, because each thing we write
// carries a hidden marker on its first line and is recognised again only when our own identity wrote it.
import { ConfigurationError, decisionMarkdown, type Decision } from '@countersign/core';
import type { GitHubClient } from '../client.js';
import { GitHubApiError } from '../errors.js';
import {
  REQUEST_LABEL,
  firstLine,
  sameLogin,
  sameRequest,
  trustedMarker,
  validateMarker,
  writeMarker,
  type IssueLike,
  type RequestMarker,
} from './marker.js';

/** GitHub refuses issue and comment bodies longer than this. */
export const MAX_BODY = 65_536;

export interface RequestTarget {
  client: GitHubClient;
  owner: string;
  repo: string;
  environment: string;
  /** The full commit sha being approved. */
  head: string;
  /**
   * The login the token acts as: `github-actions[bot]` for GITHUB_TOKEN, `<app-slug>[bot]` for a
   * GitHub App, the user's login for a personal token. Only issues and comments it wrote are trusted.
   */
  actorLogin: string;
}

export interface RequestIssue {
  number: number;
  url: string;
  /** True when this call opened the issue; false when an earlier attempt had. */
  created: boolean;
  state: 'open' | 'closed';
}

export interface OpenRequestOptions extends RequestTarget {
  title: string;
  /** The rendered body (renderRequestBody); the marker is put above it here. */
  body: string;
  /** Added to `countersign`. */
  labels?: readonly string[];
}

function markerOf(target: RequestTarget): RequestMarker {
  return validateMarker({
    repository: `${target.owner}/${target.repo}`,
    environment: target.environment,
    head: target.head,
  });
}

/** The full text of a request issue: the marker alone on the first line, then the content. */
export function requestIssueBody(marker: RequestMarker, content: string): string {
  const body = `${writeMarker(marker)}\n${content}`;
  if (body.length > MAX_BODY)
    throw new Error(`the request text is ${body.length} characters, more than GitHub's limit of ${MAX_BODY}`);
  return body;
}

/** GitHub may hand a body back with CRLF line ends; that alone is not a change worth a write. */
function sameText(a: string | null | undefined, b: string): boolean {
  return (a ?? '').replace(/\r\n/g, '\n') === b.replace(/\r\n/g, '\n');
}

type IssueData = IssueLike & { number: number; html_url: string; state: string; state_reason?: string | null };

function asRequestIssue(issue: IssueData, created: boolean): RequestIssue {
  return { number: issue.number, url: issue.html_url, created, state: issue.state === 'closed' ? 'closed' : 'open' };
}

/**
 * The request issue an earlier attempt opened, or null. Newest first, stopping at the first match:
 * a re-run comes soon after the attempt it repeats, so the answer is on the first page.
 */
export async function findRequestIssue(target: RequestTarget): Promise<RequestIssue | null> {
  const wanted = markerOf(target);
  const hits = await target.client.paginate(
    'GET /repos/{owner}/{repo}/issues',
    {
      owner: target.owner,
      repo: target.repo,
      labels: REQUEST_LABEL,
      state: 'all',
      sort: 'created',
      direction: 'desc',
      per_page: 100,
    },
    (response, done) => {
      const page = (response.data as IssueData[]).filter((issue) => matches(issue, wanted, target.actorLogin));
      if (page.length > 0) done();
      return page;
    },
  );
  const found = hits[0];
  return found === undefined ? null : asRequestIssue(found, false);
}

function matches(issue: IssueData, wanted: RequestMarker, actorLogin: string): boolean {
  const marker = trustedMarker(issue, actorLogin);
  return marker !== null && sameRequest(marker, wanted);
}

/** How many times an ambiguous create (see below) is checked for and tried again. */
const CREATE_ATTEMPTS = 4;

/**
 * A create whose answer was lost (no answer, a reset connection, a 5xx from a proxy or from GitHub
 * after it had written) may have happened. Retrying the POST blindly would then open a second
 * issue, so such a create is not retried by the client: it is looked for first, and made again only
 * when it is not there. A 4xx, or a rate limit (which GitHub answers before doing anything), is
 * not ambiguous and is left to the client's own handling.
 */
function mayHaveApplied(error: unknown): boolean {
  if (!(error instanceof GitHubApiError)) return false;
  return error.status === null || error.status >= 500;
}

export async function findOrOpenRequestIssue(options: OpenRequestOptions): Promise<RequestIssue> {
  const body = requestIssueBody(markerOf(options), options.body);
  const labels = [...new Set([REQUEST_LABEL, ...(options.labels ?? [])])];
  let lost: unknown = null;
  for (let attempt = 1; ; attempt += 1) {
    const existing = await findRequestIssue(options);
    // Found after our own ambiguous create: that create did open it.
    if (existing !== null) return lost === null ? existing : { ...existing, created: true };
    // The last ambiguous create is looked for too, before giving up.
    if (attempt > CREATE_ATTEMPTS) throw lost;
    try {
      const { data } = await options.client.request('POST /repos/{owner}/{repo}/issues', {
        owner: options.owner,
        repo: options.repo,
        title: options.title,
        body,
        labels,
        request: { retries: 0 },
      });
      assertActor(data.user?.login ?? null, options.actorLogin, data.number);
      return asRequestIssue(data, true);
    } catch (error) {
      if (!mayHaveApplied(error)) throw error;
      lost = error;
    }
  }
}

/**
 * A wrong `actorLogin` would make every later attempt ignore the issue opened now and open another;
 * GitHub has just told us who the token is, so say so while it is one issue, not twenty.
 */
function assertActor(author: string | null, actorLogin: string, number: number): void {
  if (sameLogin(author, actorLogin)) return;
  throw new ConfigurationError({
    message:
      `the token acts as ${author ?? 'an unknown account'}, not as ${actorLogin}: issue #${number} was opened, ` +
      `but a re-run would not recognise it. Give ${author ?? 'the account the token acts as'} as the actor login.`,
  });
}

/** The issue, after checking that it is the request for this target (a request id is an input). */
async function getRequestIssue(target: RequestTarget, number: number): Promise<IssueData> {
  const { data } = await target.client.request('GET /repos/{owner}/{repo}/issues/{issue_number}', {
    owner: target.owner,
    repo: target.repo,
    issue_number: number,
  });
  const issue = data as IssueData;
  if (!matches(issue, markerOf(target), target.actorLogin)) {
    throw new ConfigurationError({
      message:
        `issue #${number} in ${target.owner}/${target.repo} is not the Countersign request for ` +
        `${JSON.stringify(target.environment)} at ${target.head.slice(0, 12)} opened by ${target.actorLogin}`,
    });
  }
  return issue;
}

export interface UpdateRequestOptions extends RequestTarget {
  number: number;
  /** The rendered body (renderRequestBody), without the marker. */
  body: string;
}

/** Rewrites the body only when it differs, so a poll that learnt nothing new writes nothing. */
export async function updateRequestIssue(options: UpdateRequestOptions): Promise<{ updated: boolean }> {
  const issue = await getRequestIssue(options, options.number);
  const body = requestIssueBody(markerOf(options), options.body);
  if (sameText(issue.body, body)) return { updated: false };
  await options.client.request('PATCH /repos/{owner}/{repo}/issues/{issue_number}', {
    owner: options.owner,
    repo: options.repo,
    issue_number: options.number,
    body,
  });
  return { updated: true };
}

export interface CloseRequestOptions extends RequestTarget {
  number: number;
  decision: Decision;
  /**
   * The final body (renderRequestBody, without the marker), written by the same PATCH that closes
   * the issue: one write fewer than updating it first, and so one throttling interval less between
   * the decision and the end of the step.
   */
  body?: string;
}

function decisionMarker(status: Decision['status']): string {
  return `<!-- countersign:decision v1 status=${status} -->`;
}

/**
 * One comment with the final decision, then the issue closed: `completed` when approved,
 * `not_planned` otherwise. A repeat finds its own earlier comment and a closed issue, and writes
 * neither again.
 */
export async function closeWithDecision(
  options: CloseRequestOptions,
): Promise<{ commented: boolean; closed: boolean }> {
  const issue = await getRequestIssue(options, options.number);
  const marker = decisionMarker(options.decision.status);
  let posted = false;
  let lost: unknown = null;
  // As with the issue itself: an ambiguous failure is followed by a look, not by a blind repeat.
  for (let attempt = 1; !posted && !(await hasOwnComment(options, marker)); attempt += 1) {
    if (attempt > CREATE_ATTEMPTS) throw lost;
    try {
      await options.client.request('POST /repos/{owner}/{repo}/issues/{issue_number}/comments', {
        owner: options.owner,
        repo: options.repo,
        issue_number: options.number,
        body: `${marker}\n${decisionMarkdown(options.decision)}`,
        request: { retries: 0 },
      });
      posted = true;
    } catch (error) {
      if (!mayHaveApplied(error)) throw error;
      lost = error;
    }
  }
  const commented = posted || lost !== null;
  const reason = options.decision.status === 'approved' ? 'completed' : 'not_planned';
  const body = options.body === undefined ? undefined : requestIssueBody(markerOf(options), options.body);
  const rewrite = body !== undefined && !sameText(issue.body, body);
  const closed = issue.state !== 'closed' || issue.state_reason !== reason;
  if (closed || rewrite) {
    await options.client.request('PATCH /repos/{owner}/{repo}/issues/{issue_number}', {
      owner: options.owner,
      repo: options.repo,
      issue_number: options.number,
      state: 'closed',
      state_reason: reason,
      ...(rewrite ? { body } : {}),
    });
  }
  return { commented, closed };
}

/** Whether our identity already left a comment whose first line is `marker` (anyone may type it). */
async function hasOwnComment(options: CloseRequestOptions, marker: string): Promise<boolean> {
  const comments = await options.client.paginate('GET /repos/{owner}/{repo}/issues/{issue_number}/comments', {
    owner: options.owner,
    repo: options.repo,
    issue_number: options.number,
    per_page: 100,
  });
  return comments.some((c) => sameLogin(c.user?.login, options.actorLogin) && firstLine(c.body) === marker);
}
