// The one Octokit a run uses. Every call gets: a time-out, retries with back-off for server errors,
// GitHub's rate-limit rules (retry-after, x-ratelimit-reset, secondary limits) through the throttling
// plugin, and conditional requests so that polling an unchanged resource costs no rate limit.
import { Octokit } from '@octokit/core';
import { paginateRest } from '@octokit/plugin-paginate-rest';
import { retry } from '@octokit/plugin-retry';
import { throttling } from '@octokit/plugin-throttling';
import Bottleneck from 'bottleneck';
import { GitHubApiError } from './errors.js';

export interface Logger {
  debug?: (message: string) => void;
  info?: (message: string) => void;
  warn?: (message: string) => void;
  error?: (message: string) => void;
}

export interface GitHubClientOptions {
  token: string;
  /** The REST API root, e.g. `https://api.github.com` or `$GITHUB_API_URL` (no trailing slash needed). */
  baseUrl: string;
  userAgent?: string;
  log?: Logger;
  /** Per attempt, including reading the body. Default 30 s. */
  timeoutMs?: number;
  /** Retries of one call after a server error or a rate limit. Default 3. */
  retries?: number;
  /** The longest wait for a rate limit to lift before giving up instead. Default 900 s. */
  maxRetryAfterSeconds?: number;
  /** Milliseconds per second of back-off and retry-after; tests shrink it. Default 1000. */
  backoffUnitMs?: number;
  /**
   * The least time between two writes, in milliseconds. Default WRITE_SPACING_MS between any two
   * writes, and the throttling plugin's 3 s between writes that notify people (a new issue or
   * comment). Tests that run the whole flow a hundred times against a fake on 127.0.0.1 set it to a
   * few milliseconds for both; no action input reaches it.
   */
  writeSpacingMs?: number;
}

const CountersignOctokit = Octokit.plugin(paginateRest, retry, throttling);
export type GitHubClient = InstanceType<typeof CountersignOctokit>;

const DEFAULT_USER_AGENT = 'countersign-github/0.1.0';
// 429 is left to the throttling plugin (rate limits) and plainTooManyRequests (anything else with a
// retry-after): plugin-retry would retry it on its own schedule and so ignore what GitHub asked for.
const DO_NOT_RETRY = [400, 401, 403, 404, 410, 422, 429, 451];
// Statuses whose response has no body by definition; a Response with a body there is an error.
const NULL_BODY_STATUSES = new Set([101, 204, 205, 304]);
const CACHE_LIMIT = 2000;

export function createGitHubClient(options: GitHubClientOptions): GitHubClient {
  const { token } = options;
  if (token.trim() === '') throw new Error('createGitHubClient: the token is empty');
  const scrub = redactor(token);
  const log = safeLog(options.log, scrub);
  const retries = options.retries ?? 3;
  const unit = options.backoffUnitMs ?? 1000;
  const maxWait = options.maxRetryAfterSeconds ?? 900;
  const timeoutMs = options.timeoutMs ?? 30_000;
  const octokit = new CountersignOctokit({
    auth: token,
    baseUrl: options.baseUrl.replace(/\/+$/, ''),
    userAgent: options.userAgent ?? DEFAULT_USER_AGENT,
    log,
    request: { fetch: timedFetch(timeoutMs) },
    retry: { doNotRetry: DO_NOT_RETRY, retries, retryAfterBaseValue: unit },
    throttle: {
      // A per-client id: the plugin's limiters are process-wide, keyed by id.
      id: `countersign-${process.pid}-${Math.random().toString(36).slice(2)}`,
      retryAfterBaseValue: unit,
      onRateLimit: limitHandler('rate limit exhausted', { retries, maxWait, log }),
      onSecondaryRateLimit: limitHandler('secondary rate limit', { retries, maxWait, log }),
      ...spacing(options.writeSpacingMs),
    },
  });
  octokit.hook.wrap('request', conditionalRequests(octokit, log));
  octokit.hook.wrap('request', plainTooManyRequests({ retries, maxWait, log, unit }));
  octokit.hook.wrap('request', async (request, endpoint) => {
    try {
      return await request(endpoint);
    } catch (error) {
      throw apiError(error, { scrub, timeoutMs, retries });
    }
  });
  return octokit;
}

/**
 * Writes are spaced, one at a time. GitHub asks for a second between writes when an integration
 * makes many of them; a run of Countersign makes a handful (open the request, update it, comment the
 * decision, close it), and the last two come together at the moment a deploy is waiting on them, so
 * they are spaced a quarter of a second. A burst that GitHub still finds too fast is answered with a
 * secondary rate limit, which the throttling plugin waits out.
 */
export const WRITE_SPACING_MS = 250;

/** The same limiters the plugin makes by default, with the minimum time between writes set here. */
function spacing(minTime: number | undefined): { write: Bottleneck.Group; notifications?: Bottleneck.Group } {
  if (minTime === undefined) return { write: new Bottleneck.Group({ maxConcurrent: 1, minTime: WRITE_SPACING_MS }) };
  if (!Number.isFinite(minTime) || minTime < 0)
    throw new Error(`createGitHubClient: writeSpacingMs must be 0 or more (got ${minTime})`);
  return {
    write: new Bottleneck.Group({ maxConcurrent: 1, minTime }),
    notifications: new Bottleneck.Group({ maxConcurrent: 1, minTime }),
  };
}

/** Replaces every occurrence of the token, whatever put it into a text. */
function redactor(token: string): (text: string) => string {
  return (text) => text.split(token).join('[redacted]');
}

function safeLog(log: Logger | undefined, scrub: (text: string) => string): Required<Logger> {
  const noop = (): void => undefined;
  const wrap = (write: ((message: string) => void) | undefined) =>
    write === undefined ? noop : (message: string) => write(scrub(String(message)));
  return { debug: wrap(log?.debug), info: wrap(log?.info), warn: wrap(log?.warn), error: wrap(log?.error) };
}

interface LimitContext {
  retries: number;
  maxWait: number;
  log: Required<Logger>;
}

function limitHandler(kind: string, { retries, maxWait, log }: LimitContext) {
  return (retryAfter: number, endpoint: { method: string; url: string }, _octokit: unknown, retryCount: number) => {
    const call = `${endpoint.method} ${endpoint.url}`;
    if (retryCount < retries && retryAfter <= maxWait) {
      log.warn(`GitHub ${kind} on ${call}: retrying in ${retryAfter} s (retry ${retryCount + 1} of ${retries})`);
      return true;
    }
    log.warn(`GitHub ${kind} on ${call}: giving up (wait ${retryAfter} s, ${retryCount} retries made)`);
    return false;
  };
}

/**
 * A 429 that is neither a secondary nor a primary rate limit is left alone by both plugins; GitHub
 * (and proxies in front of GHES) still say when to come back, so wait that long and try again.
 */
function plainTooManyRequests(context: LimitContext & { unit: number }): RequestHook {
  return async (request, endpoint) => {
    for (let attempt = 0; ; attempt += 1) {
      try {
        return await request(endpoint);
      } catch (error) {
        const wait = plainRetryAfter(error);
        if (wait === null || attempt >= context.retries || wait > context.maxWait) throw error;
        context.log.warn(
          `GitHub 429 on ${endpoint.method} ${endpoint.url}: retrying in ${wait} s (retry ${attempt + 1} of ${context.retries})`,
        );
        await new Promise((resolve) => setTimeout(resolve, wait * context.unit));
      }
    }
  };
}

function plainRetryAfter(error: unknown): number | null {
  const failure = error as FailedCall;
  if (failure.status !== 429 || typeof failure.message !== 'string') return null;
  if (/secondary rate limit/i.test(failure.message)) return null;
  const headers = failure.response?.headers ?? {};
  if (headers['x-ratelimit-remaining'] === '0') return null;
  const seconds = Number(headers['retry-after']);
  return Number.isFinite(seconds) && seconds >= 0 ? seconds : null;
}

/**
 * fetch with a time-out over the whole exchange. The body is read here, inside the time-out:
 * Octokit reads it later and turns a failed read into an empty body rather than an error.
 */
function timedFetch(timeoutMs: number): typeof fetch {
  return async (input, init) => {
    const timeout = AbortSignal.timeout(timeoutMs);
    const signal = init?.signal ? AbortSignal.any([init.signal, timeout]) : timeout;
    const response = await fetch(input, { ...init, signal });
    const body = NULL_BODY_STATUSES.has(response.status) ? null : await response.arrayBuffer();
    const copy = new Response(body, {
      status: response.status,
      statusText: response.statusText,
      headers: response.headers,
    });
    // Pagination of the compare API computes the next page from the response's URL.
    Object.defineProperty(copy, 'url', { value: response.url });
    return copy;
  };
}

type Endpoint = Required<Parameters<GitHubClient['request']['endpoint']['parse']>[0]>;
type Response200 = Awaited<ReturnType<GitHubClient['request']>>;
type RequestHook = (
  request: (endpoint: Endpoint) => Response200 | Promise<Response200>,
  endpoint: Endpoint,
) => Promise<Response200>;

/**
 * An ETag cache per URL: a GET repeats the last ETag in If-None-Match, and a 304 (which GitHub
 * does not count against the rate limit) is answered from the cache.
 */
function conditionalRequests(octokit: GitHubClient, log: Required<Logger>): RequestHook {
  const cache = new Map<string, { etag: string; response: Response200 }>();
  return async (request, endpoint) => {
    const parsed = octokit.request.endpoint.parse(endpoint);
    if (parsed.method !== 'GET') return request(endpoint);
    const key = `${parsed.url} ${String(parsed.headers.accept ?? '')}`;
    const cached = cache.get(key);
    if (cached !== undefined) endpoint.headers = { ...endpoint.headers, 'if-none-match': cached.etag };
    try {
      const response = await request(endpoint);
      remember(cache, key, response);
      return response;
    } catch (error) {
      if (cached === undefined || (error as { status?: unknown }).status !== 304) throw error;
      log.debug(`GET ${new URL(parsed.url).pathname}: 304, answered from the cache`);
      // A copy: callers (the paginator among them) reshape what they are given.
      return structuredClone(cached.response);
    }
  };
}

function remember(cache: Map<string, { etag: string; response: Response200 }>, key: string, response: Response200) {
  const etag = response.headers.etag;
  cache.delete(key);
  if (typeof etag !== 'string' || etag === '') return;
  if (cache.size >= CACHE_LIMIT) {
    const oldest = cache.keys().next();
    if (!oldest.done) cache.delete(oldest.value);
  }
  cache.set(key, { etag, response: structuredClone(response) });
}

interface FailedCall {
  status?: unknown;
  name?: unknown;
  message?: unknown;
  request?: { method?: unknown; url?: unknown; request?: { retryCount?: unknown } };
  response?: { headers?: Record<string, unknown> };
}

/** A GitHubApiError that says what failed and why, in words safe to print. */
function apiError(
  error: unknown,
  context: { scrub: (text: string) => string; timeoutMs: number; retries: number },
): GitHubApiError {
  const failure = (typeof error === 'object' && error !== null ? error : {}) as FailedCall;
  const status = typeof failure.status === 'number' && failure.status > 0 ? failure.status : null;
  const headers = failure.response?.headers ?? {};
  const method = typeof failure.request?.method === 'string' ? failure.request.method : 'request';
  const path = typeof failure.request?.url === 'string' ? pathOf(failure.request.url) : '';
  const retried = Number(failure.request?.request?.retryCount ?? 0);
  const answered = failure.response !== undefined;
  const reason = describe(failure, headers, context.timeoutMs, answered);
  const after = retried > 0 ? ` (after ${retried} ${retried === 1 ? 'retry' : 'retries'})` : '';
  const code = status !== null && answered ? ` ${status}` : '';
  const message = `GitHub API ${method} ${path} failed${code}: ${reason}${after}`;
  const header = (name: string) => (typeof headers[name] === 'string' ? headers[name] : null);
  return new GitHubApiError(context.scrub(message), {
    status: answered ? status : null,
    requestId: header('x-github-request-id'),
    acceptedPermissions: header('x-accepted-github-permissions'),
  });
}

function describe(failure: FailedCall, headers: Record<string, unknown>, timeoutMs: number, answered: boolean): string {
  const text = typeof failure.message === 'string' ? failure.message : 'unknown error';
  if (!answered) {
    if (/timeout|timed out/i.test(text) || failure.name === 'TimeoutError')
      return `no answer within ${timeoutMs / 1000} s`;
    return `no answer (${text})`;
  }
  if (failure.status === 401) return `${text}; the token is invalid, expired or lacks access`;
  if (/secondary rate limit/i.test(text)) return `secondary rate limit: ${text}`;
  if (headers['x-ratelimit-remaining'] === '0') {
    const reset = Number(headers['x-ratelimit-reset']);
    const when = Number.isFinite(reset) && reset > 0 ? `; it resets at ${new Date(reset * 1000).toISOString()}` : '';
    return `rate limit exhausted${when}`;
  }
  return text;
}

/** The path and query of a request URL, without the API root (which may itself carry secrets). */
function pathOf(url: string): string {
  try {
    const parsed = new URL(url);
    return parsed.pathname + parsed.search;
  } catch {
    return url;
  }
}
