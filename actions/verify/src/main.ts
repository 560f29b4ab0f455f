// verify: before deploy, find the artefact's evidence for the environment (in a given run or
// anywhere in the repository), download it with the artefact service's digest checked, and check
// the attestation: signature by the given key, subject, environment, decision, age, chain, and
// optionally today's policy. Any failure fails the job with the check that failed, named.
import { createHash } from 'node:crypto';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as core from '@actions/core';
import {
  codeSpan,
  ConfigurationError,
  escapeMarkdown,
  verifyAttestations,
  type Check,
  type Policy,
  type PublicKeyInfo,
  type VerifyResult,
} from '@countersign/core';
import { clientFor } from '../../shared/src/client.js';
import {
  downloadEvidence,
  EvidenceIntegrityError,
  evidenceName,
  findEvidence,
  type StoredEvidence,
} from '../../shared/src/evidence.js';
import { guarded } from '../../shared/src/failure.js';
import { readPublicKeys } from '../../shared/src/public-keys.js';
import { readRunner, type Runner } from '../../shared/src/runner.js';
import { setOutputs, writeSummary } from '../../shared/src/summary.js';
import { todaysPolicy } from '../../shared/src/todays-policy.js';
import { DEFAULT_POLICY } from '../../shared/src/subject-inputs.js';
import { readInputs, type Inputs } from './inputs.js';

export async function run(): Promise<void> {
  await guarded(async (secrets) => {
    const runner = readRunner();
    const inputs = await readInputs(runner);
    secrets.push(inputs.token);
    const outcome = await verify(runner, inputs, new Date());
    const { result } = outcome;
    setOutputs({
      verified: String(result.verified),
      'attestation-digest': outcome.fileDigest ?? '',
      approvers: result.verified ? (result.predicate?.decision.approvers ?? []).join(',') : '',
    });
    await writeSummary(verifySummary(inputs, outcome));
    if (!result.verified) {
      const failed = result.failed ?? { name: 'shape', detail: 'no attestation was checked' };
      core.setFailed(
        `Countersign verify: ${inputs.artefact.algorithm}:${inputs.artefact.value} is not verified for ${inputs.environment}: check '${failed.name}' failed: ${failed.detail}`,
      );
    } else core.info(`Verified for ${inputs.environment}: ${result.checks.map((c) => c.name).join(', ')}.`);
  });
}

export interface VerifyOutcome {
  result: VerifyResult;
  evidence: StoredEvidence | null;
  /** `sha256:<hex>` of the attestation file that was checked. */
  fileDigest: string | null;
}

/** A result with one failed check, for evidence that could not be found or trusted. */
function refused(name: Check['name'], detail: string): VerifyResult {
  const failed = { name, ok: false, detail };
  return { verified: false, failed, checks: [failed], line: null, predicate: null, candidates: [], warnings: [] };
}

export async function verify(runner: Runner, inputs: Inputs, now: Date): Promise<VerifyOutcome> {
  const client = clientFor(inputs.token, runner.apiUrl);
  const keys = await readPublicKeys(client, runner, 'public-key', inputs.publicKey);
  const name = evidenceName(inputs.environment, inputs.artefact.value);
  const where = inputs.runId === null ? 'the repository' : `run ${inputs.runId}`;

  // Today's policy is read from the default branch as it is now: not from this checkout, which is
  // the change under verification.
  let policy: Policy | undefined;
  let chainOrder: Policy | undefined;
  if (inputs.policyPath !== null) {
    const found = await todaysPolicy(client, runner, inputs.policyPath);
    if (found === null)
      throw new ConfigurationError({
        message: `input policy: ${inputs.policyPath} does not exist on the default branch`,
      });
    policy = found;
  } else if (inputs.chain) {
    const found = await todaysPolicy(client, runner, DEFAULT_POLICY);
    if (found === null)
      throw new ConfigurationError({
        message: `input chain is true, which needs the policy's environments for the promotion order, and ${DEFAULT_POLICY} does not exist on the default branch: set policy, or chain: false`,
      });
    chainOrder = found;
  }

  const candidates = (await findEvidence(client, runner, name, inputs.runId)).slice(0, MAX_CANDIDATES);
  if (candidates.length === 0)
    return {
      result: refused(
        'subject',
        `no attestation of ${inputs.artefact.algorithm}:${inputs.artefact.value} for ${inputs.environment}: no unexpired artefact named ${name} in ${where}`,
      ),
      evidence: null,
      fileDigest: null,
    };

  // Newest first; the first that verifies is the answer. When none does, the newest one's failure
  // is reported: a later upload that does not verify must not hide earlier evidence that does.
  const scratch = await mkdtemp(join(process.env['RUNNER_TEMP'] || tmpdir(), 'countersign-verify-'));
  let first: VerifyOutcome | null = null;
  for (const evidence of candidates) {
    const outcome = await check(runner, inputs, evidence, scratch, { now, policy, chainOrder, keys });
    if (outcome.result.verified) {
      for (const warning of outcome.result.warnings) core.warning(warning);
      return outcome;
    }
    if (candidates.length > 1)
      core.info(
        `Artefact ${evidence.name} (id ${evidence.id}, run ${evidence.runId}) does not verify: ${outcome.result.failed?.detail ?? ''}`,
      );
    first ??= outcome;
  }
  for (const warning of first?.result.warnings ?? []) core.warning(warning);
  return first as VerifyOutcome;
}

// Same-named uploads are normal (re-runs); a few are read, never an unbounded number.
const MAX_CANDIDATES = 5;

async function check(
  runner: Runner,
  inputs: Inputs,
  evidence: StoredEvidence,
  scratch: string,
  options: { now: Date; policy: Policy | undefined; chainOrder: Policy | undefined; keys: PublicKeyInfo[] },
): Promise<VerifyOutcome> {
  let text: string;
  try {
    const downloaded = await downloadEvidence(runner, inputs.token, evidence, scratch);
    if (downloaded.digest === 'not-recorded')
      core.warning(
        `Artefact ${evidence.name} has no digest recorded by the artefact service; the attestation's signature is still checked.`,
      );
    text = downloaded.text;
  } catch (error) {
    if (error instanceof EvidenceIntegrityError)
      return { result: refused('shape', error.message), evidence, fileDigest: null };
    throw error;
  }
  const result = verifyAttestations(text, {
    keys: options.keys,
    digest: { algorithm: inputs.artefact.algorithm, value: inputs.artefact.value },
    environment: inputs.environment,
    maxAgeMs: inputs.maxAgeMs ?? undefined,
    now: options.now,
    policy: options.policy,
    chain: inputs.chain,
    chainOrder: options.chainOrder,
  });
  return { result, evidence, fileDigest: `sha256:${createHash('sha256').update(text).digest('hex')}` };
}

export function verifySummary(inputs: Inputs, outcome: VerifyOutcome): string {
  const { result, evidence } = outcome;
  const head = result.verified
    ? `### ✅ Countersign: verified for ${escapeMarkdown(inputs.environment)}`
    : `### ⛔ Countersign: not verified for ${escapeMarkdown(inputs.environment)}`;
  const rows = result.checks.map((c) => `| ${c.ok ? '✅' : '❌'} | ${c.name} | ${escapeMarkdown(c.detail)} |`);
  return `${[
    head,
    '',
    `Artefact ${codeSpan(`${inputs.artefact.algorithm}:${inputs.artefact.value}`)}; evidence ${
      evidence === null ? 'not found' : `${codeSpan(evidence.name)} from run ${evidence.runId}`
    }${outcome.fileDigest === null ? '' : ` (${codeSpan(outcome.fileDigest)})`}.`,
    '',
    '| | Check | Detail |',
    '| --- | --- | --- |',
    ...rows,
    '',
  ].join('\n')}\n`;
}
