// The one place an action turns an error into a failed step. A ConfigurationError is the user's to
// fix and is reported as such; anything else is a fault of ours or of GitHub, with the stack in the
// debug log. Either way the message is scrubbed of the token, whatever put it there.
import * as core from '@actions/core';
import { isConfigurationError } from '@countersign/core';

export function reportFailure(error: unknown, secrets: readonly string[]): void {
  const scrub = (text: string) => secrets.reduce((out, s) => (s === '' ? out : out.split(s).join('***')), text);
  if (isConfigurationError(error)) {
    core.setFailed(scrub(`Configuration: ${error.message}`));
    return;
  }
  const message = error instanceof Error ? error.message : String(error);
  if (error instanceof Error && error.stack) core.debug(scrub(error.stack));
  core.setFailed(scrub(message));
}

/** Runs a step's body, reporting its failure the same way in every action. */
export async function guarded(body: (secrets: string[]) => Promise<void>): Promise<void> {
  const secrets: string[] = [];
  try {
    await body(secrets);
  } catch (error) {
    reportFailure(error, secrets);
  }
}
