// Signing the rollback record: an in-toto Statement with predicateType
// https://countersign.dev/rollback/v1 in the same DSSE envelope as approvals, so the same keys,
// files and tools serve both. `countersign verify` never takes it for an approval: its
// predicate-type check accepts only https://countersign.dev/deployment-approval/v1.
import { createHash } from 'node:crypto';
import { verifyEnvelope, signEnvelope, type Envelope } from '../attestation/dsse.js';
import { parseAttestationFile } from '../attestation/envelope-file.js';
import type { PublicKeyInfo } from '../attestation/keys.js';
import type { Signer } from '../attestation/signer.js';
import {
  PAYLOAD_TYPE,
  ROLLBACK_PREDICATE,
  STATEMENT_TYPE,
  type Statement,
  type Subject,
} from '../attestation/statement.js';
import { ConfigurationError } from '../errors.js';
import type { Artefact, RollbackRecord } from './types.js';

/** The signed predicate: the record, plus `time` (when it was signed) as every Countersign predicate has. */
export type RollbackPredicate = RollbackRecord & { time: string };

export interface SignedRecord {
  /** One line of JSON: append it to a .intoto.jsonl file. */
  envelope: string;
  statement: Statement<RollbackPredicate>;
  /** SHA-256 (hex) of the payload: what a later attestation names as `previous`. */
  payloadSha256: string;
}

const DIGEST = /^([A-Za-z0-9]+):([A-Za-z0-9._+/=-]+)$/;

/**
 * `sha256:HEX` (or a bare 64-hex SHA-256, or an image reference `registry/app@sha256:HEX`) → an
 * in-toto DigestSet; null when it is none of these.
 */
export function digestSet(text: string): Record<string, string> | null {
  const at = text.lastIndexOf('@');
  const trimmed = (at >= 0 ? text.slice(at + 1) : text).trim();
  if (/^[0-9a-fA-F]{64}$/.test(trimmed)) return { sha256: trimmed.toLowerCase() };
  const match = DIGEST.exec(trimmed);
  if (match === null) return null;
  return { [(match[1] as string).toLowerCase()]: (match[2] as string).toLowerCase() };
}

/** The subject: the restored artefact when there was a rollback, else the one that was watched. */
export function recordSubject(record: RollbackRecord): Subject {
  const candidates: Artefact[] = record.restored !== null ? [record.restored, record.failed] : [record.failed];
  for (const artefact of candidates) {
    if (artefact.digest === null) continue;
    const digest = digestSet(artefact.digest);
    if (digest !== null) return { name: artefact.name ?? artefact.ref ?? 'artefact', digest };
  }
  throw new ConfigurationError({
    message:
      'cannot sign the rollback record: neither the restored nor the failed artefact has a digest of the form algorithm:value (e.g. sha256:HEX)',
  });
}

export function rollbackStatement(record: RollbackRecord, time: Date): Statement<RollbackPredicate> {
  return {
    _type: STATEMENT_TYPE,
    subject: [recordSubject(record)],
    predicateType: ROLLBACK_PREDICATE,
    predicate: { ...record, time: time.toISOString() },
  };
}

export async function signRollbackRecord(
  record: RollbackRecord,
  signers: readonly Signer[],
  time: Date,
): Promise<SignedRecord> {
  const statement = rollbackStatement(record, time);
  const payload = Buffer.from(JSON.stringify(statement), 'utf8');
  const envelope: Envelope = await signEnvelope(PAYLOAD_TYPE, payload, signers);
  return {
    envelope: JSON.stringify(envelope),
    statement,
    payloadSha256: createHash('sha256').update(payload).digest('hex'),
  };
}

export interface VerifiedRecord {
  line: number;
  record: RollbackPredicate;
  subject: Subject[];
}

/** The rollback records in a .intoto.jsonl text whose signature verifies with one of the keys. */
export function verifyRollbackRecords(text: string, keys: readonly PublicKeyInfo[]): VerifiedRecord[] {
  const out: VerifiedRecord[] = [];
  for (const entry of parseAttestationFile(text)) {
    if (entry.statement === null || entry.envelope === null) continue;
    if (entry.statement.predicateType !== ROLLBACK_PREDICATE) continue;
    if (!verifyEnvelope(entry.envelope, entry.payload, keys).verified) continue;
    out.push({
      line: entry.line,
      record: entry.statement.predicate as unknown as RollbackPredicate,
      subject: entry.statement.subject,
    });
  }
  return out;
}

/** Reads a record written by `countersign rollback --record`, checking only what a re-run relies on. */
export function parseRecord(text: string, file: string): RollbackRecord {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new ConfigurationError({ file, message: `is not JSON: ${(error as Error).message.slice(0, 200)}` });
  }
  const record = value as Partial<RollbackRecord> | null;
  if (
    record === null ||
    typeof record !== 'object' ||
    record._type !== 'https://countersign.dev/rollback-record/v1' ||
    typeof record.decision !== 'object' ||
    typeof record.failed !== 'object'
  )
    throw new ConfigurationError({ file, message: 'is not a rollback record written by countersign rollback' });
  return record as RollbackRecord;
}
