import { constants } from 'node:fs';
import { access, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
// Deep imports on purpose: the rollback verb loads the rollback and attestation modules alone.
import { parsePrivateKey, parseKeyring, type PublicKeyInfo } from '@countersign/core/attestation/keys';
import { keySigner } from '@countersign/core/attestation/signer';
import { asDecision, runFromEnvironment } from '@countersign/core/attestation/statement';
import { ConfigurationError } from '@countersign/core/errors';
import { loadPolicy } from '@countersign/core/policy/load';
import type { Policy } from '@countersign/core/policy/types';
import { parseJsonExpectation, parseStatusRanges, type JsonExpectation } from '@countersign/core/rollback/expect';
import { UNKNOWN_MIGRATION, type ReasonLike } from '@countersign/core/rollback/guardrails';
import {
  deployAttestation,
  findKnownGood,
  indexAttestations,
  isRollbackDeployment,
  type AttestationIndex,
  type AttestationSource,
} from '@countersign/core/rollback/known-good';
import { displayUrl, headerSecrets } from '@countersign/core/rollback/mask';
import { commandProbe, httpProbe } from '@countersign/core/rollback/probe';
import { parseRecord, digestSet } from '@countersign/core/rollback/record';
import { progressLine, recordMarkdown, recordText } from '@countersign/core/rollback/render';
import { runRollback, type RestoreFinder } from '@countersign/core/rollback/run';
import {
  DEFAULT_LOOP,
  type ArtefactInput,
  type LoopOptions,
  type Probe,
  type RollbackRecord,
} from '@countersign/core/rollback/types';
import { parseDuration } from '@countersign/core/time/duration';
import { parseInstant } from '@countersign/core/time/instant';
import { readInputFile, type Io } from '../io.js';
import { formatOf } from '../options.js';

export const ROLLBACK_USAGE = `countersign rollback (--probe URL ... | --probe-command CMD ...) --rollback-command CMD
                     [--expect-status 200-299] [--expect-body TEXT] [--expect-json PATH=VALUE ...]
                     [--max-latency 500ms] [--timeout 5s] [--method GET] [--header 'Name: value' ...]
                     [--expect-exit 0] [--non-critical URL|CMD ...]
                     [--initial-delay 0s] [--count 5] [--interval 2s] [--failure-limit 0]
                     [--consecutive-error-limit 4] [--consecutive-success-limit N]
                     [--restore-digest D] [--restore-ref R] [--restore-sha S]
                     [--failed-digest D] [--failed-sha S] [--failed-deployment ID] [--failed-at TIME]
                     [--attestations FILE|DIR --public-key PEM ... --environment E]
                     [--policy FILE] [--decision FILE] [--allow-unknown-migration]
                     [--key FILE | --key-env VAR] [--out FILE]
                     [--record FILE] [--actor A] [--run-url U] [--format text|json|markdown]

Watches a deployment's health and, when it fails, runs --rollback-command to put back the last known
good artefact, then watches again. The target is --restore-digest/--restore-ref (no look-up), or the
newest verified attestation for --environment in --attestations older than the failed deploy. The
command gets the target only in its environment: COUNTERSIGN_ROLLBACK=1, COUNTERSIGN_ROLLBACK_DIGEST,
COUNTERSIGN_ROLLBACK_REF, COUNTERSIGN_ROLLBACK_SHA, COUNTERSIGN_FAILED_DIGEST, COUNTERSIGN_FAILED_SHA,
COUNTERSIGN_ROLLBACK_REASON. Header values are never printed. Progress goes to stderr as it runs; the
record is written to --record (default countersign-rollback.json) and, with a key, signed as
https://countersign.dev/rollback/v1 and appended to --out (default countersign.intoto.jsonl).
Exit 0 healthy or degraded, 1 failed (rolled back or not: the record says) or the record could not be
written after the run (it is printed instead), 2 bad input (before anything is probed or run).`;

const OPTIONS = {
  probe: { type: 'string', multiple: true },
  method: { type: 'string' },
  'expect-status': { type: 'string' },
  'expect-body': { type: 'string' },
  'expect-json': { type: 'string', multiple: true },
  'max-latency': { type: 'string' },
  timeout: { type: 'string' },
  header: { type: 'string', multiple: true },
  'probe-command': { type: 'string', multiple: true },
  'expect-exit': { type: 'string' },
  'non-critical': { type: 'string', multiple: true },
  'initial-delay': { type: 'string' },
  count: { type: 'string' },
  interval: { type: 'string' },
  'failure-limit': { type: 'string' },
  'consecutive-error-limit': { type: 'string' },
  'consecutive-success-limit': { type: 'string' },
  'rollback-command': { type: 'string' },
  'restore-digest': { type: 'string' },
  'restore-ref': { type: 'string' },
  'restore-sha': { type: 'string' },
  'failed-digest': { type: 'string' },
  'failed-sha': { type: 'string' },
  'failed-deployment': { type: 'string' },
  'failed-at': { type: 'string' },
  attestations: { type: 'string' },
  'public-key': { type: 'string', multiple: true },
  environment: { type: 'string' },
  policy: { type: 'string' },
  decision: { type: 'string' },
  'allow-unknown-migration': { type: 'boolean' },
  key: { type: 'string' },
  'key-env': { type: 'string' },
  out: { type: 'string' },
  record: { type: 'string' },
  actor: { type: 'string' },
  'run-url': { type: 'string' },
  format: { type: 'string' },
} as const;

type Values = ReturnType<typeof parseArgs<{ options: typeof OPTIONS; strict: true }>>['values'];

export const DEFAULT_RECORD_FILE = 'countersign-rollback.json';
const DEFAULT_SIGNED_FILE = 'countersign.intoto.jsonl';

/** A duration flag; '0', '0s' and '0ms' mean none (the duration grammar itself has no zero). */
function duration(flag: string, value: string | undefined, fallback: number, allowZero: boolean): number {
  if (value === undefined) return fallback;
  if (allowZero && /^0(ms|s|m|h|d)?$/.test(value)) return 0;
  const ms = parseDuration(value);
  if (ms === null)
    throw new ConfigurationError({
      message: `--${flag} must be a duration such as 500ms, 2s or 1m${allowZero ? ', or 0s' : ''} (got '${value}')`,
    });
  return ms;
}

function integer(flag: string, value: string | undefined, fallback: number, min: number, max = 1_000_000): number {
  if (value === undefined) return fallback;
  if (!/^[0-9]+$/.test(value) || Number(value) < min || Number(value) > max)
    throw new ConfigurationError({
      message: `--${flag} must be a whole number from ${min} to ${max} (got '${value}')`,
    });
  return Number(value);
}

function loopOf(values: Values): LoopOptions {
  return {
    initialDelayMs: duration('initial-delay', values['initial-delay'], DEFAULT_LOOP.initialDelayMs, true),
    count: integer('count', values.count, DEFAULT_LOOP.count, 1, 10_000),
    intervalMs: duration('interval', values.interval, DEFAULT_LOOP.intervalMs, true),
    failureLimit: integer('failure-limit', values['failure-limit'], DEFAULT_LOOP.failureLimit, 0),
    consecutiveErrorLimit: integer(
      'consecutive-error-limit',
      values['consecutive-error-limit'],
      DEFAULT_LOOP.consecutiveErrorLimit,
      0,
    ),
    consecutiveSuccessLimit:
      values['consecutive-success-limit'] === undefined
        ? undefined
        : integer('consecutive-success-limit', values['consecutive-success-limit'], 1, 1),
  };
}

function headersOf(list: string[] | undefined): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const item of list ?? []) {
    const colon = item.indexOf(':');
    // Never echo the value: it is likely a token.
    if (colon <= 0)
      throw new ConfigurationError({ message: "--header must be 'Name: value' (a name, a colon, a value)" });
    const name = item.slice(0, colon).trim();
    if (!/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(name))
      throw new ConfigurationError({
        message:
          "--header: the header name is not valid (it is not shown, as it may hold part of a secret); write 'Name: value'",
      });
    headers[name] = item.slice(colon + 1).trim();
  }
  return headers;
}

function probesOf(values: Values, io: Io): { probes: Probe[]; secrets: string[]; urlSecrets: string[] } {
  const urls = values.probe ?? [];
  const commands = values['probe-command'] ?? [];
  if (urls.length === 0 && commands.length === 0)
    throw new ConfigurationError({ message: 'rollback needs at least one --probe URL or --probe-command CMD' });
  const nonCritical = new Set(values['non-critical'] ?? []);
  for (const item of nonCritical)
    if (!urls.includes(item) && !commands.includes(item))
      throw new ConfigurationError({
        message: '--non-critical must repeat the exact text of one of the --probe or --probe-command values',
      });
  const headers = headersOf(values.header);
  const timeoutMs = duration('timeout', values.timeout, 5_000, false);
  const label = (flag: string) => `--${flag}`;
  const expectStatus =
    values['expect-status'] === undefined
      ? undefined
      : parseStatusRanges(values['expect-status'], label('expect-status'));
  const expectJson: JsonExpectation[] = (values['expect-json'] ?? []).map((text) =>
    parseJsonExpectation(text, label('expect-json')),
  );
  const maxLatencyMs =
    values['max-latency'] === undefined ? undefined : duration('max-latency', values['max-latency'], 0, false);
  if (values['expect-body'] === '') throw new ConfigurationError({ message: '--expect-body must not be empty' });
  let expectExit: number | undefined;
  if (values['expect-exit'] !== undefined) expectExit = integer('expect-exit', values['expect-exit'], 0, 0, 255);
  const secrets = headerSecrets(headers);
  const urlSecrets: string[] = [];
  const probes: Probe[] = [];
  for (const url of urls) {
    try {
      probes.push(
        httpProbe({
          url,
          method: values.method,
          headers,
          expectStatus,
          expectBody: values['expect-body'],
          expectJson,
          maxLatencyMs,
          timeoutMs,
          critical: !nonCritical.has(url),
        }),
      );
      // Query values are tokens as often as not: masked in the command's output too, whatever their length.
      urlSecrets.push(...displayUrl(new URL(url)).secrets);
    } catch (error) {
      if (error instanceof ConfigurationError) throw new ConfigurationError({ message: `--${error.message}` });
      throw error;
    }
  }
  for (const command of commands)
    probes.push(
      commandProbe({
        command,
        expectExit,
        timeoutMs,
        critical: !nonCritical.has(command),
        env: io.env,
        cwd: io.cwd,
        secrets,
      }),
    );
  return { probes, secrets, urlSecrets };
}

async function attestationSources(flagValue: string, io: Io): Promise<AttestationSource[]> {
  const path = resolve(io.cwd, flagValue);
  const info = await stat(path).catch(() => null);
  if (info === null)
    throw new ConfigurationError({ message: `--attestations: cannot read ${flagValue}: no such file or directory` });
  if (info.isFile())
    return [{ file: flagValue, text: (await readInputFile('--attestations', path, flagValue)).toString('utf8') }];
  const names = (await readdir(path)).filter((n) => n.endsWith('.jsonl')).sort();
  const sources: AttestationSource[] = [];
  for (const name of names)
    sources.push({
      file: join(flagValue, name),
      text: (await readInputFile('--attestations', join(path, name), join(flagValue, name))).toString('utf8'),
    });
  return sources;
}

async function publicKeys(files: string[] | undefined, io: Io): Promise<PublicKeyInfo[]> {
  const all: PublicKeyInfo[] = [];
  for (const file of files ?? [])
    all.push(...parseKeyring(await readInputFile('--public-key', resolve(io.cwd, file), file), `--public-key ${file}`));
  return all;
}

async function signingKey(values: Values, io: Io) {
  if (values.key !== undefined && values['key-env'] !== undefined)
    throw new ConfigurationError({ message: '--key and --key-env are alternatives; give one' });
  if (values.key !== undefined)
    return parsePrivateKey(
      await readInputFile('--key', resolve(io.cwd, values.key), values.key),
      `--key ${values.key}`,
    );
  if (values['key-env'] !== undefined) {
    const pem = io.env[values['key-env']];
    if (pem === undefined || pem.trim() === '')
      throw new ConfigurationError({ message: `--key-env: ${values['key-env']} is not set` });
    return parsePrivateKey(pem, `the environment variable ${values['key-env']}`);
  }
  return null;
}

async function readPolicy(file: string | undefined, io: Io): Promise<Policy | null> {
  if (file === undefined) return null;
  return loadPolicy(await readInputFile('--policy', resolve(io.cwd, file), file), file);
}

async function decisionReasons(file: string | undefined, io: Io): Promise<ReasonLike[]> {
  if (file === undefined) return [];
  const text = (await readInputFile('--decision', resolve(io.cwd, file), file)).toString('utf8');
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new ConfigurationError({ file, message: `is not valid JSON: ${(error as Error).message.slice(0, 200)}` });
  }
  return asDecision(parsed, file).classification.reasons;
}

async function priorRecord(path: string, shown: string): Promise<RollbackRecord | null> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new ConfigurationError({ message: `--record: cannot read ${shown}: ${(error as Error).message}` });
  }
  try {
    return parseRecord(text, shown);
  } catch (error) {
    // Never overwrite what we cannot read: it may be the only record of an earlier rollback.
    throw new ConfigurationError({
      message: `--record: ${(error as Error).message}; move it away or name another --record file`,
    });
  }
}

/**
 * Checks, before anything runs, that a file can be written where it is named: a run that acted and
 * then lost its record would roll back again when re-run.
 */
async function checkWritable(flag: string, path: string, shown: string): Promise<void> {
  const fail = (why: string) => new ConfigurationError({ message: `${flag}: cannot write ${shown}: ${why}` });
  const info = await stat(path).catch(() => null);
  if (info !== null) {
    if (info.isDirectory()) throw fail('it is a directory');
    await access(path, constants.W_OK).catch(() => {
      throw fail('permission denied');
    });
    return;
  }
  const folder = await stat(dirname(path)).catch(() => null);
  if (folder === null || !folder.isDirectory()) throw fail('its directory does not exist');
  await access(dirname(path), constants.W_OK).catch(() => {
    throw fail('its directory is not writable');
  });
}

/** Writes a file after the run; a failure is returned, never thrown: the run has acted by now. */
async function writeAfter(path: string, content: string): Promise<string | null> {
  try {
    await writeFile(path, content);
    return null;
  } catch (error) {
    return (error as Error).message;
  }
}

function optional(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === '' ? undefined : value;
}

export async function rollbackCommand(args: string[], io: Io): Promise<number> {
  const { values } = parseArgs({ args, options: OPTIONS, strict: true, allowPositionals: false });
  const format = formatOf(values.format);
  // Everything is read and checked before anything runs: bad input changes nothing.
  const loop = loopOf(values);
  const { probes, secrets, urlSecrets } = probesOf(values, io);
  const command = values['rollback-command'];
  if (command === undefined || command.trim() === '')
    throw new ConfigurationError({
      message: 'rollback needs --rollback-command CMD (your own deploy of the old version)',
    });
  const failed: ArtefactInput = {
    digest: optional(values['failed-digest']),
    sha: optional(values['failed-sha']),
    deploymentId: optional(values['failed-deployment']),
  };
  const explicit: ArtefactInput = {
    digest: optional(values['restore-digest']),
    ref: optional(values['restore-ref']),
    sha: optional(values['restore-sha']),
  };
  const hasExplicit = explicit.digest !== undefined || explicit.ref !== undefined || explicit.sha !== undefined;
  if (values.attestations !== undefined) {
    if ((values['public-key'] ?? []).length === 0)
      throw new ConfigurationError({ message: '--attestations needs --public-key FILE to verify them' });
    if (values.environment === undefined)
      throw new ConfigurationError({ message: '--attestations needs --environment E (whose attestations count)' });
  }
  // Without it the newest attestation could be the very artefact that failed.
  if (!hasExplicit && values.attestations !== undefined && failed.digest === undefined)
    throw new ConfigurationError({
      message: '--attestations needs --failed-digest D, so the artefact that failed is never picked as the known good',
    });
  if (!hasExplicit && values.attestations === undefined)
    throw new ConfigurationError({
      message:
        'rollback needs a target: --restore-digest / --restore-ref, or --attestations with --public-key and --environment to find the last known good',
    });
  let failedAt: Date | undefined;
  if (values['failed-at'] !== undefined) {
    try {
      failedAt = parseInstant(values['failed-at'], io.now());
    } catch (error) {
      throw new ConfigurationError({ message: `--failed-at: ${(error as Error).message}` });
    }
  }
  const key = await signingKey(values, io);
  // The record's subject is the watched artefact whenever nothing is restored (healthy, degraded,
  // refused): without its digest the record could not be signed after the run.
  if (key !== null && (typeof failed.digest !== 'string' || digestSet(failed.digest) === null))
    throw new ConfigurationError({
      message:
        '--key signs the record for an artefact, the watched one when nothing is restored: give --failed-digest as sha256:HEX',
    });
  const policy = await readPolicy(values.policy, io);
  const reasons = await decisionReasons(values.decision, io);
  let reasonsKnown = values.decision !== undefined;
  const recordFile = values.record ?? DEFAULT_RECORD_FILE;
  const recordPath = resolve(io.cwd, recordFile);
  const prior: RollbackRecord[] = [];
  const earlier = await priorRecord(recordPath, recordFile);
  if (earlier !== null) prior.push(earlier);
  await checkWritable('--record', recordPath, recordFile);
  const out = values.out ?? DEFAULT_SIGNED_FILE;
  const outPath = resolve(io.cwd, out);
  if (key !== null) await checkWritable('--out', outPath, out);

  let index: AttestationIndex | null = null;
  let previous: string | null = null;
  let failedIsRollback: string | null = null;
  if (io.env['COUNTERSIGN_ROLLBACK'] === '1')
    failedIsRollback = 'COUNTERSIGN_ROLLBACK=1 is set: this job runs inside a rollback';
  if (values.attestations !== undefined) {
    const keys = await publicKeys(values['public-key'], io);
    index = indexAttestations(await attestationSources(values.attestations, io), keys, values.environment as string);
    for (const r of index.rollbacks) prior.push(r.record);
    const failedDigest = failed.digest;
    if (typeof failedDigest === 'string') {
      const deployed = deployAttestation(index, failedDigest);
      if (deployed !== null) {
        previous = deployed.payloadSha256;
        failed.sha ??= deployed.predicate.head ?? undefined;
        reasons.push(...(deployed.predicate.reasons ?? []));
        reasonsKnown = true;
      }
      const rollback = isRollbackDeployment(index, failedDigest);
      if (rollback !== null)
        failedIsRollback ??= `${failedDigest} was put back by the rollback recorded in ${rollback.file} line ${rollback.line}`;
    }
  }
  const allowUnknownMigration = values['allow-unknown-migration'] === true;
  if (!reasonsKnown)
    io.stderr(
      `countersign rollback: warning: ${UNKNOWN_MIGRATION}${
        policy?.rollback !== undefined && !allowUnknownMigration
          ? '; the policy has a rollback section, so a rollback will be refused (--decision FILE gives the classification; --allow-unknown-migration goes ahead without it)'
          : ''
      }\n`,
    );
  const run = runFromEnvironment(io.env);
  const finder: RestoreFinder = () =>
    findKnownGood(index as AttestationIndex, { failedDigest: failed.digest, before: failedAt, now: io.now() });

  const result = await runRollback({
    probes,
    loop,
    failed,
    restore: hasExplicit ? explicit : finder,
    command,
    env: io.env,
    cwd: io.cwd,
    environment: values.environment ?? null,
    failedIsRollback,
    reasons,
    reasonsKnown,
    allowUnknownMigration,
    policy,
    prior,
    previous,
    actor: values.actor ?? run.actor,
    runUrl: values['run-url'] ?? run.url,
    secrets,
    urlSecrets,
    signers: key === null ? undefined : [keySigner(key)],
    onProgress: (event) => io.stderr(event.kind === 'command-output' ? event.text : `${progressLine(event)}\n`),
  });

  // From here the run has acted: a file that cannot be written is reported, the record printed
  // instead, and the exit is 1 (never 2, which promises that nothing ran).
  const lost: string[] = [];
  if (result.signError !== null) lost.push(`the record could not be signed: ${result.signError}`);
  if (result.repeated) {
    io.stderr(`countersign rollback: ${result.record.decision.reason}; ${recordFile} is left as it was\n`);
  } else {
    const problem = await writeAfter(recordPath, `${JSON.stringify(result.record, null, 2)}\n`);
    if (problem !== null) lost.push(`--record: cannot write ${recordFile}: ${problem}`);
    if (result.signed !== null) {
      const before = await readFile(outPath, 'utf8').catch(() => '');
      const prefix = before === '' || before.endsWith('\n') ? before : `${before}\n`;
      const failure = await writeAfter(outPath, `${prefix}${result.signed.envelope}\n`);
      if (failure !== null) lost.push(`--out: cannot write ${out}: ${failure}`);
    }
  }
  if (format === 'json') io.stdout(`${JSON.stringify(result.record, null, 2)}\n`);
  else if (format === 'markdown') io.stdout(recordMarkdown(result.record));
  else io.stdout(recordText(result.record));
  if (lost.length === 0) return result.exitCode;
  for (const problem of lost) io.stderr(`countersign rollback: ${problem}\n`);
  io.stderr(
    `countersign rollback: the run has acted, so its record is printed on stdout instead${format === 'json' ? '' : ' (after the summary)'}${result.signed !== null ? ', with the signed envelope on the last line' : ''}; keep it, or a re-run may roll back again\n`,
  );
  if (format !== 'json') io.stdout(`${JSON.stringify(result.record, null, 2)}\n`);
  if (result.signed !== null) io.stdout(`${result.signed.envelope}\n`);
  return 1;
}
