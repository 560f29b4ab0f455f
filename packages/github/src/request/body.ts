// The request issue's text: what is asked, how far the approvals have come, and how to approve.
// Everything that came from the change or from approvals (file names, commit messages, logins,
// digests) is untrusted: it goes through escapeMarkdown or a code span, never in raw. Only our own
// fixed words are Markdown. The hidden marker is not part of this text: issue.ts puts it on the
// first line itself, so no caller can forget it or place it elsewhere.
import {
  classificationMarkdown,
  codeSpan,
  escapeMarkdown as md,
  type Classification,
  type Commit,
  type Decision,
} from '@countersign/core';

export const MAX_LISTED_COMMITS = 50;
// A commit subject is for recognising the commit, not for reading it in full; this also keeps 50
// of them well inside GitHub's 65,536-character limit on an issue body.
const MAX_SUBJECT = 120;

export type ApprovalSourceName = 'issue-comments' | 'pull-request-reviews' | 'environment';

export interface HowToApprove {
  /** The sources the wait step reads; the text explains only these. */
  sources: readonly ApprovalSourceName[];
}

export interface RequestChangeSummary {
  head: string;
  base: string | null;
  commits: ReadonlyArray<Pick<Commit, 'sha' | 'message' | 'author'>>;
}

export interface RenderRequestBodyInput {
  classification: Classification;
  change: RequestChangeSummary;
  /** e.g. `sha256:…`, the artefact being deployed; null or absent when none was given. */
  subjectDigest?: string | null | undefined;
  environment: string;
  /** The latest decision, to tick the checklist; null or absent before any approval was read. */
  decision?: Decision | null | undefined;
  howToApprove: HowToApprove;
}

const STATUS_WORDS = {
  approved: '✅ approved',
  pending: '⏳ waiting for approvals',
  rejected: '⛔ rejected',
  frozen: '🧊 frozen',
} as const;

export function renderRequestBody(input: RenderRequestBodyInput): string {
  const sections = [
    headline(input),
    policyNotice(input.classification),
    classificationMarkdown(input.classification).trimEnd(),
    checklist(input.classification, input.decision ?? null),
    discounted(input.decision ?? null),
    commitList(input.change),
    artefact(input.subjectDigest ?? null),
    howToApprove(input.howToApprove),
  ];
  return `${sections.filter((s) => s !== '').join('\n\n')}\n`;
}

function headline(input: RenderRequestBodyInput): string {
  const { change, decision } = input;
  const base = change.base !== null ? ` (from ${codeSpan(change.base)})` : '';
  const lines = [
    `## Deployment to ${md(input.environment)} needs approval`,
    '',
    `Head ${codeSpan(change.head)}${base}.`,
  ];
  if (decision != null) lines.push('', `**Status:** ${STATUS_WORDS[decision.status]}`);
  if (decision != null && decision.rejected_by.length > 0)
    lines.push('', `**Rejected by:** ${decision.rejected_by.map(md).join(', ')}`);
  return lines.join('\n');
}

/** SPEC, "Trusted inputs": a change to the policy is judged by the policy it replaces. */
function policyNotice(c: Classification): string {
  if (!c.reasons.some((r) => r.kind === 'trusted-input')) return '';
  return (
    '> [!IMPORTANT]\n' +
    `> This change edits the policy or another trusted input. It is judged by the policy at the base (${codeSpan(c.policy.file)} sha256 ${codeSpan(c.policy.sha256)}), not by the version being deployed.`
  );
}

interface Requirement {
  label: string;
  needed: number;
  /** How many of `needed` are met, as the decision counted them. */
  met: number;
  /** Who met them, as far as the decision names them. */
  names: string[];
}

function requirements(c: Classification, d: Decision | null): Requirement[] {
  const list: Requirement[] = [];
  const counted = d?.counted.map((a) => a.login ?? a.email ?? '?') ?? [];
  if (c.required.approvals > 0) {
    const met = d === null ? 0 : c.required.approvals - d.missing.approvals;
    list.push({ label: 'approval', needed: c.required.approvals, met, names: counted });
  }
  for (const role of c.required.roles) {
    list.push({ label: `approval from ${role.role}`, needed: role.count, ...roleProgress(role.role, role.count, d) });
  }
  return list;
}

/**
 * The decision's `missing` says how many are met; its assignments (distinct requirements) or the
 * counted approvers' roles say by whom. One person in two roles is named under each role only
 * where the decision let them fill both.
 */
function roleProgress(role: string, needed: number, d: Decision | null): { met: number; names: string[] } {
  if (d === null) return { met: 0, names: [] };
  const missing = d.missing.roles.find((m) => m.role === role)?.count ?? 0;
  const assigned = d.assignments.filter((a) => a.role === role).map((a) => a.approver);
  const names =
    assigned.length > 0
      ? assigned
      : d.counted.filter((a) => a.roles.includes(role)).map((a) => a.login ?? a.email ?? '?');
  return { met: Math.max(0, needed - missing), names };
}

function checklist(c: Classification, d: Decision | null): string {
  const items = requirements(c, d).flatMap((r) =>
    Array.from({ length: r.needed }, (_, i) => {
      const done = i < r.met;
      const who = done && r.names[i] !== undefined ? ` — ${md(r.names[i])}` : '';
      const count = r.needed > 1 ? ` (${i + 1} of ${r.needed})` : '';
      return `- [${done ? 'x' : ' '}] ${md(r.label)}${count}${who}`;
    }),
  );
  if (items.length === 0) items.push('- [x] no approvals are required');
  return [
    '### Requirements',
    '',
    ...items,
    '',
    '<sub>Countersign ticks these boxes as approvals count; ticking one by hand approves nothing.</sub>',
  ].join('\n');
}

function discounted(d: Decision | null): string {
  if (d === null || (d.discounted.length === 0 && d.notes.length === 0)) return '';
  const out = ['### Not counted'];
  if (d.discounted.length > 0) {
    out.push('', '| Who | Decision | Reason | Detail |', '| --- | --- | --- | --- |');
    for (const x of d.discounted)
      out.push(`| ${md(x.login ?? x.email ?? '(no account)')} | ${x.decision} | ${md(x.reason)} | ${md(x.detail)} |`);
  }
  for (const note of d.notes) out.push('', `> ${md(note)}`);
  return out.join('\n');
}

function commitList(change: RequestChangeSummary): string {
  const shown = change.commits.slice(0, MAX_LISTED_COMMITS);
  const more = change.commits.length - shown.length;
  const out = [`### Commits (${change.commits.length})`, ''];
  for (const commit of shown)
    out.push(`- ${codeSpan(commit.sha.slice(0, 12))} ${md(subject(commit.message))} — ${md(authorOf(commit))}`);
  if (shown.length === 0) out.push('_none_');
  if (more > 0) out.push(`- … and ${more} more`);
  return out.join('\n');
}

function subject(message: string): string {
  const line = (message.split(/\r\n|\r|\n/, 1)[0] ?? '').trim();
  return line.length > MAX_SUBJECT ? `${line.slice(0, MAX_SUBJECT - 1)}…` : line;
}

/** A login or a name; an email address is personal data and not shown in a public issue. */
function authorOf(commit: Pick<Commit, 'author'>): string {
  return commit.author.login ?? commit.author.name ?? 'unknown author';
}

function artefact(digest: string | null): string {
  const what = digest !== null && digest !== '' ? codeSpan(digest) : '_none given_';
  return `### Artefact\n\nSubject digest: ${what}`;
}

function howToApprove(how: HowToApprove): string {
  const out = ['### How to approve', ''];
  if (how.sources.includes('issue-comments'))
    out.push(
      '- Comment on this issue with `/approve [reason]` or `/reject reason` as the **first line** of the comment. An edited comment does not count; write a new one.',
    );
  if (how.sources.includes('pull-request-reviews'))
    out.push('- Approve (or request changes on) a pull request of this change, reviewing the head commit above.');
  if (how.sources.includes('environment'))
    out.push("- Approve the deployment in the environment's review on the workflow run.");
  if (out.length === 2) out.push('- No approval source is enabled for this request.');
  out.push(
    '',
    'An approval from someone the policy excludes (for example an author of these commits) is listed under "Not counted" with the reason.',
  );
  return out.join('\n');
}
