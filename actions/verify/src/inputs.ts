import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { relative, resolve } from 'node:path';
import { ConfigurationError, parseKeyring, type PublicKeyInfo } from '@countersign/core';
import { environmentProblem } from '@countersign/github';
import { readArtefactSubject, type ArtefactSubject } from '../../shared/src/artefact-subject.js';
import * as read from '../../shared/src/inputs.js';
import type { Runner } from '../../shared/src/runner.js';
import { DEFAULT_POLICY } from '../../shared/src/subject-inputs.js';

export interface Inputs {
  token: string;
  artefact: ArtefactSubject;
  environment: string;
  keys: PublicKeyInfo[];
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
    keys: await publicKeys(runner),
    policyPath: read.optional('policy') === null ? null : read.repositoryPath('policy', DEFAULT_POLICY),
    chain: read.boolean('chain', true),
    maxAgeMs: maxAge === null ? null : read.duration('max-age', maxAge),
    runId: runIdOf(read.optional('run-id')),
  };
}

/** PEM text, or a path in the repository's checkout to a file of PEM public keys. */
async function publicKeys(runner: Runner): Promise<PublicKeyInfo[]> {
  const value = read.required('public-key');
  if (value.includes('-----BEGIN')) return parseKeyring(value, 'input public-key');
  const path = resolve(runner.workspace, value);
  const inside = relative(runner.workspace, path);
  if (inside.startsWith('..') || resolve(inside) === inside)
    throw new ConfigurationError({
      message: `input public-key must be PEM text or a path inside the repository's checkout (got '${value}')`,
    });
  if (!existsSync(path))
    throw new ConfigurationError({
      message: `input public-key: ${value} does not exist in the workspace; check out the repository first (actions/checkout), or pass the PEM text`,
    });
  return parseKeyring(await readFile(path), `input public-key ${value}`);
}

function runIdOf(text: string | null): number | null {
  if (text === null) return null;
  const id = Number(text);
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(id) || id < 1)
    throw new ConfigurationError({ message: `input run-id must be a workflow run's number id (got '${text}')` });
  return id;
}
