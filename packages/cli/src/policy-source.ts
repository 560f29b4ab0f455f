// Where the policy comes from. With --base/--head the policy is read from the base commit when it
// lives in the repository (SPEC "Trusted inputs": the head being judged cannot rewrite its judge);
// a policy file outside the repository is read as it is.
import { realpath } from 'node:fs/promises';
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { ConfigurationError, loadPolicy, type Policy } from '@countersign/core';
import { showFile } from '@countersign/git';
import { readInputFile } from './io.js';

export const DEFAULT_POLICY = '.countersign.yml';

/** The path of `file` relative to `root`, with `/` separators, or null when it lies outside. */
export function insideRepository(root: string, file: string): string | null {
  const rel = relative(root, file);
  if (rel === '' || rel.startsWith('..') || isAbsolute(rel)) return null;
  return rel.split(sep).join('/');
}

export interface PolicySource {
  policy: Policy;
  /** The policy's path inside the repository, when it has one (a trusted input). */
  repositoryPath: string | null;
}

/**
 * The path with symbolic links resolved (its directory, when the file itself does not exist), so a
 * link cannot make a file inside the work tree look outside it, where it would be read from the head.
 */
async function physical(path: string): Promise<string> {
  const whole = await realpath(path).catch(() => null);
  if (whole !== null) return whole;
  const directory = await realpath(dirname(path)).catch(() => dirname(path));
  return join(directory, basename(path));
}

export async function policyFromFile(cwd: string, flagValue: string | undefined): Promise<PolicySource> {
  const path = flagValue ?? DEFAULT_POLICY;
  const bytes = await readInputFile('--policy', resolve(cwd, path), path);
  return {
    policy: loadPolicy(bytes, path),
    repositoryPath: isAbsolute(path) ? null : path.split(sep).join('/').replace(/^\.\//, ''),
  };
}

export async function policyAtBase(
  cwd: string,
  root: string,
  base: string,
  flagValue: string | undefined,
): Promise<PolicySource> {
  const absolute = await physical(resolve(cwd, flagValue ?? DEFAULT_POLICY));
  const repositoryPath = insideRepository(await physical(root), absolute);
  if (repositoryPath === null)
    return {
      policy: loadPolicy(await readInputFile('--policy', absolute, flagValue ?? absolute), flagValue ?? absolute),
      repositoryPath: null,
    };
  const text = await showFile(root, base, repositoryPath);
  if (text === null) {
    throw new ConfigurationError({
      message:
        `--policy: ${repositoryPath} does not exist at the base ${base}. The policy that judges a change is read from its base, ` +
        'so a change cannot bring its own rules. To classify the change that introduces the policy, pass --policy with a copy kept outside the repository.',
    });
  }
  return { policy: loadPolicy(text, `${base}:${repositoryPath}`), repositoryPath };
}
