import { resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { decisionMarkdown, decisionText, parseMembers, type Decision } from '@countersign/core';
import { ConfigurationError } from '@countersign/core/errors';
import { parseDuration } from '@countersign/core/time/duration';
import { checkBase, defaultBase, fetchCountersignRefs, resolveCommit } from '@countersign/git';
import { changeContext, decideNow, findRequest, headOf, platformOf, rootOf } from '../git-platform.js';
import { readInputFile, writeOutputFile, type Io } from '../io.js';
import { colourFor, formatOf } from '../options.js';

export const WAIT_USAGE = `countersign wait [--platform git] --environment E [--base REF] [--timeout 2h] [--poll-interval 5s]
                 [--decision-file PATH] [--members FILE] [--policy FILE] [--format text|json|markdown] [HEAD]

Waits for the decision on a request made with 'countersign request': fetches decision tags and
notes from origin (when there is one) every poll interval, verifies each tag's SSH signature
against the allowed-signers file on the base, and decides, until approved, rejected, frozen or
timed out. --timeout 0 decides once. Writes the decision (the input of 'countersign attest') to
--decision-file (default countersign-decision.json). --base defaults, as for request, to the merge
base with the upstream branch; the request must have been made from the same base.
Exit 0 approved, 1 otherwise, 2 bad input.`;

const OPTIONS = {
  platform: { type: 'string' },
  environment: { type: 'string' },
  base: { type: 'string' },
  timeout: { type: 'string' },
  'poll-interval': { type: 'string' },
  'decision-file': { type: 'string' },
  members: { type: 'string' },
  policy: { type: 'string' },
  format: { type: 'string' },
} as const;

export const DEFAULT_DECISION_FILE = 'countersign-decision.json';

function durationOf(flag: string, text: string | undefined, fallback: number, allowZero: boolean): number {
  if (text === undefined) return fallback;
  if (allowZero && text.trim() === '0') return 0;
  const ms = parseDuration(text);
  if (ms === null)
    throw new ConfigurationError({ message: `${flag} must be a duration such as 30s, 5m or 2h (got '${text}')` });
  return ms;
}

function progress(decision: Decision): string {
  const counted = decision.approvers.length > 0 ? decision.approvers.join(', ') : 'nobody yet';
  const missing = [
    ...(decision.missing.approvals > 0 ? [`${decision.missing.approvals} more approval(s)`] : []),
    ...decision.missing.roles.map((r) => `${r.count} from ${r.role}`),
  ];
  return `${decision.status}: counted ${counted}${missing.length > 0 ? `; missing ${missing.join(', ')}` : ''}; ${decision.discounted.length} discounted`;
}

export async function waitCommand(args: string[], io: Io): Promise<number> {
  const { values, positionals } = parseArgs({ args, options: OPTIONS, strict: true, allowPositionals: true });
  platformOf(values.platform, io.env);
  const format = formatOf(values.format);
  if (values.environment === undefined) throw new ConfigurationError({ message: 'wait needs --environment E' });
  if (positionals.length > 1)
    throw new ConfigurationError({ message: `wait takes one head revision (got ${positionals.length})` });
  const timeout = durationOf('--timeout', values.timeout, 2 * 3_600_000, true);
  const interval = durationOf('--poll-interval', values['poll-interval'], 5_000, false);
  const members =
    values.members !== undefined
      ? parseMembers(
          (await readInputFile('--members', resolve(io.cwd, values.members), values.members)).toString('utf8'),
          values.members,
        )
      : undefined;
  const root = await rootOf(io.cwd);
  const head = await headOf(root, positionals[0], 'HEAD');

  const fetched = await fetchCountersignRefs(root);
  // The base decides which policy, allowed signers and participants judge the change, so it comes
  // from the caller (or the upstream branch), never from the unsigned request note.
  const base =
    values.base !== undefined ? await resolveCommit(root, values.base, '--base') : await defaultBase(root, head);
  await checkBase(root, base, head, '--base');
  const request = await findRequest(root, head, values.environment, base);
  if (request === undefined) {
    throw new ConfigurationError({
      message: `no request for ${values.environment} at ${head.slice(0, 12)} from base ${base.slice(0, 12)}: run 'countersign request --environment ${values.environment} --base ${base} --head ${head}' first`,
    });
  }
  // The change, the policy and the allowed signers are fixed by base and head: read them once.
  const context = await changeContext(io.cwd, root, base, head, values.policy);
  const deadline = io.now().getTime() + timeout;
  let decision = await decideNow(context, request, members, io.now());
  let last = '';
  for (;;) {
    const line = progress(decision);
    if (line !== last && format === 'text') io.stderr(`[${io.now().toISOString()}] ${line}\n`);
    last = line;
    if (decision.status !== 'pending' || io.now().getTime() + interval > deadline) break;
    await sleep(interval);
    if (fetched) await fetchCountersignRefs(root);
    decision = await decideNow(context, request, members, io.now());
  }
  const timedOut = decision.status === 'pending';
  const file = values['decision-file'] ?? DEFAULT_DECISION_FILE;
  await writeOutputFile('--decision-file', resolve(io.cwd, file), `${JSON.stringify(decision, null, 2)}\n`, file);

  if (format === 'json')
    io.stdout(`${JSON.stringify({ ...decision, timed_out: timedOut, decision_file: file }, null, 2)}\n`);
  else if (format === 'markdown') io.stdout(decisionMarkdown(decision));
  else {
    io.stdout(decisionText(decision, { colour: colourFor(io) }));
    const ending = !timedOut
      ? ''
      : timeout === 0
        ? 'Still pending (decided once: --timeout 0). '
        : `Timed out after ${values.timeout ?? '2h'}, still pending. `;
    io.stdout(`${ending}Decision written to ${file}\n`);
  }
  return decision.status === 'approved' ? 0 : 1;
}
