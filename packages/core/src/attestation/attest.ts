// Making an attestation: the statement, signed into a DSSE envelope, appended to the artefact's
// promotion chain (each attestation names the payload digest of the one before it for the same
// artefact, so staging → production cannot be reordered or skipped unnoticed).
import { createHash } from 'node:crypto';
import { ConfigurationError } from '../errors.js';
import type { Decision } from '../sod/decide.js';
import { signEnvelope } from './dsse.js';
import type { Signer } from './signer.js';
import {
  APPROVAL_PREDICATE,
  approvalStatement,
  PAYLOAD_TYPE,
  type ApprovalPredicate,
  type RunInfo,
  type Statement,
  type Subject,
} from './statement.js';
import { parseAttestationFile } from './envelope-file.js';

export interface AttestInput {
  subjects: Subject[];
  decision: Decision;
  environment: string;
  signers: readonly Signer[];
  run: RunInfo;
  time: Date;
  /** The existing .intoto.jsonl of this artefact, if any: the new envelope is appended to it. */
  existing?: string | undefined;
}

export interface Attestation {
  /** The new envelope, one line of JSON. */
  envelope: string;
  /** The whole file to write: the existing envelopes, then the new one. */
  file: string;
  /** SHA-256 (hex) of `file`: the attestation digest. */
  digest: string;
  /** SHA-256 (hex) of the new payload; the next attestation in the chain names it. */
  payloadSha256: string;
  previous: string | null;
  statement: Statement<ApprovalPredicate>;
}

/** The newest earlier attestation naming one of these subjects' digests: the previous link. */
export function previousLink(existing: string | undefined, subjects: readonly Subject[]): string | null {
  if (existing === undefined || existing.trim() === '') return null;
  const wanted = new Set(
    subjects.flatMap((s) => Object.entries(s.digest).map(([alg, value]) => `${alg}:${value.toLowerCase()}`)),
  );
  let newest: { time: number; line: number; sha: string } | null = null;
  for (const record of parseAttestationFile(existing)) {
    const statement = record.statement;
    // Only approvals form the promotion chain; a rollback record in the same file is not a link.
    if (statement === null || statement.predicateType !== APPROVAL_PREDICATE) continue;
    const names = statement.subject.some((s) =>
      Object.entries(s.digest).some(([alg, value]) => wanted.has(`${alg}:${String(value).toLowerCase()}`)),
    );
    if (!names) continue;
    const time = Date.parse(statement.predicate.time ?? '') || 0;
    if (newest === null || time > newest.time || (time === newest.time && record.line > newest.line)) {
      newest = { time, line: record.line, sha: record.payloadSha256 };
    }
  }
  return newest?.sha ?? null;
}

/**
 * The environment evidence is signed for: the decision's own, as its environment set the decision's
 * minimum risk. A decision made without one, or another environment given (`given`, named by
 * `option` and `decisionSource` in the message), is refused. Names compare as GitHub's do, without case.
 */
export function attestationEnvironment(
  decision: Decision,
  given: string | null | undefined,
  option: string,
  decisionSource: string,
): string {
  if (!decision.environment)
    throw new ConfigurationError({
      message: `${decisionSource} was decided without an environment, so no environment's minimum risk applied; decide again for the environment`,
    });
  if (given !== null && given !== undefined && given.toLowerCase() !== decision.environment.toLowerCase())
    throw new ConfigurationError({
      message: `${option} ${given} differs from the decision's environment ${decision.environment}`,
    });
  return decision.environment;
}

export async function createAttestation(input: AttestInput): Promise<Attestation> {
  const previous = previousLink(input.existing, input.subjects);
  const statement = approvalStatement(input.subjects, input.decision, {
    environment: input.environment,
    run: input.run,
    time: input.time,
    previous,
  });
  const payload = Buffer.from(JSON.stringify(statement), 'utf8');
  const envelope = JSON.stringify(await signEnvelope(PAYLOAD_TYPE, payload, input.signers));
  const before =
    input.existing === undefined || input.existing.trim() === ''
      ? ''
      : input.existing.endsWith('\n')
        ? input.existing
        : `${input.existing}\n`;
  const file = `${before}${envelope}\n`;
  return {
    envelope,
    file,
    digest: createHash('sha256').update(file).digest('hex'),
    payloadSha256: createHash('sha256').update(payload).digest('hex'),
    previous,
    statement,
  };
}
