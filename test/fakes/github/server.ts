// The HTTP side: authentication, the rate-limit budget and its headers, ETags and 304s, Link headers,
// fault injection and the request log. Routes only turn state into bodies.
import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { isArtifactServicePath, serveArtifactService } from './artifacts/serve.js';
import { DOCS, HttpError, errorBody, notFound } from './errors.js';
import type { Fault, FaultKind, FaultPlan } from './faults.js';
import { findRepo, type RateLimit, type Reply, type Router } from './router.js';
import type { FakeState, FakeToken } from './state.js';

export interface RecordedRequest {
  method: string;
  /** The path as the client sent it, without the query. */
  path: string;
  /** The OpenAPI path template that answered, when one did. */
  route: string | undefined;
  query: Record<string, string>;
  headers: {
    authorization?: string;
    accept?: string;
    'if-none-match'?: string;
    'user-agent'?: string;
    'content-type'?: string;
    'x-github-api-version'?: string;
  };
  body: unknown;
  /** 0 when the connection was reset before an answer. */
  status: number;
  /** Whether the request spent one unit of `x-ratelimit-remaining`. */
  counted: boolean;
  fault: FaultKind | undefined;
  at: number;
}

export interface ServerParts {
  state: FakeState;
  faults: FaultPlan;
  rateLimit: RateLimit;
  requests: RecordedRequest[];
  router: Router;
  latencyMs: number;
  /** Set once listening: the base URL without a trailing slash. */
  baseUrl: () => string;
}

const INTERESTING = [
  'authorization',
  'accept',
  'if-none-match',
  'user-agent',
  'content-type',
  'x-github-api-version',
] as const;
const RATE_LIMIT_DOCS = 'https://docs.github.com/rest/overview/rate-limits-for-the-rest-api';

export function createFakeServer(parts: ServerParts): { server: Server; cancelTimers: () => void } {
  const timers = new Set<NodeJS.Timeout>();
  let serial = 0;
  const delay = (ms: number) =>
    new Promise<void>((resolve) => {
      const t = setTimeout(() => {
        timers.delete(t);
        resolve();
      }, ms);
      timers.add(t);
    });

  const server = createServer((req, res) => {
    serial += 1;
    handle(parts, req, res, serial, delay).catch((error: unknown) => {
      console.error('fake GitHub: unexpected failure', error);
      if (!res.headersSent && !res.destroyed) {
        res.writeHead(500, { 'content-type': 'application/json; charset=utf-8' });
        res.end(JSON.stringify(errorBody(500, 'Server Error')));
      }
    });
  });
  server.keepAliveTimeout = 5_000;
  return {
    server,
    cancelTimers: () => {
      for (const t of timers) clearTimeout(t);
      timers.clear();
    },
  };
}

async function handle(
  parts: ServerParts,
  req: IncomingMessage,
  res: ServerResponse,
  serial: number,
  delay: (ms: number) => Promise<void>,
): Promise<void> {
  const { state, faults, rateLimit, requests, router } = parts;
  const url = new URL(req.url ?? '/', 'http://fake.invalid');
  const method = (req.method ?? 'GET').toUpperCase();
  const bytes = await readBody(req);
  const rawBody = bytes.toString('utf8');
  const headers: RecordedRequest['headers'] = {};
  for (const name of INTERESTING) {
    const value = req.headers[name];
    if (typeof value === 'string') headers[name] = value;
  }
  const record: RecordedRequest = {
    method,
    path: url.pathname,
    route: undefined,
    query: Object.fromEntries(url.searchParams),
    headers,
    body: undefined,
    status: 0,
    counted: false,
    fault: undefined,
    at: Date.now(),
  };
  requests.push(record);
  const requestId = `${serial.toString(16).toUpperCase().padStart(4, '0')}:FAKE:${(serial * 7919).toString(16).toUpperCase()}`;

  if (isArtifactServicePath(url.pathname)) {
    return serveArtifactService({
      state,
      faults,
      latencyMs: parts.latencyMs,
      baseUrl: parts.baseUrl(),
      req,
      res,
      url,
      method,
      body: bytes,
      record,
      requestId,
      delay,
    });
  }

  const send = (status: number, body: unknown, extra: Record<string, string> = {}, budget?: Partial<RateLimit>) => {
    if (res.destroyed) return;
    record.status = status;
    refill(rateLimit);
    const limits = { ...rateLimit, ...budget };
    const out: Record<string, string> = {
      'x-ratelimit-limit': String(limits.limit),
      'x-ratelimit-remaining': String(limits.remaining),
      'x-ratelimit-used': String(limits.used),
      'x-ratelimit-reset': String(limits.reset),
      'x-ratelimit-resource': 'core',
      'x-github-request-id': requestId,
      'x-github-api-version-selected': '2022-11-28',
      'x-github-media-type': 'github.v3; format=json',
      vary: 'Accept, Authorization, Cookie, X-GitHub-OTP',
      ...extra,
    };
    if (status === 304 || body === undefined) {
      res.writeHead(status, out);
      res.end();
      return;
    }
    const text = typeof body === 'string' && out['content-type'] !== undefined ? body : JSON.stringify(body);
    out['content-type'] ??= 'application/json; charset=utf-8';
    out['content-length'] = String(Buffer.byteLength(text));
    res.writeHead(status, out);
    res.end(text);
  };

  // GitHub serves `/repositories/{id}/...` (the form its Link headers use) as the owner/name path.
  let pathname = url.pathname;
  const byId = /^\/repositories\/(\d+)(\/.*)?$/.exec(pathname);
  if (byId) {
    const repo = Object.values(state.repos).find((r) => r.id === Number(byId[1]));
    if (repo) pathname = `/repos/${repo.owner}/${repo.name}${byId[2] ?? ''}`;
  }
  const matched = router.match(method, pathname);
  record.route = matched?.route.path;
  const free = matched?.route.path === '/rate_limit';

  // Routed first so that faulted requests, too, say which endpoint they were for.
  const fault = faults.take(method, url.pathname + url.search);
  if (fault) {
    record.fault = fault.kind;
    if (fault.kind === 'connection-reset') {
      req.socket.destroy();
      return;
    }
    if (fault.kind === 'slow') await delay(fault.delayMs ?? faults.slowMs);
    else return sendFault(fault, faults, rateLimit, requestId, send);
  }
  if (parts.latencyMs > 0) await delay(parts.latencyMs);

  const viewer = authenticate(state, req.headers.authorization);
  if (viewer === 'missing') return send(401, errorBody(401, 'Requires authentication'));
  if (viewer === 'bad') return send(401, errorBody(401, 'Bad credentials'));

  refill(rateLimit);
  if (!free && rateLimit.remaining <= 0) {
    return send(
      403,
      errorBody(
        403,
        `API rate limit exceeded for user ID ${state.ensureUser(viewer.login).id}. If you reach out to GitHub Support for help, please include the request ID ${requestId}.`,
        `${RATE_LIMIT_DOCS}#about-primary-rate-limits`,
      ),
    );
  }

  const spend = () => {
    if (free) return;
    rateLimit.remaining = Math.max(0, rateLimit.remaining - 1);
    rateLimit.used += 1;
    record.counted = true;
  };

  let body: unknown;
  if (rawBody.length > 0) {
    try {
      body = JSON.parse(rawBody) as unknown;
      record.body = body;
    } catch {
      spend();
      return send(400, errorBody(400, 'Problems parsing JSON'));
    }
  }

  if (!matched) {
    spend();
    const e = notFound(DOCS);
    return send(e.status, e.body);
  }

  const { route, params } = matched;
  const repoMatch = /^\/repos\/([^/]+)\/([^/]+)(\/.*)?$/.exec(pathname);
  const repoForLink = repoMatch
    ? findRepo(state, decodeSafe(repoMatch[1] ?? ''), decodeSafe(repoMatch[2] ?? ''))
    : undefined;
  const api = parts.baseUrl();
  const linkBase =
    repoMatch && repoForLink ? `${api}/repositories/${repoForLink.id}${repoMatch[3] ?? ''}` : `${api}${pathname}`;

  let reply: Reply;
  try {
    reply = route.handle({
      state,
      api,
      params,
      query: url.searchParams,
      body,
      headers: req.headers,
      viewer,
      rateLimit,
      linkBase,
      docs: route.docs,
      repo: () => {
        const r = findRepo(state, params['owner'] ?? '', params['repo'] ?? '');
        if (!r) throw notFound(route.docs);
        return r;
      },
    });
  } catch (error) {
    if (!(error instanceof HttpError)) throw error;
    spend();
    return send(error.status, error.body, error.headers);
  }

  const status = reply.status ?? 200;
  const extra: Record<string, string> = { ...reply.headers };
  if (reply.link !== undefined) extra['link'] = reply.link;
  const payload = reply.raw ? reply.raw.text : reply.body;
  if (reply.raw) extra['content-type'] = reply.raw.contentType;
  if (method === 'GET' && status === 200) {
    const etag = `W/"${createHash('sha256')
      .update(extra['content-type'] ?? '')
      .update(JSON.stringify(payload))
      .digest('hex')}"`;
    extra['etag'] = etag;
    extra['cache-control'] = 'private, max-age=60, s-maxage=60';
    // A conditional request answered 304 costs nothing against the primary rate limit.
    if (etagMatches(req.headers['if-none-match'], etag)) return send(304, undefined, extra);
  }
  spend();
  send(status, payload, extra);
}

function sendFault(
  fault: Fault,
  faults: FaultPlan,
  rateLimit: RateLimit,
  requestId: string,
  send: (status: number, body: unknown, extra?: Record<string, string>, budget?: Partial<RateLimit>) => void,
): void {
  const retryAfter = fault.retryAfter ?? faults.retryAfterSeconds;
  switch (fault.kind) {
    case 'server-error':
      return send(500, errorBody(500, 'Server Error'));
    case 'bad-gateway':
      return send(502, errorBody(502, 'Server Error'));
    case 'service-unavailable':
      return send(503, { message: 'Service Unavailable', documentation_url: DOCS, code: 'unavailable' });
    case 'secondary-rate-limit':
      return send(
        fault.status ?? 403,
        errorBody(
          fault.status ?? 403,
          `You have exceeded a secondary rate limit. Please wait a few minutes before you try again. If you reach out to GitHub Support for help, please include the request ID ${requestId}.`,
          `${RATE_LIMIT_DOCS}#about-secondary-rate-limits`,
        ),
        { 'retry-after': String(retryAfter) },
      );
    case 'primary-rate-limit': {
      const reset = Math.ceil(Date.now() / 1000) + retryAfter;
      return send(
        fault.status ?? 403,
        errorBody(
          fault.status ?? 403,
          `API rate limit exceeded for installation. If you reach out to GitHub Support for help, please include the request ID ${requestId}.`,
          `${RATE_LIMIT_DOCS}#about-primary-rate-limits`,
        ),
        {},
        { remaining: 0, used: rateLimit.limit, reset },
      );
    }
    case 'too-many-requests':
      return send(429, errorBody(429, 'Too Many Requests'), { 'retry-after': String(retryAfter) });
    case 'connection-reset':
    case 'slow':
      throw new Error(`fault ${fault.kind} is not an answer`);
  }
}

function authenticate(state: FakeState, header: string | undefined): FakeToken | 'missing' | 'bad' {
  if (header === undefined || header.trim() === '') return 'missing';
  const m = /^(?:token|bearer)\s+(\S+)\s*$/i.exec(header);
  if (!m?.[1]) return 'bad';
  return state.tokens[m[1]] ?? state.anyToken ?? 'bad';
}

/** A new hour's budget once the reset time has passed, as GitHub's window does. */
function refill(rateLimit: RateLimit): void {
  const now = Math.floor(Date.now() / 1000);
  if (now < rateLimit.reset) return;
  rateLimit.remaining = rateLimit.limit;
  rateLimit.used = 0;
  rateLimit.reset = now + 3600;
}

/** If-None-Match compares weakly and may list several tags, or `*`. */
function etagMatches(header: string | string[] | undefined, etag: string): boolean {
  if (header === undefined) return false;
  const strip = (t: string) => t.trim().replace(/^W\//, '');
  const wanted = strip(etag);
  return String(header)
    .split(',')
    .some((t) => t.trim() === '*' || strip(t) === wanted);
}

function decodeSafe(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}
