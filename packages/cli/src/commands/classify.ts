import { parseArgs } from 'node:util';
import {
  changeFromPaths,
  classificationMarkdown,
  classificationText,
  classify,
  ConfigurationError,
  DEFAULT_TRUSTED_PATHS,
  parseChange,
  type Change,
  type Policy,
} from '@countersign/core';
import { readChange, repositoryRoot, resolveCommit } from '@countersign/git';
import { readInputFile, type Io } from '../io.js';
import { colourFor, formatOf, instantOf } from '../options.js';
import { policyAtBase, policyFromFile, type PolicySource } from '../policy-source.js';

export const CLASSIFY_USAGE = `countersign classify [--policy FILE] (--base REF --head REF | --change FILE | --files-from FILE|-)
                     [--environment E] [--at TIME] [--branch NAME] [--label L]... [--format text|json|markdown]

Prints the change's risk, the reasons, the approvals it requires and whether a freeze blocks it.
Exit 0 when it may proceed to approval, 1 when a freeze blocks it now, 2 on bad input.`;

const OPTIONS = {
  policy: { type: 'string' },
  base: { type: 'string' },
  head: { type: 'string' },
  change: { type: 'string' },
  'files-from': { type: 'string' },
  environment: { type: 'string' },
  at: { type: 'string' },
  branch: { type: 'string' },
  label: { type: 'string', multiple: true },
  format: { type: 'string' },
} as const;

function needsDiff(policy: Policy): boolean {
  return policy.rules.some((rule) => rule.when.content !== undefined);
}

async function gather(
  values: { [K in keyof typeof OPTIONS]?: unknown },
  io: Io,
): Promise<{ source: PolicySource; change: Change }> {
  const v = values as Record<string, string | undefined>;
  const modes = [
    v['base'] !== undefined || v['head'] !== undefined,
    v['change'] !== undefined,
    v['files-from'] !== undefined,
  ].filter(Boolean).length;
  if (modes !== 1)
    throw new ConfigurationError({
      message: 'classify needs exactly one of --base/--head, --change FILE or --files-from FILE',
    });
  if (v['base'] !== undefined || v['head'] !== undefined) {
    if (v['base'] === undefined || v['head'] === undefined)
      throw new ConfigurationError({ message: '--base and --head go together' });
    const root = await repositoryRoot(io.cwd);
    if (root === null)
      throw new ConfigurationError({ message: `--base/--head: ${io.cwd} is not inside a git repository` });
    const base = await resolveCommit(root, v['base'], '--base');
    const head = await resolveCommit(root, v['head'], '--head');
    const source = await policyAtBase(io.cwd, root, base, v['policy']);
    const change = await readChange({ cwd: root, base, head, withPatches: needsDiff(source.policy) });
    return { source, change };
  }
  const source = await policyFromFile(io.cwd, v['policy']);
  if (v['change'] !== undefined) {
    const text = (await readInputFile('--change', resolvePath(io, v['change']), v['change'])).toString('utf8');
    return { source, change: parseChange(text, v['change']) };
  }
  const from = v['files-from'] as string;
  const text =
    from === '-'
      ? await io.readStdin()
      : (await readInputFile('--files-from', resolvePath(io, from), from)).toString('utf8');
  return { source, change: changeFromPaths(text) };
}

function resolvePath(io: Io, path: string): string {
  return path.startsWith('/') ? path : `${io.cwd}/${path}`;
}

export function trustedPathsFor(source: PolicySource): string[] {
  return source.repositoryPath !== null
    ? [...DEFAULT_TRUSTED_PATHS, source.repositoryPath]
    : [...DEFAULT_TRUSTED_PATHS];
}

export async function classifyCommand(args: string[], io: Io): Promise<number> {
  const { values } = parseArgs({ args, options: OPTIONS, strict: true, allowPositionals: false });
  const format = formatOf(values.format);
  const at = instantOf(values.at, io);
  const { source, change } = await gather(values, io);
  if (values.branch !== undefined) change.branch = values.branch;
  if (values.label !== undefined) change.labels = [...change.labels, ...values.label];
  const result = classify(source.policy, change, {
    environment: values.environment,
    at,
    trustedPaths: trustedPathsFor(source),
  });
  if (format === 'json') io.stdout(`${JSON.stringify(result, null, 2)}\n`);
  else if (format === 'markdown') io.stdout(classificationMarkdown(result));
  else io.stdout(classificationText(result, { colour: colourFor(io) }));
  return result.frozen ? 1 : 0;
}
