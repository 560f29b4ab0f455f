import * as read from '../../shared/src/inputs.js';
import type { Runner } from '../../shared/src/runner.js';
import type { RequestStepInputs } from '../../shared/src/request.js';
import { DEFAULT_SOURCES, parseSources } from '../../shared/src/sources.js';
import { DEFAULT_TOKEN_LOGIN, readSubject } from '../../shared/src/subject-inputs.js';

export interface Inputs extends RequestStepInputs {
  token: string;
}

/** Every input, read once; a bad one is a ConfigurationError naming it. The token is masked first. */
export function readInputs(runner: Runner): Inputs {
  const token = read.token();
  return {
    token,
    ...readSubject(runner),
    subjectDigest: read.digest('subject-digest'),
    tokenLogin: read.text('token-login', DEFAULT_TOKEN_LOGIN),
    sources: parseSources('sources', read.list('sources', DEFAULT_SOURCES)),
  };
}
