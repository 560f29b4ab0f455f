import * as core from '@actions/core';

/** Appends markdown to the job summary; outside a runner (no GITHUB_STEP_SUMMARY) it says so and goes on. */
export async function writeSummary(markdown: string): Promise<void> {
  if (!process.env['GITHUB_STEP_SUMMARY']) {
    core.info('GITHUB_STEP_SUMMARY is not set: no job summary written.');
    return;
  }
  await core.summary.addRaw(markdown, true).write();
}

/** Writes each output, so every action sets them the same way. */
export function setOutputs(outputs: Record<string, string>): void {
  for (const [name, value] of Object.entries(outputs)) core.setOutput(name, value);
}
