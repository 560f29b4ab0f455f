// wait-for-approval: wait until the request is approved, rejected or frozen, or time runs out.
import { clientFor } from '../../shared/src/client.js';
import { guarded } from '../../shared/src/failure.js';
import { finishWait } from '../../shared/src/finish.js';
import { readRunner } from '../../shared/src/runner.js';
import { waitForApproval } from '../../shared/src/wait.js';
import { readInputs } from './inputs.js';

export async function run(): Promise<void> {
  await guarded(async (secrets) => {
    const runner = readRunner();
    const inputs = readInputs(runner);
    secrets.push(inputs.token);
    const client = clientFor(inputs.token, runner.apiUrl);
    const outcome = await waitForApproval(client, runner, inputs);
    await finishWait(outcome, inputs, inputs.environment);
  });
}
