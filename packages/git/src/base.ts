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
