// request-approval: classify the change being deployed and ask for the approvals it needs.
import * as core from '@actions/core';
import { classificationMarkdown } from '@countersign/core';
import { clientFor } from '../../shared/src/client.js';
import { guarded } from '../../shared/src/failure.js';
import { requestApproval, type RequestOutcome } from '../../shared/src/request.js';
import { readRunner } from '../../shared/src/runner.js';
import { setOutputs, writeSummary } from '../../shared/src/summary.js';
import { readInputs } from './inputs.js';

export async function run(): Promise<void> {
  await guarded(async (secrets) => {
    const runner = readRunner();
    const inputs = readInputs(runner);
    secrets.push(inputs.token);
    const client = clientFor(inputs.token, runner.apiUrl);
    const outcome = await requestApproval(client, runner, inputs, new Date());
    setOutputs(requestOutputs(outcome));
    await writeSummary(requestSummary(outcome));
    if (outcome.status === 'frozen')
      core.setFailed(
        `${inputs.environment} is frozen for ${outcome.classification.risk}-risk changes; nothing was requested.`,
      );
  });
}

export function requestOutputs(outcome: RequestOutcome): Record<string, string> {
  return {
    'request-id': outcome.issue === null ? '' : String(outcome.issue.number),
    'request-url': outcome.issue?.url ?? '',
    risk: outcome.classification.risk,
    required: JSON.stringify(outcome.classification.required),
    status: outcome.status,
  };
}

export function requestSummary(outcome: RequestOutcome): string {
  const where =
    outcome.issue !== null
      ? `Approval requested in [#${outcome.issue.number}](${outcome.issue.url})${outcome.issue.created ? '' : ' (opened by an earlier attempt)'}.`
      : outcome.status === 'approved'
        ? 'No approval is required: nothing was requested.'
        : 'The environment is frozen for this risk: nothing was requested.';
  return `${classificationMarkdown(outcome.classification)}\n${where}\n`;
}
