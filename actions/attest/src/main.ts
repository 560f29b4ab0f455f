// attest: sign the wait step's decision into an in-toto attestation bound to the artefact's digest,
// append it to the artefact's promotion chain, and store it as a workflow artefact named by digest.
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import * as core from '@actions/core';
import {
  asDecision,
  ConfigurationError,
  createAttestation,
  keySigner,
  runFromEnvironment,
  type Attestation,
  type Decision,
} from '@countersign/core';
import { clientFor } from '../../shared/src/client.js';
import {
  downloadEvidence,
  EVIDENCE_FILE,
  evidenceName,
  findChain,
  uploadEvidence,
  type StoredEvidence,
} from '../../shared/src/evidence.js';
import { guarded } from '../../shared/src/failure.js';
import { readRunner, type Runner } from '../../shared/src/runner.js';
import { setOutputs, writeSummary } from '../../shared/src/summary.js';
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

/** The decision's environment set its minimum risk: the evidence may be signed for that one only. */
function environmentOf(decision: Decision, given: string | null, file: string): string {
  if (!decision.environment)
    throw new ConfigurationError({
      message: `input decision-file: ${file} was decided without an environment, so no environment's minimum risk applied; decide again for the environment`,
    });
  if (given !== null && given.toLowerCase() !== decision.environment.toLowerCase())
    throw new ConfigurationError({
      message: `input environment ${given} differs from the decision's environment ${decision.environment}`,
    });
  return decision.environment;
}

export async function attest(runner: Runner, inputs: Inputs, now: Date): Promise<AttestOutcome> {
  const decision = await readDecision(runner, inputs.decisionFile);
  const environment = environmentOf(decision, inputs.environment, inputs.decisionFile);
  const client = clientFor(inputs.token, runner.apiUrl);
  const name = evidenceName(environment, inputs.artefact.value);
  const scratch = await mkdtemp(join(process.env['RUNNER_TEMP'] || tmpdir(), 'countersign-attest-'));

  // A re-run for the same environment must link to the environment before it, not to itself.
  const chain = await findChain(client, runner, inputs.artefact.value, name);
  let existing: string | undefined;
  if (chain !== null) {
    existing = (await downloadEvidence(runner, inputs.token, chain, join(scratch, 'previous'))).text;
    core.info(`Appending to the chain in artefact ${chain.name} (run ${chain.runId}).`);
  }

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
  return { decision, environment, attestation, path, name, artifactId: uploaded.id, chainedFrom: chain };
}
