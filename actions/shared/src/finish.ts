// The end of a wait: the decision on disk for later steps (attest), outputs, summary, and a failed
// step when the deployment must not go ahead.
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import * as core from '@actions/core';
import { decisionMarkdown } from '@countersign/core';
import { setOutputs, writeSummary } from './summary.js';
import type { WaitOutcome } from './wait.js';
import type { WaitOptions } from './wait-inputs.js';

export async function finishWait(outcome: WaitOutcome, options: WaitOptions, environment: string): Promise<void> {
  const { decision, status } = outcome;
  await mkdir(dirname(options.decisionFile), { recursive: true });
  await writeFile(options.decisionFile, `${JSON.stringify(decision, null, 2)}\n`);
  setOutputs({ status, approvers: decision.approvers.join(','), 'decision-file': options.decisionFile });
  const ending = status === 'timed-out' ? `\n**Timed out** after ${options.timeoutMs / 1000} s, still pending.\n` : '';
  await writeSummary(`${decisionMarkdown(decision)}${ending}`);
  if (status === 'frozen') core.setFailed(`${environment} is frozen for ${decision.risk}-risk changes.`);
  else if (status === 'timed-out') core.setFailed(`No decision for ${environment} within the timeout: still pending.`);
  else if (status === 'rejected' && options.failOnRejection)
    core.setFailed(
      `The deployment to ${environment} was rejected by ${decision.rejected_by.join(', ') || 'a reviewer'}.`,
    );
}
