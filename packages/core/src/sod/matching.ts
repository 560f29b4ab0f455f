// `distinct-requirements: true` asks whether each role slot can be given a different approver.
// That is a bipartite matching, not a greedy walk: with Ann in {dba, sre} and Bob in {dba}, taking
// Ann for dba first leaves sre empty, although Bob-dba / Ann-sre meets both.

/**
 * Maximum matching between slots (left) and people (right), by augmenting paths (Kuhn).
 * `eligible[slot]` lists the people who may fill it. Returns the person of each slot, or -1.
 */
export function maximumMatching(eligible: readonly (readonly number[])[], people: number): number[] {
  const slotOf = new Array<number>(people).fill(-1);
  const personOf = new Array<number>(eligible.length).fill(-1);
  for (let slot = 0; slot < eligible.length; slot++) {
    augment(slot, eligible, new Uint8Array(people), slotOf);
  }
  slotOf.forEach((slot, person) => {
    if (slot >= 0) personOf[slot] = person;
  });
  return personOf;
}

function augment(
  slot: number,
  eligible: readonly (readonly number[])[],
  visited: Uint8Array,
  slotOf: number[],
): boolean {
  for (const person of eligible[slot] ?? []) {
    if (visited[person] === 1) continue;
    visited[person] = 1;
    const current = slotOf[person] ?? -1;
    if (current === -1 || augment(current, eligible, visited, slotOf)) {
      slotOf[person] = slot;
      return true;
    }
  }
  return false;
}
