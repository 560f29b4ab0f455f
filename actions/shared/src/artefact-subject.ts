// The artefact being attested or verified: a path hashed here (a file's SHA-256, a directory's
// dirHash) or a digest given by the build. Read the same way by attest and verify, so both name the
// same evidence for the same artefact.
import { resolve } from 'node:path';
import { ConfigurationError, digestPath, parseDigest, type Subject } from '@countersign/core';
import * as read from './inputs.js';
import type { Runner } from './runner.js';

export interface ArtefactSubject {
  subject: Subject;
  /** The DigestSet key: `sha256` for a file or a given digest, `dirHash` for a directory. */
  algorithm: string;
  /** Lower-case hex. */
  value: string;
  /** The subject-path input, when the artefact was hashed here. */
  path: string | null;
}

export async function readArtefactSubject(runner: Runner, nameRequired: boolean): Promise<ArtefactSubject> {
  const path = read.optional('subject-path');
  const digest = read.optional('subject-digest');
  if ((path === null) === (digest === null))
    throw new ConfigurationError({
      message: 'give exactly one of the inputs subject-path (a file or directory) and subject-digest (sha256:<hex>)',
    });
  if (path !== null) {
    const { digest: set } = await digestPath(resolve(runner.workspace, path), 'input subject-path');
    const [algorithm, value] = Object.entries(set)[0] as [string, string];
    return {
      subject: { name: read.text('subject-name', path), digest: set },
      algorithm,
      value: value.toLowerCase(),
      path,
    };
  }
  const value = parseDigest(digest as string, 'input subject-digest').toLowerCase();
  const name = read.optional('subject-name');
  if (name === null && nameRequired)
    throw new ConfigurationError({
      message:
        'input subject-name is required with subject-digest: the name the artefact is known by (e.g. the image or file name)',
    });
  return {
    subject: { name: name ?? `sha256:${value}`, digest: { sha256: value } },
    algorithm: 'sha256',
    value,
    path: null,
  };
}
