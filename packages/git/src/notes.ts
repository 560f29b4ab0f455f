import { ConfigurationError } from '@countersign/core';
import { runGit, withRepository, type Repository } from './exec.js';
import { resolveIn } from './revision.js';
import { fallbackIdentity, gitMessage, hasRemote } from './run.js';

/** Requests are notes on the head commit, one JSON record per line, under this ref. */
export const NOTES_REF = 'refs/notes/countersign';
/** Where a remote's notes land before they are merged into NOTES_REF; outside refs/notes, so never pushed by `refs/notes/*`. */
const FETCHED_NOTES = 'refs/countersign/fetched-notes';
const TAGS_REFSPEC = '+refs/tags/countersign/*:refs/tags/countersign/*';
const NOTES_REFSPEC = `+${NOTES_REF}:${FETCHED_NOTES}`;
/** Pushes rejected because the remote moved on are merged and retried this many times in all. */
const PUSH_ATTEMPTS = 3;

export interface RequestRecord {
  environment: string;
  head: string;
  base: string;
  requested_at: string;
  risk: string;
  required: unknown;
  policy_sha256: string;
  requested_by: string | null;
}

/** The requests recorded on head, earliest first, so that the first for an environment is the one that stands. */
export function readRequests(cwd: string, head: string): Promise<RequestRecord[]> {
  return withRepository(cwd, async (repository) => {
    const sha = await resolveIn(repository, head, '--head');
    return requestsIn(await noteText(repository, sha), sha);
  });
}

/** Adds the request unless one for the same environment and head exists; returns the one that stands. */
export function addRequest(cwd: string, record: RequestRecord): Promise<{ created: boolean; record: RequestRecord }> {
  return withRepository(cwd, async (repository) => {
    const head = await resolveIn(repository, record.head, '--head');
    const text = await noteText(repository, head);
    const standing = requestsIn(text, head).find((request) => request.environment === record.environment);
    if (standing !== undefined) return { created: false, record: standing };
    const added = { ...record, head };
    // Lines already there stay byte for byte, even ones this version cannot read.
    const kept = text === '' || text.endsWith('\n') ? text : `${text}\n`;
    await writeNote(repository, head, `${kept}${requestLine(added)}\n`);
    return { created: true, record: added };
  });
}

/**
 * Fetches the remote's decision tags and requests. The remote's notes are fetched into a side ref
 * and merged with `cat_sort_uniq`: each request is one line, so the union of the lines keeps every
 * request from both sides, and a line both sides hold appears once. False when there is no remote.
 */
export async function fetchCountersignRefs(cwd: string, remote = 'origin'): Promise<boolean> {
  if (!(await hasRemote(cwd, remote))) return false;
  await fetchInto(cwd, remote, [TAGS_REFSPEC, NOTES_REFSPEC]);
  await withRepository(cwd, mergeFetchedNotes);
  return true;
}

/** Pushes refs/notes/countersign and nothing else; false when there is no such remote. */
export async function pushRequests(cwd: string, remote = 'origin'): Promise<boolean> {
  if (!(await hasRemote(cwd, remote))) return false;
  if ((await withRepository(cwd, (repository) => refTarget(repository, NOTES_REF))) === null) return true;
  for (let attempt = 1; ; attempt += 1) {
    const args = ['push', '--porcelain', '--end-of-options', remote, `${NOTES_REF}:${NOTES_REF}`];
    const pushed = await runGit(args, { cwd });
    if (pushed.code === 0) return true;
    // Someone else pushed a request meanwhile: take theirs into ours, then push the union.
    if (!outOfDate(pushed.stdout.toString('utf8')) || attempt === PUSH_ATTEMPTS) {
      throw new ConfigurationError({
        message: `could not push ${NOTES_REF} to remote '${remote}': ${gitMessage(pushed)}`,
      });
    }
    await fetchInto(cwd, remote, [NOTES_REFSPEC]);
    await withRepository(cwd, mergeFetchedNotes);
  }
}

/** `--porcelain` marks a ref the remote refused as out of date `!\t<refspec>\t[rejected] (...)`. */
function outOfDate(porcelain: string): boolean {
  return porcelain.split('\n').some((line) => line.startsWith('!') && line.includes('[rejected]'));
}

/**
 * Runs the fetch in the user's directory (a remote may be a relative path). Never prunes, whatever
 * fetch.prune / fetch.pruneTags say: a decision tag not yet pushed must survive a fetch.
 */
async function fetchInto(cwd: string, remote: string, refspecs: readonly string[]): Promise<void> {
  const args = ['fetch', '--quiet', '--no-tags', '--no-prune', '--no-recurse-submodules', '--no-write-fetch-head'];
  const fetched = await runGit([...args, '--end-of-options', remote, ...refspecs], { cwd });
  if (fetched.code === 0) return;
  // A remote nobody has requested an approval on yet has no notes ref, which is no error.
  if (refspecs.includes(NOTES_REFSPEC) && fetched.stderr.includes(`couldn't find remote ref ${NOTES_REF}`)) {
    const rest = refspecs.filter((refspec) => refspec !== NOTES_REFSPEC);
    if (rest.length > 0) await fetchInto(cwd, remote, rest);
    return;
  }
  throw new ConfigurationError({ message: `could not fetch from remote '${remote}': ${gitMessage(fetched)}` });
}

async function mergeFetchedNotes(repository: Repository): Promise<void> {
  const fetched = await refTarget(repository, FETCHED_NOTES);
  if (fetched === null) return;
  try {
    if ((await refTarget(repository, NOTES_REF)) === null) {
      // The empty old value makes the update fail if a request was recorded meanwhile.
      await repository.output(['update-ref', NOTES_REF, fetched, '']);
    } else {
      const identity = await fallbackIdentity((args) => repository.run(args));
      await repository.output([
        ...identity,
        'notes',
        `--ref=${NOTES_REF}`,
        'merge',
        '--quiet',
        '--strategy=cat_sort_uniq',
        FETCHED_NOTES,
      ]);
    }
  } finally {
    await repository.output(['update-ref', '-d', FETCHED_NOTES]);
  }
}

async function refTarget(repository: Repository, ref: string): Promise<string | null> {
  const result = await repository.run(['rev-parse', '--verify', '--quiet', `${ref}^{commit}`]);
  const sha = result.stdout.toString('utf8').trim();
  return result.code === 0 && sha !== '' ? sha : null;
}

/** The note on head, or '' when it has none. */
async function noteText(repository: Repository, head: string): Promise<string> {
  const listed = await repository.run(['notes', `--ref=${NOTES_REF}`, 'list', head]);
  if (listed.code === 1 && listed.stderr.includes('no note found')) return '';
  if (listed.code !== 0) throw new ConfigurationError({ message: `git notes: ${gitMessage(listed)}` });
  const blob = listed.stdout.toString('utf8').trim();
  return (await repository.output(['cat-file', 'blob', blob])).toString('utf8');
}

/**
 * Writes the note from a blob (`-C`) rather than a message (`-F`), which git would clean up: the
 * text is stored exactly as given.
 */
async function writeNote(repository: Repository, head: string, text: string): Promise<void> {
  const blob = (await repository.output(['hash-object', '-w', '--stdin'], text)).toString('utf8').trim();
  const identity = await fallbackIdentity((args) => repository.run(args));
  await repository.output([...identity, 'notes', `--ref=${NOTES_REF}`, 'add', '--force', '-C', blob, head]);
}

/** One line per request, keys in a fixed order so that the same request is the same line everywhere. */
function requestLine(record: RequestRecord): string {
  return JSON.stringify({
    environment: record.environment,
    head: record.head,
    base: record.base,
    requested_at: record.requested_at,
    risk: record.risk,
    required: record.required,
    policy_sha256: record.policy_sha256,
    requested_by: record.requested_by,
  });
}

/** The requests for head in a note's text, earliest first; a line that is not one is skipped. */
function requestsIn(text: string, head: string): RequestRecord[] {
  const requests = text.split('\n').flatMap((line) => {
    const record = parseRequest(line);
    // A note copied onto another commit does not request an approval of that commit.
    return record !== null && record.head === head ? [record] : [];
  });
  // Stable: requests made in the same instant keep the note's order.
  return requests.sort((a, b) => time(a.requested_at) - time(b.requested_at));
}

function time(text: string): number {
  const ms = Date.parse(text);
  return Number.isNaN(ms) ? Number.POSITIVE_INFINITY : ms;
}

function parseRequest(line: string): RequestRecord | null {
  if (!line.trim().startsWith('{')) return null;
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return null;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return null;
  const { environment, head, base, requested_at, risk, required, policy_sha256, requested_by } = value as Record<
    string,
    unknown
  >;
  if (
    typeof environment !== 'string' ||
    typeof head !== 'string' ||
    typeof base !== 'string' ||
    typeof requested_at !== 'string' ||
    typeof risk !== 'string' ||
    typeof policy_sha256 !== 'string'
  ) {
    return null;
  }
  if (requested_by !== null && requested_by !== undefined && typeof requested_by !== 'string') return null;
  return {
    environment,
    head,
    base,
    requested_at,
    risk,
    required: required ?? null,
    policy_sha256,
    requested_by: requested_by ?? null,
  };
}
