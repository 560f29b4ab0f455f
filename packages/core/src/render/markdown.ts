// Markdown for job summaries and request bodies. Every value that came from a change or an
// approval is escaped; only our own fixed words are Markdown.
import type { Classification } from '../risk/classify.js';
import type { Decision } from '../sod/decide.js';
import { freezeSentence, moreFiles, reasonHeadline, requiredSentence } from './describe.js';
import { cellCode, codeSpan, escapeMarkdown as md } from './markdown-escape.js';

const RISK_MARK = { low: '🟢', medium: '🟡', high: '🟠', critical: '🔴' } as const;
const STATUS_MARK = { approved: '✅', pending: '⏳', rejected: '⛔', frozen: '🧊' } as const;

function classificationSection(c: Classification): string[] {
  const out: string[] = [];
  const where = c.environment !== null ? ` for ${md(c.environment)}` : '';
  out.push(`**Risk: ${RISK_MARK[c.risk]} ${c.risk}**${where}`, '');
  out.push('| Reason | Risk | Files |', '| --- | --- | --- |');
  for (const r of c.reasons) {
    const more = moreFiles(r);
    const files = r.files.map(cellCode).join(', ') + (more > 0 ? ` (+${more} more)` : '');
    const assumed = r.assumed !== null ? ` _(${md(r.assumed)})_` : '';
    out.push(`| ${md(reasonHeadline(r))}${assumed} | ${r.risk ?? ''} | ${files} |`);
  }
  out.push('', `**Required:** ${md(requiredSentence(c.required))}`);
  for (const role of c.required.roles)
    out.push(`- ${md(role.role)}: ${role.members.map(md).join(', ') || '_no members_'}`);
  const freeze = freezeSentence(c);
  if (freeze !== null) out.push('', `**${md(freeze)}**`);
  if (c.break_glass !== null) {
    out.push(
      '',
      `**Break-glass** (label ${codeSpan(c.break_glass.label)}): ${c.break_glass.approvals} non-participant approval(s); post-review due within ${md(c.break_glass.post_review_within)}.`,
    );
  }
  out.push(
    '',
    `<sub>Policy ${codeSpan(c.policy.file)} sha256 ${codeSpan(c.policy.sha256)} · decided at ${md(c.at)}</sub>`,
  );
  return out;
}

export function classificationMarkdown(c: Classification): string {
  return `${['### Countersign classification', '', ...classificationSection(c)].join('\n')}\n`;
}

export function decisionMarkdown(d: Decision): string {
  const out = [
    `### Countersign decision: ${STATUS_MARK[d.status]} ${d.status}`,
    '',
    ...classificationSection(d.classification),
  ];
  if (d.missing.approvals > 0 || d.missing.roles.length > 0) {
    const parts = [];
    if (d.missing.approvals > 0) parts.push(`${d.missing.approvals} more approval(s)`);
    for (const r of d.missing.roles) parts.push(`${r.count} from ${md(r.role)}`);
    out.push('', `**Missing:** ${parts.join(', ')}`);
  }
  if (d.counted.length > 0) {
    out.push('', '| Counted approver | Roles | At | Source |', '| --- | --- | --- | --- |');
    for (const c of d.counted)
      out.push(
        `| ${md(c.login ?? c.email ?? '?')} | ${c.roles.map(md).join(', ')} | ${md(c.at ?? '')} | ${md(c.source ?? '')} |`,
      );
  }
  if (d.rejected_by.length > 0) out.push('', `**Rejected by:** ${d.rejected_by.map(md).join(', ')}`);
  if (d.discounted.length > 0) {
    out.push('', '| Discounted | Decision | Reason | Detail |', '| --- | --- | --- | --- |');
    for (const x of d.discounted)
      out.push(
        `| ${md(x.login ?? x.email ?? '(no account)')} | ${x.decision} | ${cellCode(x.reason)} | ${md(x.detail)} |`,
      );
  }
  if (d.break_glass !== null) out.push('', `**Post-review due by ${md(d.break_glass.post_review_due)}.**`);
  for (const note of d.notes) out.push('', `> ${md(note)}`);
  return `${out.join('\n')}\n`;
}
