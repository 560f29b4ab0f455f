// attest: sign the wait step's decision into an in-toto attestation bound to the artefact's digest,
// append it to the artefact's promotion chain, and store it as a workflow artefact named by digest.
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import * as core from '@actions/core';
import {
  asDecision,
  attestationEnvironment,
  ConfigurationError,
  createAttestation,
  keySigner,
  runFromEnvironment,
  previousLink,
  type Attestation,
  type Decision,
  type PublicKeyInfo,
} from '@countersign/core';
import { openEnvelope } from '@countersign/core/attestation/dsse';
import type { GitHubClient } from '@countersign/github';
import { clientFor } from '../../shared/src/client.js';
import {
  downloadEvidence,
  EVIDENCE_FILE,
  evidenceName,
  findChain,
  findEvidence,
  uploadEvidence,
  type StoredEvidence,
} from '../../shared/src/evidence.js';
import { guarded } from '../../shared/src/failure.js';
import { readPublicKeys } from '../../shared/src/public-keys.js';
import { readRunner, type Runner } from '../../shared/src/runner.js';
import { setOutputs, writeSummary } from '../../shared/src/summary.js';
import { todaysPolicy } from '../../shared/src/todays-policy.js';
import { readInputs, type Inputs } from './inputs.js';
import { attestSummary } from './summary.js';

export async function run(): Promise<void> {
  await guarded(async (secrets) => {
    const runner = readRunner();
    const inputs = await readInputs(runner);
    secrets.push(inputs.token, ...inputs.signing.secrets);
    const outcome = await attest(runner, inputs, new Date());
    setOutputs({
      'attestation-path': outcome.path,
      'attestation-digest': `sha256:${outcome.attestation.digest}`,
      'artifact-name': outcome.name,
      'artifact-id': String(outcome.artifactId),
    });
    await writeSummary(attestSummary(runner, inputs, outcome));
    if (outcome.decision.status !== 'approved')
      core.warning(
        `The decision is '${outcome.decision.status}': the evidence records it, and verify will not accept it for deployment.`,
      );
  });
}

export interface AttestOutcome {
  decision: Decision;
  environment: string;
  attestation: Attestation;
  path: string;
  name: string;
  artifactId: number;
  chainedFrom: StoredEvidence | null;
}

async function readDecision(runner: Runner, file: string): Promise<Decision> {
  let text: string;
  try {
    text = await readFile(resolve(runner.workspace, file), 'utf8');
  } catch (error) {
    throw new ConfigurationError({
      message: `input decision-file: cannot read ${file} (${(error as NodeJS.ErrnoException).code ?? 'error'}); pass the decision-file output of wait-for-approval`,
    });
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new ConfigurationError({
      file,
      message: `is not valid JSON: ${(error as Error).message.slice(0, 200)}`,
    });
  }
  return asDecision(parsed, file);
}

export async function attest(runner: Runner, inputs: Inputs, now: Date): Promise<AttestOutcome> {
  const decision = await readDecision(runner, inputs.decisionFile);
  const environment = attestationEnvironment(
    decision,
    inputs.environment,
    'input environment',
    `input decision-file: ${inputs.decisionFile}`,
  );
  const client = clientFor(inputs.token, runner.apiUrl);
  const name = evidenceName(environment, inputs.artefact.value);
  const scratch = await mkdtemp(join(process.env['RUNNER_TEMP'] || tmpdir(), 'countersign-attest-'));

  const chain = await previousChain(client, runner, inputs, environment, name, join(scratch, 'previous'));
  const existing = chain?.text;
  if (chain !== null) core.info(`Appending to the chain in artefact ${chain.from.name} (run ${chain.from.runId}).`);

  const attestation = await createAttestation({
    subjects: [inputs.artefact.subject],
    decision,
    environment,
    signers: [keySigner(inputs.signing.key)],
    run: runFromEnvironment(process.env),
    time: now,
    existing,
  });
  const folder = join(scratch, 'evidence');
  await mkdir(folder, { recursive: true });
  const path = join(folder, EVIDENCE_FILE);
  await writeFile(path, attestation.file);
  const uploaded = await uploadEvidence(name, folder, inputs.retentionDays);
  // What was uploaded is what was signed: a cheap check against a disk that changed it under us.
  const written = createHash('sha256')
    .update(await readFile(path))
    .digest('hex');
  if (written !== attestation.digest) throw new Error(`${path} changed while it was being stored`);
  core.info(`Stored ${EVIDENCE_FILE} as artefact ${name} (id ${uploaded.id}).`);
  return { decision, environment, attestation, path, name, artifactId: uploaded.id, chainedFrom: chain?.from ?? null };
}

/** The policy's environments on the default branch, in promotion order; null when there is no policy. */
async function promotionOrder(client: GitHubClient, runner: Runner): Promise<string[] | null> {
  try {
    return (await todaysPolicy(client, runner))?.environments.map((e) => e.name) ?? null;
  } catch (error) {
    core.warning(`The policy's environment order could not be read: ${(error as Error).message}`);
    return null;
  }
}

/**
 * The chain this attestation extends: the evidence of the environment before this one in the
 * policy's order (without a policy, the newest evidence of the digest for any other environment),
 * keeping only the envelopes this step's own key signed. Anyone who can upload an artefact can name
 * it like evidence; only what we signed is carried forward.
 */
async function previousChain(
  client: GitHubClient,
  runner: Runner,
  inputs: Inputs,
  environment: string,
  name: string,
  into: string,
): Promise<{ text: string; from: StoredEvidence } | null> {
  const hex = inputs.artefact.value;
  const order = await promotionOrder(client, runner);
  const at = order?.findIndex((e) => e.toLowerCase() === environment.toLowerCase()) ?? -1;
  if (order !== null && at === 0) return null;
  const candidates =
    order !== null && at > 0
      ? await findEvidence(client, runner, evidenceName(order[at - 1] as string, hex), null)
      : await findChain(client, runner, hex, name);
  const own = [
    inputs.signing.key.publicKey,
    ...(inputs.chainKeys === null ? [] : await readPublicKeys(client, runner, 'public-key', inputs.chainKeys)),
  ];
  for (const from of candidates.slice(0, 5)) {
    const { text } = await downloadEvidence(runner, inputs.token, from, into);
    const signed = text
      .split('\n')
      .filter((line) => line.trim() !== '' && opensWith(line, own))
      .map((line) => `${line}\n`)
      .join('');
    if (previousLink(signed, [inputs.artefact.subject]) !== null) return { text: signed, from };
    core.warning(
      `Artefact ${from.name} (run ${from.runId}) holds no approval of this artefact signed by this key or the public-key input's; not chained to it.`,
    );
  }
  return null;
}

function opensWith(line: string, keys: readonly PublicKeyInfo[]): boolean {
  try {
    const opened = openEnvelope(JSON.parse(line), keys);
    return opened.ok && opened.verified;
  } catch {
    return false;
  }
}
