import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { maximumMatching } from '../../../packages/core/src/index.js';

function greedy(eligible: number[][], people: number): number {
  const used = new Set<number>();
  let filled = 0;
  for (const options of eligible) {
    const pick = options.find((p) => !used.has(p));
    if (pick !== undefined) {
      used.add(pick);
      filled++;
    }
  }
  return filled + 0 * people;
}

describe('maximumMatching', () => {
  it('fills both roles where a greedy choice fills one', () => {
    // slot 0 = dba, slot 1 = sre; person 0 (Ann) is dba and sre, person 1 (Bob) is dba only.
    const eligible = [[0, 1], [0]];
    expect(greedy(eligible, 2)).toBe(1);
    const assigned = maximumMatching(eligible, 2);
    expect(assigned).toEqual([1, 0]);
  });

  it('never gives one person two slots, and is maximum (checked against brute force)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 5 }).chain((people) =>
          fc.tuple(
            fc.constant(people),
            fc.array(fc.uniqueArray(fc.integer({ min: 0, max: Math.max(0, people - 1) }), { maxLength: people }), {
              maxLength: 5,
            }),
          ),
        ),
        ([people, eligibleRaw]) => {
          const eligible = people === 0 ? eligibleRaw.map(() => []) : eligibleRaw;
          const assigned = maximumMatching(eligible, people);
          const used = assigned.filter((p) => p >= 0);
          expect(new Set(used).size).toBe(used.length);
          assigned.forEach((p, slot) => {
            if (p >= 0) expect(eligible[slot]).toContain(p);
          });
          expect(used.length).toBe(bruteForce(eligible, 0, new Set()));
        },
      ),
    );
  });
});

function bruteForce(eligible: number[][], slot: number, used: Set<number>): number {
  if (slot === eligible.length) return 0;
  let best = bruteForce(eligible, slot + 1, used);
  for (const p of eligible[slot] ?? []) {
    if (used.has(p)) continue;
    used.add(p);
    best = Math.max(best, 1 + bruteForce(eligible, slot + 1, used));
    used.delete(p);
  }
  return best;
}
