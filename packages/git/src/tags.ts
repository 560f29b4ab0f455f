import type { Approval } from '@countersign/core';
import { ConfigurationError } from '@countersign/core';
import {
  assertEnvironment,
  decisionTagPrefix,
  formatDecisionMessage,
  parseDecisionMessage,
  uniqueSuffix,
} from './decision.js';
import type { DecisionMessage } from './decision.js';
import { runGit, withRepository, type Repository } from './exec.js';
import { resolveCommit } from './revision.js';
import { assertRemoteName, configArgs, fallbackIdentity, gitIn, gitMessage } from './run.js';
import { verifySshSignature, type SshVerification } from './ssh-signature.js';
import { parseTagObject, parseTagger, type TagObject, type Tagger } from './tag-object.js';

export { decisionTagPrefix } from './decision.js';
export type { DecisionMessage } from './decision.js';

export interface CreateDecisionOptions {
  cwd: string;
  environment: string;
  /** Any revision; resolved to a full commit sha. */
  head: string;
  decision: 'approve' | 'reject';
  reason?: string | null;
  push?: boolean;
  /** Default origin. */
  remote?: string;
  /** Extra `git -c key=value` settings (user.signingKey, gpg.format, user.email, ...). */
  config?: readonly string[];
}

/**
 * Creates the signed annotated tag `countersign/<environment>/<head>/<unique suffix>` on the head,
 * signed by git's own configuration (`git tag -s`), and pushes it when asked.
 */
export async function createDecisionTag(options: CreateDecisionOptions): Promise<{ tag: string; head: string }> {
  assertEnvironment(options.environment);
  const head = await resolveCommit(options.cwd, options.head, '--head');
  const config = configArgs(options.config);
  await assertSshSigning(options.cwd, config);
  const tag = decisionTagPrefix(options.environment, head) + uniqueSuffix();
  const message: DecisionMessage = {
    countersign: 1,
    decision: options.decision,
    environment: options.environment,
    head,
    reason: options.reason ?? null,
  };
  const identity = await fallbackIdentity((args) => runGit([...config, ...args], { cwd: options.cwd }));
  // The message goes through stdin: the reason is free text and never becomes an argument.
  await gitIn(
    options.cwd,
    [...identity, ...config, 'tag', '-s', '--cleanup=verbatim', '--file=-', tag, head],
    formatDecisionMessage(message),
  );
  if (options.push === true) await pushTag(options.cwd, options.remote ?? 'origin', tag, config);
  return { tag, head };
}

const SSH_SETUP =
  'set up SSH signing:\n' +
  '  git config gpg.format ssh\n' +
  '  git config user.signingKey ~/.ssh/id_ed25519.pub\n' +
  "(a public key whose private half ssh-agent holds, or the private key file), and have the key's line " +
  'added to the allowed-signers file on the base branch';

/**
 * A decision counts only with a signature the allowed-signers file can check, which means SSH. An
 * unsigned or OpenPGP tag would be created, pushed and then never counted: refuse it up front.
 */
async function assertSshSigning(cwd: string, config: readonly string[]): Promise<void> {
  const key = await configValue(cwd, config, 'user.signingKey');
  if (key === null) {
    throw new ConfigurationError({
      message: `a decision is a signed tag, and git has no user.signingKey; ${SSH_SETUP}`,
    });
  }
  const format = (await configValue(cwd, config, 'gpg.format')) ?? 'openpgp';
  if (format !== 'ssh') {
    throw new ConfigurationError({
      message: `git signs with gpg.format ${format}, but only SSH signatures can be checked against the allowed-signers file; ${SSH_SETUP}`,
    });
  }
}

/** A git setting as git sees it in cwd with the extra settings applied, or null when unset. */
async function configValue(cwd: string, config: readonly string[], key: string): Promise<string | null> {
  const result = await runGit([...config, 'config', '--get', key], { cwd });
  // Exit 1 is git's "not set"; anything else is a config file git cannot read.
  if (result.code === 1) return null;
  if (result.code !== 0) throw new ConfigurationError({ message: `git config: ${gitMessage(result)}` });
  const value = result.stdout.toString('utf8').replace(/\n$/, '');
  return value.trim() === '' ? null : value;
}

async function pushTag(cwd: string, remote: string, tag: string, config: readonly string[]): Promise<void> {
  assertRemoteName(remote);
  const refspec = `refs/tags/${tag}:refs/tags/${tag}`;
  const result = await runGit([...config, 'push', '--quiet', '--end-of-options', remote, refspec], { cwd });
  if (result.code === 0) return;
  throw new ConfigurationError({
    message:
      `could not push the decision to remote '${remote}' (${gitMessage(result)}); the tag ${tag} exists locally: ` +
      `push it with git push ${remote} refs/tags/${tag}`,
  });
}

export interface ReadDecisionsOptions {
  cwd: string;
  environment: string;
  /** Full sha. */
  head: string;
  /** The allowed-signers file's content, as read from the base commit; null when absent. */
  allowedSigners: string | null;
}

/** Each signature check runs ssh-keygen twice or more; a few at a time keeps a long list fast. */
const VERIFY_CONCURRENCY = 8;

/** Every tag under the prefix for this environment and head, as Approval records. */
export async function readDecisionTags(options: ReadDecisionsOptions): Promise<Approval[]> {
  const context = { ...options, prefix: decisionTagPrefix(options.environment, options.head) };
  return withRepository(options.cwd, async (repository) => {
    const refs = await listTagRefs(repository, `refs/tags/${context.prefix}`);
    const objects = await readTagObjects(
      repository,
      refs.filter((ref) => ref.type === 'tag').map((ref) => ref.oid),
    );
    return mapLimit(refs, VERIFY_CONCURRENCY, (ref) => approvalFor(ref, objects.get(ref.oid) ?? null, context));
  });
}

interface TagRef {
  name: string;
  /** The type of the object the ref points at: `tag` for an annotated tag, else a lightweight one. */
  type: string;
  oid: string;
}

async function listTagRefs(repository: Repository, prefix: string): Promise<TagRef[]> {
  const format = '--format=%(refname)%00%(objecttype)%00%(objectname)';
  const stdout = await repository.output(['for-each-ref', format, prefix]);
  // A ref name cannot hold a newline or a NUL, so lines and NULs split records and fields.
  return stdout
    .toString('utf8')
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => {
      const [name, type, oid] = line.split('\0');
      if (name === undefined || type === undefined || oid === undefined) {
        throw new ConfigurationError({ message: 'git for-each-ref: unexpected output' });
      }
      return { name, type, oid };
    });
}

/** Raw tag objects through one `git cat-file --batch` (`<oid> <type> <size>\n<bytes>\n` each). */
async function readTagObjects(repository: Repository, oids: readonly string[]): Promise<Map<string, Buffer>> {
  const unique = [...new Set(oids)];
  const objects = new Map<string, Buffer>();
  if (unique.length === 0) return objects;
  const stdout = await repository.output(['cat-file', '--batch'], unique.join('\n') + '\n');
  let offset = 0;
  for (const requested of unique) {
    const lineEnd = stdout.indexOf(0x0a, offset);
    const [oid, type, size] = stdout.toString('utf8', offset, lineEnd < 0 ? offset : lineEnd).split(' ');
    const end = lineEnd + 1 + Number.parseInt(size ?? '', 10);
    if (lineEnd < 0 || oid !== requested || type !== 'tag' || !(end <= stdout.length)) {
      throw new ConfigurationError({ message: `git cat-file: cannot read tag object ${requested}` });
    }
    objects.set(requested, stdout.subarray(lineEnd + 1, end));
    offset = end + 1;
  }
  return objects;
}

interface ReadContext extends ReadDecisionsOptions {
  prefix: string;
}

/** What a tag states, whether or not anyone can be held to it. */
interface Claims {
  url: string;
  sha: string | null;
  at: string | null;
  decision: 'approve' | 'reject';
  reason: string | null;
}

async function approvalFor(ref: TagRef, raw: Buffer | null, context: ReadContext): Promise<Approval> {
  if (raw === null) {
    const sha = ref.type === 'commit' ? ref.oid : null;
    return unverified(
      { url: ref.name, sha, at: null, decision: 'approve', reason: null },
      'a lightweight tag carries no signature',
    );
  }
  const tag = parseTagObject(raw);
  const tagger = parseTagger(tag.tagger);
  const message = parseDecisionMessage(tag.message);
  const claims: Claims = {
    url: ref.name,
    sha: tag.object,
    at: tagger.at,
    // A record that states no decision is discounted anyway; 'approve' is only a placeholder.
    decision: message?.decision ?? 'approve',
    reason: message?.reason ?? null,
  };
  const signer = await signerOf(tag, tagger, context.allowedSigners);
  if ('problem' in signer) return unverified(claims, signer.problem);
  const problem = contentProblem(tag, message, ref.name, context);
  if (problem !== null || message === null) return unverified(claims, problem ?? 'not a Countersign decision');
  return {
    login: null,
    email: signer.principal,
    type: 'User',
    decision: message.decision,
    at: tagger.at,
    edited_at: null,
    sha: tag.object,
    // SPEC section 1: on the git platform a principal in the allowed-signers file has write.
    permission: 'write',
    teams: [],
    source: 'git-tag',
    url: ref.name,
    verified: true,
    verification: null,
    reason: message.reason,
  };
}

const FUTURE_DRIFT_MS = 5 * 60_000;

/** The signing principal, or why there is none. The tagger line is never evidence of anyone. */
async function signerOf(tag: TagObject, tagger: Tagger, allowedSigners: string | null): Promise<SshVerification> {
  if (tag.signature === null) {
    return {
      problem:
        tagger.claim === null
          ? 'unsigned tag, with no tagger line either'
          : `unsigned tag; its tagger line claims '${tagger.claim}' but proves nothing`,
    };
  }
  if (tag.signature.kind !== 'ssh') {
    const format = tag.signature.kind === 'openpgp' ? 'OpenPGP' : 'X.509';
    return {
      problem: `signed with ${format}: only SSH signatures can be checked against the allowed-signers file`,
    };
  }
  if (allowedSigners === null) return { problem: 'no allowed-signers file on the base commit' };
  // The tagger time is the signer's own claim: a tag from the future would outrank every later
  // decision of its author and slip past a key's valid-after. Allow a little clock drift only.
  const now = Date.now();
  if (tagger.date !== undefined && tagger.date !== null && tagger.date.getTime() > now + FUTURE_DRIFT_MS) {
    return { problem: `dated ${tagger.date.toISOString()}, in the future` };
  }
  const at =
    tagger.date === undefined || tagger.date === null ? undefined : new Date(Math.min(tagger.date.getTime(), now));
  return verifySshSignature(tag.payload, tag.signature.text, allowedSigners, at === undefined ? {} : { at });
}

/**
 * What the signed bytes say must match where the tag was found: the ref name is not signed, so a
 * signed decision for another head or environment could be copied under this prefix.
 */
function contentProblem(
  tag: TagObject,
  message: DecisionMessage | null,
  refName: string,
  context: ReadContext,
): string | null {
  const name = refName.slice('refs/tags/'.length);
  if (tag.tag !== name) {
    return `the signed tag object is named '${tag.tag ?? ''}', not '${name}': it was moved or copied here from elsewhere`;
  }
  if (tag.type !== 'commit') return `it tags a ${tag.type ?? 'object of no stated type'}, not a commit`;
  if (message === null) return 'not a Countersign decision: its message carries no decision record';
  if (message.environment !== context.environment) {
    return `signed for environment '${message.environment}', not '${context.environment}'`;
  }
  if (message.head !== context.head) return `signed for head ${message.head}, not ${context.head}`;
  return null;
}

function unverified(claims: Claims, verification: string): Approval {
  return {
    login: null,
    email: null,
    type: null,
    decision: claims.decision,
    at: claims.at,
    edited_at: null,
    sha: claims.sha,
    permission: 'none',
    teams: [],
    source: 'git-tag',
    url: claims.url,
    verified: false,
    verification,
    reason: claims.reason,
  };
}

/** Maps in order with at most `limit` calls in flight. */
async function mapLimit<T, R>(items: readonly T[], limit: number, map: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const index = next;
      next += 1;
      results[index] = await map(items[index] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}
