// SPEC section 2, "Risk", "Required", "Frozen", "Trusted inputs" and break-glass's effect on them.
import { maxRisk, riskRank, type Change, type ChangedFile, type Risk } from '../model.js';
import type { Policy, RoleRequirement, Rule } from '../policy/types.js';
import { compilePolicy, type CompiledPolicy } from './compiled.js';

/** Files that judge a change; touching one makes it at least high risk (SPEC "Trusted inputs"). */
export const DEFAULT_TRUSTED_PATHS = ['.countersign.yml', '.countersign.yaml', '.countersign/'] as const;

const MAX_LISTED_FILES = 20;

export type ReasonKind = 'rule' | 'default' | 'environment' | 'trusted-input';

export interface Reason {
  kind: ReasonKind;
  /** The rule's id; for other kinds: "default-risk", "environment", "trusted-input". */
  rule: string;
  description: string | null;
  risk: Risk | null;
  /** Up to 20 of the files that matched. */
  files: string[];
  matched_files: number;
  /** Set when a condition could not be checked and the rule was assumed to match (fail closed). */
  assumed: string | null;
}

export interface RequiredRole extends RoleRequirement {
  /** The role's members as the policy lists them (logins, emails, "@org/team"). */
  members: string[];
}

export interface Required {
  approvals: number;
  roles: RequiredRole[];
}

export interface ActiveFreeze {
  id: string;
  description: string | null;
  since: string | null;
  until: string | null;
  blocks: Risk[];
}

export interface BreakGlassState {
  label: string;
  approvals: number;
  post_review_within: string;
}

export interface Classification {
  risk: Risk;
  environment: string | null;
  at: string;
  reasons: Reason[];
  required: Required;
  /** What the policy requires without break-glass; equal to `required` when break-glass is not used. */
  policy_required: Required;
  frozen: boolean;
  /** Freezes in force at `at` that block this risk (listed even when break-glass lifts them). */
  freezes: ActiveFreeze[];
  break_glass: BreakGlassState | null;
  policy: { file: string; sha256: string };
  change: { base: string | null; head: string | null; files: number; lines: number; commits: number };
}

export interface ClassifyOptions {
  environment?: string | null | undefined;
  at: Date;
  /** Repository paths of trusted inputs; a trailing "/" names a directory. */
  trustedPaths?: readonly string[] | undefined;
}

type Verdict = 'yes' | 'no' | 'unknown';

interface PathTally {
  pathsMatched: Int32Array;
  pathsFiles: string[][];
  /** Indices of files matched by `paths`, kept only for rules that also test `content`. */
  pathsFileIndices: number[][];
  allCovered: Int32Array;
  allConsidered: Int32Array;
  allFiles: string[][];
}

/** With only paths known (`paths_only`), every file may have any status: none is filtered out. */
function statusAllowed(rule: Rule, file: ChangedFile, pathsOnly = false): boolean {
  return pathsOnly || rule.when.statuses === undefined || rule.when.statuses.includes(file.status);
}

function tallyPaths(
  policy: Policy,
  compiled: CompiledPolicy,
  files: readonly ChangedFile[],
  pathsOnly: boolean,
): PathTally {
  const n = policy.rules.length;
  const tally: PathTally = {
    pathsMatched: new Int32Array(n),
    pathsFiles: policy.rules.map(() => []),
    pathsFileIndices: policy.rules.map(() => []),
    allCovered: new Int32Array(n),
    allConsidered: new Int32Array(n),
    allFiles: policy.rules.map(() => []),
  };
  const keepIndices = policy.rules.map((r) => r.when.content !== undefined && r.when.paths !== undefined);
  const allPathRules = policy.rules.flatMap((r, i) => (r.when.allPaths !== undefined ? [i] : []));
  const pathStamp = new Int32Array(n).fill(-1);
  const newStamp = new Int32Array(n).fill(-1);
  const oldStamp = new Int32Array(n).fill(-1);
  const { index, owners } = compiled;

  for (let f = 0; f < files.length; f++) {
    const file = files[f] as ChangedFile;
    const visit = (stamp: Int32Array) => (pattern: number) => {
      const owner = owners[pattern];
      if (owner === undefined) return;
      const rule = policy.rules[owner.rule] as Rule;
      if (owner.condition === 'allPaths') {
        stamp[owner.rule] = f;
        return;
      }
      if (pathStamp[owner.rule] === f || !statusAllowed(rule, file, pathsOnly)) return;
      pathStamp[owner.rule] = f;
      tally.pathsMatched[owner.rule] = (tally.pathsMatched[owner.rule] ?? 0) + 1;
      const listed = tally.pathsFiles[owner.rule] as string[];
      if (listed.length < MAX_LISTED_FILES) listed.push(file.path);
      if (keepIndices[owner.rule]) (tally.pathsFileIndices[owner.rule] as number[]).push(f);
    };
    index.forEachMatch(file.path, visit(newStamp));
    // A rename is judged by where the file was as well as where it goes: moving a migration out
    // of db/migrations/ still touches db/migrations/, and is not "docs only" for landing in docs/.
    const previous = file.previous_path;
    if (previous) index.forEachMatch(previous, visit(oldStamp));
    for (const r of allPathRules) {
      const rule = policy.rules[r] as Rule;
      if (!statusAllowed(rule, file, pathsOnly)) continue;
      tally.allConsidered[r] = (tally.allConsidered[r] ?? 0) + 1;
      if (newStamp[r] === f && (!previous || oldStamp[r] === f)) {
        tally.allCovered[r] = (tally.allCovered[r] ?? 0) + 1;
        const listed = tally.allFiles[r] as string[];
        if (listed.length < MAX_LISTED_FILES) listed.push(file.path);
      }
    }
  }
  return tally;
}

/**
 * Added lines of a unified diff: `+` lines inside hunks. File headers (`+++ b/x`) come before the
 * first `@@`, so an added line that itself starts with "++" is still seen.
 */
export function addedLines(patch: string): string[] {
  const lines: string[] = [];
  let inHunk = false;
  for (const line of patch.split('\n')) {
    if (line.startsWith('@@')) inHunk = true;
    else if (line.startsWith('diff --git ')) inHunk = false;
    else if (inHunk && line.startsWith('+')) lines.push(line.slice(1).replace(/\r$/, ''));
  }
  return lines;
}

/** Whether a file can have added lines that a content rule would need to see. */
function mayAddLines(file: ChangedFile): boolean {
  if (file.status === 'removed') return false;
  // A pure rename adds nothing; any other file without a patch (a binary file on GitHub reports
  // 0 additions) may hide added text, so only a known-empty patch rules it out.
  return !(file.status === 'renamed' && file.additions === 0 && file.deletions === 0);
}

function contentVerdict(
  pattern: RegExp,
  files: Iterable<ChangedFile>,
): { verdict: Verdict; files: string[]; count: number } {
  let unknown = false;
  const matched: string[] = [];
  let count = 0;
  for (const file of files) {
    if (file.patch === undefined || file.patch === null) {
      if (mayAddLines(file)) unknown = true;
      continue;
    }
    if (addedLines(file.patch).some((line) => pattern.test(line))) {
      count++;
      if (matched.length < MAX_LISTED_FILES) matched.push(file.path);
    }
  }
  if (count > 0) return { verdict: 'yes', files: matched, count };
  return { verdict: unknown ? 'unknown' : 'no', files: [], count: 0 };
}

function lower(list: readonly string[]): Set<string> {
  return new Set(list.map((s) => s.toLowerCase()));
}

export function changeLabels(change: Change): string[] {
  const all = new Map<string, string>();
  for (const label of [...change.labels, ...change.pull_requests.flatMap((pr) => pr.labels)]) {
    if (!all.has(label.toLowerCase())) all.set(label.toLowerCase(), label);
  }
  return [...all.values()];
}

interface RuleOutcome {
  matched: boolean;
  files: string[];
  count: number;
  assumed: string | null;
}

function evaluateRule(
  policy: Policy,
  i: number,
  change: Change,
  environment: string | null,
  tally: PathTally,
  compiled: CompiledPolicy,
  totals: { lines: number },
): RuleOutcome {
  const rule = policy.rules[i] as Rule;
  const when = rule.when;
  const verdicts: Verdict[] = [];
  const unknownBecause: string[] = [];
  let files: string[] = [];
  let count = 0;

  if (when.paths !== undefined) {
    const hits = tally.pathsMatched[i] ?? 0;
    verdicts.push(hits > 0 ? 'yes' : 'no');
    files = tally.pathsFiles[i] ?? [];
    count = hits;
  }
  if (when.allPaths !== undefined) {
    // Vacuous truth would let an empty change count as "docs only": an empty change matches nothing.
    const considered = tally.allConsidered[i] ?? 0;
    verdicts.push(considered > 0 && tally.allCovered[i] === considered ? 'yes' : 'no');
    if (files.length === 0) {
      files = tally.allFiles[i] ?? [];
      count = tally.allCovered[i] ?? 0;
    }
  }
  // A plain path list says nothing of statuses or sizes: such conditions are unknown, not "no".
  const pathsOnly = change.paths_only === true;
  if (pathsOnly && (when.statuses !== undefined || when.linesOver !== undefined)) {
    verdicts.push('unknown');
    unknownBecause.push('the change lists paths only, without statuses or line counts');
  }
  if (!pathsOnly && when.statuses !== undefined && when.paths === undefined && when.allPaths === undefined) {
    const statuses = when.statuses;
    const hit = change.files.filter((f) => statuses.includes(f.status));
    verdicts.push(hit.length > 0 ? 'yes' : 'no');
    files = hit.slice(0, MAX_LISTED_FILES).map((f) => f.path);
    count = hit.length;
  }
  if (when.filesOver !== undefined) verdicts.push(change.files.length > when.filesOver ? 'yes' : 'no');
  if (!pathsOnly && when.linesOver !== undefined) verdicts.push(totals.lines > when.linesOver ? 'yes' : 'no');
  if (when.labels !== undefined) {
    const wanted = lower(when.labels);
    verdicts.push(changeLabels(change).some((l) => wanted.has(l.toLowerCase())) ? 'yes' : 'no');
  }
  if (when.environments !== undefined) {
    const wanted = lower(when.environments);
    verdicts.push(environment !== null && wanted.has(environment.toLowerCase()) ? 'yes' : 'no');
  }
  const compiledRule = compiled.rules[i];
  if (compiledRule?.branches) {
    if (change.branch) verdicts.push(compiledRule.branches(change.branch) ? 'yes' : 'no');
    else {
      verdicts.push('unknown');
      unknownBecause.push('the change names no branch to test `branches` against');
    }
  }
  if (compiledRule?.content) {
    const candidates =
      when.paths !== undefined
        ? (tally.pathsFileIndices[i] ?? []).map((f) => change.files[f] as ChangedFile)
        : change.files.filter((f) => statusAllowed(rule, f, change.paths_only === true));
    const result = contentVerdict(compiledRule.content, candidates);
    verdicts.push(result.verdict);
    if (result.verdict === 'unknown') unknownBecause.push('the change carries no diff to test `content` against');
    if (result.verdict === 'yes') {
      files = result.files;
      count = result.count;
    }
  }

  if (verdicts.includes('no')) return { matched: false, files: [], count: 0, assumed: null };
  if (!verdicts.includes('unknown')) return { matched: true, files, count, assumed: null };
  // Fail closed: a rule that could only make the decision stricter is assumed to match; one that
  // could lower the risk is not.
  const strict =
    rule.require.length > 0 || (rule.risk !== undefined && riskRank(rule.risk) >= riskRank(policy.defaultRisk));
  return strict
    ? { matched: true, files, count, assumed: `assumed to match: ${unknownBecause.join('; ')}` }
    : { matched: false, files: [], count: 0, assumed: null };
}

function mergeRequirements(policy: Policy, lists: readonly RoleRequirement[][]): RequiredRole[] {
  const byRole = new Map<string, number>();
  for (const list of lists)
    for (const req of list) byRole.set(req.role, Math.max(byRole.get(req.role) ?? 0, req.count));
  return [...byRole].map(([role, count]) => ({ role, count, members: policy.roles[role] ?? [] }));
}

function touchesTrusted(file: ChangedFile, trusted: readonly string[]): boolean {
  const paths = file.previous_path ? [file.path, file.previous_path] : [file.path];
  return paths.some((p) => trusted.some((t) => (t.endsWith('/') ? p.startsWith(t) : p === t)));
}

export function classify(policy: Policy, change: Change, options: ClassifyOptions): Classification {
  const compiled = compilePolicy(policy);
  const environment = options.environment ?? change.environment ?? null;
  const lines = change.files.reduce((sum, f) => sum + f.additions + f.deletions, 0);
  const tally = tallyPaths(policy, compiled, change.files, change.paths_only === true);
  const reasons: Reason[] = [];
  const matchedRequirements: RoleRequirement[][] = [];
  let risk: Risk | null = null;
  // A rule assumed to match (a condition could not be checked) may only raise the risk: it never
  // takes the place of default-risk, or an unknown branch could lower a change's risk.
  let assumedRisk: Risk | null = null;

  policy.rules.forEach((rule, i) => {
    const outcome = evaluateRule(policy, i, change, environment, tally, compiled, { lines });
    if (!outcome.matched) return;
    if (rule.risk !== undefined) {
      if (outcome.assumed !== null) assumedRisk = assumedRisk === null ? rule.risk : maxRisk(assumedRisk, rule.risk);
      else risk = risk === null ? rule.risk : maxRisk(risk, rule.risk);
    }
    matchedRequirements.push(rule.require);
    reasons.push({
      kind: 'rule',
      rule: rule.id,
      description: rule.description ?? null,
      risk: rule.risk ?? null,
      files: outcome.files,
      matched_files: outcome.count,
      assumed: outcome.assumed,
    });
  });

  if (risk === null) {
    risk = policy.defaultRisk;
    reasons.push(
      fixedReason(
        'default',
        'default-risk',
        `No rule gives this change a risk; the policy's default-risk applies.`,
        risk,
      ),
    );
  }
  if (assumedRisk !== null) risk = maxRisk(risk, assumedRisk);

  const settings =
    environment === null
      ? undefined
      : policy.environments.find((e) => e.name.toLowerCase() === environment.toLowerCase());
  if (settings?.minimumRisk !== undefined) {
    reasons.push(
      fixedReason(
        'environment',
        'environment',
        `Deploying to ${settings.name} is at least ${settings.minimumRisk} risk.`,
        settings.minimumRisk,
      ),
    );
    risk = maxRisk(risk, settings.minimumRisk);
  }
  const trusted = [...(options.trustedPaths ?? DEFAULT_TRUSTED_PATHS), policy.allowedSigners];
  const touched = change.files.filter((f) => touchesTrusted(f, trusted));
  if (touched.length > 0) {
    reasons.push({
      ...fixedReason(
        'trusted-input',
        'trusted-input',
        'The change edits the policy or the allowed signers that judge it; it is judged by the version on its base and is at least high risk.',
        'high',
      ),
      files: touched.slice(0, MAX_LISTED_FILES).map((f) => f.path),
      matched_files: touched.length,
    });
    risk = maxRisk(risk, 'high');
  }

  const level = policy.levels[risk];
  const policyRequired: Required = {
    approvals: level.approvals,
    roles: mergeRequirements(policy, [level.require, ...matchedRequirements]),
  };
  const breakGlass = breakGlassOf(policy, change);
  const required: Required = breakGlass ? { approvals: breakGlass.approvals, roles: [] } : policyRequired;

  const freezes: ActiveFreeze[] = [];
  policy.freezes.forEach((freeze, i) => {
    if (!freeze.blocks.includes(risk as Risk)) return;
    const state = compiled.freezes[i]?.state(options.at);
    if (!state?.active) return;
    freezes.push({
      id: freeze.id,
      description: freeze.description ?? null,
      since: state.since?.toISOString() ?? null,
      until: state.until?.toISOString() ?? null,
      blocks: freeze.blocks,
    });
  });

  return {
    risk,
    environment,
    at: options.at.toISOString(),
    reasons,
    required,
    policy_required: policyRequired,
    frozen: freezes.length > 0 && breakGlass === null,
    freezes,
    break_glass: breakGlass,
    policy: { file: policy.file, sha256: policy.sha256 },
    change: {
      base: change.base ?? null,
      head: change.head ?? null,
      files: change.files.length,
      lines,
      commits: change.commits.length,
    },
  };
}

function fixedReason(kind: ReasonKind, rule: string, description: string, risk: Risk): Reason {
  return { kind, rule, description, risk, files: [], matched_files: 0, assumed: null };
}

function breakGlassOf(policy: Policy, change: Change): BreakGlassState | null {
  const bg = policy.breakGlass;
  if (bg === null) return null;
  const wanted = lower(bg.labels);
  const label = changeLabels(change).find((l) => wanted.has(l.toLowerCase()));
  return label === undefined ? null : { label, approvals: bg.approvals, post_review_within: bg.postReviewWithin };
}
