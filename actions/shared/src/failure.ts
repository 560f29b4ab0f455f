// The one place an action turns an error into a failed step. A ConfigurationError is the user's to
// fix and is reported as such; anything else is a fault of ours or of GitHub, with the stack in the
// debug log. Either way the message is scrubbed of the token, whatever put it there.
import * as core from '@actions/core';
import { isConfigurationError } from '@countersign/core';
import { masker } from '@countersign/core/rollback/mask';

export function reportFailure(error: unknown, secrets: readonly string[]): void {
  // The same masking as every record and progress line: longest first, and values too short to be
  // secrets (a header `X-Debug: 1`) left alone rather than starring every digit of the message.
  const scrub = masker(secrets);
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
