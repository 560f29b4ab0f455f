// Where the evidence lives on GitHub: each attestation file is a workflow artefact named after the
// environment and the artefact's digest, so any later run finds it from the digest alone. Finding
// goes through the REST API (it sees every run, this one included); moving bytes goes through
// @actions/artifact, which talks to the artefact service as the runner's own tools do.
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DefaultArtifactClient } from '@actions/artifact';
import type { GitHubClient } from '@countersign/github';
import type { Runner } from './runner.js';

/** The file inside every evidence artefact, and what `countersign verify --attestation` reads by default. */
export const EVIDENCE_FILE = 'countersign.intoto.jsonl';
const PREFIX = 'countersign-';

// GitHub refuses these in artefact names; an environment may legally contain some of them.
const FORBIDDEN = /["\\:<>|*?\r\n/%]/g;

/**
 * `countersign-<environment>-<hex>`: the environment lower-cased (GitHub's environment names ignore
 * case, so `Production` and `production` must find the same evidence), and characters an artefact
 * name may not hold %-escaped.
 */
export function evidenceName(environment: string, digestHex: string): string {
  const env = environment
    .toLowerCase()
    .replace(FORBIDDEN, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`);
  return `${PREFIX}${env}-${digestHex.toLowerCase()}`;
}

export interface StoredEvidence {
  id: number;
  name: string;
  runId: number;
  /** The artefact service's digest of the stored zip, `sha256:<hex>`; null for artefacts made before digests. */
  digest: string | null;
  createdAt: string;
}

interface ArtifactJson {
  id: number;
  name: string;
  expired: boolean;
  created_at: string | null;
  digest?: string | null;
  workflow_run?: { id?: number | null; repository_id?: number | null; head_repository_id?: number | null } | null;
}

/**
 * Only unexpired artefacts of runs of this repository's own code. A pull request from a fork runs
 * in this repository and may upload artefacts of any name; its head is another repository, and
 * nothing it uploads is evidence.
 */
function asStored(a: ArtifactJson): StoredEvidence | null {
  const run = a.workflow_run;
  const runId = run?.id;
  if (a.expired || typeof runId !== 'number') return null;
  if (typeof run?.head_repository_id !== 'number' || run.head_repository_id !== run.repository_id) return null;
  return {
    id: a.id,
    name: a.name,
    runId,
    digest: typeof a.digest === 'string' && a.digest !== '' ? a.digest : null,
    createdAt: a.created_at ?? '',
  };
}

const newestFirst = (a: StoredEvidence, b: StoredEvidence) => b.createdAt.localeCompare(a.createdAt) || b.id - a.id;

/**
 * Every unexpired artefact with this exact name, newest first, in one run or anywhere in the
 * repository. Callers try them in turn: a newer upload that does not verify must not hide an older
 * one that does.
 */
export async function findEvidence(
  client: GitHubClient,
  runner: Runner,
  name: string,
  runId: number | null,
): Promise<StoredEvidence[]> {
  const params = { owner: runner.owner, repo: runner.repo, name, per_page: 100 };
  // paginate unwraps `{total_count, artifacts}` into one array across the pages.
  const list =
    runId === null
      ? await client.paginate('GET /repos/{owner}/{repo}/actions/artifacts', params)
      : await client.paginate('GET /repos/{owner}/{repo}/actions/runs/{run_id}/artifacts', {
          ...params,
          run_id: runId,
        });
  const found = (list as ArtifactJson[])
    .filter((a) => a.name === name)
    .map(asStored)
    .filter((a): a is StoredEvidence => a !== null)
    .sort(newestFirst);
  return found;
}

// Enough to reach the newest attestation of a digest in a busy repository without walking years of
// artefacts; GitHub keeps artefacts 90 days by default, so the chain's earlier links are recent.
const CHAIN_SEARCH_PAGES = 10;

/**
 * The newest earlier attestation of this digest for any environment: the chain a new attestation
 * is appended to (staging → production), other than `excludeName` (this environment's own, left by
 * an earlier attempt). Artefact names cannot be searched by suffix, so the
 * repository's newest artefacts are listed, at most CHAIN_SEARCH_PAGES pages of 100.
 */
export async function findChain(
  client: GitHubClient,
  runner: Runner,
  digestHex: string,
  excludeName: string,
): Promise<StoredEvidence[]> {
  const suffix = `-${digestHex.toLowerCase()}`;
  return recentEvidence(
    client,
    runner,
    (name) => name.startsWith(PREFIX) && name.endsWith(suffix) && name !== excludeName,
    Infinity,
  );
}

/** The newest unexpired evidence artefacts of an environment, whatever their digest, at most `limit`. */
export async function listEvidence(
  client: GitHubClient,
  runner: Runner,
  environment: string,
  limit: number,
): Promise<StoredEvidence[]> {
  const prefix = evidenceName(environment, '');
  // The rest of the name must be a digest: `countersign-prod-` must not take `countersign-prod-eu-…`.
  return recentEvidence(
    client,
    runner,
    (name) => name.startsWith(prefix) && /^[0-9a-f]{64}$/.test(name.slice(prefix.length)),
    limit,
  );
}

/** This run's unexpired artefacts whose names start with `prefix`. */
export async function runArtefacts(
  client: GitHubClient,
  runner: Runner,
  runId: number,
  prefix: string,
): Promise<StoredEvidence[]> {
  const list = await client.paginate('GET /repos/{owner}/{repo}/actions/runs/{run_id}/artifacts', {
    owner: runner.owner,
    repo: runner.repo,
    run_id: runId,
    per_page: 100,
  });
  return (list as ArtifactJson[])
    .filter((a) => a.name.startsWith(prefix))
    .map(asStored)
    .filter((a): a is StoredEvidence => a !== null)
    .sort(newestFirst);
}

/** Unexpired artefacts whose names pass `wanted`, newest first, from the newest CHAIN_SEARCH_PAGES pages. */
async function recentEvidence(
  client: GitHubClient,
  runner: Runner,
  wanted: (name: string) => boolean,
  limit: number,
): Promise<StoredEvidence[]> {
  const found: StoredEvidence[] = [];
  for (let page = 1; page <= CHAIN_SEARCH_PAGES && found.length < limit; page++) {
    const response = await client.request('GET /repos/{owner}/{repo}/actions/artifacts', {
      owner: runner.owner,
      repo: runner.repo,
      per_page: 100,
      page,
    });
    const artifacts = response.data.artifacts as ArtifactJson[];
    for (const a of artifacts) {
      const stored = wanted(a.name) ? asStored(a) : null;
      if (stored !== null) found.push(stored);
    }
    if (artifacts.length < 100) break;
  }
  return found.sort(newestFirst).slice(0, limit);
}

export interface Downloaded {
  text: string;
  /** What the artefact service's digest said of the downloaded bytes. */
  digest: 'matched' | 'not-recorded';
}

/**
 * Downloads the evidence artefact and returns its attestation file. The service's digest of the zip
 * is checked by the library as it downloads; a mismatch means the bytes are not what was stored,
 * and nothing read from them is trusted.
 */
export async function downloadEvidence(
  runner: Runner,
  token: string,
  evidence: StoredEvidence,
  into: string,
  file: string = EVIDENCE_FILE,
): Promise<Downloaded> {
  const path = join(into, `artifact-${evidence.id}`);
  await mkdir(path, { recursive: true });
  const response = await new DefaultArtifactClient().downloadArtifact(evidence.id, {
    path,
    ...(evidence.digest === null ? {} : { expectedHash: evidence.digest }),
    findBy: {
      token,
      workflowRunId: evidence.runId,
      repositoryOwner: runner.owner,
      repositoryName: runner.repo,
    },
  });
  if (response.digestMismatch === true)
    throw new EvidenceIntegrityError(
      `the download of artefact ${evidence.name} (id ${evidence.id}) does not match the artefact service's digest ${evidence.digest ?? ''}: the stored evidence was altered or corrupted in transit, so it is not used`,
    );
  let text: string;
  try {
    text = await readFile(join(response.downloadPath ?? path, file), 'utf8');
  } catch {
    throw new EvidenceIntegrityError(
      `artefact ${evidence.name} (id ${evidence.id}) holds no ${file}: it is not Countersign evidence`,
    );
  }
  return { text, digest: evidence.digest === null ? 'not-recorded' : 'matched' };
}

/** Stored evidence that cannot be trusted: verification fails closed on it. */
export class EvidenceIntegrityError extends Error {
  override name = 'EvidenceIntegrityError';
}

export interface Uploaded {
  id: number;
  /** `sha256:<hex>` of the stored zip, as the service recorded it. */
  digest: string | null;
}

/** Uploads the folder's attestation file as the named artefact. */
export async function uploadEvidence(name: string, folder: string, retentionDays: number | null): Promise<Uploaded> {
  const artifacts = new DefaultArtifactClient();
  // A re-run of the job finds its first attempt's artefact under the same name in the same run, and
  // the service refuses a second one: the new attestation (which links to the same chain) replaces it.
  await artifacts.deleteArtifact(name).catch(() => undefined);
  const response = await artifacts.uploadArtifact(
    name,
    [join(folder, EVIDENCE_FILE)],
    folder,
    retentionDays === null ? {} : { retentionDays },
  );
  if (response.id === undefined) throw new Error(`the artefact service stored ${name} but returned no id`);
  return { id: response.id, digest: response.digest ? `sha256:${response.digest}` : null };
}

/** Uploads other files of a folder (the rollback record) as one artefact; returns its id. */
export async function uploadFiles(name: string, folder: string, files: readonly string[]): Promise<number> {
  const response = await new DefaultArtifactClient().uploadArtifact(
    name,
    files.map((file) => join(folder, file)),
    folder,
  );
  if (response.id === undefined) throw new Error(`the artefact service stored ${name} but returned no id`);
  return response.id;
}
