import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { devNull } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { Identity } from './helpers.js';
import { git } from './helpers.js';

const run = promisify(execFile);

export interface SshKey {
  /** The private key file: what user.signingKey names in these tests (no agent needed). */
  privateKey: string;
  /** The public key line, `ssh-ed25519 AAAA... comment`. */
  publicKey: string;
}

/** A fresh passphrase-less Ed25519 key in `directory`. */
export async function makeKey(directory: string, name: string): Promise<SshKey> {
  const privateKey = join(directory, `${name}_ed25519`);
  await run('ssh-keygen', ['-t', 'ed25519', '-N', '', '-q', '-C', name, '-f', privateKey]);
  const publicKey = (await readFile(`${privateKey}.pub`, 'utf8')).trim();
  return { privateKey, publicKey };
}

/** One allowed-signers line; `options` is ssh-keygen's option list, e.g. `namespaces="git"`. */
export function signerLine(principal: string, key: SshKey, options = 'namespaces="git"'): string {
  return `${principal} ${options === '' ? '' : `${options} `}${key.publicKey}`;
}

/** The -c settings that make git sign tags with `key` as `who` (whose name the tagger line shows). */
export function signingConfig(key: SshKey, who: Identity): string[] {
  return ['gpg.format=ssh', `user.signingKey=${key.privateKey}`, `user.name=${who.name}`, `user.email=${who.email}`];
}

/** The same settings as `git -c` arguments, for the test's own git calls. */
export function configFlags(settings: readonly string[]): string[] {
  return settings.flatMap((setting) => ['-c', setting]);
}

/**
 * Creates a signed annotated tag with git itself. The test helpers' environment fixes the tagger
 * time (2024-01-02T03:04:05Z) and, through GIT_COMMITTER_*, the tagger line.
 */
export async function signTag(
  root: string,
  name: string,
  target: string,
  message: string,
  config: readonly string[],
  tagger: Identity,
): Promise<void> {
  const args = [...configFlags(config), 'tag', '-s', '--cleanup=verbatim', '--file=-', name, target];
  await git(root, args, { input: message, author: tagger, committer: tagger });
}

/** Writes a tag object byte for byte (git mktag checks its form, not its signature); returns its id. */
export async function writeTagObject(root: string, raw: string): Promise<string> {
  return (await git(root, ['mktag'], { input: raw })).trim();
}

const ISOLATING = { GIT_CONFIG_GLOBAL: devNull, GIT_CONFIG_NOSYSTEM: '1' } as const;

/**
 * Keeps this machine's git configuration (its identity, signing settings, tag.gpgSign...) away from
 * the code under test, which runs git with the process's environment. Returns the undo.
 */
export function isolateGitConfig(): () => void {
  const saved = Object.fromEntries(Object.keys(ISOLATING).map((name) => [name, process.env[name]]));
  Object.assign(process.env, ISOLATING);
  return () => {
    for (const [name, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  };
}
