import type { Change, Exclusion, Person } from '../model.js';
import { coAuthors, identityKeys } from './identity.js';

export type ParticipantKind = 'commit-author' | 'committer' | 'co-author' | 'pr-author' | 'triggering-actor';

export interface Participant extends Person {
  kind: ParticipantKind;
  commit?: string;
  pull_request?: number;
}

const KIND_OF_EXCLUSION: Record<Exclusion, ParticipantKind> = {
  'commit-authors': 'commit-author',
  committers: 'committer',
  'co-authors': 'co-author',
  'pr-authors': 'pr-author',
  'triggering-actor': 'triggering-actor',
};

export function exclusionKind(exclusion: Exclusion): ParticipantKind {
  return KIND_OF_EXCLUSION[exclusion];
}

/** Everyone who took part in the change (SPEC section 2, "Participants"). */
export function participantsOf(change: Change): Participant[] {
  const out: Participant[] = [];
  for (const commit of change.commits) {
    out.push({ kind: 'commit-author', ...commit.author, commit: commit.sha });
    out.push({ kind: 'committer', ...commit.committer, commit: commit.sha });
    for (const person of coAuthors(commit.message)) out.push({ kind: 'co-author', ...person, commit: commit.sha });
  }
  for (const pr of change.pull_requests) out.push({ kind: 'pr-author', login: pr.author, pull_request: pr.number });
  if (change.triggering_actor) out.push({ kind: 'triggering-actor', login: change.triggering_actor });
  return out;
}

export interface KeyedParticipant {
  participant: Participant;
  keys: string[];
}

/**
 * Each participant once per kind and identity, with its identity keys. A long change repeats the
 * same few people thousands of times, so keys are computed once per distinct (login, email).
 */
export function distinctParticipants(participants: readonly Participant[]): KeyedParticipant[] {
  // identity -> kind -> seen; the identity string is built once per participant, nothing more.
  const byIdentity = new Map<string, { keys: string[]; kinds: Set<ParticipantKind> }>();
  const out: KeyedParticipant[] = [];
  for (const participant of participants) {
    const who = `${participant.login ?? ''}\u0000${participant.email ?? ''}\u0000${participant.login || participant.email ? '' : (participant.name ?? '')}`;
    let entry = byIdentity.get(who);
    if (entry === undefined) {
      entry = { keys: identityKeys(participant), kinds: new Set() };
      byIdentity.set(who, entry);
    }
    if (entry.kinds.has(participant.kind)) continue;
    entry.kinds.add(participant.kind);
    out.push({ participant, keys: entry.keys });
  }
  return out;
}

/** An index from identity key to the first participant of an excluded kind that has it. */
export class ParticipantIndex {
  private readonly byKey = new Map<string, Participant>();

  constructor(participants: readonly KeyedParticipant[], kinds: ReadonlySet<ParticipantKind>) {
    for (const { participant, keys } of participants) {
      if (!kinds.has(participant.kind)) continue;
      for (const key of keys) if (!this.byKey.has(key)) this.byKey.set(key, participant);
    }
  }

  find(person: Person): Participant | undefined {
    for (const key of identityKeys(person)) {
      const hit = this.byKey.get(key);
      if (hit !== undefined) return hit;
    }
    return undefined;
  }
}
