// Public keys given to a step: PEM text, or a path in the repository. A path is read from the
// default branch as it is now, never from the checkout: the checkout is the change being verified,
// and a change must not bring the key its own evidence is checked with.
import { ConfigurationError, parseKeyring, type PublicKeyInfo } from '@countersign/core';
import { readTrustedFile, type GitHubClient } from '@countersign/github';
import * as read from './inputs.js';
import type { Runner } from './runner.js';

export async function readPublicKeys(
  client: GitHubClient,
  runner: Runner,
  input: string,
  value: string,
): Promise<PublicKeyInfo[]> {
  if (value.includes('-----BEGIN')) return parseKeyring(value, `input ${input}`);
  const path = read.repositoryPath(input, value);
  const pem = await readTrustedFile({ client, owner: runner.owner, repo: runner.repo, ref: null, path });
  if (pem === null)
    throw new ConfigurationError({
      message: `input ${input}: ${path} does not exist on the default branch; commit the public key there, or pass the PEM text`,
    });
  return parseKeyring(pem, `input ${input} ${path} (default branch)`);
}
