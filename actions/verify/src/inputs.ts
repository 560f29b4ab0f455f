import { ConfigurationError } from '@countersign/core';
import { environmentProblem } from '@countersign/github';
import { readArtefactSubject, type ArtefactSubject } from '../../shared/src/artefact-subject.js';
import * as read from '../../shared/src/inputs.js';
import type { Runner } from '../../shared/src/runner.js';
import { DEFAULT_POLICY } from '../../shared/src/subject-inputs.js';

export interface Inputs {
  token: string;
  artefact: ArtefactSubject;
  environment: string;
  /** PEM text or a repository path, read when the client exists (readPublicKeys). */
  publicKey: string;
  /** Given: decide again under the policy as it is today on the default branch. */
  policyPath: string | null;
  chain: boolean;
  maxAgeMs: number | null;
  runId: number | null;
}

export async function readInputs(runner: Runner): Promise<Inputs> {
  const token = read.token();
  const environment = read.required('environment');
  const problem = environmentProblem(environment);
  if (problem !== null) throw new ConfigurationError({ message: `input environment ${problem}` });
  const maxAge = read.optional('max-age');
  return {
    token,
    artefact: await readArtefactSubject(runner, false),
    environment,
    publicKey: read.required('public-key'),
    policyPath: read.optional('policy') === null ? null : read.repositoryPath('policy', DEFAULT_POLICY),
    chain: read.boolean('chain', true),
    maxAgeMs: maxAge === null ? null : read.duration('max-age', maxAge),
    runId: runIdOf(read.optional('run-id')),
  };
}

function runIdOf(text: string | null): number | null {
  if (text === null) return null;
  const id = Number(text);
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(id) || id < 1)
    throw new ConfigurationError({ message: `input run-id must be a workflow run's number id (got '${text}')` });
  return id;
}
