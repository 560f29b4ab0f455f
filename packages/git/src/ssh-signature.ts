import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigurationError } from '@countersign/core';

/** The namespace git signs commits and tags in; a signature made for anything else is not a tag's. */
const NAMESPACE = 'git';

export type SshVerification = { principal: string } | { problem: string };

export interface SshVerifyOptions {
  /**
   * The time the signed content claims (a tag's tagger time). Keys are judged by their
   * valid-after / valid-before at that time, as `git verify-tag` does; default now.
   */
  at?: Date | null;
}

/**
 * Verifies an SSH signature over `payload` against allowed-signers content, as git does: every
 * principal `ssh-keygen -Y find-principals` names for the key is tried with `-Y verify` in namespace
 * "git" until one verifies. Returns that principal, or why none is verified.
 */
export async function verifySshSignature(
  payload: Buffer,
  signature: string,
  allowedSigners: string,
  options: SshVerifyOptions = {},
): Promise<SshVerification> {
  const directory = await mkdtemp(join(tmpdir(), 'countersign-ssh-'));
  try {
    const files = { signers: join(directory, 'allowed_signers'), signature: join(directory, 'signature') };
    await writeFile(files.signers, allowedSigners, { mode: 0o600 });
    await writeFile(files.signature, signature, { mode: 0o600 });
    return await verifyWithFiles(payload, files, verifyTime(options.at), directory);
  } finally {
    await rm(directory, { recursive: true, force: true });
  }
}

interface Files {
  signers: string;
  signature: string;
}

async function verifyWithFiles(
  payload: Buffer,
  files: Files,
  time: string[],
  directory: string,
): Promise<SshVerification> {
  const found = await sshKeygen(['-Y', 'find-principals', '-f', files.signers, '-s', files.signature, ...time]);
  if (found.code !== 0) return { problem: await unlistedKeyProblem(payload, files.signature, time) };
  const problems: string[] = [];
  const verified = new Set<string>();
  // One line may name several principals ("a@x,b@x key"), and one key may sit on several lines.
  const principals = lines(found.stdout).flatMap((line) =>
    line
      .split(',')
      .map((p) => p.trim())
      .filter(Boolean),
  );
  for (const principal of principals) {
    if (isPattern(principal)) {
      problems.push(`the allowed-signers entry for the signing key is the pattern '${principal}', not one person`);
      continue;
    }
    const args = ['-Y', 'verify', '-f', files.signers, '-I', principal, '-n', NAMESPACE, '-s', files.signature];
    const result = await sshKeygen([...args, ...time], payload);
    if (result.code === 0) verified.add(principal);
    else problems.push(verifyProblem(principal, result.stderr, directory));
  }
  const [principal] = [...verified];
  if (principal !== undefined) {
    // A key shared by several people proves none of them in particular: attributing it to the one
    // ssh-keygen happens to name first would let one approve in another's name.
    const owners = await ownersOfSigningKey(payload, files, time);
    if (owners.length > 1) {
      return {
        problem: `the signing key is listed for several people (${owners.join(', ')}), so it identifies none of them`,
      };
    }
    return { principal };
  }
  return { problem: problems[0] ?? 'the allowed-signers file names no principal for the signing key' };
}

/** ssh-keygen's own option; `Z` makes it UTC rather than the machine's zone. */
function verifyTime(at: Date | null | undefined): string[] {
  if (at === null || at === undefined) return [];
  const stamp = at
    .toISOString()
    .replace(/\.\d{3}Z$/, 'Z')
    .replace(/[-:T]/g, '');
  return [`-Overify-time=${stamp}`];
}

/**
 * Principals in an allowed-signers file are patterns. `*@example.com` verifies any signature by
 * its key, but names no one: an approval needs a person to hold to separation of duties.
 */
function isPattern(principal: string): boolean {
  return /[*?]/.test(principal) || principal.startsWith('!');
}

/** Every principal the allowed-signers file gives the key that made this signature. */
async function ownersOfSigningKey(payload: Buffer, files: Files, time: string[]): Promise<string[]> {
  const checked = await sshKeygen(['-Y', 'check-novalidate', '-n', NAMESPACE, '-s', files.signature, ...time], payload);
  const fingerprint = /key (SHA256:\S+)/.exec(checked.stdout + checked.stderr)?.[1];
  if (fingerprint === undefined) return [];
  const owners = new Set<string>();
  for (const line of lines(await readFile(files.signers, 'utf8'))) {
    if (line.startsWith('#')) continue;
    const tokens = line.split(/\s+/);
    // The key blob follows the key type; options before it may hold quoted spaces, which only
    // ever add tokens to the left of the type.
    const typeAt = tokens.findIndex((t) => /^(ssh-|ecdsa-|sk-)/.test(t));
    const blob = typeAt >= 0 ? tokens[typeAt + 1] : undefined;
    if (blob === undefined) continue;
    const digest = `SHA256:${createHash('sha256').update(Buffer.from(blob, 'base64')).digest('base64').replace(/=+$/, '')}`;
    if (digest !== fingerprint) continue;
    for (const p of (tokens[0] ?? '').split(',')) if (p.trim() !== '') owners.add(p.trim());
  }
  return [...owners];
}

/** No principal matched: say which key signed, when the signature itself is sound, so it can be added. */
async function unlistedKeyProblem(payload: Buffer, signature: string, time: string[]): Promise<string> {
  const checked = await sshKeygen(['-Y', 'check-novalidate', '-n', NAMESPACE, '-s', signature, ...time], payload);
  const key = /with (\S+) key (SHA256:\S+)/.exec(checked.stdout + checked.stderr);
  if (checked.code === 0 && key !== null) {
    return `signed by ${key[1] ?? ''} key ${key[2] ?? ''}, which the allowed-signers file does not list${time.length > 0 ? ' (as valid at the tag time)' : ''}`;
  }
  if (/namespace/i.test(checked.stderr)) return `the signature was not made for the "${NAMESPACE}" namespace`;
  return `the signature does not verify (${lastLine(checked.stderr) ?? 'ssh-keygen refused it'})`;
}

function verifyProblem(principal: string, stderr: string, directory: string): string {
  if (stderr.includes('not permitted for use in signature namespace')) {
    return `the allowed-signers entry for '${principal}' does not allow the "${NAMESPACE}" namespace (namespaces=)`;
  }
  if (stderr.includes('incorrect signature')) {
    return `the signature by '${principal}' does not match the signed content: it was altered after signing`;
  }
  if (/namespace does not match/.test(stderr)) {
    return `the signature by '${principal}' was not made for the "${NAMESPACE}" namespace`;
  }
  // Temporary paths say nothing to the reader.
  const said = (lastLine(stderr) ?? 'refused').split(`${directory}/`).join('');
  return `ssh-keygen did not verify the signature for '${principal}': ${said}`;
}

function lines(text: string): string[] {
  return text
    .split('\n')
    .map((line) => line.replace(/\r$/, ''))
    .filter((line) => line !== '');
}

function lastLine(text: string): string | undefined {
  return lines(text).at(-1)?.trim();
}

interface ProgramOutput {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs ssh-keygen with an argument array (never a shell), the payload on stdin. */
function sshKeygen(args: readonly string[], input?: Buffer): Promise<ProgramOutput> {
  return new Promise((resolve, reject) => {
    const child = spawn('ssh-keygen', args, { stdio: ['pipe', 'pipe', 'pipe'], windowsHide: true });
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
    child.stdin.on('error', () => undefined);
    child.on('error', (error) => {
      reject(
        new ConfigurationError({
          message: `cannot run ssh-keygen (part of OpenSSH), needed to verify signed tags: ${error.message}`,
        }),
      );
    });
    child.on('close', (code) => {
      resolve({
        code: code ?? -1,
        stdout: Buffer.concat(stdout).toString('utf8'),
        stderr: Buffer.concat(stderr).toString('utf8'),
      });
    });
    child.stdin.end(input ?? Buffer.alloc(0));
  });
}
