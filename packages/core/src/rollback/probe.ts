// The two kinds of health probe: an HTTP request with expectations, and the user's own command.
// Each answers pass / fail / error and never throws: `error` is "no answer" (network, time-out,
// spawn), `fail` is "an answer that broke an expectation"; the loop counts them apart.
import { spawn } from 'node:child_process';
import { ConfigurationError } from '../errors.js';
import {
  formatJsonPath,
  formatStatusRanges,
  jsonValueMatches,
  readJsonPath,
  statusMatches,
  type JsonExpectation,
  type StatusRange,
} from './expect.js';
import { displayUrl, headerSecrets, masker, type Masker } from './mask.js';
import type { Probe, ProbeAnswer, ProbeContext } from './types.js';

export const DEFAULT_PROBE_TIMEOUT_MS = 5_000;
/** Enough for any health document; a larger body is read no further. */
const MAX_BODY_BYTES = 1 << 20;
const MAX_OUTPUT_CHARS = 2_000;

export interface HttpProbeSpec {
  url: string;
  /** Shown in place of the URL; default: the URL without user info and query. */
  name?: string | undefined;
  method?: string | undefined;
  /** Header values are treated as secrets: they are masked in every message. */
  headers?: Readonly<Record<string, string>> | undefined;
  /** More values to mask (tokens the caller knows about). */
  secrets?: readonly string[] | undefined;
  /** Default: 200-299. */
  expectStatus?: readonly StatusRange[] | undefined;
  expectBody?: string | undefined;
  expectJson?: readonly JsonExpectation[] | undefined;
  maxLatencyMs?: number | undefined;
  timeoutMs?: number | undefined;
  critical?: boolean | undefined;
}

const METHOD = /^[A-Z]{3,10}$/;
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

/** Validates a spec up front, so a bad probe is a configuration error before anything runs. */
function checkHttpSpec(spec: HttpProbeSpec): URL {
  let url: URL;
  try {
    url = new URL(spec.url);
  } catch {
    // Never echo it, not even its start: a malformed URL may still carry a token.
    throw new ConfigurationError({
      message: 'probe: the value given is not a URL (it is not shown here, since it may hold a token)',
    });
  }
  // Node's fetch refuses a URL with credentials, so every round would be an error and a healthy
  // service would be rolled back; and the credentials would be one print away from a log.
  if (url.username !== '' || url.password !== '')
    throw new ConfigurationError({
      message: `probe: ${displayUrl(url).shown} has a user name or password in it, which is refused (it is not shown); put the credentials in a header instead (--header 'Authorization: Basic …')`,
    });
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new ConfigurationError({ message: `probe: ${displayUrl(url).shown} must be an http or https URL` });
  if (spec.method !== undefined && !METHOD.test(spec.method))
    throw new ConfigurationError({ message: `probe: method '${spec.method}' must be an HTTP method such as GET` });
  for (const name of Object.keys(spec.headers ?? {}))
    if (!HEADER_NAME.test(name))
      // Not echoed: a line missing its colon puts part of the value (a token, likely) in the name.
      throw new ConfigurationError({
        message:
          "header: a header name is not valid (it is not shown, as it may hold part of a secret); write 'Name: value'",
      });
  for (const [what, value] of [
    ['max latency', spec.maxLatencyMs],
    ['timeout', spec.timeoutMs],
  ] as const)
    if (value !== undefined && (!Number.isFinite(value) || value <= 0))
      throw new ConfigurationError({ message: `probe: the ${what} must be a positive duration` });
  // An answer slower than the time-out is no answer (an error), so a maximum latency at or over it
  // could never fail a probe: a hanging service would pass as "within the latency".
  const timeoutMs = spec.timeoutMs ?? DEFAULT_PROBE_TIMEOUT_MS;
  if (spec.maxLatencyMs !== undefined && spec.maxLatencyMs >= timeoutMs)
    throw new ConfigurationError({
      message: `probe: the max latency (${spec.maxLatencyMs}ms) must be less than the timeout (${timeoutMs}ms): an answer slower than the timeout is no answer at all`,
    });
  return url;
}

function describeError(error: unknown, timeoutMs: number): string {
  const e = error as { name?: string; message?: string; cause?: { code?: string; message?: string } };
  if (e.name === 'TimeoutError' || e.name === 'AbortError') return `no answer within ${timeoutMs}ms (time-out)`;
  const cause = e.cause;
  if (cause?.code !== undefined) return `${cause.code}${cause.message ? `: ${cause.message}` : ''}`;
  return cause?.message ?? e.message ?? String(error);
}

async function readCapped(response: Response): Promise<string> {
  if (response.body === null) return '';
  const reader = (response.body as ReadableStream<Uint8Array>).getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    size += value.byteLength;
    if (size >= MAX_BODY_BYTES) {
      await reader.cancel();
      break;
    }
  }
  return Buffer.concat(chunks).toString('utf8');
}

function snippet(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > 80 ? `${flat.slice(0, 80)}…` : flat;
}

/** An HTTP probe. Redirects are not followed: a health URL that redirects is reported as such, and secret headers never travel to another host. */
export function httpProbe(spec: HttpProbeSpec): Probe {
  const url = checkHttpSpec(spec);
  const shown = displayUrl(url);
  const mask: Masker = masker([...headerSecrets(spec.headers), ...(spec.secrets ?? [])], shown.secrets);
  const ranges = spec.expectStatus ?? [{ from: 200, to: 299 }];
  const timeoutMs = spec.timeoutMs ?? DEFAULT_PROBE_TIMEOUT_MS;
  const name = mask(spec.name ?? shown.shown);
  return {
    name,
    critical: spec.critical ?? true,
    async run(context: ProbeContext): Promise<ProbeAnswer> {
      const start = context.monotonic();
      const elapsed = () => Math.max(0, Math.round(context.monotonic() - start));
      const timeout = AbortSignal.timeout(timeoutMs);
      const signal = context.signal === undefined ? timeout : AbortSignal.any([timeout, context.signal]);
      let status: number;
      let body: string;
      try {
        const response = await fetch(url, {
          method: spec.method ?? 'GET',
          headers: { 'user-agent': 'countersign-rollback', ...spec.headers },
          redirect: 'manual',
          signal,
        });
        status = response.status;
        body = await readCapped(response);
      } catch (error) {
        return { result: 'error', latencyMs: elapsed(), message: mask(describeError(error, timeoutMs)) };
      }
      const latencyMs = elapsed();
      const fail = (message: string): ProbeAnswer => ({ result: 'fail', latencyMs, message: mask(message) });
      if (!statusMatches(status, ranges)) return fail(`status ${status}, expected ${formatStatusRanges(ranges)}`);
      if (spec.expectBody !== undefined && !body.includes(spec.expectBody))
        return fail(`the body does not contain the expected text (it begins '${snippet(mask(body))}')`);
      if (spec.expectJson !== undefined && spec.expectJson.length > 0) {
        let json: unknown;
        try {
          json = JSON.parse(body);
        } catch {
          return fail(`the body is not JSON (it begins '${snippet(mask(body))}')`);
        }
        for (const expectation of spec.expectJson) {
          const actual = readJsonPath(json, expectation.path);
          if (!jsonValueMatches(actual, expectation.expected))
            return fail(
              `${formatJsonPath(expectation.path)} is ${actual === undefined ? 'missing' : snippet(mask(JSON.stringify(actual)))}, expected ${expectation.expected}`,
            );
        }
      }
      if (spec.maxLatencyMs !== undefined && latencyMs > spec.maxLatencyMs)
        return fail(`answered in ${latencyMs}ms, over the ${spec.maxLatencyMs}ms maximum`);
      return { result: 'pass', latencyMs, message: `status ${status}` };
    },
  };
}

export interface CommandProbeSpec {
  /** Run through the shell: it is the user's own command, from their own workflow. */
  command: string;
  name?: string | undefined;
  expectExit?: number | undefined;
  timeoutMs?: number | undefined;
  critical?: boolean | undefined;
  env?: NodeJS.ProcessEnv | undefined;
  cwd?: string | undefined;
  secrets?: readonly string[] | undefined;
}

export interface ShellRun {
  exitCode: number | null;
  signal: string | null;
  /** Set when the command could not start or was killed for its time-out. */
  error: string | null;
  output: string;
  truncated: boolean;
}

/** A line longer than this (no newline yet) is passed on in pieces rather than held without end. */
const MAX_PENDING_CHARS = 64 * 1024;

/**
 * Runs a shell command with a time-out, keeping the last MAX_OUTPUT_CHARS of its output. On time-out the
 * whole process group is killed, so a `sleep` started by the shell does not outlive it.
 *
 * Output is passed on and kept a whole line at a time, each line through `mask` first: a secret split
 * across two chunks of a pipe is still masked, and the output is masked before it is cut to its tail,
 * so no secret's end survives the cut.
 */
export function runShell(
  command: string,
  options: {
    env?: NodeJS.ProcessEnv | undefined;
    cwd?: string | undefined;
    timeoutMs?: number | undefined;
    /** Gets whole lines (ending in a newline, except the last one at exit), already masked. */
    onOutput?: ((stream: 'stdout' | 'stderr', text: string) => void) | undefined;
    maxOutputChars?: number | undefined;
    /** Applied to every line before it is passed on or kept; default: none. */
    mask?: Masker | undefined;
  },
): Promise<ShellRun> {
  const max = options.maxOutputChars ?? MAX_OUTPUT_CHARS;
  const mask = options.mask ?? ((text: string) => text);
  return new Promise((resolve) => {
    let output = '';
    let truncated = false;
    let timedOut = false;
    let settled = false;
    const pending = { stdout: '', stderr: '' };
    const child = spawn(command, {
      shell: true,
      env: options.env ?? process.env,
      cwd: options.cwd,
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: process.platform !== 'win32',
    });
    const emit = (stream: 'stdout' | 'stderr', raw: string) => {
      if (raw === '') return;
      const text = mask(raw);
      options.onOutput?.(stream, text);
      output += text;
      if (output.length > max) {
        output = output.slice(output.length - max);
        truncated = true;
      }
    };
    const keep = (stream: 'stdout' | 'stderr') => (chunk: Buffer) => {
      let text = pending[stream] + chunk.toString('utf8');
      const end = text.lastIndexOf('\n');
      if (end >= 0) {
        emit(stream, text.slice(0, end + 1));
        text = text.slice(end + 1);
      }
      if (text.length > MAX_PENDING_CHARS) {
        emit(stream, text);
        text = '';
      }
      pending[stream] = text;
    };
    const flush = () => {
      for (const stream of ['stdout', 'stderr'] as const) {
        emit(stream, pending[stream]);
        pending[stream] = '';
      }
    };
    child.stdout.on('data', keep('stdout'));
    child.stderr.on('data', keep('stderr'));
    const kill = () => {
      try {
        if (child.pid !== undefined && process.platform !== 'win32') process.kill(-child.pid, 'SIGKILL');
        else child.kill('SIGKILL');
      } catch {
        // Already gone.
      }
    };
    const timer =
      options.timeoutMs === undefined
        ? undefined
        : setTimeout(() => {
            timedOut = true;
            kill();
          }, options.timeoutMs);
    const finish = (run: Omit<ShellRun, 'output' | 'truncated'>) => {
      if (settled) return;
      settled = true;
      if (timer !== undefined) clearTimeout(timer);
      flush();
      resolve({ ...run, output, truncated });
    };
    child.on('error', (error) =>
      finish({ exitCode: null, signal: null, error: `could not start: ${mask(error.message)}` }),
    );
    child.on('close', (code, signal) =>
      finish({
        exitCode: code,
        signal,
        error: timedOut ? `no exit within ${options.timeoutMs}ms (time-out); killed` : null,
      }),
    );
  });
}

function lastLine(text: string): string {
  const lines = text.trim().split('\n');
  return snippet(lines[lines.length - 1] ?? '');
}

/** A command probe: passes when the command exits with the expected code (default 0). */
export function commandProbe(spec: CommandProbeSpec): Probe {
  if (spec.command.trim() === '') throw new ConfigurationError({ message: 'probe-command: the command is empty' });
  const expectExit = spec.expectExit ?? 0;
  if (!Number.isInteger(expectExit) || expectExit < 0 || expectExit > 255)
    throw new ConfigurationError({ message: `expect-exit: ${expectExit} is not an exit code (0-255)` });
  const mask = masker(spec.secrets ?? []);
  const timeoutMs = spec.timeoutMs ?? DEFAULT_PROBE_TIMEOUT_MS;
  const name = mask(spec.name ?? `$ ${spec.command.length > 60 ? `${spec.command.slice(0, 60)}…` : spec.command}`);
  return {
    name,
    critical: spec.critical ?? true,
    async run(context: ProbeContext): Promise<ProbeAnswer> {
      const start = context.monotonic();
      const run = await runShell(spec.command, { env: spec.env, cwd: spec.cwd, timeoutMs, mask });
      const latencyMs = Math.max(0, Math.round(context.monotonic() - start));
      const tail = run.output.trim() === '' ? '' : `: ${lastLine(run.output)}`;
      if (run.error !== null) return { result: 'error', latencyMs, message: mask(run.error) };
      if (run.exitCode === expectExit) return { result: 'pass', latencyMs, message: `exit ${run.exitCode}` };
      // The shell's own codes for "not found" / "not executable": the probe never ran, which is no answer.
      if (run.exitCode === 126 || run.exitCode === 127)
        return {
          result: 'error',
          latencyMs,
          message: mask(`the shell could not run the command (exit ${run.exitCode})${tail}`),
        };
      const how = run.exitCode === null ? `killed by ${run.signal ?? 'a signal'}` : `exit ${run.exitCode}`;
      return { result: 'fail', latencyMs, message: mask(`${how}, expected ${expectExit}${tail}`) };
    },
  };
}
