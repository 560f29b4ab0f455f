// Reading a .intoto.jsonl file: one DSSE envelope per line, each opened into its in-toto
// Statement. Shared by attest (to find the previous link) and verify; it checks shape only,
// never signatures, and so needs nothing but node:crypto.
import { createHash } from 'node:crypto';
import { parseEnvelope, type Envelope } from './dsse.js';
import { PAYLOAD_TYPE, STATEMENT_TYPE, type ApprovalPredicate, type Statement } from './statement.js';

export interface EnvelopeRecord {
  line: number;
  envelope: Envelope | null;
  payload: Buffer;
  payloadSha256: string;
  statement: Statement<ApprovalPredicate> | null;
  shapeProblem: string | null;
}

const sha256 = (bytes: Buffer | string) => createHash('sha256').update(bytes).digest('hex');

function parseLine(text: string, line: number): EnvelopeRecord {
  const broken = (problem: string): EnvelopeRecord => ({
    line,
    envelope: null,
    payload: Buffer.alloc(0),
    payloadSha256: '',
    statement: null,
    shapeProblem: problem,
  });
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return broken(`line ${line} is not JSON (a truncated or corrupted file?)`);
  }
  const parsed = parseEnvelope(json);
  if (!parsed.ok) return broken(`line ${line} is not a DSSE envelope: ${parsed.problem}`);
  if (parsed.envelope.payloadType !== PAYLOAD_TYPE) {
    return {
      ...broken(`line ${line} has payloadType '${parsed.envelope.payloadType}', expected '${PAYLOAD_TYPE}'`),
      payload: parsed.payload,
    };
  }
  const record: EnvelopeRecord = {
    line,
    envelope: parsed.envelope,
    payload: parsed.payload,
    payloadSha256: sha256(parsed.payload),
    statement: null,
    shapeProblem: null,
  };
  let statement: unknown;
  try {
    statement = JSON.parse(parsed.payload.toString('utf8'));
  } catch {
    return { ...record, shapeProblem: `line ${line}: the payload is not JSON` };
  }
  const problem = statementProblem(statement);
  if (problem !== null) return { ...record, shapeProblem: `line ${line}: ${problem}` };
  return { ...record, statement: statement as Statement<ApprovalPredicate> };
}

function statementProblem(value: unknown): string | null {
  if (value === null || typeof value !== 'object') return 'the statement is not an object';
  const s = value as Record<string, unknown>;
  if (s['_type'] !== STATEMENT_TYPE) return `_type is not ${STATEMENT_TYPE}`;
  if (!Array.isArray(s['subject']) || s['subject'].length === 0) return 'the statement has no subject';
  for (const subject of s['subject'] as unknown[]) {
    const sub = subject as Record<string, unknown> | null;
    if (sub === null || typeof sub !== 'object' || typeof sub['digest'] !== 'object' || sub['digest'] === null)
      return 'a subject has no digest';
  }
  if (typeof s['predicateType'] !== 'string') return 'the statement has no predicateType';
  if (s['predicate'] === null || typeof s['predicate'] !== 'object') return 'the statement has no predicate';
  return null;
}

/** Splits a .intoto.jsonl file into its envelopes (blank lines ignored). */
export function parseAttestationFile(text: string): EnvelopeRecord[] {
  return text
    .split('\n')
    .map((line, i) => ({ line, number: i + 1 }))
    .filter(({ line }) => line.trim() !== '')
    .map(({ line, number }) => parseLine(line, number));
}
