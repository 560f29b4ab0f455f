// Verifying attestations before deploy (SPEC section 5, issue "Verifying"). Every check has a name
// and the first that fails is the answer, said in words; nothing but the envelope file, the
// artefact's digest and the public keys is needed (plus the policy for --policy and --chain).
import { decide } from '../sod/decide.js';
import type { Policy } from '../policy/types.js';
import { formatDuration } from '../time/duration.js';
import { verifyEnvelope } from './dsse.js';
import { parseAttestationFile, type EnvelopeRecord } from './envelope-file.js';
import type { PublicKeyInfo } from './keys.js';
import { APPROVAL_PREDICATE, type ApprovalPredicate, type Statement } from './statement.js';

export const CHECKS = [
  'shape',
  'signature',
  'subject',
  'predicate-type',
  'environment',
  'decision',
  'age',
  'policy',
  'chain',
] as const;
export type CheckName = (typeof CHECKS)[number];

export interface Check {
  name: CheckName;
  ok: boolean;
  detail: string;
}

export interface ArtefactDigest {
  /** The DigestSet key: `sha256` for a file, `dirHash` for a directory. */
  algorithm: string;
  value: string;
}

export interface VerifyOptions {
  keys: readonly PublicKeyInfo[];
  digest: ArtefactDigest;
  environment?: string | undefined;
  maxAgeMs?: number | undefined;
  now: Date;
  /** Re-decide under this policy (`--policy`); also gives the environment order for `chain`. */
  policy?: Policy | undefined;
  chain?: boolean | undefined;
  /**
   * The policy whose environments give the promotion order for `chain` when the decision is not
   * to be decided again (`policy` unset); `policy` serves for both when it is given.
   */
  chainOrder?: Policy | undefined;
}

export interface CandidateResult {
  line: number;
  checks: Check[];
  failed: Check | null;
}

export interface VerifyResult {
  verified: boolean;
  /** The check that failed on the candidate that got furthest, or null when verified. */
  failed: Check | null;
  /** Checks of the attestation that verified, or of the one that got furthest. */
  checks: Check[];
  line: number | null;
  predicate: ApprovalPredicate | null;
  /** Every attestation in the file for this artefact, with its outcome. */
  candidates: CandidateResult[];
  /** Signatures that did not verify, reported rather than silently ignored. */
  warnings: string[];
}

function namesDigest(statement: Statement, digest: ArtefactDigest): boolean {
  // Fields of an envelope not yet known to be signed are read defensively: junk is no match.
  return statement.subject.some((s) => {
    const value: unknown = s.digest[digest.algorithm];
    return typeof value === 'string' && value.toLowerCase() === digest.value.toLowerCase();
  });
}

interface Context {
  options: VerifyOptions;
  records: EnvelopeRecord[];
  warnings: string[];
}

function signatureCheck(record: EnvelopeRecord, ctx: Context): Check {
  if (record.envelope === null) return { name: 'signature', ok: false, detail: 'no envelope' };
  const result = verifyEnvelope(record.envelope, record.payload, ctx.options.keys);
  for (const check of result.checks) {
    if (check.problem !== null)
      ctx.warnings.push(
        `line ${record.line}: a signature${check.keyid ? ` (keyid hint ${check.keyid.slice(0, 16)})` : ''} does not verify: ${check.problem}`,
      );
  }
  if (!result.verified) {
    const keyids = ctx.options.keys.map((k) => k.keyid.slice(0, 16)).join(', ');
    return { name: 'signature', ok: false, detail: `no signature verifies with the given public key(s) (${keyids})` };
  }
  const by = result.checks.find((c) => c.verifiedBy !== null)?.verifiedBy ?? '';
  return { name: 'signature', ok: true, detail: `signed by key ${by}` };
}

function checksFor(record: EnvelopeRecord, ctx: Context): Check[] {
  const checks: Check[] = [];
  const { options } = ctx;
  const statement = record.statement as Statement<ApprovalPredicate>;
  const predicate = statement.predicate;
  const push = (check: Check) => {
    checks.push(check);
    return check.ok;
  };
  if (!push({ name: 'shape', ok: true, detail: `line ${record.line} is an in-toto Statement v1 in a DSSE envelope` }))
    return checks;
  if (!push(signatureCheck(record, ctx))) return checks;
  if (
    !push({
      name: 'subject',
      ok: namesDigest(statement, options.digest),
      detail: `names ${options.digest.algorithm}:${options.digest.value}`,
    })
  )
    return checks;
  const typeOk = statement.predicateType === APPROVAL_PREDICATE;
  if (
    !push({
      name: 'predicate-type',
      ok: typeOk,
      detail: typeOk
        ? APPROVAL_PREDICATE
        : `predicateType is ${statement.predicateType}, expected ${APPROVAL_PREDICATE}`,
    })
  )
    return checks;
  const env = typeof predicate.environment === 'string' ? predicate.environment : '';
  if (options.environment !== undefined) {
    const ok = env.toLowerCase() === options.environment.toLowerCase();
    if (
      !push({ name: 'environment', ok, detail: ok ? `for ${env}` : `it is for '${env}', not '${options.environment}'` })
    )
      return checks;
  } else {
    // Said, not silently skipped: evidence for staging must not be mistaken for production's.
    push({
      name: 'environment',
      ok: true,
      detail: `for ${env || '(none)'}; not checked, as no environment was asked for`,
    });
  }
  const status = predicate.decision?.status;
  if (
    !push({
      name: 'decision',
      ok: status === 'approved',
      detail:
        status === 'approved'
          ? `approved by ${(predicate.decision.approvers ?? []).join(', ') || 'nobody (no approvals were required)'}`
          : `the recorded decision is '${String(status)}', not approved`,
    })
  )
    return checks;
  if (options.maxAgeMs !== undefined && !push(ageCheck(predicate, options))) return checks;
  if (options.policy !== undefined && !push(policyCheck(predicate, options.policy))) return checks;
  if (options.chain === true && !push(chainCheck(record, ctx))) return checks;
  return checks;
}

function ageCheck(predicate: ApprovalPredicate, options: VerifyOptions): Check {
  const time = Date.parse(predicate.time);
  if (Number.isNaN(time)) return { name: 'age', ok: false, detail: 'the attestation has no valid time' };
  const age = options.now.getTime() - time;
  // A little clock drift is normal; an attestation from the future is not, and would never age.
  if (age < -5 * 60_000) return { name: 'age', ok: false, detail: `made ${predicate.time}, which is in the future` };
  const max = options.maxAgeMs as number;
  if (age > max)
    return {
      name: 'age',
      ok: false,
      detail: `made ${predicate.time}, ${formatDuration(Math.max(1, Math.round(age / 1000)) * 1000)} ago; the maximum age is ${formatDuration(max)}`,
    };
  return { name: 'age', ok: true, detail: `made ${predicate.time}, within ${formatDuration(max)}` };
}

function policyCheck(predicate: ApprovalPredicate, policy: Policy): Check {
  try {
    return decideAgain(predicate, policy);
  } catch (error) {
    // Signed but malformed inputs cannot show that the decision still holds.
    return {
      name: 'policy',
      ok: false,
      detail: `the recorded inputs cannot be decided again: ${(error as Error).message}`,
    };
  }
}

function decideAgain(predicate: ApprovalPredicate, policy: Policy): Check {
  const inputs = predicate.inputs;
  if (inputs?.change === undefined || !Array.isArray(inputs.approvals))
    return { name: 'policy', ok: false, detail: 'the attestation does not record the inputs needed to decide again' };
  const again = decide({
    policy,
    change: inputs.change,
    approvals: inputs.approvals,
    members: inputs.members ?? undefined,
    at: new Date(predicate.decision.at),
    environment: predicate.environment,
    trustedPaths: inputs.trusted_paths,
  });
  if (again.status === 'approved')
    return {
      name: 'policy',
      ok: true,
      detail: `still approved under ${policy.file} (sha256 ${policy.sha256.slice(0, 16)}…)`,
    };
  const missing = [
    ...(again.missing.approvals > 0 ? [`${again.missing.approvals} more approval(s)`] : []),
    ...again.missing.roles.map((r) => `${r.count} from ${r.role}`),
  ];
  return {
    name: 'policy',
    ok: false,
    detail: `under ${policy.file} as it is now the decision would be '${again.status}' (risk ${again.risk}${missing.length > 0 ? `; missing ${missing.join(', ')}` : ''})`,
  };
}

function chainCheck(record: EnvelopeRecord, ctx: Context): Check {
  const policy = ctx.options.policy ?? ctx.options.chainOrder;
  const fail = (detail: string): Check => ({ name: 'chain', ok: false, detail });
  if (policy === undefined)
    return fail('checking the chain needs the policy (its environments give the promotion order)');
  const order = policy.environments.map((e) => e.name);
  const statement = record.statement as Statement<ApprovalPredicate>;
  const target = order.findIndex((name) => name.toLowerCase() === statement.predicate.environment.toLowerCase());
  if (target < 0)
    return fail(
      `'${statement.predicate.environment}' is not one of the policy's environments (${order.join(', ') || 'none declared'})`,
    );
  const byPayload = new Map(ctx.records.filter((r) => r.statement !== null).map((r) => [r.payloadSha256, r]));
  let current = record;
  const walked = [statement.predicate.environment];
  for (let k = target - 1; k >= 0; k--) {
    const want = order[k] as string;
    const currentStatement = current.statement as Statement<ApprovalPredicate>;
    const previous = currentStatement.predicate.previous;
    if (!previous)
      return fail(
        `no ${want} attestation precedes ${currentStatement.predicate.environment} (the chain must run ${order.slice(0, target + 1).join(' → ')} with no gap)`,
      );
    const prev = byPayload.get(previous.toLowerCase());
    if (prev === undefined)
      return fail(
        `the previous attestation (payload sha256 ${previous.slice(0, 16)}…) of ${currentStatement.predicate.environment} is not in the file: the chain is broken`,
      );
    const prevStatement = prev.statement as Statement<ApprovalPredicate>;
    if (prevStatement.predicate.environment.toLowerCase() !== want.toLowerCase()) {
      return fail(
        `wrong order: ${currentStatement.predicate.environment} is preceded by ${prevStatement.predicate.environment}, expected ${want}`,
      );
    }
    const linkChecks = checksFor(prev, {
      ...ctx,
      options: { ...ctx.options, environment: want, chain: false, maxAgeMs: undefined, policy: undefined },
    });
    const failed = linkChecks.find((c) => !c.ok);
    if (failed !== undefined)
      return fail(`the ${want} attestation (line ${prev.line}) fails its own '${failed.name}' check: ${failed.detail}`);
    if (Date.parse(prevStatement.predicate.time) > Date.parse(currentStatement.predicate.time)) {
      return fail(
        `wrong order: the ${want} attestation is newer than the ${currentStatement.predicate.environment} one`,
      );
    }
    walked.unshift(want);
    current = prev;
  }
  return { name: 'chain', ok: true, detail: walked.join(' → ') };
}

export function verifyAttestations(text: string, options: VerifyOptions): VerifyResult {
  const records = parseAttestationFile(text);
  const ctx: Context = { options, records, warnings: [] };
  const none = (failed: Check): VerifyResult => ({
    verified: false,
    failed,
    checks: [failed],
    line: null,
    predicate: null,
    candidates: [],
    warnings: ctx.warnings,
  });

  if (records.length === 0) return none({ name: 'shape', ok: false, detail: 'the attestation file holds no envelope' });
  const shaped = records.filter((r) => r.statement !== null);
  if (shaped.length === 0)
    return none({ name: 'shape', ok: false, detail: records[0]?.shapeProblem ?? 'no envelope could be read' });
  for (const r of records) if (r.shapeProblem !== null) ctx.warnings.push(r.shapeProblem);
  const candidates = shaped.filter((r) => namesDigest(r.statement as Statement, options.digest));
  if (candidates.length === 0) {
    return none({
      name: 'subject',
      ok: false,
      detail: `no attestation in the file names ${options.digest.algorithm}:${options.digest.value}`,
    });
  }
  // Newest first: the latest decision about this artefact is the one that counts.
  candidates.sort(
    (a, b) =>
      Date.parse((b.statement as Statement<ApprovalPredicate>).predicate.time ?? '') -
        Date.parse((a.statement as Statement<ApprovalPredicate>).predicate.time ?? '') || b.line - a.line,
  );
  const results: CandidateResult[] = [];
  let best: { record: EnvelopeRecord; checks: Check[] } | null = null;
  for (const record of candidates) {
    const checks = checksFor(record, ctx);
    const failed = checks.find((c) => !c.ok) ?? null;
    results.push({ line: record.line, checks, failed });
    if (failed === null) {
      return {
        verified: true,
        failed: null,
        checks,
        line: record.line,
        predicate: (record.statement as Statement<ApprovalPredicate>).predicate,
        candidates: results,
        warnings: ctx.warnings,
      };
    }
    if (best === null || checks.length > best.checks.length) best = { record, checks };
  }
  const chosen = best as { record: EnvelopeRecord; checks: Check[] };
  return {
    verified: false,
    failed: chosen.checks.find((c) => !c.ok) ?? null,
    checks: chosen.checks,
    line: chosen.record.line,
    predicate: (chosen.record.statement as Statement<ApprovalPredicate>).predicate,
    candidates: results,
    warnings: ctx.warnings,
  };
}
