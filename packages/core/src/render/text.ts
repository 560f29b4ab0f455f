// Text for people at a terminal. Colour only when asked (the CLI decides from the TTY, NO_COLOR
// and FORCE_COLOR); the words never depend on colour.
import type { Risk } from '../model.js';
import type { Classification } from '../risk/classify.js';
import type { Decision } from '../sod/decide.js';
import { freezeSentence, moreFiles, reasonHeadline, requiredSentence } from './describe.js';

export interface TextOptions {
  colour: boolean;
}

const SGR = { reset: 0, bold: 1, dim: 2, red: 31, green: 32, yellow: 33, magenta: 35, cyan: 36 } as const;
type Style = keyof typeof SGR;

function paint(on: boolean, styles: Style[], text: string): string {
  if (!on || styles.length === 0) return text;
  return `\u001b[${styles.map((s) => SGR[s]).join(';')}m${text}\u001b[0m`;
}

const RISK_STYLE: Record<Risk, Style[]> = {
  low: ['green'],
  medium: ['yellow'],
  high: ['red', 'bold'],
  critical: ['magenta', 'bold'],
};

// Control characters in untrusted text could move the cursor or recolour the terminal.
function isControl(code: number): boolean {
  return code < 0x20 || (code >= 0x7f && code <= 0x9f);
}

function safe(text: string): string {
  let out = '';
  for (const ch of text) {
    const code = ch.charCodeAt(0);
    out += isControl(code) ? `\\x${code.toString(16).padStart(2, '0')}` : ch;
  }
  return out;
}

function classificationLines(c: Classification, colour: boolean): string[] {
  const lines: string[] = [];
  const where = c.environment !== null ? ` for ${safe(c.environment)}` : '';
  lines.push(`Risk: ${paint(colour, RISK_STYLE[c.risk], c.risk.toUpperCase())}${where} (at ${c.at})`);
  lines.push('Reasons:');
  for (const reason of c.reasons) {
    lines.push(`  - ${safe(reasonHeadline(reason))}`);
    if (reason.assumed !== null) lines.push(`      ${paint(colour, ['yellow'], safe(reason.assumed))}`);
    if (reason.files.length > 0) {
      const more = moreFiles(reason);
      lines.push(`      ${reason.files.map(safe).join(', ')}${more > 0 ? ` (+${more} more)` : ''}`);
    }
  }
  lines.push(`Required: ${requiredSentence(c.required)}`);
  for (const role of c.required.roles)
    lines.push(`  ${role.role}: ${role.members.map(safe).join(', ') || '(no members)'}`);
  const freeze = freezeSentence(c);
  if (freeze !== null) lines.push(paint(colour, c.frozen ? ['red', 'bold'] : ['yellow'], freeze));
  if (c.break_glass !== null) {
    lines.push(
      paint(
        colour,
        ['yellow', 'bold'],
        `Break-glass (label ${safe(c.break_glass.label)}): ${c.break_glass.approvals} non-participant approval(s); a post-review is due within ${c.break_glass.post_review_within}`,
      ),
    );
  }
  lines.push(paint(colour, ['dim'], `Policy: ${safe(c.policy.file)} (sha256 ${c.policy.sha256.slice(0, 16)}…)`));
  return lines;
}

export function classificationText(c: Classification, options: TextOptions): string {
  return `${classificationLines(c, options.colour).join('\n')}\n`;
}

const STATUS_STYLE: Record<Decision['status'], Style[]> = {
  approved: ['green', 'bold'],
  pending: ['yellow', 'bold'],
  rejected: ['red', 'bold'],
  frozen: ['cyan', 'bold'],
};

export function decisionText(d: Decision, options: TextOptions): string {
  const colour = options.colour;
  const lines: string[] = [`Status: ${paint(colour, STATUS_STYLE[d.status], d.status.toUpperCase())}`];
  lines.push(...classificationLines(d.classification, colour));
  if (d.missing.approvals > 0 || d.missing.roles.length > 0) {
    const parts = [];
    if (d.missing.approvals > 0) parts.push(`${d.missing.approvals} more approval(s)`);
    for (const r of d.missing.roles) parts.push(`${r.count} from ${r.role}`);
    lines.push(`Missing: ${parts.join(', ')}`);
  }
  lines.push(`Counted (${d.counted.length}):`);
  for (const c of d.counted) {
    const roles = c.roles.length > 0 ? ` [${c.roles.join(', ')}]` : '';
    lines.push(
      `  + ${safe(c.login ?? c.email ?? '?')}${roles} at ${c.at ?? '?'}${c.source !== null ? ` via ${safe(c.source)}` : ''}`,
    );
  }
  if (d.rejected_by.length > 0)
    lines.push(paint(colour, ['red'], `Rejected by: ${d.rejected_by.map(safe).join(', ')}`));
  if (d.discounted.length > 0) {
    lines.push(`Discounted (${d.discounted.length}):`);
    for (const x of d.discounted) {
      lines.push(
        `  - ${safe(x.login ?? x.email ?? '(no account)')} ${x.decision}: ${paint(colour, ['yellow'], x.reason)} (${safe(x.detail)})`,
      );
    }
  }
  if (d.break_glass !== null) lines.push(`Post-review due by ${d.break_glass.post_review_due}`);
  for (const note of d.notes) lines.push(paint(colour, ['yellow'], `Note: ${safe(note)}`));
  return `${lines.join('\n')}\n`;
}
