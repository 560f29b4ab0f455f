// Public keys given to a step: PEM text (from a variable or the workflow), or a path in the
// repository's checkout to a file of PEM keys, where the committed public key usually lives.
import { readFile } from 'node:fs/promises';
import { relative, resolve } from 'node:path';
import { ConfigurationError, parseKeyring, type PublicKeyInfo } from '@countersign/core';
import type { Runner } from './runner.js';

export async function readPublicKeys(runner: Runner, input: string, value: string): Promise<PublicKeyInfo[]> {
  if (value.includes('-----BEGIN')) return parseKeyring(value, `input ${input}`);
  const path = resolve(runner.workspace, value);
  if (relative(runner.workspace, path).startsWith('..'))
    throw new ConfigurationError({
      message: `input ${input} must be PEM text or a path inside the repository's checkout (got '${value}')`,
    });
  let pem: Buffer;
  try {
    pem = await readFile(path);
  } catch {
    throw new ConfigurationError({
      message: `input ${input}: ${value} cannot be read in the workspace; check out the repository first (actions/checkout), or pass the PEM text`,
    });
  }
  return parseKeyring(pem, `input ${input} ${value}`);
}
