import { ConfigurationError } from '@countersign/core';
import { withRepository } from './exec.js';
import { resolveIn } from './revision.js';

// Where a change usually starts when the user names no base: the branch it will merge into.
const UPSTREAM_CANDIDATES = ['@{upstream}', 'origin/HEAD', 'origin/main', 'origin/master', 'main', 'master'];

/**
 * The merge base of `head` with the first upstream-like branch that exists and is not `head`
 * itself, or a ConfigurationError asking for --base. Never guesses further than that: a wrong base
 * would judge the wrong commits.
 */
export function defaultBase(cwd: string, head: string): Promise<string> {
  return withRepository(cwd, async (repository) => {
    for (const candidate of UPSTREAM_CANDIDATES) {
      const tip = await resolveIn(repository, candidate, '--base').catch(() => null);
      if (tip === null || tip === head) continue;
      const result = await repository.run(['merge-base', '--end-of-options', tip, head]);
      const base = result.stdout.toString('utf8').trim();
      if (result.code === 0 && base !== '' && base !== head) return base;
    }
    throw new ConfigurationError({
      message:
        '--base is required: no upstream branch (origin/HEAD, main, master) has a merge base with the head other than the head itself',
    });
  });
}

/**
 * Refuses a base that cannot be the start of the change: the head itself (an empty change with no
 * participants) or a commit that is not an ancestor of the head.
 */
export function checkBase(cwd: string, base: string, head: string, flag: string): Promise<void> {
  return withRepository(cwd, async (repository) => {
    if (base === head)
      throw new ConfigurationError({
        message: `${flag}: the base is the head itself, so there would be no change to judge`,
      });
    const result = await repository.run(['merge-base', '--is-ancestor', '--end-of-options', base, head]);
    if (result.code !== 0)
      throw new ConfigurationError({
        message: `${flag}: ${base.slice(0, 12)} is not an ancestor of the head ${head.slice(0, 12)}`,
      });
  });
}
