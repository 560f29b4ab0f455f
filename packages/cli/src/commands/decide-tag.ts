import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { ConfigurationError } from '@countersign/core/errors';
import { createDecisionTag } from '@countersign/git';
import { rootOf } from '../git-platform.js';
import type { Io } from '../io.js';

const usage = (
  verb: string,
) => `countersign ${verb} --environment E [--reason TEXT] [--signing-key FILE] [--push] [HEAD]

${verb === 'approve' ? 'Approves' : 'Rejects'} HEAD (default: HEAD) for the environment with an annotated tag
countersign/<environment>/<head>/<unique suffix>, signed with git's own signing configuration
(user.signingKey and gpg.format), or with --signing-key FILE (an SSH private key file, or a
public key whose private half ssh-agent holds). --push pushes the tag to origin.`;

export const APPROVE_USAGE = usage('approve');
export const REJECT_USAGE = usage('reject');

const OPTIONS = {
  environment: { type: 'string' },
  reason: { type: 'string' },
  'signing-key': { type: 'string' },
  push: { type: 'boolean' },
} as const;

function command(decision: 'approve' | 'reject') {
  return async (args: string[], io: Io): Promise<number> => {
    const { values, positionals } = parseArgs({ args, options: OPTIONS, strict: true, allowPositionals: true });
    if (values.environment === undefined)
      throw new ConfigurationError({ message: `${decision} needs --environment E` });
    if (positionals.length > 1)
      throw new ConfigurationError({ message: `${decision} takes one head revision (got ${positionals.length})` });
    const root = await rootOf(io.cwd);
    const config =
      values['signing-key'] !== undefined
        ? ['gpg.format=ssh', `user.signingKey=${resolve(io.cwd, values['signing-key'])}`]
        : [];
    const { tag, head } = await createDecisionTag({
      cwd: root,
      environment: values.environment,
      head: positionals[0] ?? 'HEAD',
      decision,
      reason: values.reason ?? null,
      push: values.push === true,
      config,
    });
    io.stdout(
      `${decision === 'approve' ? 'Approved' : 'Rejected'} ${head.slice(0, 12)} for ${values.environment}: signed tag ${tag}${values.push === true ? ' (pushed)' : ''}\n`,
    );
    return 0;
  };
}

export const approveCommand = command('approve');
export const rejectCommand = command('reject');
