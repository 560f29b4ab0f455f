// `countersign VERB [flags]`: picks the verb, runs it, and maps every failure to SPEC section 3's
// exit codes — 0 yes, 1 no, 2 bad input — with the message on stderr and never a stack trace for
// a user's mistake.
import { readFileSync } from 'node:fs';
import { ConfigurationError } from '@countersign/core';
import { CLASSIFY_USAGE, classifyCommand } from './commands/classify.js';
import { EVALUATE_USAGE, evaluateCommand } from './commands/evaluate.js';
import { SCHEMA_USAGE, schemaCommand } from './commands/schema.js';
import { processIo, type Io } from './io.js';

type Command = (args: string[], io: Io) => Promise<number> | number;

const COMMANDS: Record<string, { run: Command; usage: string }> = {
  classify: { run: classifyCommand, usage: CLASSIFY_USAGE },
  evaluate: { run: evaluateCommand, usage: EVALUATE_USAGE },
  schema: { run: schemaCommand, usage: SCHEMA_USAGE },
};

const USAGE = `Usage: countersign <verb> [flags]

Verbs:
  classify   risk, reasons, required approvals and freezes of a change
  evaluate   the decision for a change and its approvals
  schema     print the policy's JSON Schema

Run 'countersign help <verb>' for a verb's flags. Exit codes: 0 yes, 1 no, 2 bad input.`;

function version(): string {
  const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}

export async function main(argv: string[], io: Io = processIo()): Promise<number> {
  const [verb, ...rest] = argv;
  if (verb === undefined || verb === '--help' || verb === '-h') {
    (verb === undefined ? io.stderr : io.stdout)(`${USAGE}\n`);
    return verb === undefined ? 2 : 0;
  }
  if (verb === '--version') {
    io.stdout(`${version()}\n`);
    return 0;
  }
  if (verb === 'help') {
    const topic = rest[0] !== undefined ? COMMANDS[rest[0]] : undefined;
    io.stdout(`${topic?.usage ?? USAGE}\n`);
    return 0;
  }
  const command = COMMANDS[verb];
  if (command === undefined) {
    io.stderr(`countersign: unknown verb '${verb}'\n\n${USAGE}\n`);
    return 2;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    io.stdout(`${command.usage}\n`);
    return 0;
  }
  try {
    return await command.run(rest, io);
  } catch (error) {
    return reportFailure(error, verb, command.usage, io);
  }
}

function reportFailure(error: unknown, verb: string, usage: string, io: Io): number {
  if (error instanceof ConfigurationError) {
    io.stderr(`countersign ${verb}: ${error.message}\n`);
    return 2;
  }
  // node:util parseArgs reports unknown or malformed flags with these codes.
  const code = (error as { code?: string }).code;
  if (code?.startsWith('ERR_PARSE_ARGS_') === true) {
    io.stderr(`countersign ${verb}: ${(error as Error).message}\n\n${usage}\n`);
    return 2;
  }
  io.stderr(`countersign ${verb}: internal error: ${(error as Error).stack ?? String(error)}\n`);
  return 2;
}
