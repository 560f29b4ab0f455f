import { ConfigurationError } from '@countersign/core';
import { environmentProblem } from '@countersign/github';
import { readArtefactSubject, type ArtefactSubject } from '../../shared/src/artefact-subject.js';
import * as read from '../../shared/src/inputs.js';
import type { Runner } from '../../shared/src/runner.js';
import { readSigningKey, type SigningKey } from '../../shared/src/signing-key.js';

export interface Inputs {
  token: string;
  signing: SigningKey;
  decisionFile: string;
  artefact: ArtefactSubject;
  /** Null: the decision's own environment. */
  environment: string | null;
  retentionDays: number | null;
  /** More keys whose envelopes an earlier link may carry (PEM text or a repository path); null: none. */
  chainKeys: string | null;
}

/** Secrets first: both are masked before any other input can fail and print anything. */
export async function readInputs(runner: Runner): Promise<Inputs> {
  const token = read.token();
  const signing = readSigningKey();
  const environment = read.optional('environment');
  const problem = environment === null ? null : environmentProblem(environment);
  if (problem !== null) throw new ConfigurationError({ message: `input environment ${problem}` });
  return {
    token,
    signing,
    decisionFile: read.text('decision-file', 'countersign-decision.json'),
    artefact: await readArtefactSubject(runner, true),
    environment,
    retentionDays: retention(read.optional('retention-days')),
    chainKeys: read.optional('public-key'),
  };
}

function retention(text: string | null): number | null {
  if (text === null) return null;
  const days = Number(text);
  if (!/^\d+$/.test(text) || days < 1 || days > 400)
    throw new ConfigurationError({
      message: `input retention-days must be a whole number of days from 1 to 400 (got '${text}'); the repository's own limit applies on top`,
    });
  return days;
}
