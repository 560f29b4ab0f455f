// The attest step's job summary: what was signed, for whom, where the evidence is, and the exact
// command an auditor runs to check it without trusting this run.
import { cellCode, codeSpan, escapeMarkdown } from '@countersign/core';
import { EVIDENCE_FILE } from '../../shared/src/evidence.js';
import type { Runner } from '../../shared/src/runner.js';
import type { Inputs } from './inputs.js';
import type { AttestOutcome } from './main.js';

export function attestSummary(runner: Runner, inputs: Inputs, outcome: AttestOutcome): string {
  const { decision, attestation } = outcome;
  const subject = inputs.artefact;
  const runUrl =
    runner.runId === null ? null : `${runner.serverUrl}/${runner.owner}/${runner.repo}/actions/runs/${runner.runId}`;
  const approvers =
    decision.approvers.length > 0 ? decision.approvers.map((a) => cellCode(a)).join(', ') : 'nobody (none required)';
  const digestFlag =
    subject.algorithm === 'sha256'
      ? `--digest sha256:${subject.value}`
      : `--subject-path ${quoteShell(subject.path ?? subject.subject.name)}`;
  const lines = [
    `### Countersign attestation: ${escapeMarkdown(outcome.environment)}`,
    '',
    `| | |`,
    `| --- | --- |`,
    `| Artefact | ${cellCode(subject.subject.name)} ${cellCode(`${subject.algorithm}:${subject.value}`)} |`,
    `| Decision | **${decision.status}** (risk ${decision.risk}) |`,
    `| Approved by | ${approvers} |`,
    `| Signed by key | ${codeSpan(inputs.signing.key.keyid.slice(0, 16))} |`,
    `| Evidence | artefact ${cellCode(outcome.name)} (id ${outcome.artifactId})${runUrl === null ? '' : ` of [this run](${runUrl})`}, file ${codeSpan(EVIDENCE_FILE)} ${codeSpan(`sha256:${attestation.digest}`)} |`,
    `| Chain | ${outcome.chainedFrom === null ? 'first attestation of this artefact' : `appended to ${cellCode(outcome.chainedFrom.name)} (run ${outcome.chainedFrom.runId})`} |`,
    '',
    'To check it yourself, with the public key of the signing key:',
    '',
    '```sh',
    `gh run download ${runner.runId ?? '<run-id>'} --repo ${runner.owner}/${runner.repo} --name ${quoteShell(outcome.name)}`,
    `countersign verify ${digestFlag} --attestation ${EVIDENCE_FILE} --public-key countersign.pub --environment ${quoteShell(outcome.environment)} --chain --policy .countersign.yml`,
    '```',
    '',
  ];
  return `${lines.join('\n')}\n`;
}

/** Single-quoted for a POSIX shell, so a name with spaces or `$` is shown as the command needs it. */
function quoteShell(raw: string): string {
  // A backtick run or a line break would end the fenced block early; neither belongs in a name.
  const text = raw.replace(/[`\r\n]/g, '?');
  return /^[A-Za-z0-9._/:=@+-]+$/.test(text) ? text : `'${text.replace(/'/g, `'\\''`)}'`;
}
