// The last known good, from signed evidence rather than guessed: among the attestations for the
// environment whose signatures verify, the newest approved one older than the deploy that failed,
// for another artefact. Rollback records in the same files mark what went wrong before: an artefact
// that was rolled back from, or whose rollback did not come up healthy, is never "known good".
import { verifyEnvelope } from '../attestation/dsse.js';
import { parseAttestationFile, type EnvelopeRecord } from '../attestation/envelope-file.js';
import type { PublicKeyInfo } from '../attestation/keys.js';
import { APPROVAL_PREDICATE, ROLLBACK_PREDICATE, type ApprovalPredicate } from '../attestation/statement.js';
import { NoKnownGoodError, type RestoreTarget, type RollbackRecord } from './types.js';

/**
 * A digest as `algorithm:value`, lower case; a bare 64-hex value is SHA-256; an image reference
 * (`ghcr.io/org/app@sha256:HEX`, `app:1.2@sha256:HEX`) is its digest, the part after the `@`.
 */
export function normaliseDigest(text: string): string {
  const at = text.lastIndexOf('@');
  const trimmed = (at >= 0 ? text.slice(at + 1) : text).trim();
  if (/^[0-9a-fA-F]{64}$/.test(trimmed)) return `sha256:${trimmed.toLowerCase()}`;
  const match = /^([A-Za-z0-9]+):(.+)$/.exec(trimmed);
  if (match === null) return trimmed;
  return `${(match[1] as string).toLowerCase()}:${(match[2] as string).toLowerCase()}`;
}

export interface AttestationSource {
  /** Shown in the record and messages. */
  file: string;
  text: string;
}

export interface VerifiedApproval {
  file: string;
  line: number;
  payloadSha256: string;
  time: number;
  timeText: string;
  /** Normalised digests of its subjects. */
  digests: string[];
  /** The subject name of each digest, index for index. */
  subjectNames: string[];
  predicate: ApprovalPredicate;
}

export interface VerifiedRollback {
  file: string;
  line: number;
  time: number;
  record: RollbackRecord;
}

export interface AttestationIndex {
  environment: string;
  approvals: VerifiedApproval[];
  rollbacks: VerifiedRollback[];
  /** Envelopes left out, and why: said, never silently dropped. */
  skipped: string[];
}

function subjectDigests(record: EnvelopeRecord): { digests: string[]; names: string[] } {
  const digests: string[] = [];
  const names: string[] = [];
  for (const subject of record.statement?.subject ?? []) {
    // One name per digest, so the two lists line up.
    for (const [alg, value] of Object.entries(subject.digest))
      if (typeof value === 'string') {
        digests.push(normaliseDigest(`${alg}:${value}`));
        names.push(typeof subject.name === 'string' ? subject.name : '');
      }
  }
  return { digests, names };
}

/**
 * Reads every envelope, keeping those signed by one of the keys, for the environment: approved
 * deployment-approval statements and rollback records. The same checks as `countersign verify`
 * (shape, signature, predicate type, environment, decision), applied to every line at once.
 */
export function indexAttestations(
  sources: readonly AttestationSource[],
  keys: readonly PublicKeyInfo[],
  environment: string,
): AttestationIndex {
  const index: AttestationIndex = { environment, approvals: [], rollbacks: [], skipped: [] };
  const wanted = environment.toLowerCase();
  for (const source of sources) {
    for (const record of parseAttestationFile(source.text)) {
      const where = `${source.file} line ${record.line}`;
      if (record.statement === null || record.envelope === null) {
        index.skipped.push(`${where}: ${record.shapeProblem ?? 'unreadable'}`);
        continue;
      }
      if (!verifyEnvelope(record.envelope, record.payload, keys).verified) {
        index.skipped.push(`${where}: no signature verifies with the given public key(s)`);
        continue;
      }
      const statement = record.statement;
      const predicate = statement.predicate as unknown as Record<string, unknown>;
      const env = typeof predicate['environment'] === 'string' ? predicate['environment'] : '';
      if (env.toLowerCase() !== wanted) continue;
      const timeText = typeof predicate['time'] === 'string' ? predicate['time'] : '';
      const time = Date.parse(timeText);
      if (statement.predicateType === ROLLBACK_PREDICATE) {
        const rollback = predicate as unknown as RollbackRecord;
        const started = Date.parse(rollback.started_at);
        index.rollbacks.push({
          file: source.file,
          line: record.line,
          time: Number.isNaN(time) ? started : time,
          record: rollback,
        });
        continue;
      }
      if (statement.predicateType !== APPROVAL_PREDICATE) continue;
      if (Number.isNaN(time)) {
        index.skipped.push(`${where}: the attestation has no valid time`);
        continue;
      }
      const approval = predicate as unknown as ApprovalPredicate;
      if (approval.decision?.status !== 'approved') continue;
      const { digests, names } = subjectDigests(record);
      index.approvals.push({
        file: source.file,
        line: record.line,
        payloadSha256: record.payloadSha256,
        time,
        timeText,
        digests,
        subjectNames: names,
        predicate: approval,
      });
    }
  }
  return index;
}

/** The newest verified approval naming this digest, or null. */
export function deployAttestation(index: AttestationIndex, digest: string): VerifiedApproval | null {
  const wanted = normaliseDigest(digest);
  let newest: VerifiedApproval | null = null;
  for (const a of index.approvals)
    if (a.digests.includes(wanted) && (newest === null || a.time > newest.time)) newest = a;
  return newest;
}

/**
 * Whether the deployment of this digest is itself a rollback: the newest signed event for it is a
 * rollback record that restored it, not an approval.
 */
export function isRollbackDeployment(index: AttestationIndex, digest: string): VerifiedRollback | null {
  const wanted = normaliseDigest(digest);
  const approval = deployAttestation(index, wanted);
  let newest: VerifiedRollback | null = null;
  for (const r of index.rollbacks) {
    const restored = r.record.restored?.digest;
    if (restored && normaliseDigest(restored) === wanted && (newest === null || r.time > newest.time)) newest = r;
  }
  if (newest === null) return null;
  return approval === null || newest.time >= approval.time ? newest : null;
}

export interface FindKnownGoodOptions {
  /** The artefact that failed; never picked. */
  failedDigest?: string | null | undefined;
  /**
   * Only attestations older than this count. Default: the failed artefact's own attestation time;
   * when that is not found (or no failed digest is given), NoKnownGoodError, since nothing tells
   * which approvals came before the failed deploy. Give it when the deploy time is known otherwise.
   */
  before?: Date | undefined;
  now: Date;
}

/** Whether a signed rollback record says its watched artefact failed (not a healthy or degraded watch). */
function recordsFailure(record: RollbackRecord): boolean {
  return (
    (record.outcome === 'failed' || record.outcome === 'rolled-back' || record.outcome === 'rollback-failed') &&
    record.decision?.action !== 'none'
  );
}

/** Whether the artefact a rollback put back was seen unhealthy: it was deployed (exit 0) and its re-probe failed. */
function restoredWasBad(record: RollbackRecord): boolean {
  return record.outcome === 'rollback-failed' && record.command?.exit_code === 0 && record.reprobe?.status === 'failed';
}

/** Picks the restore target, or throws NoKnownGoodError saying why nothing fits. */
export function findKnownGood(index: AttestationIndex, options: FindKnownGoodOptions): RestoreTarget {
  const failed = options.failedDigest ? normaliseDigest(options.failedDigest) : null;
  const current = failed === null ? null : deployAttestation(index, failed);
  if (index.approvals.length > 0 && options.before === undefined && current === null)
    throw new NoKnownGoodError(
      failed === null
        ? 'no failed artefact was named and no cut-off time given, so the approvals older than the failed deploy cannot be told apart'
        : `the failed artefact's own approval (${failed}) was not found among the verified attestations for '${index.environment}', so nothing older can be told apart; give the deploy time as the cut-off (--failed-at) or name the target`,
    );
  const before = options.before?.getTime() ?? current?.time ?? options.now.getTime();
  // Artefacts that failed before, or whose rollback was deployed and did not come up healthy, are
  // known bad. A healthy or degraded watch says nothing bad about its artefact.
  const bad = new Set<string>();
  for (const r of index.rollbacks) {
    if (recordsFailure(r.record) && r.record.failed?.digest) bad.add(normaliseDigest(r.record.failed.digest));
    if (restoredWasBad(r.record) && r.record.restored?.digest) bad.add(normaliseDigest(r.record.restored.digest));
  }
  const candidates = index.approvals
    .filter((a) => a.time < before)
    .filter((a) => !a.digests.some((d) => d === failed || bad.has(d)))
    .sort((a, b) => b.time - a.time || b.line - a.line);
  const pick = candidates[0];
  if (pick === undefined) {
    const total = index.approvals.length;
    throw new NoKnownGoodError(
      total === 0
        ? `no verified, approved attestation for '${index.environment}' was found${index.skipped.length > 0 ? ` (${index.skipped.length} envelope(s) skipped: ${index.skipped[0]})` : ''}`
        : `none of the ${total} verified attestation(s) for '${index.environment}' is for another artefact, older than the failed deploy, and not known bad`,
    );
  }
  const digest = pick.digests.find((d) => d.startsWith('sha256:')) ?? pick.digests[0] ?? null;
  return {
    artefact: {
      digest,
      sha: pick.predicate.head ?? null,
      name: (digest === null ? undefined : pick.subjectNames[pick.digests.indexOf(digest)]) || null,
    },
    source: {
      kind: 'attestation',
      detail: `the newest verified attestation for ${index.environment} older than the failed deploy (${pick.file} line ${pick.line}, ${pick.timeText})`,
      attestation: { file: pick.file, line: pick.line, payload_sha256: pick.payloadSha256, time: pick.timeText },
    },
  };
}
