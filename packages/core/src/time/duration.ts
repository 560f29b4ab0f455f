/**
 * Durations as written in a policy (`post-review-within: 24h`): one or more `<number><unit>` parts,
 * units largest first, each unit at most once: d, h, m, s, ms. '90m' and '36h' are fine; the parts
 * need not be normalised.
 *
 * Each number is a positive integer without leading zeros and of at most six digits. Banning zero
 * parts ('0s', '1h0m') makes "zero-length is invalid" a matter of syntax, so the JSON Schema regex
 * can say it without lookahead; the digit cap keeps every accepted total an exact integer far below
 * Number.MAX_SAFE_INTEGER, so parse never has to reject a well-formed text for being too large.
 */

const UNITS = [
  ['d', 86_400_000],
  ['h', 3_600_000],
  ['m', 60_000],
  ['s', 1_000],
  ['ms', 1],
] as const;

const NUMBER = '[1-9][0-9]{0,5}';
const part = (unit: string): string => `${NUMBER}${unit}`;
const optional = (unit: string): string => `(?:${part(unit)})?`;

// "At least one part" without lookahead: one alternative per unit that may come first.
function buildPattern(): string {
  const alternatives = UNITS.map(([unit], first) => {
    const rest = UNITS.slice(first + 1).map(([later]) => optional(later));
    return part(unit) + rest.join('');
  });
  return `^(?:${alternatives.join('|')})$`;
}

export const DURATION_PATTERN: string = buildPattern();

const DURATION_REGEX = new RegExp(DURATION_PATTERN);
const PART_REGEX = /([0-9]+)(ms|d|h|m|s)/g;
const UNIT_MS = new Map<string, number>(UNITS);

/** The largest value formatDuration accepts: 999999d23h59m59s999ms, so every part stays six digits. */
export const MAX_FORMATTED_DURATION_MS = 1_000_000 * 86_400_000 - 1;

/** Milliseconds, or null when the text is not a duration (see the module comment for the grammar). */
export function parseDuration(text: string): number | null {
  if (!DURATION_REGEX.test(text)) return null;
  let total = 0;
  for (const [, digits, unit] of text.matchAll(PART_REGEX)) {
    total += Number(digits) * (UNIT_MS.get(unit ?? '') ?? Number.NaN);
  }
  return total;
}

/** The normalised spelling ('1d2h', '30m', '500ms'); parseDuration reads it back as `ms`. */
export function formatDuration(ms: number): string {
  if (!Number.isSafeInteger(ms) || ms < 1 || ms > MAX_FORMATTED_DURATION_MS) {
    throw new RangeError(
      `formatDuration needs a whole number of milliseconds from 1 to ${MAX_FORMATTED_DURATION_MS}, got ${ms}`,
    );
  }
  let rest = ms;
  let text = '';
  for (const [unit, size] of UNITS) {
    const count = Math.floor(rest / size);
    rest -= count * size;
    if (count > 0) text += `${count}${unit}`;
  }
  return text;
}
