// The Actions results service's ArtifactService, as Twirp over JSON: what @actions/artifact calls
// inside a run. Every call is scoped by the runtime token's run and job, and the server (not the
// client) applies run scoping and the name and id filters.
import type { FakeArtifact, FakeRepo, FakeWorkflowRun } from '../model.js';
import { ARTIFACT_RETENTION_DAYS, isoSeconds, sha256Digest, type FakeState } from '../state.js';
import { signedBlobUrl } from './blob.js';
import { checkRuntimeToken } from './token.js';

export const TWIRP_PREFIX = '/twirp/github.actions.results.api.v1.ArtifactService/';

/** Upload and download URLs live as long as GitHub's do, roughly. */
const UPLOAD_URL_TTL_SECONDS = 6 * 3600;
const DOWNLOAD_URL_TTL_SECONDS = 3600;

/** Characters GitHub refuses in an artefact name (the same list @actions/artifact checks). */
const FORBIDDEN_NAME_CHARACTERS = ['"', ':', '<', '>', '|', '*', '?', '\r', '\n', '\\', '/'];

export type TwirpCode =
  | 'invalid_argument'
  | 'malformed'
  | 'unauthenticated'
  | 'permission_denied'
  | 'not_found'
  | 'already_exists'
  | 'failed_precondition'
  | 'bad_route'
  | 'internal'
  | 'unavailable'
  | 'resource_exhausted';

const HTTP_STATUS: Record<TwirpCode, number> = {
  invalid_argument: 400,
  malformed: 400,
  unauthenticated: 401,
  permission_denied: 403,
  not_found: 404,
  bad_route: 404,
  already_exists: 409,
  failed_precondition: 412,
  resource_exhausted: 429,
  internal: 500,
  unavailable: 503,
};

export class TwirpError extends Error {
  constructor(
    readonly code: TwirpCode,
    readonly msg: string,
  ) {
    super(msg);
  }
}

export interface TwirpReply {
  status: number;
  body: Record<string, unknown>;
}

export interface TwirpRequest {
  state: FakeState;
  method: string;
  pathname: string;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
  /** The fake's own base URL, for the signed blob URLs it hands out. */
  baseUrl: string;
}

export function isTwirpPath(pathname: string): boolean {
  return pathname.startsWith('/twirp/');
}

export function twirpError(code: TwirpCode, msg: string): TwirpReply {
  return { status: HTTP_STATUS[code], body: { code, msg } };
}

export function handleTwirp(req: TwirpRequest): TwirpReply {
  try {
    return { status: 200, body: dispatch(req) };
  } catch (error) {
    if (error instanceof TwirpError) return twirpError(error.code, error.msg);
    throw error;
  }
}

interface Call {
  state: FakeState;
  baseUrl: string;
  repo: FakeRepo;
  run: FakeWorkflowRun;
  body: Record<string, unknown>;
}

const METHODS: Record<string, (call: Call) => Record<string, unknown>> = {
  CreateArtifact: createArtifact,
  FinalizeArtifact: finalizeArtifact,
  ListArtifacts: listArtifacts,
  GetSignedArtifactURL: getSignedArtifactUrl,
  DeleteArtifact: deleteArtifact,
};

function dispatch(req: TwirpRequest): Record<string, unknown> {
  const method = req.pathname.startsWith(TWIRP_PREFIX) ? METHODS[req.pathname.slice(TWIRP_PREFIX.length)] : undefined;
  if (req.method !== 'POST' || !method) {
    throw new TwirpError('bad_route', `no handler for path "${req.pathname}"`);
  }
  if (!/^application\/json\b/.test(String(req.headers['content-type'] ?? ''))) {
    throw new TwirpError('bad_route', 'unexpected Content-Type; this fake speaks Twirp JSON only');
  }
  const token = checkRuntimeToken(req.state.secret, headerText(req.headers['authorization']), req.state.clock());
  if (!token.ok) throw new TwirpError('unauthenticated', token.reason);
  let body: unknown;
  try {
    body = JSON.parse(req.body.toString('utf8'));
  } catch {
    throw new TwirpError('malformed', 'the request body is not valid JSON');
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new TwirpError('malformed', 'the request body is not a JSON object');
  }
  const fields = body as Record<string, unknown>;
  const runId = text(fields, 'workflow_run_backend_id');
  const jobId = text(fields, 'workflow_job_run_backend_id');
  if (runId !== token.scope.runBackendId || jobId !== token.scope.jobBackendId) {
    throw new TwirpError('permission_denied', 'the runtime token does not grant access to this workflow run');
  }
  const found = req.state.findRunByBackendId(runId);
  if (!found) throw new TwirpError('not_found', 'workflow run not found');
  return method({ state: req.state, baseUrl: req.baseUrl, repo: found.repo, run: found.run, body: fields });
}

function createArtifact({ state, baseUrl, repo, run, body }: Call): Record<string, unknown> {
  const name = validName(text(body, 'name'));
  if (live(state, repo, run).some((a) => a.name === name)) {
    throw new TwirpError('already_exists', 'an artifact with this name already exists on the workflow run');
  }
  // An unfinished upload of the same name (a retried step) is replaced, not doubled.
  repo.artifacts = repo.artifacts.filter((a) => a.finalized || a.run_id !== run.id || a.name !== name);
  const created = state.now();
  const requestedExpiry = text(body, 'expires_at');
  let expires = isoSeconds(Date.parse(created) + ARTIFACT_RETENTION_DAYS * 86_400_000);
  if (requestedExpiry !== undefined) {
    const ms = Date.parse(requestedExpiry);
    if (Number.isNaN(ms) || ms <= state.clock()) {
      throw new TwirpError('invalid_argument', `expires_at ${JSON.stringify(requestedExpiry)} is not a future time`);
    }
    expires = isoSeconds(ms);
  }
  const artifact: FakeArtifact = {
    id: state.nextId(),
    name,
    run_id: run.id,
    size_in_bytes: 0,
    digest: null,
    content_type: text(body, 'mime_type') ?? 'application/zip',
    bytes: null,
    blocks: {},
    finalized: false,
    created_at: created,
    updated_at: created,
    expires_at: expires,
  };
  repo.artifacts.push(artifact);
  return { ok: true, signed_upload_url: signedBlobUrl(state, baseUrl, run, artifact, 'cw', UPLOAD_URL_TTL_SECONDS) };
}

function finalizeArtifact({ state, repo, run, body }: Call): Record<string, unknown> {
  const name = text(body, 'name') ?? '';
  const artifact = repo.artifacts.find((a) => !a.finalized && a.run_id === run.id && a.name === name);
  if (!artifact) throw new TwirpError('not_found', `no upload in progress for artifact ${JSON.stringify(name)}`);
  if (!artifact.bytes) throw new TwirpError('failed_precondition', 'no blob has been committed for this artifact');
  const size = text(body, 'size');
  if (size !== undefined && Number(size) !== artifact.bytes.length) {
    throw new TwirpError('invalid_argument', `size ${size} does not match the ${artifact.bytes.length} bytes uploaded`);
  }
  const digest = sha256Digest(artifact.bytes);
  const hash = text(body, 'hash');
  if (hash !== undefined && hash !== digest) {
    throw new TwirpError('invalid_argument', `hash ${hash} does not match the uploaded content (${digest})`);
  }
  artifact.finalized = true;
  artifact.size_in_bytes = artifact.bytes.length;
  artifact.digest = digest;
  artifact.updated_at = state.now();
  return { ok: true, artifact_id: String(artifact.id) };
}

function listArtifacts({ state, repo, run, body }: Call): Record<string, unknown> {
  const nameFilter = text(body, 'name_filter');
  const idFilter = text(body, 'id_filter');
  const artifacts = live(state, repo, run)
    .filter((a) => nameFilter === undefined || a.name === nameFilter)
    .filter((a) => idFilter === undefined || String(a.id) === idFilter)
    .map((a) => ({
      workflow_run_backend_id: run.backend_id,
      workflow_job_run_backend_id: run.job_backend_id,
      database_id: String(a.id),
      name: a.name,
      size: String(a.size_in_bytes),
      created_at: a.created_at,
      ...(a.digest === null ? {} : { digest: a.digest }),
    }));
  return { artifacts };
}

function getSignedArtifactUrl({ state, baseUrl, repo, run, body }: Call): Record<string, unknown> {
  const artifact = newestNamed(state, repo, run, text(body, 'name'));
  return { signed_url: signedBlobUrl(state, baseUrl, run, artifact, 'r', DOWNLOAD_URL_TTL_SECONDS) };
}

function deleteArtifact({ state, repo, run, body }: Call): Record<string, unknown> {
  const artifact = newestNamed(state, repo, run, text(body, 'name'));
  repo.artifacts = repo.artifacts.filter((a) => a !== artifact);
  return { ok: true, artifact_id: String(artifact.id) };
}

/** Finished, unexpired artefacts of the run, oldest first. */
function live(state: FakeState, repo: FakeRepo, run: FakeWorkflowRun): FakeArtifact[] {
  return repo.artifacts.filter((a) => a.finalized && a.run_id === run.id && !state.expired(a));
}

function newestNamed(state: FakeState, repo: FakeRepo, run: FakeWorkflowRun, name: string | undefined): FakeArtifact {
  const matches = live(state, repo, run).filter((a) => a.name === name);
  const newest = matches.sort((a, b) => b.id - a.id)[0];
  if (!newest) throw new TwirpError('not_found', `artifact ${JSON.stringify(name ?? '')} not found`);
  return newest;
}

export function invalidArtifactName(name: string): string | undefined {
  if (name === '') return 'the artifact name is empty';
  const bad = FORBIDDEN_NAME_CHARACTERS.filter((c) => name.includes(c));
  if (bad.length === 0) return undefined;
  return `the artifact name ${JSON.stringify(name)} contains forbidden characters: ${bad.map((c) => JSON.stringify(c)).join(', ')}`;
}

function validName(name: string | undefined): string {
  const problem = invalidArtifactName(name ?? '');
  if (problem !== undefined) throw new TwirpError('invalid_argument', problem);
  return name ?? '';
}

/**
 * A proto3 JSON field: the proto (snake_case) name or its lowerCamelCase JSON name; int64 and wrapper
 * values arrive as strings or numbers.
 */
function text(body: Record<string, unknown>, protoName: string): string | undefined {
  const camel = protoName.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());
  const value = body[protoName] ?? body[camel];
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  throw new TwirpError('malformed', `field ${protoName} has the wrong type`);
}

function headerText(value: string | string[] | undefined): string | undefined {
  return typeof value === 'string' ? value : undefined;
}
