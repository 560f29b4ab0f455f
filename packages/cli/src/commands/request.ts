import { parseArgs } from 'node:util';
import { classificationMarkdown, classificationText, classify, codeSpan, escapeMarkdown } from '@countersign/core';
import { ConfigurationError } from '@countersign/core/errors';
import { addRequest, assertEnvironment, checkBase, defaultBase, pushRequests, resolveCommit } from '@countersign/git';
import { changeContext, headOf, platformOf, rootOf } from '../git-platform.js';
import type { Io } from '../io.js';
import { colourFor, formatOf } from '../options.js';
import { trustedPathsFor } from './classify.js';

export const REQUEST_USAGE = `countersign request [--platform git] --environment E [--base REF] [--head REF]
                    [--policy FILE] [--push] [--format text|json|markdown]

Classifies the change (the commits of base..head, judged by the policy on the base), records the
approval request as a git note under refs/notes/countersign on the head, and prints how to
approve. Run again for the same head and environment, it finds the existing request.
--base defaults to the merge base with the upstream branch; --head to HEAD.`;

const OPTIONS = {
  platform: { type: 'string' },
  environment: { type: 'string' },
  base: { type: 'string' },
  head: { type: 'string' },
  policy: { type: 'string' },
  push: { type: 'boolean' },
  format: { type: 'string' },
} as const;

export async function requestCommand(args: string[], io: Io): Promise<number> {
  const { values } = parseArgs({ args, options: OPTIONS, strict: true, allowPositionals: false });
  platformOf(values.platform, io.env);
  const format = formatOf(values.format);
  if (values.environment === undefined) throw new ConfigurationError({ message: 'request needs --environment E' });
  const environment = values.environment;
  // The same rule approve and reject apply: a request they could never answer is refused here, and
  // the name printed below (and in the command to copy) is a plain word.
  assertEnvironment(environment);
  const root = await rootOf(io.cwd);
  const head = await headOf(root, values.head, '--head');
  const base =
    values.base !== undefined ? await resolveCommit(root, values.base, '--base') : await defaultBase(root, head);
  await checkBase(root, base, head, '--base');
  const context = await changeContext(io.cwd, root, base, head, values.policy);
  // Git records a tag's time in whole seconds: the request is kept to the second too, so that an
  // approval tagged in the same second as the request does not look older than it.
  const now = new Date(Math.floor(io.now().getTime() / 1000) * 1000);
  const classification = classify(
    context.source.policy,
    { ...context.change, environment },
    { environment, at: now, trustedPaths: trustedPathsFor(context.source) },
  );
  const { created, record } = await addRequest(root, {
    environment,
    head,
    base,
    requested_at: now.toISOString(),
    risk: classification.risk,
    required: classification.required,
    policy_sha256: context.source.policy.sha256,
    requested_by: io.env['USER'] ?? null,
  });
  const pushed = values.push === true ? await pushRequests(root) : false;

  if (format === 'json') {
    io.stdout(`${JSON.stringify({ created, request: record, classification, pushed }, null, 2)}\n`);
    return 0;
  }
  const approve = `countersign approve --environment ${environment} ${head}`;
  const lead = created
    ? `Requested approval for ${environment} of ${head.slice(0, 12)} at ${record.requested_at}.`
    : `A request for ${environment} of ${head.slice(0, 12)} already exists, made ${record.requested_at}; nothing new was recorded.`;
  if (format === 'markdown') {
    io.stdout(
      `${escapeMarkdown(lead)}\n\n${classificationMarkdown(classification)}\nTo approve (or reject with a reason): ${codeSpan(approve)}\n`,
    );
  } else {
    io.stdout(
      `${lead}\n${classificationText(classification, { colour: colourFor(io) })}To approve: ${approve}\nTo reject:  countersign reject --environment ${environment} --reason TEXT ${head}\n`,
    );
  }
  return 0;
}
