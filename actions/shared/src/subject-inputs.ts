// The inputs that name what is being approved. Request, wait and the gate read them alike, because
// the wait step must judge exactly the subject the request step asked about.
import * as read from './inputs.js';
import type { Runner } from './runner.js';
import type { Subject } from './context.js';
import { ConfigurationError } from '@countersign/core';
import { environmentProblem } from '@countersign/github';

export const DEFAULT_POLICY = '.countersign.yml';
export const DEFAULT_TOKEN_LOGIN = 'github-actions[bot]';

export function readSubject(runner: Runner): Subject {
  const environment = read.required('environment');
  const problem = environmentProblem(environment);
  if (problem !== null) throw new ConfigurationError({ message: `input environment ${problem}` });
  const head = read.revision('head', runner.sha);
  if (head === null)
    throw new ConfigurationError({
      message: 'input head is empty and GITHUB_SHA is not set: name the commit to approve',
    });
  return {
    environment,
    policyPath: read.repositoryPath('policy', DEFAULT_POLICY),
    base: read.revision('base', null),
    head,
    labels: read.list('labels'),
  };
}
