import { describe, it, expect } from 'vitest';
import {
  checkCron,
  compileFreeze,
  freezeState,
  parseInstant,
  type FreezeWindowSpec,
} from '../../../packages/core/src/time/index.js';

const at = (text: string): Date => parseInstant(text);
const utc = (text: string): Date => new Date(text);

describe('checkCron', () => {
  it.each([
    '30 9 * * 1-5',
    '0 16 * * MON-FRI',
    '0 16 * * mon-fri',
    '*/15 * * * *',
    '0,30 8-18/2 * * *',
    '0 0 1 JAN *',
    '0 0 1 jan-mar,oct *',
    '0 0 * * 0',
    '0 0 * * 7',
    '0 0 * * 5-7',
    '0 0 1,15 * MON',
    '0 0 29 2 *',
    '59 23 31 12 *',
    '  0   17 * *   5 ',
    '0\t17\t*\t*\t5',
  ])('accepts %j', (expression) => {
    expect(checkCron(expression)).toBeNull();
  });

  it.each([
    ['empty', '', /5-field cron expression: minute hour day-of-month month day-of-week/],
    ['four fields', '0 9 * *', /5-field/],
    ['a seconds field', '0 30 9 * * 1-5', /5-field/],
    ['a year field', '0 0 1 1 * 2027', /5-field/],
    ['@reboot', '@reboot', /nicknames/],
    ['@daily', '@daily', /nicknames/],
    ['@yearly', '@yearly', /nicknames/],
    ['Quartz ?', '0 0 ? * *', /day-of-month field '\?'/],
    ['Quartz L', '0 0 L * *', /day-of-month field 'L'/],
    ['Quartz W', '0 0 15W * *', /day-of-month field '15W'/],
    ['Quartz #', '0 0 * * FRI#2', /day-of-week field 'FRI#2'/],
    ['last weekday 5L', '0 0 * * 5L', /day-of-week field '5L'/],
    ['Jenkins H', 'H * * * *', /minute field 'H'/],
    ['a day name in the month field', '0 0 * MON *', /month field 'MON'.*JAN-DEC/],
    ['a month name in the day-of-week field', '0 0 * * JAN', /day-of-week field 'JAN'.*SUN-SAT/],
    ['a long day name', '0 0 * * MONDAY', /day-of-week field 'MONDAY'/],
    ['a name in the hour field', '0 NOON * * *', /hour field 'NOON'/],
    ['a negative number', '-1 0 * * *', /minute field '-1'/],
    ['an empty list item', '0,,30 * * * *', /minute field/],
    ['a trailing comma', '0, * * * *', /minute field/],
    ['a double range', '0 1-2-3 * * *', /hour field/],
    ['minute 60', '60 0 * * *', /not a valid cron expression: .*minute/],
    ['hour 24', '0 24 * * *', /not a valid cron expression: .*hour/],
    ['day 0', '0 0 0 * *', /not a valid cron expression/],
    ['day 32', '0 0 32 * *', /not a valid cron expression/],
    ['month 0', '0 0 * 0 *', /not a valid cron expression/],
    ['month 13', '0 0 * 13 *', /not a valid cron expression/],
    ['day-of-week 8', '0 0 * * 8', /not a valid cron expression/],
    ['a reversed range', '0 0 * * 5-1', /not a valid cron expression/],
    ['step 0', '*/0 * * * *', /not a valid cron expression/],
    ['a numeric-prefix step', '5/15 * * * *', /not a valid cron expression/],
    ['30 February', '0 0 30 2 *', /never matches a date/],
    ['31 April', '0 0 31 4 *', /never matches a date/],
  ])('rejects %s (%j)', (_why, expression, message) => {
    const problem = checkCron(expression);
    expect(problem).toMatch(message);
    expect(problem).not.toMatch(/\n/);
  });
});

describe('freezeState: weekday market hours in New York', () => {
  const marketHours: FreezeWindowSpec = { start: '30 9 * * 1-5', end: '0 16 * * 1-5', timezone: 'America/New_York' };
  const freeze = compileFreeze(marketHours);

  // Wednesday in EDT, Wednesday in EST, and the Mondays after each 2026 US DST change.
  const days = [
    { name: 'summer (EDT)', date: '2026-07-15', offset: 4 },
    { name: 'winter (EST)', date: '2026-01-14', offset: 5 },
    { name: 'Monday after spring-forward', date: '2026-03-09', offset: 4 },
    { name: 'Monday after fall-back', date: '2026-11-02', offset: 5 },
  ];
  const utcOf = (date: string, hour: number, minute: number, offset: number): Date =>
    new Date(`${date}T${String(hour + offset).padStart(2, '0')}:${String(minute).padStart(2, '0')}:00Z`);

  describe.each(days)('$name, $date', ({ date, offset }) => {
    it.each([
      ['09:29', false],
      ['09:30', true],
      ['09:31', true],
      ['15:59', true],
      ['16:00', false],
      ['16:01', false],
    ])('at %s New York time, frozen = %s (given as a local time in the zone)', (time, frozen) => {
      expect(freeze.state(at(`${date}T${time}[America/New_York]`)).active).toBe(frozen);
    });

    it.each([
      [9, 29, false],
      [9, 31, true],
      [16, 1, false],
    ])('at %d:%d New York time, frozen = %s (given in UTC)', (hour, minute, frozen) => {
      expect(freeze.state(utcOf(date, hour, minute, offset)).active).toBe(frozen);
    });

    it('reports since = the 09:30 start and until = the 16:00 end', () => {
      expect(freeze.state(utcOf(date, 12, 0, offset))).toEqual({
        active: true,
        since: utcOf(date, 9, 30, offset),
        until: utcOf(date, 16, 0, offset),
      });
    });
  });

  it('is inclusive at the start and exclusive at the end, to the millisecond', () => {
    expect(freeze.state(utc('2026-07-15T13:29:59.999Z')).active).toBe(false);
    expect(freeze.state(utc('2026-07-15T13:30:00.000Z')).active).toBe(true);
    expect(freeze.state(utc('2026-07-15T13:30:00.001Z')).active).toBe(true);
    expect(freeze.state(utc('2026-07-15T19:59:59.999Z'))).toEqual({
      active: true,
      since: utc('2026-07-15T13:30:00Z'),
      until: utc('2026-07-15T20:00:00Z'),
    });
    expect(freeze.state(utc('2026-07-15T20:00:00.000Z')).active).toBe(false);
  });

  it('is free at the weekend and overnight', () => {
    expect(freeze.state(at('2026-07-18T12:00[America/New_York]')).active).toBe(false);
    expect(freeze.state(at('2026-07-16T03:00[America/New_York]')).active).toBe(false);
  });

  it('gives the same answer through freezeState', () => {
    const instant = at('2026-07-15T10:00[America/New_York]');
    expect(freezeState(marketHours, instant)).toEqual(freeze.state(instant));
  });
});

describe('freezeState: a weekend window in London', () => {
  const weekend = compileFreeze({ start: '0 17 * * FRI', end: '0 8 * * MON', timezone: 'Europe/London' });

  it.each([
    ['Friday 16:59', '2026-06-12T16:59[Europe/London]', false],
    ['Friday 17:00', '2026-06-12T17:00[Europe/London]', true],
    ['Saturday noon', '2026-06-13T12:00[Europe/London]', true],
    ['Sunday night', '2026-06-14T23:30[Europe/London]', true],
    ['Monday 07:59', '2026-06-15T07:59[Europe/London]', true],
    ['Monday 08:00', '2026-06-15T08:00[Europe/London]', false],
    ['Monday 09:00', '2026-06-15T09:00[Europe/London]', false],
    ['Wednesday noon', '2026-06-17T12:00[Europe/London]', false],
  ])('%s: frozen = %s', (_when, time, frozen) => {
    expect(weekend.state(at(time)).active).toBe(frozen);
  });

  it('spans the clocks going forward (GMT Friday, BST Monday)', () => {
    expect(weekend.state(at('2026-03-29T23:00[Europe/London]'))).toEqual({
      active: true,
      since: utc('2026-03-27T17:00:00Z'),
      until: utc('2026-03-30T07:00:00Z'),
    });
  });

  it('spans the clocks going back (BST Friday, GMT Monday)', () => {
    expect(weekend.state(at('2026-10-24T12:00[Europe/London]'))).toEqual({
      active: true,
      since: utc('2026-10-23T16:00:00Z'),
      until: utc('2026-10-26T08:00:00Z'),
    });
  });
});

describe('freezeState: a nightly window over midnight', () => {
  const nightly = compileFreeze({ start: '0 22 * * *', end: '0 6 * * *', timezone: 'America/Chicago' });

  it.each([
    ['21:59', '2026-05-05T21:59[America/Chicago]', false],
    ['23:00', '2026-05-05T23:00[America/Chicago]', true],
    ['00:00', '2026-05-06T00:00[America/Chicago]', true],
    ['05:59', '2026-05-06T05:59[America/Chicago]', true],
    ['06:00', '2026-05-06T06:00[America/Chicago]', false],
    ['12:00', '2026-05-06T12:00[America/Chicago]', false],
  ])('at %s: frozen = %s', (_when, time, frozen) => {
    expect(nightly.state(at(time)).active).toBe(frozen);
  });

  it('after midnight, since is the previous evening', () => {
    expect(nightly.state(at('2026-05-06T03:00[America/Chicago]'))).toEqual({
      active: true,
      since: at('2026-05-05T22:00[America/Chicago]'),
      until: at('2026-05-06T06:00[America/Chicago]'),
    });
  });
});

describe('freezeState: zones with unusual offsets', () => {
  it('Asia/Kolkata (+05:30)', () => {
    const evening = compileFreeze({ start: '0 18 * * *', end: '30 20 * * *', timezone: 'Asia/Kolkata' });
    expect(evening.state(utc('2026-02-10T12:29:00Z')).active).toBe(false);
    expect(evening.state(utc('2026-02-10T12:31:00Z'))).toEqual({
      active: true,
      since: utc('2026-02-10T12:30:00Z'),
      until: utc('2026-02-10T15:00:00Z'),
    });
    expect(evening.state(utc('2026-02-10T15:01:00Z')).active).toBe(false);
  });

  it('Australia/Lord_Howe, across its 30-minute spring-forward', () => {
    // 2026-10-04 02:00 +10:30 becomes 02:30 +11.
    const early = compileFreeze({ start: '0 1 * * *', end: '0 3 * * *', timezone: 'Australia/Lord_Howe' });
    expect(early.state(at('2026-10-04T02:45[Australia/Lord_Howe]'))).toEqual({
      active: true,
      since: utc('2026-10-03T14:30:00Z'),
      until: utc('2026-10-03T16:00:00Z'),
    });
    expect(early.state(utc('2026-10-03T16:00:00Z')).active).toBe(false);
  });

  it('Australia/Lord_Howe, a start inside the gap opens when the clock resumes', () => {
    const gap = compileFreeze({ start: '15 2 * * *', end: '0 4 * * *', timezone: 'Australia/Lord_Howe' });
    expect(gap.state(utc('2026-10-03T15:29:00Z')).active).toBe(false);
    expect(gap.state(utc('2026-10-03T15:30:00Z'))).toEqual({
      active: true,
      since: utc('2026-10-03T15:30:00Z'),
      until: utc('2026-10-03T17:00:00Z'),
    });
  });

  it('Australia/Lord_Howe, a start in the repeated half hour opens once, at the first pass', () => {
    // 2026-04-05 02:00 +11 becomes 01:30 +10:30, so 01:45 happens twice.
    const overlap = compileFreeze({ start: '45 1 * * *', end: '0 3 * * *', timezone: 'Australia/Lord_Howe' });
    expect(overlap.state(utc('2026-04-04T15:20:00Z'))).toEqual({
      active: true,
      since: utc('2026-04-04T14:45:00Z'),
      until: utc('2026-04-04T16:30:00Z'),
    });
  });
});

describe('freezeState: DST edges in New York', () => {
  it('a start in the spring-forward gap opens at 03:00 EDT', () => {
    const freeze = compileFreeze({ start: '30 2 * * *', end: '0 5 * * *', timezone: 'America/New_York' });
    expect(freeze.state(utc('2026-03-08T06:59:00Z')).active).toBe(false);
    expect(freeze.state(utc('2026-03-08T07:00:00Z'))).toEqual({
      active: true,
      since: utc('2026-03-08T07:00:00Z'),
      until: utc('2026-03-08T09:00:00Z'),
    });
  });

  it('a start and end both in the gap leave no window that day', () => {
    const freeze = compileFreeze({ start: '15 2 * * *', end: '45 2 * * *', timezone: 'America/New_York' });
    expect(freeze.state(utc('2026-03-08T07:00:00Z')).active).toBe(false);
    expect(freeze.state(utc('2026-03-08T07:30:00Z')).active).toBe(false);
    expect(freeze.state(at('2026-03-09T02:30[America/New_York]')).active).toBe(true);
  });

  it('a start in the repeated hour opens at its first occurrence and stays open through the second', () => {
    const freeze = compileFreeze({ start: '30 1 * * *', end: '0 4 * * *', timezone: 'America/New_York' });
    expect(freeze.state(utc('2026-11-01T05:29:00Z')).active).toBe(false);
    expect(freeze.state(utc('2026-11-01T06:45:00Z'))).toEqual({
      active: true,
      since: utc('2026-11-01T05:30:00Z'),
      until: utc('2026-11-01T09:00:00Z'),
    });
  });
});

describe('freezeState: cron dialect details', () => {
  it('a list of explicit times opens once in a repeated hour, like a single time', () => {
    // New York repeats 01:00-02:00 on 2026-11-01; 01:00 EDT is 05:00Z, 01:00 EST is 06:00Z.
    const freeze = compileFreeze({ start: '0 1,13 * * *', end: '30 1,13 * * *', timezone: 'America/New_York' });
    expect(freeze.state(utc('2026-11-01T05:10:00Z')).active).toBe(true);
    expect(freeze.state(utc('2026-11-01T06:10:00Z')).active).toBe(false);
  });

  it('a wildcard or step fires on both passes of a repeated hour', () => {
    const freeze = compileFreeze({ start: '*/30 1 * * *', end: '10-59/30 1 * * *', timezone: 'America/New_York' });
    expect(freeze.state(utc('2026-11-01T05:05:00Z')).active).toBe(true);
    expect(freeze.state(utc('2026-11-01T06:05:00Z'))).toEqual({
      active: true,
      since: utc('2026-11-01T06:00:00Z'),
      until: utc('2026-11-01T06:10:00Z'),
    });
  });

  it('restricting both day fields matches either day, as in crontab(5)', () => {
    const freeze = compileFreeze({ start: '0 0 1 * MON', end: '0 1 * * *', timezone: 'UTC' });
    expect(freeze.state(utc('2026-07-01T00:30:00Z')).active).toBe(true); // Wednesday the 1st
    expect(freeze.state(utc('2026-07-06T00:30:00Z')).active).toBe(true); // Monday the 6th
    expect(freeze.state(utc('2026-07-07T00:30:00Z')).active).toBe(false);
  });

  it('reads 7 as Sunday', () => {
    const freeze = compileFreeze({ start: '0 0 * * 7', end: '0 0 * * 1', timezone: 'UTC' });
    expect(freeze.state(utc('2026-07-12T12:00:00Z')).active).toBe(true);
    expect(freeze.state(utc('2026-07-13T12:00:00Z')).active).toBe(false);
  });
});

describe('freezeState: rare and distant occurrences', () => {
  const timed = <T>(run: () => T): { value: T; ms: number } => {
    const started = performance.now();
    const value = run();
    return { value, ms: performance.now() - started };
  };

  it('a yearly New Year freeze answers fast, in and out of the window', () => {
    const newYear = compileFreeze({ start: '0 0 1 1 *', end: '0 0 2 1 *', timezone: 'America/New_York' });
    const { value, ms } = timed(() =>
      Array.from({ length: 50 }, (_, i) => newYear.state(new Date(Date.UTC(2026, 6, 15) + i * 86_400_000)).active),
    );
    expect(value.every((active) => !active)).toBe(true);
    expect(ms).toBeLessThan(2_000);
    expect(newYear.state(at('2027-01-01T12:00[America/New_York]'))).toEqual({
      active: true,
      since: utc('2027-01-01T05:00:00Z'),
      until: utc('2027-01-02T05:00:00Z'),
    });
  });

  it('a leap-day freeze is inactive in a century year that has no 29 February', () => {
    const leapDay = compileFreeze({ start: '0 0 29 2 *', end: '0 0 1 3 *', timezone: 'UTC' });
    const { value, ms } = timed(() => leapDay.state(utc('2100-02-28T23:00:00Z')));
    expect(value).toEqual({ active: false });
    expect(ms).toBeLessThan(500);
    expect(leapDay.state(utc('2096-02-29T12:00:00Z')).active).toBe(true);
  });

  it('is inactive when the start has not occurred for a long time before `at`', () => {
    const leapDay = compileFreeze({ start: '0 0 29 2 *', end: '0 0 1 3 *', timezone: 'UTC' });
    expect(leapDay.state(utc('2027-12-31T00:00:00Z'))).toEqual({ active: false });
    const newYear = compileFreeze({ start: '0 0 1 1 *', end: '0 0 2 1 *', timezone: 'UTC' });
    expect(newYear.state(utc('0001-01-01T00:00:00Z')).active).toBe(true);
    expect(newYear.state(utc('0001-06-01T00:00:00Z'))).toEqual({ active: false });
  });

  it('an end far in the future still gives until', () => {
    const freeze = compileFreeze({ start: '0 0 * * *', end: '0 0 29 2 *', timezone: 'UTC' });
    expect(freeze.state(utc('2026-07-15T12:00:00Z'))).toEqual({
      active: true,
      since: utc('2026-07-15T00:00:00Z'),
      until: utc('2028-02-29T00:00:00Z'),
    });
  });

  it('a start and end at the same time leave the window shut', () => {
    const freeze = compileFreeze({ start: '0 12 * * *', end: '0 12 * * *', timezone: 'UTC' });
    expect(freeze.state(utc('2026-07-15T12:00:00Z'))).toEqual({ active: false });
    expect(freeze.state(utc('2026-07-15T13:00:00Z'))).toEqual({ active: false });
  });
});

describe('compileFreeze: invalid specs', () => {
  it.each([
    [{ start: '30 9 * * 1-5', end: '0 16 * * 1-5', timezone: 'Mars/Phobos' }, /freeze timezone 'Mars\/Phobos'/],
    [{ start: '30 9 * * 1-5', end: '0 16 * * 1-5', timezone: '-05:00' }, /freeze timezone/],
    [{ start: '@daily', end: '0 16 * * 1-5', timezone: 'UTC' }, /freeze start '@daily' must be a 5-field/],
    [{ start: '30 9 * * 1-5', end: '0 16 30 2 *', timezone: 'UTC' }, /freeze end '0 16 30 2 \*' never matches/],
  ])('refuses %j', (spec, message) => {
    expect(() => compileFreeze(spec)).toThrow(message);
    expect(() => freezeState(spec, new Date())).toThrow(message);
  });
});
