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

/** Same person, each kind once, in first-seen order: what a reader of the evidence wants to see. */
export function distinctParticipants(participants: readonly Participant[]): Participant[] {
  const seen = new Set<string>();
  const out: Participant[] = [];
  for (const p of participants) {
    const key = `${p.kind}|${identityKeys(p).join(',') || (p.name ?? '')}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(p);
  }
  return out;
}

/** An index from identity key to the first participant of an excluded kind that has it. */
export class ParticipantIndex {
  private readonly byKey = new Map<string, Participant>();

  constructor(participants: readonly Participant[], kinds: ReadonlySet<ParticipantKind>) {
    for (const p of participants) {
      if (!kinds.has(p.kind)) continue;
      for (const key of identityKeys(p)) if (!this.byKey.has(key)) this.byKey.set(key, p);
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
