// SPEC section 2, "An approval counts" and "Status": the one place a deployment is decided.
import {
  EXCLUSIONS,
  permissionRank,
  type Approval,
  type Change,
  type DiscountReason,
  type Members,
  type Status,
} from '../model.js';
import type { Policy } from '../policy/types.js';
import {
  classify,
  DEFAULT_TRUSTED_PATHS,
  type Classification,
  type ClassifyOptions,
  type RequiredRole,
} from '../risk/classify.js';
import { approverKey, displayName, identityKeys } from './identity.js';
import { maximumMatching } from './matching.js';
import {
  distinctParticipants,
  exclusionKind,
  ParticipantIndex,
  participantsOf,
  type Participant,
  type ParticipantKind,
} from './participants.js';
import { membershipOracle } from './roles.js';

export interface ApprovalRecord {
  login: string | null;
  email: string | null;
  decision: 'approve' | 'reject';
  at: string | null;
  source: string | null;
  url: string | null;
}

export interface CountedApproval extends ApprovalRecord {
  /** The required roles this approver is a member of. */
  roles: string[];
}

export interface DiscountedApproval extends ApprovalRecord {
  reason: DiscountReason;
  detail: string;
}

export interface MissingRole {
  role: string;
  count: number;
}

export interface Decision {
  status: Status;
  risk: Classification['risk'];
  environment: string | null;
  at: string;
  frozen: boolean;
  required: { approvals: number; roles: RequiredRole[] };
  missing: { approvals: number; roles: MissingRole[] };
  /** Distinct approvers whose approval counts. */
  approvers: string[];
  counted: CountedApproval[];
  rejected_by: string[];
  discounted: DiscountedApproval[];
  participants: Participant[];
  /** With distinct-requirements: who fills which role. */
  assignments: Array<{ role: string; approver: string }>;
  break_glass: (NonNullable<Classification['break_glass']> & { post_review_due: string }) | null;
  /** Things the decision could not know and counted against approval (fail closed). */
  notes: string[];
  classification: Classification;
  /**
   * What was decided on, kept so that the decision can be decided again: an attestation verified
   * against today's policy re-runs this decision with these inputs.
   */
  inputs: { change: Change; approvals: readonly Approval[]; members: Members | null; trusted_paths: readonly string[] };
}

export interface DecideInput {
  policy: Policy;
  change: Change;
  approvals: readonly Approval[];
  members?: Members | undefined;
  at: Date;
  environment?: string | null | undefined;
  trustedPaths?: ClassifyOptions['trustedPaths'];
  /** An earlier classification of the same change, to avoid doing it twice. */
  classification?: Classification | undefined;
}

const KIND_WORDS: Record<ParticipantKind, string> = {
  'commit-author': 'author of commit',
  committer: 'committer of commit',
  'co-author': 'co-author of commit',
  'pr-author': 'author of pull request',
  'triggering-actor': 'the actor who triggered the run',
};

function record(a: Approval): ApprovalRecord {
  return {
    login: a.login?.trim() || null,
    email: a.email?.trim() || null,
    decision: a.decision,
    at: a.at ?? null,
    source: a.source ?? null,
    url: a.url ?? null,
  };
}

function participantDetail(p: Participant): string {
  if (p.kind === 'pr-author') return `${KIND_WORDS[p.kind]} #${p.pull_request ?? '?'}`;
  if (p.kind === 'triggering-actor') return KIND_WORDS[p.kind];
  return `${KIND_WORDS[p.kind]} ${(p.commit ?? '').slice(0, 12)}`;
}

function isBot(a: Approval): boolean {
  return a.type === 'Bot' || (a.login?.trim().toLowerCase().endsWith('[bot]') ?? false);
}

function time(text: string | null | undefined): number | null {
  if (!text) return null;
  const ms = Date.parse(text);
  return Number.isNaN(ms) ? null : ms;
}

interface Screened {
  approval: Approval;
  key: string | null;
  reason: DiscountReason | null;
  detail: string;
}

/** The first discount reason that applies, in SPEC order, except `superseded` (needs all approvals). */
function screen(
  a: Approval,
  ctx: { policy: Policy; change: Change; participants: ParticipantIndex; requestedAt: number | null },
): Screened {
  const key = approverKey(a);
  const out = (reason: DiscountReason | null, detail = ''): Screened => ({ approval: a, key, reason, detail });
  if (a.verified === false)
    return out('unverified', a.verification?.trim() || "the approver's identity could not be verified");
  if (key === null) return out('unverified', 'the approval names no account');
  const participant = ctx.participants.find(a);
  if (participant !== undefined) return out('participant', participantDetail(participant));
  if (isBot(a) && !ctx.policy.separationOfDuties.allowBots) return out('bot', 'bot accounts may not approve');
  const min = ctx.policy.separationOfDuties.minPermission;
  if (!a.permission) return out('permission', `permission unknown; ${min} is required`);
  if (permissionRank(a.permission) < permissionRank(min))
    return out('permission', `has ${a.permission}; ${min} is required`);
  const at = time(a.at);
  if (at === null) return out('before-request', 'it has no time, so it cannot be shown to follow the request');
  if (ctx.requestedAt === Number.POSITIVE_INFINITY) {
    return out('before-request', "the request's time cannot be read, so no approval can be shown to follow it");
  }
  if (ctx.requestedAt !== null && at < ctx.requestedAt) {
    return out(
      'before-request',
      `given ${new Date(at).toISOString()}, before the request at ${new Date(ctx.requestedAt).toISOString()}`,
    );
  }
  const head = ctx.change.head?.trim().toLowerCase();
  const sha = a.sha?.trim().toLowerCase();
  if (!sha) return out('stale', 'it names no commit, so it cannot be bound to the head');
  if (!head || sha !== head)
    return out('stale', `it is for ${sha.slice(0, 12)}, the head is ${head ? head.slice(0, 12) : 'unknown'}`);
  const edited = time(a.edited_at);
  if (edited !== null && edited > at)
    return out('edited', `edited at ${new Date(edited).toISOString()}, after it was given`);
  return out(null);
}

/**
 * One person may appear under a login on one approval and an email on another (a review and a
 * signed tag): approvals whose identity keys meet belong to one person, joined transitively.
 * Unverified approvals take no part: their identity is exactly what could not be established.
 */
function assignPersons(screened: Screened[]): void {
  const parent = screened.map((_, i) => i);
  const root = (i: number): number => {
    while (parent[i] !== i) {
      parent[i] = parent[parent[i] as number] as number;
      i = parent[i] as number;
    }
    return i;
  };
  const owner = new Map<string, number>();
  screened.forEach((s, i) => {
    if (s.reason === 'unverified') return;
    for (const key of identityKeys(s.approval)) {
      const other = owner.get(key);
      if (other === undefined) owner.set(key, i);
      else parent[root(i)] = root(other);
    }
  });
  screened.forEach((s, i) => {
    s.key = s.reason === 'unverified' ? null : `person:${root(i)}`;
  });
}

/** Later decisions replace earlier ones of the same approver; a tie goes to a reject (fail closed). */
function markSuperseded(screened: Screened[]): Screened[] {
  // Only decisions about this head, given after the request, take part: a stale or replayed
  // approval must not cancel a valid reject. An edited one does take part (its author's last word
  // was changed after the fact), and the caller makes sure an edited reject still blocks.
  const latest = new Map<string, Screened>();
  for (const s of screened) {
    if (s.key === null || (s.reason !== null && s.reason !== 'edited')) continue;
    const current = latest.get(s.key);
    if (current === undefined || later(s.approval, current.approval)) latest.set(s.key, s);
  }
  for (const s of screened) {
    if (s.key === null || s.reason !== null) continue;
    const winner = latest.get(s.key);
    if (winner !== undefined && winner !== s) {
      s.reason = 'superseded';
      s.detail = `a later ${winner.approval.decision} by the same person at ${winner.approval.at ?? '?'} replaces it`;
    }
  }
  return [...latest.values()];
}

function later(a: Approval, b: Approval): boolean {
  const ta = time(a.at) ?? Number.NEGATIVE_INFINITY;
  const tb = time(b.at) ?? Number.NEGATIVE_INFINITY;
  if (ta !== tb) return ta > tb;
  return a.decision === 'reject' && b.decision !== 'reject';
}

export function decide(input: DecideInput): Decision {
  const { policy, change, at } = input;
  const classification =
    input.classification ??
    classify(policy, change, { environment: input.environment, at, trustedPaths: input.trustedPaths });
  const breakGlass = classification.break_glass;
  const allParticipants = participantsOf(change);
  // Break-glass asks for "non-participant" approvals: every kind of participant is excluded then,
  // whatever the policy's exclude list says.
  const excluded = new Set<ParticipantKind>(
    (breakGlass ? [...EXCLUSIONS] : policy.separationOfDuties.exclude).map(exclusionKind),
  );
  const distinct = distinctParticipants(allParticipants);
  const participants = new ParticipantIndex(distinct, excluded);
  // A request time that is given but unreadable must not switch the replay check off.
  const requestedAt = change.requested_at ? (time(change.requested_at) ?? Number.POSITIVE_INFINITY) : null;
  const screened = input.approvals.map((a) => screen(a, { policy, change, participants, requestedAt }));
  assignPersons(screened);
  const latest = markSuperseded(screened);

  const counting = screened.filter((s) => s.reason === null);
  const approving = counting.filter((s) => s.approval.decision === 'approve');
  const rejecting = counting.filter((s) => s.approval.decision === 'reject');
  const required = classification.required;
  const oracle = membershipOracle(policy.roles, input.members);
  const notes = new Set<string>();

  const approverKeys: string[] = [];
  const approverOf = new Map<string, Screened>();
  for (const s of approving) {
    if (s.key !== null && !approverOf.has(s.key)) {
      approverOf.set(s.key, s);
      approverKeys.push(s.key);
    }
  }
  const rolesOf = approverKeys.map((k) => {
    const approval = (approverOf.get(k) as Screened).approval;
    return required.roles
      .filter((req) => {
        const { member, unknownTeams } = oracle.isMember(approval, req.role);
        for (const team of unknownTeams)
          notes.add(
            `Membership of ${team} (role ${req.role}) is unknown: no members list was given; it counts as not a member.`,
          );
        return member;
      })
      .map((r) => r.role);
  });

  const missingRoles: MissingRole[] = [];
  const assignments: Decision['assignments'] = [];
  if (policy.separationOfDuties.distinctRequirements) {
    const slots = required.roles.flatMap((req) => Array.from({ length: req.count }, () => req.role));
    const eligible = slots.map((role) =>
      approverKeys.flatMap((_, p) => ((rolesOf[p] ?? []).includes(role) ? [p] : [])),
    );
    const assigned = maximumMatching(eligible, approverKeys.length);
    const unfilled = new Map<string, number>();
    slots.forEach((role, slot) => {
      const person = assigned[slot] ?? -1;
      if (person < 0) unfilled.set(role, (unfilled.get(role) ?? 0) + 1);
      else
        assignments.push({
          role,
          approver: displayName((approverOf.get(approverKeys[person] as string) as Screened).approval),
        });
    });
    for (const [role, count] of unfilled) missingRoles.push({ role, count });
  } else {
    for (const req of required.roles) {
      const have = rolesOf.filter((roles) => roles.includes(req.role)).length;
      if (have < req.count) missingRoles.push({ role: req.role, count: req.count - have });
    }
  }
  const missingApprovals = Math.max(0, required.approvals - approverKeys.length);

  // A reject whose text was edited is discounted, but its author's last word may not be silently
  // turned into a yes: nothing is approved until that person decides again.
  const editedRejects = latest.filter((s) => s.reason === 'edited' && s.approval.decision === 'reject');
  for (const s of editedRejects) {
    notes.add(
      `${displayName(s.approval)}'s reject was edited after it was given: it is discounted, but the change cannot be approved until ${displayName(s.approval)} decides again.`,
    );
  }

  let status: Status;
  if (rejecting.length > 0) status = 'rejected';
  else if (classification.frozen) status = 'frozen';
  else if (missingApprovals === 0 && missingRoles.length === 0 && editedRejects.length === 0) status = 'approved';
  else status = 'pending';

  const counted: CountedApproval[] = approverKeys.map((k, p) => ({
    ...record((approverOf.get(k) as Screened).approval),
    roles: rolesOf[p] ?? [],
  }));

  return {
    status,
    risk: classification.risk,
    environment: classification.environment,
    at: at.toISOString(),
    frozen: classification.frozen,
    required,
    missing: { approvals: missingApprovals, roles: missingRoles },
    approvers: counted.map((c) => c.login ?? c.email ?? '(unknown)'),
    counted,
    rejected_by: [...new Set(rejecting.map((s) => displayName(s.approval)))],
    discounted: screened
      .filter((s) => s.reason !== null)
      .map((s) => ({ ...record(s.approval), reason: s.reason as DiscountReason, detail: s.detail })),
    participants: distinct.map((k) => k.participant),
    assignments,
    break_glass: breakGlass
      ? {
          ...breakGlass,
          post_review_due: new Date(at.getTime() + (policy.breakGlass?.postReviewWithinMs ?? 0)).toISOString(),
        }
      : null,
    notes: [...notes],
    classification,
    inputs: {
      change,
      approvals: input.approvals,
      members: input.members ?? null,
      trusted_paths: input.trustedPaths ?? DEFAULT_TRUSTED_PATHS,
    },
  };
}
