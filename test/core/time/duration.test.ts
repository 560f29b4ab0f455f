import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { Ajv } from 'ajv';
import {
  DURATION_PATTERN,
  MAX_FORMATTED_DURATION_MS,
  formatDuration,
  parseDuration,
} from '../../../packages/core/src/time/index.js';

const SECOND = 1_000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const UNITS = [
  ['d', DAY],
  ['h', HOUR],
  ['m', MINUTE],
  ['s', SECOND],
  ['ms', 1],
] as const;

describe('parseDuration', () => {
  it.each([
    ['90s', 90 * SECOND],
    ['30m', 30 * MINUTE],
    ['24h', 24 * HOUR],
    ['2h30m', 2 * HOUR + 30 * MINUTE],
    ['7d', 7 * DAY],
    ['1d12h', DAY + 12 * HOUR],
    ['500ms', 500],
    ['1m500ms', MINUTE + 500],
    ['1s5ms', SECOND + 5],
    ['1d2h3m4s5ms', DAY + 2 * HOUR + 3 * MINUTE + 4 * SECOND + 5],
    ['90m', 90 * MINUTE],
    ['36h', 36 * HOUR],
    ['1ms', 1],
    ['999999d', 999_999 * DAY],
    ['999999d999999h999999m999999s999999ms', 999_999 * (DAY + HOUR + MINUTE + SECOND + 1)],
  ])('reads %s', (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });

  it.each([
    ['empty', ''],
    ['zero', '0s'],
    ['zero in ms', '0ms'],
    ['a zero part', '1h0m'],
    ['a bare number', '10'],
    ['a bare zero', '0'],
    ['a unit alone', 'h'],
    ['ms alone', 'ms'],
    ['a fraction', '1.5h'],
    ['a negative', '-1h'],
    ['a plus sign', '+1h'],
    ['an upper-case unit', '1H'],
    ['an inner space', '1 h'],
    ['a space between parts', '1h 30m'],
    ['a leading space', ' 1h'],
    ['a trailing space', '1h '],
    ['a repeated unit', '1h1h'],
    ['units out of order', '30m2h'],
    ['ms before s', '1ms1s'],
    ['a leading zero', '05m'],
    ['seven digits', '1000000s'],
    ['weeks', '1w'],
    ['years', '1y'],
    ['an unknown suffix', '1msx'],
    ['two units glued', '1hm'],
    ['ISO 8601', 'PT1H'],
    ['a comma', '1h,30m'],
  ])('rejects %s (%j)', (_why, text) => {
    expect(parseDuration(text)).toBeNull();
  });
});

describe('formatDuration', () => {
  it.each([
    [DAY + 2 * HOUR, '1d2h'],
    [30 * MINUTE, '30m'],
    [500, '500ms'],
    [90 * SECOND, '1m30s'],
    [36 * HOUR, '1d12h'],
    [DAY + 1, '1d1ms'],
    [MAX_FORMATTED_DURATION_MS, '999999d23h59m59s999ms'],
  ])('writes %d as %s', (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });

  it.each([0, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, MAX_FORMATTED_DURATION_MS + 1])(
    'refuses %d, which no duration text means',
    (ms) => {
      expect(() => formatDuration(ms)).toThrow(RangeError);
    },
  );

  it('round-trips whole-unit values through parseDuration', () => {
    const unit = fc.constantFrom(...UNITS.map(([, size]) => size));
    fc.assert(
      fc.property(unit, fc.integer({ min: 1, max: 999_999 }), (size, count) => {
        expect(parseDuration(formatDuration(count * size))).toBe(count * size);
      }),
    );
  });

  it('round-trips every value in range', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: MAX_FORMATTED_DURATION_MS }), (ms) => {
        expect(parseDuration(formatDuration(ms))).toBe(ms);
      }),
    );
  });
});

describe('DURATION_PATTERN', () => {
  const regex = new RegExp(DURATION_PATTERN, 'u');
  // Strings near the grammar, so both accepted and rejected ones come up often.
  const nearDuration = fc
    .array(fc.constantFrom('0', '1', '5', '9', '00', '123456', '1000000', 'd', 'h', 'm', 's', 'ms', 'x', ' ', '.'), {
      maxLength: 8,
    })
    .map((pieces) => pieces.join(''));

  it('accepts exactly what parseDuration accepts', () => {
    fc.assert(
      fc.property(nearDuration, (text) => {
        expect(regex.test(text)).toBe(parseDuration(text) !== null);
      }),
      { numRuns: 5_000 },
    );
  });

  it('uses no lookaround, backreference or named group', () => {
    expect(DURATION_PATTERN).not.toMatch(/\(\?[=!<]|\\[1-9k]/);
  });

  it('works as a JSON Schema pattern in Ajv', () => {
    const validate = new Ajv().compile({ type: 'string', pattern: DURATION_PATTERN });
    expect(validate('2h30m')).toBe(true);
    expect(validate('500ms')).toBe(true);
    expect(validate('0s')).toBe(false);
    expect(validate('2h 30m')).toBe(false);
  });
});
