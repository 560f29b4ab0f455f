// The blob store behind artefacts, spoken as Azure Blob Storage speaks it to @azure/storage-blob:
// Put Block, Put Block List (blocks joined in list order) and Get Blob, on URLs signed like a SAS.
// Paths are /blob/<account>/<container>/<blob>: with an IP host the SDK reads the first segment as
// the account, and fails before any request when a container and blob do not follow it.
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { FakeArtifact, FakeRepo, FakeWorkflowRun } from '../model.js';
import type { FakeState } from '../state.js';

export const BLOB_ACCOUNT = 'actionsresults';
const SERVICE_VERSION = '2026-04-06';

export type BlobPermission = 'r' | 'cw';

export interface BlobReply {
  status: number;
  headers: Record<string, string>;
  body?: Buffer | string;
}

export interface BlobRequest {
  state: FakeState;
  method: string;
  url: URL;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
  requestId: string;
}

export function blobPath(run: FakeWorkflowRun, artifact: FakeArtifact): string {
  return `/blob/${BLOB_ACCOUNT}/${run.backend_id}/${artifact.id}`;
}

/** A URL that works without any token for `ttlSeconds`, for reading (`r`) or writing (`cw`). */
export function signedBlobUrl(
  state: FakeState,
  base: string,
  run: FakeWorkflowRun,
  artifact: FakeArtifact,
  permission: BlobPermission,
  ttlSeconds: number,
): string {
  const path = blobPath(run, artifact);
  const expiry = new Date(state.clock() + ttlSeconds * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
  const query = new URLSearchParams({ sv: SERVICE_VERSION, sr: 'b', sp: permission, se: expiry });
  query.set('sig', signature(state.secret, path, permission, expiry));
  return `${base}${path}?${query.toString()}`;
}

export function isBlobPath(pathname: string): boolean {
  return pathname.startsWith('/blob/');
}

export function handleBlob(req: BlobRequest): BlobReply {
  const { state, url } = req;
  const q = url.searchParams;
  const permission = q.get('sp') ?? '';
  const expiry = q.get('se') ?? '';
  const given = q.get('sig');
  if (given === null || !sameText(given, signature(state.secret, url.pathname, permission, expiry))) {
    return azureError(req, 403, 'AuthenticationFailed', 'Server failed to authenticate the request.');
  }
  if (!(Date.parse(expiry) > state.clock())) {
    return azureError(req, 403, 'AuthenticationFailed', 'Signed expiry time has passed.');
  }
  const found = findBlob(state, url.pathname);
  const writing = req.method === 'PUT';
  if (writing ? !permission.includes('w') : !permission.includes('r')) {
    return azureError(
      req,
      403,
      'AuthorizationPermissionMismatch',
      'This request is not authorized to perform this operation using this permission.',
    );
  }
  if (!found) return azureError(req, 404, 'BlobNotFound', 'The specified blob does not exist.');
  const { artifact } = found;
  if (req.method === 'GET') return getBlob(req, artifact);
  if (req.method !== 'PUT')
    return azureError(req, 400, 'UnsupportedHttpVerb', 'The resource does not support the verb.');
  if (artifact.finalized) {
    return azureError(req, 409, 'BlobImmutable', 'The artifact is finalized and its blob can no longer change.');
  }
  switch (q.get('comp')) {
    case 'block':
      return putBlock(req, artifact);
    case 'blocklist':
      return putBlockList(req, artifact);
    case null:
      commit(state, artifact, req.body, header(req, 'x-ms-blob-content-type'));
      return created(req, artifact);
    default:
      return azureError(req, 400, 'InvalidQueryParameterValue', 'Value for one of the query parameters is not valid.');
  }
}

function putBlock(req: BlobRequest, artifact: FakeArtifact): BlobReply {
  const id = req.url.searchParams.get('blockid');
  if (!id) return azureError(req, 400, 'InvalidQueryParameterValue', 'The block id is missing.');
  artifact.blocks[id] = req.body;
  return { status: 201, headers: { ...common(req), 'x-ms-request-server-encrypted': 'true' } };
}

function putBlockList(req: BlobRequest, artifact: FakeArtifact): BlobReply {
  const xml = req.body.toString('utf8');
  const ids = [...xml.matchAll(/<(Latest|Uncommitted|Committed)>([^<]*)<\/\1>/g)].map((m) => m[2] ?? '');
  const parts: Buffer[] = [];
  for (const id of ids) {
    const block = artifact.blocks[id];
    if (!block) return azureError(req, 400, 'InvalidBlockList', 'The specified block list is invalid.');
    parts.push(block);
  }
  commit(req.state, artifact, Buffer.concat(parts), header(req, 'x-ms-blob-content-type'));
  return created(req, artifact);
}

function getBlob(req: BlobRequest, artifact: FakeArtifact): BlobReply {
  if (!artifact.finalized || !artifact.bytes) {
    return azureError(req, 404, 'BlobNotFound', 'The specified blob does not exist.');
  }
  return {
    status: 200,
    headers: {
      ...common(req),
      ...etagHeaders(artifact),
      'content-type': artifact.content_type,
      'content-length': String(artifact.bytes.length),
      'content-disposition': contentDisposition(artifact),
      'x-ms-blob-type': 'BlockBlob',
    },
    body: artifact.bytes,
  };
}

function commit(state: FakeState, artifact: FakeArtifact, bytes: Buffer, contentType: string | undefined): void {
  artifact.bytes = bytes;
  artifact.blocks = {};
  artifact.content_type = contentType ?? 'application/octet-stream';
  artifact.updated_at = state.now();
}

function created(req: BlobRequest, artifact: FakeArtifact): BlobReply {
  return {
    status: 201,
    headers: { ...common(req), ...etagHeaders(artifact), 'x-ms-request-server-encrypted': 'true' },
  };
}

/** The download keeps its name: `<name>.zip` for a zip, the name itself for a raw (skipArchive) file. */
function contentDisposition(artifact: FakeArtifact): string {
  const zip = /zip/.test(artifact.content_type) && !artifact.name.toLowerCase().endsWith('.zip');
  const filename = zip ? `${artifact.name}.zip` : artifact.name;
  const ascii = filename.replace(/[^\x20-\x7e]|["\\]/g, '_');
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(filename)}`;
}

function findBlob(state: FakeState, pathname: string): { repo: FakeRepo; artifact: FakeArtifact } | undefined {
  const m = /^\/blob\/[^/]+\/([^/]+)\/(\d+)$/.exec(pathname);
  if (!m?.[1]) return undefined;
  const found = state.findRunByBackendId(m[1]);
  const artifact = found?.repo.artifacts.find((a) => a.id === Number(m[2]) && a.run_id === found.run.id);
  return found && artifact ? { repo: found.repo, artifact } : undefined;
}

function etagHeaders(artifact: FakeArtifact): Record<string, string> {
  const hash = createHash('md5')
    .update(artifact.bytes ?? Buffer.alloc(0))
    .digest('hex')
    .slice(0, 16);
  return { etag: `"0x${hash.toUpperCase()}"`, 'last-modified': new Date(artifact.updated_at).toUTCString() };
}

function common(req: Pick<BlobRequest, 'state' | 'headers' | 'requestId'>): Record<string, string> {
  const headers: Record<string, string> = {
    'x-ms-request-id': req.requestId,
    'x-ms-version': SERVICE_VERSION,
    date: new Date(req.state.clock()).toUTCString(),
  };
  const clientId = header(req, 'x-ms-client-request-id');
  if (clientId !== undefined) headers['x-ms-client-request-id'] = clientId;
  return headers;
}

export function azureError(
  req: Pick<BlobRequest, 'state' | 'headers' | 'requestId'>,
  status: number,
  code: string,
  message: string,
): BlobReply {
  const time = new Date(req.state.clock()).toISOString();
  const body = `\ufeff<?xml version="1.0" encoding="utf-8"?><Error><Code>${code}</Code><Message>${message}\nRequestId:${req.requestId}\nTime:${time}</Message></Error>`;
  return {
    status,
    headers: {
      ...common(req),
      'content-type': 'application/xml',
      'x-ms-error-code': code,
    },
    body,
  };
}

function header(req: Pick<BlobRequest, 'headers'>, name: string): string | undefined {
  const value = req.headers[name];
  return typeof value === 'string' ? value : undefined;
}

function signature(secret: Buffer, path: string, permission: string, expiry: string): string {
  return createHmac('sha256', secret).update(`${path}\n${permission}\n${expiry}`).digest('base64url');
}

function sameText(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}
