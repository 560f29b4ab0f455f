import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import {
  ConfigurationError,
  decide,
  decisionMarkdown,
  decisionText,
  parseApprovals,
  parseChange,
  parseMembers,
} from '@countersign/core';
import { readInputFile, type Io } from '../io.js';
import { colourFor, formatOf, instantOf } from '../options.js';
import { policyFromFile } from '../policy-source.js';
import { trustedPathsFor } from './classify.js';

export const EVALUATE_USAGE = `countersign evaluate --policy FILE --change FILE --approvals FILE [--members FILE]
                     [--environment E] [--at TIME] [--format text|json|markdown]

Decides: approved, pending, rejected or frozen, with every approval counted or discounted and why.
Exit 0 approved, 1 not approved, 2 bad input.`;

const OPTIONS = {
  policy: { type: 'string' },
  change: { type: 'string' },
  approvals: { type: 'string' },
  members: { type: 'string' },
  environment: { type: 'string' },
  at: { type: 'string' },
  format: { type: 'string' },
} as const;

async function text(io: Io, flag: string, path: string): Promise<string> {
  return (await readInputFile(flag, resolve(io.cwd, path), path)).toString('utf8');
}

export async function evaluateCommand(args: string[], io: Io): Promise<number> {
  const { values } = parseArgs({ args, options: OPTIONS, strict: true, allowPositionals: false });
  const format = formatOf(values.format);
  const at = instantOf(values.at, io);
  for (const flag of ['change', 'approvals'] as const) {
    if (values[flag] === undefined) throw new ConfigurationError({ message: `evaluate needs --${flag} FILE` });
  }
  const source = await policyFromFile(io.cwd, values.policy);
  const changeFile = values.change as string;
  const change = parseChange(await text(io, '--change', changeFile), changeFile);
  // Without these the decision could not tell a replayed or stale approval from a fresh one.
  if (!change.head)
    throw new ConfigurationError({
      file: changeFile,
      message: 'head is required to evaluate approvals: an approval is bound to the head commit it approves',
    });
  if (!change.requested_at) {
    throw new ConfigurationError({
      file: changeFile,
      message: 'requested_at is required to evaluate approvals: approvals given before the request must be told apart',
    });
  }
  const approvalsFile = values.approvals as string;
  const approvals = parseApprovals(await text(io, '--approvals', approvalsFile), approvalsFile);
  const members =
    values.members !== undefined
      ? parseMembers(await text(io, '--members', values.members), values.members)
      : undefined;
  const decision = decide({
    policy: source.policy,
    change,
    approvals,
    members,
    at,
    environment: values.environment,
    trustedPaths: trustedPathsFor(source),
  });
  if (format === 'json') io.stdout(`${JSON.stringify(decision, null, 2)}\n`);
  else if (format === 'markdown') io.stdout(decisionMarkdown(decision));
  else io.stdout(decisionText(decision, { colour: colourFor(io) }));
  return decision.status === 'approved' ? 0 : 1;
}
