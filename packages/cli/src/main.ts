// `countersign VERB [flags]`: picks the verb, runs it, and maps every failure to SPEC section 3's
// exit codes — 0 yes, 1 no, 2 bad input — with the message on stderr and never a stack trace for
// a user's mistake.
import { readFileSync } from 'node:fs';
import { ConfigurationError } from '@countersign/core/errors';
import { processIo, type Io } from './io.js';

type Command = (args: string[], io: Io) => Promise<number> | number;

// Each verb is loaded only when asked for, so a verb's start-up pays for its own modules alone
// (attest on a large artefact is measured against `openssl dgst` with start-up included).
const COMMANDS: Record<string, () => Promise<{ run: Command; usage: string }>> = {
  classify: async () =>
    import('./commands/classify.js').then((m) => ({ run: m.classifyCommand, usage: m.CLASSIFY_USAGE })),
  evaluate: async () =>
    import('./commands/evaluate.js').then((m) => ({ run: m.evaluateCommand, usage: m.EVALUATE_USAGE })),
  attest: async () => import('./commands/attest.js').then((m) => ({ run: m.attestCommand, usage: m.ATTEST_USAGE })),
  verify: async () => import('./commands/verify.js').then((m) => ({ run: m.verifyCommand, usage: m.VERIFY_USAGE })),
  keygen: async () => import('./commands/keygen.js').then((m) => ({ run: m.keygenCommand, usage: m.KEYGEN_USAGE })),
  schema: async () => import('./commands/schema.js').then((m) => ({ run: m.schemaCommand, usage: m.SCHEMA_USAGE })),
  request: async () => import('./commands/request.js').then((m) => ({ run: m.requestCommand, usage: m.REQUEST_USAGE })),
  approve: async () =>
    import('./commands/decide-tag.js').then((m) => ({ run: m.approveCommand, usage: m.APPROVE_USAGE })),
  reject: async () => import('./commands/decide-tag.js').then((m) => ({ run: m.rejectCommand, usage: m.REJECT_USAGE })),
  rollback: async () =>
    import('./commands/rollback.js').then((m) => ({ run: m.rollbackCommand, usage: m.ROLLBACK_USAGE })),
  wait: async () => import('./commands/wait.js').then((m) => ({ run: m.waitCommand, usage: m.WAIT_USAGE })),
  demo: async () => import('./commands/demo.js').then((m) => ({ run: m.demoCommand, usage: m.DEMO_USAGE })),
};

const USAGE = `Usage: countersign <verb> [flags]

Verbs:
  classify   risk, reasons, required approvals and freezes of a change
  evaluate   the decision for a change and its approvals
  attest     sign the decision into an attestation bound to the artefact's digest
  verify     check an artefact's attestation before deploy
  keygen     make a signing key pair
  request    record an approval request (git platform: a git note) for a change
  approve    approve a head with a signed git tag (git platform)
  reject     reject a head with a signed git tag (git platform)
  wait       wait for the decision on a request, and write it for attest
  rollback   watch a deploy's health; on failure put back the last known good, and record it
  demo       the whole flow, offline, in a temporary repository
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
    const topic = rest[0] !== undefined && Object.hasOwn(COMMANDS, rest[0]) ? COMMANDS[rest[0]] : undefined;
    io.stdout(`${topic !== undefined ? (await topic()).usage : USAGE}\n`);
    return 0;
  }
  const load = Object.hasOwn(COMMANDS, verb) ? COMMANDS[verb] : undefined;
  if (load === undefined) {
    io.stderr(`countersign: unknown verb '${verb}'\n\n${USAGE}\n`);
    return 2;
  }
  const command = await load();
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
