import * as read from '../../shared/src/inputs.js';
import type { Runner } from '../../shared/src/runner.js';
import { DEFAULT_TOKEN_LOGIN, readSubject } from '../../shared/src/subject-inputs.js';
import type { WaitStepInputs } from '../../shared/src/wait.js';
import { readWaitOptions, requestId, type WaitOptions } from '../../shared/src/wait-inputs.js';

export interface Inputs extends WaitStepInputs, WaitOptions {
  token: string;
}

/** Every input, read once; a bad one is a ConfigurationError naming it. The token is masked first. */
export function readInputs(runner: Runner): Inputs {
  const token = read.token();
  return {
    token,
    ...readSubject(runner),
    ...readWaitOptions(runner),
    requestId: requestId('request-id'),
    subjectDigest: read.digest('subject-digest'),
    tokenLogin: read.text('token-login', DEFAULT_TOKEN_LOGIN),
  };
}
