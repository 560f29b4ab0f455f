// Trusted inputs (SPEC section 2) are read at the change's base, never at the head being judged:
// from the local checkout when it has that commit, else from the contents API at that ref.
import { ConfigurationError, isConfigurationError } from '@countersign/core';
import { showFile } from '@countersign/git';
import type { GitHubClient } from './client.js';
import { isNotFound } from './errors.js';

export interface ReadTrustedFileOptions {
  client: GitHubClient;
  owner: string;
  repo: string;
  /**
   * The base: a sha (or ref) whose version of the file is trusted. Null means the default branch as
   * it is now (verify's "today's policy"), read through the API only.
   */
  ref: string | null;
  /** Relative to the repository root, e.g. `.countersign.yml`. */
  path: string;
  localGitCwd?: string | null;
}

/** The file's text at `ref`, or null when no file is there. */
export async function readTrustedFile(options: ReadTrustedFileOptions): Promise<string | null> {
  const local = await fromLocalGit(options);
  if (local !== undefined) return local;
  return fromContentsApi(options);
}

/** undefined when the checkout cannot answer (none given, or a shallow clone without the ref). */
async function fromLocalGit({ localGitCwd, ref, path }: ReadTrustedFileOptions): Promise<string | null | undefined> {
  if (!localGitCwd || ref === null) return undefined;
  try {
    return await showFile(localGitCwd, ref, path);
  } catch (error) {
    if (isConfigurationError(error)) return undefined;
    throw error;
  }
}

async function fromContentsApi({ client, owner, repo, ref, path }: ReadTrustedFileOptions): Promise<string | null> {
  const segments = path.replace(/^\.?\//, '').split('/');
  if (segments.some((segment) => segment === '' || segment === '.' || segment === '..')) {
    throw new ConfigurationError({ message: `${path}: not a plain path inside the repository` });
  }
  // Each segment encoded on its own: the path's slashes are structure, anything else is data.
  const encoded = segments.map(encodeURIComponent).join('/');
  try {
    const response = await client.request(`GET /repos/{owner}/{repo}/contents/${encoded}`, {
      owner,
      repo,
      ...(ref === null ? {} : { ref }),
    });
    return decodeContents(response.data as unknown, path);
  } catch (error) {
    if (isNotFound(error)) return null;
    throw error;
  }
}

function decodeContents(data: unknown, path: string): string | null {
  if (Array.isArray(data)) throw new ConfigurationError({ message: `${path} is a directory, not a file` });
  const entry = (typeof data === 'object' && data !== null ? data : {}) as {
    type?: unknown;
    encoding?: unknown;
    content?: unknown;
  };
  if (entry.type !== 'file') {
    throw new ConfigurationError({
      message: `${path} is not a file${typeof entry.type === 'string' ? ` (it is a ${entry.type})` : ''}`,
    });
  }
  if (entry.encoding !== 'base64' || typeof entry.content !== 'string') {
    // GitHub sends no content for files over 1 MB; a policy that large is a mistake.
    throw new ConfigurationError({ message: `${path}: GitHub returned no content for it (a file over 1 MB?)` });
  }
  return Buffer.from(entry.content, 'base64').toString('utf8');
}
