// What classification needs from a policy, compiled once per policy object: every path glob of
// every rule in one PathIndex (so 100,000 paths are not each tested against every pattern), the
// branch globs, the content expressions and the freeze calendars.
import picomatch from 'picomatch';
import { PathIndex } from '../glob/index.js';
import type { Policy } from '../policy/types.js';
import { compileFreeze, type FreezeState } from '../time/freeze.js';

export type PathCondition = 'paths' | 'allPaths';

export interface CompiledRule {
  branches: ((branch: string) => boolean) | null;
  content: RegExp | null;
}

export interface CompiledPolicy {
  index: PathIndex;
  /** For each pattern of the index: which rule and which condition it belongs to. */
  owners: Array<{ rule: number; condition: PathCondition }>;
  rules: CompiledRule[];
  freezes: Array<{ state(at: Date): FreezeState }>;
}

const cache = new WeakMap<Policy, CompiledPolicy>();

export function compilePolicy(policy: Policy): CompiledPolicy {
  const hit = cache.get(policy);
  if (hit !== undefined) return hit;
  const patterns: string[] = [];
  const owners: CompiledPolicy['owners'] = [];
  policy.rules.forEach((rule, i) => {
    for (const glob of rule.when.paths ?? []) {
      patterns.push(glob);
      owners.push({ rule: i, condition: 'paths' });
    }
    for (const glob of rule.when.allPaths ?? []) {
      patterns.push(glob);
      owners.push({ rule: i, condition: 'allPaths' });
    }
  });
  const compiled: CompiledPolicy = {
    index: new PathIndex(patterns),
    owners,
    rules: policy.rules.map((rule) => ({
      // Branch names are matched as whole names: `release/*`, `main`; no any-depth rule.
      branches: rule.when.branches ? picomatch(rule.when.branches, { dot: true }) : null,
      content: rule.when.content !== undefined ? new RegExp(rule.when.content) : null,
    })),
    freezes: policy.freezes.map((freeze) => compileFreeze(freeze)),
  };
  cache.set(policy, compiled);
  return compiled;
}
