// Serves the artefact service (Twirp results API and blob store) on the fake's port: its own auth
// (runtime token, signed URLs), its own error shapes, no REST rate limit, and faults only on request.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FaultKind, FaultPlan } from '../faults.js';
import type { RecordedRequest } from '../server.js';
import type { FakeState } from '../state.js';
import { azureError, handleBlob, isBlobPath, type BlobReply } from './blob.js';
import { handleTwirp, isTwirpPath, twirpError, type TwirpCode } from './twirp.js';

export const BLOB_ROUTE = '/blob/{account}/{container}/{blob}';

export interface ServiceRequest {
  state: FakeState;
  faults: FaultPlan;
  latencyMs: number;
  baseUrl: string;
  req: IncomingMessage;
  res: ServerResponse;
  url: URL;
  method: string;
  body: Buffer;
  record: RecordedRequest;
  requestId: string;
  delay: (ms: number) => Promise<void>;
}

export function isArtifactServicePath(pathname: string): boolean {
  return isTwirpPath(pathname) || isBlobPath(pathname);
}

export async function serveArtifactService(s: ServiceRequest): Promise<void> {
  const twirp = isTwirpPath(s.url.pathname);
  s.record.route = twirp ? s.url.pathname : BLOB_ROUTE;
  if (twirp) s.record.body = parseJson(s.body);

  const fault = s.faults.take(s.method, s.url.pathname + s.url.search, { artifactService: true });
  if (fault) {
    s.record.fault = fault.kind;
    if (fault.kind === 'connection-reset') {
      s.req.socket.destroy();
      return;
    }
    if (fault.kind === 'slow') await s.delay(fault.delayMs ?? s.faults.slowMs);
    else return write(s, twirp ? twirpFault(fault.kind) : blobFault(s, fault.kind));
  }
  if (s.latencyMs > 0) await s.delay(s.latencyMs);

  if (twirp) {
    const reply = handleTwirp({
      state: s.state,
      method: s.method,
      pathname: s.url.pathname,
      headers: s.req.headers,
      body: s.body,
      baseUrl: s.baseUrl,
    });
    return write(s, { status: reply.status, headers: {}, body: JSON.stringify(reply.body) }, 'application/json');
  }
  write(
    s,
    handleBlob({
      state: s.state,
      method: s.method,
      url: s.url,
      headers: s.req.headers,
      body: s.body,
      requestId: s.requestId,
    }),
  );
}

function write(s: ServiceRequest, reply: BlobReply, contentType?: string): void {
  if (s.res.destroyed) return;
  s.record.status = reply.status;
  const headers: Record<string, string> = { ...reply.headers };
  if (contentType !== undefined) headers['content-type'] = contentType;
  const body = reply.body ?? '';
  headers['content-length'] ??= String(Buffer.byteLength(body));
  s.res.writeHead(reply.status, headers);
  s.res.end(s.method === 'HEAD' ? undefined : body);
}

function twirpFault(kind: FaultKind): BlobReply {
  const [code, msg]: [TwirpCode, string] =
    kind === 'server-error' || kind === 'bad-gateway'
      ? ['internal', 'internal error']
      : kind === 'service-unavailable'
        ? ['unavailable', 'service unavailable']
        : ['resource_exhausted', 'too many requests'];
  const reply = twirpError(code, msg);
  const status = kind === 'bad-gateway' ? 502 : reply.status;
  return { status, headers: { 'content-type': 'application/json' }, body: JSON.stringify(reply.body) };
}

/** Azure throttles with 503 ServerBusy rather than 429. */
function blobFault(s: ServiceRequest, kind: FaultKind): BlobReply {
  const context = { state: s.state, headers: s.req.headers, requestId: s.requestId };
  if (kind === 'server-error')
    return azureError(context, 500, 'InternalError', 'The server encountered an internal error.');
  if (kind === 'bad-gateway') return azureError(context, 502, 'InternalError', 'Bad gateway.');
  return azureError(context, 503, 'ServerBusy', 'The server is currently unable to receive requests.');
}

function parseJson(body: Buffer): unknown {
  try {
    return JSON.parse(body.toString('utf8')) as unknown;
  } catch {
    return undefined;
  }
}
