// The git platform's facts, gathered in one place for request and wait: the change between base
// and head, the policy and the allowed-signers file as they are on the base (never the head being
// judged), the request recorded in git notes, and the decision tags. The core decides.
import { ConfigurationError } from '@countersign/core/errors';
import { decide, type Decision } from '@countersign/core/sod/decide';
import type { Change, Members } from '@countersign/core/model';
import {
  readChange,
  readDecisionTags,
  readRequests,
  repositoryRoot,
  resolveCommit,
  showFile,
  type RequestRecord,
} from '@countersign/git';
import { policyAtBase, type PolicySource } from './policy-source.js';
import { trustedPathsFor } from './commands/classify.js';

export const PLATFORMS = ['git', 'github', 'gitlab'] as const;
export type Platform = (typeof PLATFORMS)[number];

/** --platform, else the CI the process runs in, else git. Only git is served by this version. */
export function platformOf(flag: string | undefined, env: NodeJS.ProcessEnv): 'git' {
  const chosen = flag ?? (env['GITHUB_ACTIONS'] === 'true' ? 'github' : env['GITLAB_CI'] === 'true' ? 'gitlab' : 'git');
  if (!(PLATFORMS as readonly string[]).includes(chosen))
    throw new ConfigurationError({ message: `--platform must be one of ${PLATFORMS.join(', ')} (got '${chosen}')` });
  if (chosen !== 'git') {
    throw new ConfigurationError({
      message: `--platform ${chosen}: this version serves the git platform; pass --platform git to use signed tags here`,
    });
  }
  return 'git';
}

export async function rootOf(cwd: string): Promise<string> {
  const root = await repositoryRoot(cwd);
  if (root === null) throw new ConfigurationError({ message: `${cwd} is not inside a git repository` });
  return root;
}

export interface ChangeContext {
  root: string;
  base: string;
  head: string;
  source: PolicySource;
  change: Change;
  /** The allowed-signers file's content on the base, or null when it has none. */
  allowedSigners: string | null;
}

export async function changeContext(
  cwd: string,
  root: string,
  base: string,
  head: string,
  policyFlag: string | undefined,
): Promise<ChangeContext> {
  const source = await policyAtBase(cwd, root, base, policyFlag);
  const needsDiff = source.policy.rules.some((rule) => rule.when.content !== undefined);
  const change = await readChange({ cwd: root, base, head, withPatches: needsDiff });
  const allowedSigners = await showFile(root, base, source.policy.allowedSigners);
  return { root, base, head, source, change, allowedSigners };
}

/**
 * The request for this head, environment and base. Notes are unsigned, so a note never chooses the
 * base (the caller does); of several matching records the latest counts, the choice under which
 * the fewest approvals count.
 */
export async function findRequest(
  root: string,
  head: string,
  environment: string,
  base: string,
): Promise<RequestRecord | undefined> {
  // Exact, as decision tag names are: production and Production are different tag prefixes.
  const matching = (await readRequests(root, head)).filter((r) => r.environment === environment && r.base === base);
  return matching.sort(
    (a, b) => Date.parse(b.requested_at) - Date.parse(a.requested_at) || (a.requested_at < b.requested_at ? 1 : -1),
  )[0];
}

export async function headOf(root: string, rev: string | undefined, flag: string): Promise<string> {
  return resolveCommit(root, rev ?? 'HEAD', flag);
}

/** One look at the decision tags, decided by the core. */
export async function decideNow(
  context: ChangeContext,
  request: RequestRecord,
  members: Members | undefined,
  at: Date,
): Promise<Decision> {
  const approvals = await readDecisionTags({
    cwd: context.root,
    environment: request.environment,
    head: context.head,
    allowedSigners: context.allowedSigners,
  });
  const change: Change = { ...context.change, environment: request.environment, requested_at: request.requested_at };
  const decision = decide({
    policy: context.source.policy,
    change,
    approvals,
    members,
    at,
    environment: request.environment,
    trustedPaths: trustedPathsFor(context.source),
  });
  if (context.allowedSigners === null) {
    decision.notes.push(
      `The base commit has no ${context.source.policy.allowedSigners}: no signed tag can be verified, so none counts.`,
    );
  }
  return decision;
}
