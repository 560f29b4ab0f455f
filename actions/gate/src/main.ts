// The one-step gate (the repository's root action.yml): request, then wait, in one process, so the
// change and policy are read once and the wait judges exactly what was requested.
import * as core from '@actions/core';
import { clientFor } from '../../shared/src/client.js';
import { guarded } from '../../shared/src/failure.js';
import { finishWait } from '../../shared/src/finish.js';
import { requestApproval } from '../../shared/src/request.js';
import { readRunner } from '../../shared/src/runner.js';
import { setOutputs } from '../../shared/src/summary.js';
import { waitForApproval } from '../../shared/src/wait.js';
import { requestOutputs } from '../../request-approval/src/main.js';
import { readInputs } from './inputs.js';

export async function run(): Promise<void> {
  await guarded(async (secrets) => {
    const runner = readRunner();
    const inputs = readInputs(runner);
    secrets.push(inputs.token);
    const client = clientFor(inputs.token, runner.apiUrl);
    const requested = await requestApproval(client, runner, inputs, new Date());
    // `status` is the wait's to set: an output set twice is ambiguous to whoever reads the file.
    const outputs = requestOutputs(requested);
    delete outputs['status'];
    setOutputs(outputs);
    if (requested.issue !== null) core.info(`Approval requested in ${requested.issue.url}`);
    // With no issue (nothing required, or frozen) the wait decides at once, and still writes the
    // decision file a later attest step reads.
    const outcome = await waitForApproval(
      client,
      runner,
      { ...inputs, requestId: requested.issue?.number ?? null },
      requested.judged,
    );
    await finishWait(outcome, inputs, inputs.environment);
  });
}
