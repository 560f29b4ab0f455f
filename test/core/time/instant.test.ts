import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { isValidTimeZone, parseInstant, wallClock } from '../../../packages/core/src/time/index.js';

const iso = (text: string): string => parseInstant(text).toISOString();

describe('parseInstant: now', () => {
  it('uses the now argument, as a copy', () => {
    const now = new Date('2026-05-01T12:00:00Z');
    const parsed = parseInstant('now', now);
    expect(parsed.getTime()).toBe(now.getTime());
    expect(parsed).not.toBe(now);
  });

  it('defaults to the clock', () => {
    const before = Date.now();
    const parsed = parseInstant('now').getTime();
    expect(parsed).toBeGreaterThanOrEqual(before);
    expect(parsed).toBeLessThanOrEqual(Date.now());
  });
});

describe('parseInstant: RFC 3339 with Z or an offset', () => {
  it.each([
    ['2026-11-23T15:00:00Z', '2026-11-23T15:00:00.000Z'],
    ['2026-11-23T15:00Z', '2026-11-23T15:00:00.000Z'],
    ['2026-11-23t15:00:00z', '2026-11-23T15:00:00.000Z'],
    ['2026-11-23T10:00:00-05:00', '2026-11-23T15:00:00.000Z'],
    ['2026-11-23T10:00-05:00', '2026-11-23T15:00:00.000Z'],
    ['2026-11-23T20:30:00+05:30', '2026-11-23T15:00:00.000Z'],
    ['2026-11-23T15:00:00-00:00', '2026-11-23T15:00:00.000Z'],
    ['2026-11-23T15:00:00.5Z', '2026-11-23T15:00:00.500Z'],
    ['2026-11-23T15:00:00.123Z', '2026-11-23T15:00:00.123Z'],
    ['2026-11-23T15:00:00.123999999Z', '2026-11-23T15:00:00.123Z'],
    ['2024-02-29T00:00:00Z', '2024-02-29T00:00:00.000Z'],
    ['2026-12-31T23:59:59+14:00', '2026-12-31T09:59:59.000Z'],
    ['0050-01-01T00:00Z', '0050-01-01T00:00:00.000Z'],
  ])('reads %s', (text, expected) => {
    expect(iso(text)).toBe(expected);
  });
});

describe('parseInstant: local time in an IANA zone (RFC 9557)', () => {
  it.each([
    ['2026-11-23T10:00[America/New_York]', '2026-11-23T15:00:00.000Z'],
    ['2026-07-15T10:00[America/New_York]', '2026-07-15T14:00:00.000Z'],
    ['2026-11-23T10:00:30[America/New_York]', '2026-11-23T15:00:30.000Z'],
    ['2026-11-23T10:00:30.25[America/New_York]', '2026-11-23T15:00:30.250Z'],
    ['2026-11-23T10:00[!America/New_York]', '2026-11-23T15:00:00.000Z'],
    ['2026-11-23T20:30[Asia/Kolkata]', '2026-11-23T15:00:00.000Z'],
    ['2026-07-01T12:00[Europe/London]', '2026-07-01T11:00:00.000Z'],
    ['2026-07-01T12:00[UTC]', '2026-07-01T12:00:00.000Z'],
    ['2026-01-10T12:00[Australia/Lord_Howe]', '2026-01-10T01:00:00.000Z'],
    ['2026-07-10T12:00[Australia/Lord_Howe]', '2026-07-10T01:30:00.000Z'],
  ])('reads %s', (text, expected) => {
    expect(iso(text)).toBe(expected);
  });

  it('takes an offset with a zone when the zone has that offset then', () => {
    expect(iso('2026-11-23T10:00-05:00[America/New_York]')).toBe('2026-11-23T15:00:00.000Z');
  });

  it('takes Z with a zone as the instant, whatever the zone', () => {
    expect(iso('2026-11-23T15:00Z[America/New_York]')).toBe('2026-11-23T15:00:00.000Z');
  });

  it('refuses an offset the zone does not have at that time', () => {
    expect(() => parseInstant('2026-07-15T10:00-05:00[America/New_York]')).toThrow(/not at offset -05:00/);
  });

  describe('spring-forward gap: read with the offset from before the gap', () => {
    it.each([
      // New York skips 02:00-03:00 on 2026-03-08; 02:30 becomes 03:30 EDT.
      ['2026-03-08T02:30[America/New_York]', '2026-03-08T07:30:00.000Z'],
      ['2026-03-08T02:00[America/New_York]', '2026-03-08T07:00:00.000Z'],
      // London skips 01:00-02:00 on 2026-03-29; 01:30 becomes 02:30 BST.
      ['2026-03-29T01:30[Europe/London]', '2026-03-29T01:30:00.000Z'],
      // Lord Howe skips 02:00-02:30 on 2026-10-04; 02:15 becomes 02:45 at +11.
      ['2026-10-04T02:15[Australia/Lord_Howe]', '2026-10-03T15:45:00.000Z'],
    ])('%s is %s', (text, expected) => {
      expect(iso(text)).toBe(expected);
    });

    it('lands on the wall time shifted by the gap', () => {
      const wall = wallClock(parseInstant('2026-03-08T02:30[America/New_York]'), 'America/New_York');
      expect([wall.hour, wall.minute]).toEqual([3, 30]);
    });
  });

  describe('fall-back overlap: the earlier instant', () => {
    it.each([
      // New York repeats 01:00-02:00 on 2026-11-01: EDT first.
      ['2026-11-01T01:30[America/New_York]', '2026-11-01T05:30:00.000Z'],
      ['2026-11-01T01:30-04:00[America/New_York]', '2026-11-01T05:30:00.000Z'],
      ['2026-11-01T01:30-05:00[America/New_York]', '2026-11-01T06:30:00.000Z'],
      // Lord Howe repeats 01:30-02:00 on 2026-04-05: +11 first.
      ['2026-04-05T01:45[Australia/Lord_Howe]', '2026-04-04T14:45:00.000Z'],
      ['2026-04-05T01:45+10:30[Australia/Lord_Howe]', '2026-04-04T15:15:00.000Z'],
      // London repeats 01:00-02:00 on 2026-10-25: BST first.
      ['2026-10-25T01:30[Europe/London]', '2026-10-25T00:30:00.000Z'],
    ])('%s is %s', (text, expected) => {
      expect(iso(text)).toBe(expected);
    });
  });

  it('reads back the wall clock of any instant, choosing the earlier of a repeated time', () => {
    const zones = ['America/New_York', 'Europe/London', 'Australia/Lord_Howe', 'Asia/Kolkata', 'America/Santiago'];
    const pad = (n: number, width = 2): string => String(n).padStart(width, '0');
    fc.assert(
      fc.property(
        fc.integer({ min: Date.UTC(1971, 0, 1) / 1000, max: Date.UTC(2099, 0, 1) / 1000 }),
        fc.constantFrom(...zones),
        (seconds, zone) => {
          const instant = new Date(seconds * 1000);
          const w = wallClock(instant, zone);
          const text = `${pad(w.year, 4)}-${pad(w.month)}-${pad(w.day)}T${pad(w.hour)}:${pad(w.minute)}:${pad(w.second)}[${zone}]`;
          const parsed = parseInstant(text);
          expect(wallClock(parsed, zone)).toEqual(w);
          const earlierBy = instant.getTime() - parsed.getTime();
          expect(earlierBy === 0 || (earlierBy > 0 && earlierBy <= 3_600_000)).toBe(true);
        },
      ),
      { numRuns: 2_000 },
    );
  });
});

describe('parseInstant: rejections', () => {
  it.each([
    ['empty', ''],
    ['NOW in capitals', 'NOW'],
    ['a word', 'yesterday'],
    ['a date alone', '2026-11-23'],
    ['no zone or offset', '2026-11-23T10:00'],
    ['no zone or offset, with seconds', '2026-11-23T10:00:00'],
    ['a space for T', '2026-11-23 10:00Z'],
    ['surrounding space', ' 2026-11-23T10:00Z'],
    ['hours only', '2026-11-23T10Z'],
    ['a two-digit year', '26-11-23T10:00Z'],
    ['a basic-format date', '20261123T1000Z'],
    ['month 13', '2026-13-01T00:00Z'],
    ['month 0', '2026-00-01T00:00Z'],
    ['day 0', '2026-11-00T00:00Z'],
    ['30 February', '2026-02-30T00:00Z'],
    ['29 February in a common year', '2026-02-29T00:00Z'],
    ['31 April', '2026-04-31T00:00Z'],
    ['hour 24', '2026-11-23T24:00Z'],
    ['minute 60', '2026-11-23T10:60Z'],
    ['a leap second', '2026-12-31T23:59:60Z'],
    ['offset hour 24', '2026-11-23T10:00+24:00'],
    ['offset minute 60', '2026-11-23T10:00+05:60'],
    ['an hour-only offset', '2026-11-23T10:00+05'],
    ['a basic-format offset', '2026-11-23T10:00+0500'],
    ['ten fraction digits', '2026-11-23T10:00:00.1234567890Z'],
    ['a comma fraction', '2026-11-23T10:00:00,5Z'],
    ['a fraction without seconds', '2026-11-23T10:00.5Z'],
    ['an unknown zone', '2026-11-23T10:00[Mars/Phobos]'],
    ['an offset as zone', '2026-11-23T10:00[+05:00]'],
    ['an empty zone', '2026-11-23T10:00[]'],
    ['a calendar annotation', '2026-11-23T10:00[America/New_York][u-ca=iso8601]'],
    ['an annotation alone', '2026-11-23T10:00[u-ca=iso8601]'],
    ['a space in the zone', '2026-11-23T10:00[America/New York]'],
    ['a Unix timestamp', '1795000000'],
  ])('rejects %s (%j) and says what is accepted', (_why, text) => {
    expect(() => parseInstant(text)).toThrow(Error);
    expect(() => parseInstant(text)).toThrow(/accepted forms: 'now'; an RFC 3339 time .*\[America\/New_York\]/);
  });

  it('names the unknown zone', () => {
    expect(() => parseInstant('2026-11-23T10:00[Mars/Phobos]')).toThrow(/unknown time zone 'Mars\/Phobos'/);
  });
});

describe('wallClock', () => {
  it.each([
    [
      '2026-07-15T13:31:05Z',
      'America/New_York',
      { year: 2026, month: 7, day: 15, hour: 9, minute: 31, second: 5, weekday: 3 },
    ],
    [
      '2026-01-14T14:31:00Z',
      'America/New_York',
      { year: 2026, month: 1, day: 14, hour: 9, minute: 31, second: 0, weekday: 3 },
    ],
    [
      '2026-01-01T04:59:59Z',
      'America/New_York',
      { year: 2025, month: 12, day: 31, hour: 23, minute: 59, second: 59, weekday: 3 },
    ],
    [
      '2026-11-23T15:00:00Z',
      'Asia/Kolkata',
      { year: 2026, month: 11, day: 23, hour: 20, minute: 30, second: 0, weekday: 1 },
    ],
    [
      '2026-01-10T13:00:00Z',
      'Australia/Lord_Howe',
      { year: 2026, month: 1, day: 11, hour: 0, minute: 0, second: 0, weekday: 0 },
    ],
    [
      '2026-06-13T11:00:00Z',
      'Europe/London',
      { year: 2026, month: 6, day: 13, hour: 12, minute: 0, second: 0, weekday: 6 },
    ],
    ['2026-06-13T00:00:00Z', 'UTC', { year: 2026, month: 6, day: 13, hour: 0, minute: 0, second: 0, weekday: 6 }],
  ])('%s in %s', (instant, zone, expected) => {
    expect(wallClock(new Date(instant), zone)).toEqual(expected);
  });

  it('counts years before 1 CE astronomically', () => {
    expect(wallClock(new Date('0000-06-01T00:00:00Z'), 'UTC').year).toBe(0);
  });
});

describe('isValidTimeZone', () => {
  it.each(['America/New_York', 'Europe/London', 'Asia/Kolkata', 'Australia/Lord_Howe', 'UTC', 'Etc/GMT+5'])(
    'accepts %s',
    (zone) => {
      expect(isValidTimeZone(zone)).toBe(true);
    },
  );

  it.each(['', 'Mars/Phobos', '+05:30', 'America/New York', '../etc/passwd', 'America/', '[UTC]'])(
    'rejects %j',
    (zone) => {
      expect(isValidTimeZone(zone)).toBe(false);
    },
  );
});
