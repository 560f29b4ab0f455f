import { constants } from 'node:fs';
import { open } from 'node:fs/promises';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { generateKeyPair, type KeyAlgorithm } from '@countersign/core/attestation/keys';
import { ConfigurationError } from '@countersign/core/errors';
import type { Io } from '../io.js';

export const KEYGEN_USAGE = `countersign keygen [--algorithm ed25519|ecdsa-p256] [--out PREFIX]

Writes a signing key pair: PREFIX.key (private, mode 0600) and PREFIX.pub (public). Default
PREFIX: countersign. It never overwrites a file and never prints the private key.`;

const ALGORITHMS: readonly KeyAlgorithm[] = ['ed25519', 'ecdsa-p256'];

/** Creates the file only if it does not exist, with the mode set at creation (no window where it is readable). */
async function writeNew(path: string, content: string, mode: number): Promise<void> {
  let handle;
  try {
    handle = await open(path, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, mode);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST')
      throw new ConfigurationError({ message: `--out: ${path} already exists; keygen never overwrites a key` });
    throw new ConfigurationError({ message: `--out: cannot create ${path}: ${(error as Error).message}` });
  }
  try {
    await handle.writeFile(content);
    await handle.chmod(mode);
  } finally {
    await handle.close();
  }
}

export async function keygenCommand(args: string[], io: Io): Promise<number> {
  const { values } = parseArgs({
    args,
    options: { algorithm: { type: 'string' }, out: { type: 'string' } },
    strict: true,
    allowPositionals: false,
  });
  const algorithm = (values.algorithm ?? 'ed25519') as KeyAlgorithm;
  if (!ALGORITHMS.includes(algorithm))
    throw new ConfigurationError({
      message: `--algorithm must be one of ${ALGORITHMS.join(', ')} (got '${values.algorithm}')`,
    });
  const prefix = values.out ?? 'countersign';
  const keyPath = resolve(io.cwd, `${prefix}.key`);
  const pubPath = resolve(io.cwd, `${prefix}.pub`);
  const pair = generateKeyPair(algorithm);
  await writeNew(keyPath, pair.privatePem, 0o600);
  await writeNew(pubPath, pair.publicPem, 0o644);
  io.stdout(
    [
      `Wrote ${prefix}.key (private, mode 600) and ${prefix}.pub (public); ${algorithm}, keyid ${pair.keyid}`,
      '',
      'Store the private key as a secret of the environment that deploys, then delete the file:',
      `  GitHub:  gh secret set COUNTERSIGN_SIGNING_KEY --env production < ${prefix}.key`,
      `  GitLab:  Settings > CI/CD > Variables: COUNTERSIGN_SIGNING_KEY, type File, Protected, environment scope production`,
      `  Then:    shred -u ${prefix}.key`,
      "An environment-scoped secret keeps the requester's own jobs from signing their own approval.",
      '',
      `Commit ${prefix}.pub (e.g. as .countersign/signing.pub) so anyone can verify:`,
      `  countersign verify --subject-path ARTEFACT --public-key ${prefix}.pub --environment production`,
      '',
    ].join('\n'),
  );
  return 0;
}
