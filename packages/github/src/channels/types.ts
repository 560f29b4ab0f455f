import type { Approval } from '@countersign/core';

/** What one source of decisions found: the approvals, and what it saw but could not use. */
export interface ChannelResult {
  approvals: Approval[];
  /** Human-readable, for the job summary: e.g. a `/reject` ignored for want of a reason. */
  notes: string[];
}

/** GitHub's account type as the core knows it; anything unexpected stays unknown. */
export function accountType(type: string | null | undefined): 'User' | 'Bot' | null {
  if (type === 'Bot') return 'Bot';
  if (type === 'User') return 'User';
  return null;
}
