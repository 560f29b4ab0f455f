// Sentences shared by every output format, so text, Markdown and job summaries say the same thing.
import type { Classification, Reason, Required } from '../risk/classify.js';

export function requiredSentence(required: Required): string {
  const parts: string[] = [];
  parts.push(required.approvals === 1 ? '1 approval' : `${required.approvals} approvals`);
  for (const role of required.roles) parts.push(`${role.count} from ${role.role}`);
  if (required.approvals === 0 && required.roles.length === 0) return 'no approvals';
  return parts.length === 1 ? (parts[0] as string) : `${parts[0] as string}, including ${parts.slice(1).join(' and ')}`;
}

export function reasonHeadline(reason: Reason): string {
  const risk = reason.risk !== null ? ` (${reason.risk})` : '';
  const description = reason.description !== null ? `: ${reason.description}` : '';
  return `${reason.rule}${risk}${description}`;
}

export function moreFiles(reason: Reason): number {
  return Math.max(0, reason.matched_files - reason.files.length);
}

export function freezeSentence(classification: Classification): string | null {
  if (classification.freezes.length === 0) return null;
  const list = classification.freezes.map((f) => `${f.id}${f.until !== null ? ` (until ${f.until})` : ''}`).join(', ');
  return classification.break_glass !== null
    ? `Freeze in force, lifted by break-glass: ${list}`
    : `Frozen: ${list} blocks ${classification.risk} changes now`;
}
