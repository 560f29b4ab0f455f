// The rollback step's inputs. Probe URLs and headers may carry tokens, so every header value (and
// the signing key) is masked before anything is parsed; a bad input is a ConfigurationError that
// names it and nothing has run.
import * as core from '@actions/core';
import { ConfigurationError } from '@countersign/core';
import {
  commandProbe,
  DEFAULT_LOOP,
  displayUrl,
  headerSecrets,
  httpProbe,
  parseJsonExpectation,
  parseStatusRanges,
  type LoopOptions,
  type Probe,
} from '@countersign/core/rollback/index';
import { environmentProblem } from '@countersign/github';
import { childEnvironment } from '../../shared/src/child-env.js';
import * as read from '../../shared/src/inputs.js';
import type { Runner } from '../../shared/src/runner.js';
import { readSigningKey, type SigningKey } from '../../shared/src/signing-key.js';

export interface Inputs {
  token: string;
  environment: string;
  probes: Probe[];
  loop: LoopOptions;
  command: string;
  restoreDigest: string | null;
  restoreRef: string | null;
  deploymentId: number | null;
  signing: SigningKey | null;
  /** PEM text or a repository path, read when the client exists (readPublicKeys); null: none. */
  publicKey: string | null;
  /** Values from probe URLs (credentials are refused, query values kept), masked whatever their length. */
  urlSecrets: string[];
  /** Roll back even when the failed change's classification is unknown and the policy has a rollback section. */
  allowUnknownMigration: boolean;
  /** Main does nothing but note the settings; the post step (only when the job failed) does the work. */
  defer: boolean;
  secrets: string[];
}

function lines(name: string): string[] {
  return core
    .getInput(name)
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'));
}

function count(name: string, fallback: number, min: number, max = 10_000): number {
  const text = read.text(name, String(fallback));
  const value = Number(text);
  if (!/^\d+$/.test(text) || value < min || value > max)
    throw new ConfigurationError({
      message: `input ${name} must be a whole number from ${min} to ${max} (got '${text}')`,
    });
  return value;
}

/** A duration where 0 means none (the duration grammar has no zero). */
function span(name: string, fallbackMs: number): number {
  const text = read.text(name);
  if (text === '') return fallbackMs;
  if (/^0(ms|s|m|h)?$/.test(text)) return 0;
  return read.duration(name, text);
}

function headers(): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of lines('probe-headers')) {
    const colon = line.indexOf(':');
    const value = line.slice(colon + 1).trim();
    if (value !== '') core.setSecret(value);
    if (colon <= 0) throw new ConfigurationError({ message: "input probe-headers: each line must be 'Name: value'" });
    out[line.slice(0, colon).trim()] = value;
  }
  return out;
}

function loop(): LoopOptions {
  const success = read.optional('consecutive-success-limit');
  return {
    initialDelayMs: span('initial-delay', DEFAULT_LOOP.initialDelayMs),
    count: count('count', DEFAULT_LOOP.count, 1),
    intervalMs: span('interval', DEFAULT_LOOP.intervalMs),
    failureLimit: count('failure-limit', DEFAULT_LOOP.failureLimit, 0),
    consecutiveErrorLimit: count('consecutive-error-limit', DEFAULT_LOOP.consecutiveErrorLimit, 0),
    consecutiveSuccessLimit: success === null ? undefined : count('consecutive-success-limit', 1, 1),
  };
}

function probes(runner: Runner, secrets: string[], urlSecrets: string[]): Probe[] {
  const probeHeaders = headers();
  secrets.push(...headerSecrets(probeHeaders));
  const expectStatus = read.optional('expect-status');
  const statusRanges = expectStatus === null ? undefined : parseStatusRanges(expectStatus, 'input expect-status');
  const expectJson = lines('expect-json').map((text) => parseJsonExpectation(text, 'input expect-json'));
  const maxLatency = read.optional('max-latency');
  const timeoutMs = span('probe-timeout', 5_000) || 5_000;
  const nonCritical = new Set(lines('non-critical'));
  const urls = lines('probe');
  const commands = lines('probe-command');
  if (urls.length === 0 && commands.length === 0)
    throw new ConfigurationError({ message: 'give at least one input probe (a URL a line) or probe-command' });
  const out: Probe[] = [];
  for (const url of urls) {
    try {
      out.push(
        httpProbe({
          url,
          headers: probeHeaders,
          expectStatus: statusRanges,
          expectBody: read.optional('expect-body') ?? undefined,
          expectJson,
          maxLatencyMs: maxLatency === null ? undefined : read.duration('max-latency', maxLatency),
          timeoutMs,
          critical: !nonCritical.has(url),
        }),
      );
      urlSecrets.push(...displayUrl(new URL(url)).secrets);
    } catch (error) {
      if (error instanceof ConfigurationError) throw new ConfigurationError({ message: `input ${error.message}` });
      throw error;
    }
  }
  for (const command of commands)
    out.push(
      commandProbe({
        command,
        expectExit: count('expect-exit', 0, 0, 255),
        timeoutMs,
        critical: !nonCritical.has(command),
        cwd: runner.workspace,
        env: childEnvironment(),
        secrets,
      }),
    );
  return out;
}

function deploymentId(): number | null {
  const text = read.optional('deployment-id');
  if (text === null) return null;
  const id = Number(text);
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(id) || id < 1)
    throw new ConfigurationError({ message: `input deployment-id must be a deployment's number id (got '${text}')` });
  return id;
}

export function readInputs(runner: Runner): Inputs {
  const token = read.token();
  const secrets: string[] = [token];
  const signing = core.getInput('signing-key').trim() === '' ? null : readSigningKey();
  if (signing !== null) secrets.push(...signing.secrets);
  const environment = read.required('environment');
  const problem = environmentProblem(environment);
  if (problem !== null) throw new ConfigurationError({ message: `input environment ${problem}` });
  const urlSecrets: string[] = [];
  return {
    token,
    environment,
    probes: probes(runner, secrets, urlSecrets),
    loop: loop(),
    command: read.required('rollback-command'),
    restoreDigest: read.digest('restore-digest'),
    restoreRef: read.revision('restore-ref', null),
    deploymentId: deploymentId(),
    signing,
    publicKey: read.optional('public-key'),
    defer: read.boolean('defer', false),
    urlSecrets,
    allowUnknownMigration: read.boolean('allow-unknown-migration', false),
    secrets,
  };
}
