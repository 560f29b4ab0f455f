// What a GitHub deployment means to a rollback, read from GitHub's JSON: which task it ran, what it
// says it rolled back, which artefact digest its payload names, and whether its statuses show it
// worked and still stands. Pure functions; the calls live in find.ts and write.ts.
import { APPROVAL_PREDICATE, parseDigest, type Statement } from '@countersign/core';

/** The task of a deployment that puts back a known good artefact (issue 7). */
export const ROLLBACK_TASK = 'deploy:rollback';

/**
 * The fields of GitHub's deployment object read here; Octokit's typed answers fit it. GitHub's
 * description types ids as int64 (`number | bigint`); the JSON numbers are safe integers.
 */
export interface RawDeployment {
  id: number | bigint;
  sha: string;
  ref: string;
  task: string;
  environment: string;
  payload: unknown;
  created_at: string;
  transient_environment?: boolean | undefined;
}

export interface RawStatus {
  id: number | bigint;
  state: string;
  created_at: string;
}

export interface DeploymentInfo {
  id: number;
  sha: string;
  ref: string;
  task: string;
  environment: string;
  createdAt: string;
  transient: boolean;
  /** The payload as a JSON object: `{}` when unset, or when it is text that is not a JSON object. */
  payload: Record<string, unknown>;
  /** The id of the deployment this one rolled back (`payload.rollback_of`), or null. */
  rollbackOf: number | null;
  /** A rollback by task or by payload: either marks it, so that a rollback is never rolled back. */
  isRollback: boolean;
}

export function deploymentInfo(raw: RawDeployment): DeploymentInfo {
  const payload = payloadObject(raw.payload);
  const rollbackOf = deploymentId(payload['rollback_of']);
  return {
    id: Number(raw.id),
    sha: raw.sha,
    ref: raw.ref,
    task: raw.task,
    environment: raw.environment,
    createdAt: raw.created_at,
    transient: raw.transient_environment === true,
    payload,
    rollbackOf,
    isRollback: raw.task === ROLLBACK_TASK || rollbackOf !== null,
  };
}

/**
 * GitHub hands the payload back as it was given: an object, or a string (which deploy tools often
 * fill with JSON). Anything that does not come out as a JSON object carries nothing we read.
 */
export function payloadObject(payload: unknown): Record<string, unknown> {
  let value = payload;
  if (typeof value === 'string') {
    try {
      value = JSON.parse(value) as unknown;
    } catch {
      return {};
    }
  }
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

/** A deployment id as a payload may hold it: a positive integer, or its decimal text. */
function deploymentId(value: unknown): number | null {
  if (typeof value === 'number') return Number.isSafeInteger(value) && value > 0 ? value : null;
  if (typeof value === 'string' && /^[1-9][0-9]{0,15}$/.test(value)) {
    const n = Number(value);
    return Number.isSafeInteger(n) ? n : null;
  }
  return null;
}

const DIGEST_FIELDS = ['digest', 'subject_digest'] as const;

export type PayloadDigest = { digest: string } | { digest: null; problem: string | null };

/**
 * The artefact digest a deployment's payload names, as `sha256:<64 lower-case hex>`. Whoever can
 * create deployments writes the payload, so it is read strictly: every digest field present must be
 * well formed, and when both are there they must agree. Anything else is not trusted (`problem`
 * says why), and the caller looks for the digest in an attestation instead.
 */
export function payloadDigest(payload: Record<string, unknown>): PayloadDigest {
  const found = new Set<string>();
  for (const field of DIGEST_FIELDS) {
    const value = payload[field];
    if (value === undefined || value === null) continue;
    const digest = strictDigest(value);
    if (digest === null) {
      const shown = typeof value === 'string' ? JSON.stringify(value.slice(0, 80)) : `a ${typeof value}`;
      return { digest: null, problem: `payload.${field} is ${shown}, not sha256:<64 hex digits>` };
    }
    found.add(digest);
  }
  if (found.size > 1) return { digest: null, problem: 'payload.digest and payload.subject_digest disagree' };
  const [digest] = found;
  return digest === undefined ? { digest: null, problem: null } : { digest };
}

function strictDigest(value: unknown): string | null {
  if (typeof value !== 'string') return null;
  try {
    return `sha256:${parseDigest(value)}`;
  } catch {
    return null;
  }
}

export type Standing = 'good' | 'undone' | 'failed' | 'never-succeeded';

/**
 * Whether a deployment worked and still stands (`good`): its newest `success` has no `failure` or
 * `error` after it. Otherwise it was failed after succeeding (`undone`: found broken, rolled back),
 * failed without ever succeeding (`failed`), or has not finished (`never-succeeded`).
 *
 * Every other state is neutral, `inactive` above all: GitHub adds `inactive` to the earlier
 * deployments of an environment when a newer one succeeds (auto_inactive), so it means "replaced",
 * never "broken". Treating it as a failure would disqualify every deployment but the newest, and
 * the newest is the one being rolled back. An `inactive` after a `failure` does not clear the
 * failure, which is still newer than the success. A failed rollback falls under the same rule: it
 * either never succeeded or failed after it did.
 */
export function standing(statuses: readonly RawStatus[]): Standing {
  const ordered = newestFirst(statuses);
  const terminal = ordered.find((s) => s.state === 'success' || s.state === 'failure' || s.state === 'error');
  if (terminal === undefined) return 'never-succeeded';
  if (terminal.state === 'success') return 'good';
  return ordered.some((s) => s.state === 'success') ? 'undone' : 'failed';
}

/** GitHub lists newest first; sorting again keeps that true of any server that does not. */
export function newestFirst<T extends { id: number | bigint; created_at: string }>(items: readonly T[]): T[] {
  return [...items].sort((a, b) => Date.parse(b.created_at) - Date.parse(a.created_at) || Number(b.id) - Number(a.id));
}

export type AttestedDigest = { digest: string } | { digest: null; problem: string | null };

/**
 * The artefact digest that verified approval attestations record for a head sha in an environment.
 * The caller has verified the signatures; the predicate is still read defensively, since a wrong
 * match here would restore the wrong bytes. Several attestations for one head are normal (re-runs)
 * and agree; when they name different sha256 digests, none is chosen: a guess is not a known good.
 */
export function attestedDigest(statements: readonly Statement[], head: string, environment: string): AttestedDigest {
  const found = new Set<string>();
  for (const statement of statements) {
    if (statement.predicateType !== APPROVAL_PREDICATE) continue;
    const predicate = (statement.predicate ?? {}) as Record<string, unknown>;
    const decision = predicate['decision'] as Record<string, unknown> | null | undefined;
    if (typeof predicate['head'] !== 'string' || predicate['head'].toLowerCase() !== head.toLowerCase()) continue;
    if (typeof predicate['environment'] !== 'string' || !sameEnvironment(predicate['environment'], environment))
      continue;
    if (decision?.['status'] !== 'approved') continue;
    for (const subject of Array.isArray(statement.subject) ? statement.subject : []) {
      const hex: unknown = subject?.digest?.['sha256'];
      if (typeof hex === 'string' && /^[0-9a-fA-F]{64}$/.test(hex)) found.add(`sha256:${hex.toLowerCase()}`);
    }
  }
  if (found.size > 1) {
    return { digest: null, problem: `verified attestations name ${found.size} different sha256 digests` };
  }
  const [digest] = found;
  return digest === undefined ? { digest: null, problem: null } : { digest };
}

/** GitHub treats environment names without regard to case. */
export function sameEnvironment(a: string, b: string): boolean {
  return a.toLowerCase() === b.toLowerCase();
}
