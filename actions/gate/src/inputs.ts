import * as read from '../../shared/src/inputs.js';
import type { RequestStepInputs } from '../../shared/src/request.js';
import type { Runner } from '../../shared/src/runner.js';
import { DEFAULT_TOKEN_LOGIN, readSubject } from '../../shared/src/subject-inputs.js';
import { readWaitOptions, type WaitOptions } from '../../shared/src/wait-inputs.js';

export interface Inputs extends RequestStepInputs, WaitOptions {
  token: string;
}

/** The union of both steps' inputs, read once; the request id is not an input here but a result. */
export function readInputs(runner: Runner): Inputs {
  const token = read.token();
  return {
    token,
    ...readSubject(runner),
    ...readWaitOptions(runner),
    subjectDigest: read.digest('subject-digest'),
    tokenLogin: read.text('token-login', DEFAULT_TOKEN_LOGIN),
  };
}
