/**
 * The instants a user names with `--at`, and the wall clock of an instant in an IANA zone.
 *
 * A local time in a zone is resolved the way Temporal's default (`disambiguation: 'compatible'`)
 * and java.time's ZonedDateTime.of do, so the answer matches the tools people check it with:
 * - a wall time that happens twice (fall-back overlap) means the earlier instant, the one still on
 *   the offset before the change (01:30 on 2026-11-01 in New York is 01:30-04:00);
 * - a wall time that never happens (spring-forward gap) is read with the offset from before the gap,
 *   which lands as far past the gap as it was into it (02:30 on 2026-03-08 in New York is
 *   03:30-04:00).
 * To name the other occurrence of a repeated time, write the offset as well:
 * '2026-11-01T01:30-05:00[America/New_York]'; an offset the zone never has at that time is an error.
 */

export interface WallClock {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  /** 0 = Sunday … 6 = Saturday. */
  weekday: number;
}

export const INSTANT_FORMS =
  "accepted forms: 'now'; an RFC 3339 time with Z or an offset, e.g. 2026-11-23T15:00:00Z or " +
  '2026-11-23T10:00:00-05:00 (seconds and fraction optional); or a local time in an IANA zone, ' +
  'e.g. 2026-11-23T10:00[America/New_York]';

const MINUTE_MS = 60_000;
const DAY_MS = 86_400_000;

// IANA names only ('Europe/London', 'UTC', 'Etc/GMT+5'); Intl would also take '+05:30', which is an
// offset, not a zone, and cron evaluation in it would never see DST.
const ZONE_NAME = /^[A-Za-z][A-Za-z0-9_+-]*(?:\/[A-Za-z0-9_+-]+)*$/;

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(timeZone);
  if (formatter === undefined) {
    formatter = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      era: 'short',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(timeZone, formatter);
  }
  return formatter;
}

export function isValidTimeZone(zone: string): boolean {
  if (!ZONE_NAME.test(zone)) return false;
  try {
    formatterFor(zone);
    return true;
  } catch {
    return false;
  }
}

/** Epoch milliseconds of a proleptic Gregorian UTC date-time; Date.UTC would move years 0-99 to 1900+. */
function utcMs(year: number, month: number, day: number, hour = 0, minute = 0, second = 0): number {
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day);
  date.setUTCHours(hour, minute, second, 0);
  return date.getTime();
}

export function wallClock(date: Date, timeZone: string): WallClock {
  const fields = new Map<string, string>();
  for (const { type, value } of formatterFor(timeZone).formatToParts(date)) fields.set(type, value);
  const field = (name: string): number => Number(fields.get(name));
  const yearOfEra = field('year');
  const year = fields.get('era') === 'BC' ? 1 - yearOfEra : yearOfEra;
  const month = field('month');
  const day = field('day');
  const weekday = new Date(utcMs(year, month, day)).getUTCDay();
  return { year, month, day, hour: field('hour'), minute: field('minute'), second: field('second'), weekday };
}

/** The zone's offset from UTC at an instant, in milliseconds (east positive), to the second. */
function offsetAt(epochMs: number, timeZone: string): number {
  const wall = wallClock(new Date(epochMs), timeZone);
  const wallMs = utcMs(wall.year, wall.month, wall.day, wall.hour, wall.minute, wall.second);
  return wallMs - (epochMs - (((epochMs % 1000) + 1000) % 1000));
}

/**
 * The instant of a wall time (given as epoch ms of the same fields in UTC) in a zone. Offsets a day
 * either side bracket any one transition, as in Temporal's reference implementation.
 */
function resolveWallTime(wallMs: number, timeZone: string): number {
  const before = offsetAt(wallMs - DAY_MS, timeZone);
  const after = offsetAt(wallMs + DAY_MS, timeZone);
  const fits = (offset: number): boolean => offsetAt(wallMs - offset, timeZone) === offset;
  // Earlier instant first: in an overlap both fit and the larger (pre-change) offset wins.
  const candidates = [before, after].sort((a, b) => b - a);
  const fitting = candidates.find(fits);
  return wallMs - (fitting ?? before);
}

const INSTANT =
  /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?([Zz]|[+-]\d{2}:\d{2})?(?:\[!?([^\]]*)\])?$/;

interface InstantParts {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  millisecond: number;
  offset: string | undefined;
  zone: string | undefined;
}

function fail(text: string, problem: string): never {
  throw new Error(`invalid time '${text}': ${problem}; ${INSTANT_FORMS}`);
}

function daysInMonth(year: number, month: number): number {
  return new Date(utcMs(year, month + 1, 1) - DAY_MS).getUTCDate();
}

function splitInstant(text: string): InstantParts {
  const match = INSTANT.exec(text);
  if (match === null) fail(text, 'not a recognised time');
  const [, year, month, day, hour, minute, second, fraction, offset, zone] = match;
  const parts: InstantParts = {
    year: Number(year),
    month: Number(month),
    day: Number(day),
    hour: Number(hour),
    minute: Number(minute),
    second: Number(second ?? '0'),
    // Date holds milliseconds; finer digits are dropped, not rounded, so a time never moves later.
    millisecond: Number((fraction ?? '').padEnd(3, '0').slice(0, 3)),
    offset,
    zone,
  };
  checkFields(text, parts);
  return parts;
}

function checkFields(text: string, p: InstantParts): void {
  if (p.month < 1 || p.month > 12) fail(text, `month ${p.month} does not exist`);
  if (p.day < 1 || p.day > daysInMonth(p.year, p.month)) fail(text, `day ${p.day} does not exist in that month`);
  // RFC 3339 allows second 60 for leap seconds, which neither Date nor the zone database can place.
  if (p.hour > 23 || p.minute > 59 || p.second > 59) fail(text, 'the time of day is out of range');
  if (p.offset === undefined && p.zone === undefined) {
    fail(text, 'a time without Z, an offset or a [zone] is ambiguous');
  }
  if (p.zone !== undefined && !isValidTimeZone(p.zone)) fail(text, `unknown time zone '${p.zone}'`);
}

/** Offset text ('Z', '+05:30') to milliseconds east of UTC. */
function offsetMs(text: string, offset: string): number {
  if (offset === 'Z' || offset === 'z') return 0;
  const sign = offset.startsWith('-') ? -1 : 1;
  const hours = Number(offset.slice(1, 3));
  const minutes = Number(offset.slice(4, 6));
  if (hours > 23 || minutes > 59) fail(text, `offset ${offset} is out of range`);
  return sign * (hours * 60 + minutes) * MINUTE_MS;
}

function instantOf(text: string, p: InstantParts): number {
  const wallMs = utcMs(p.year, p.month, p.day, p.hour, p.minute, p.second) + p.millisecond;
  if (p.offset === undefined) return resolveWallTime(wallMs, p.zone ?? 'UTC');
  const epochMs = wallMs - offsetMs(text, p.offset);
  // 'Z' with a zone only says which zone to show it in (RFC 9557); a numeric offset must be one
  // the zone really has then, or the text contradicts itself.
  const numeric = p.offset !== 'Z' && p.offset !== 'z';
  if (numeric && p.zone !== undefined && offsetAt(epochMs, p.zone) !== wallMs - epochMs) {
    fail(text, `${p.zone} is not at offset ${p.offset} at that time`);
  }
  return epochMs;
}

/** The instant a user means with --at (see the module comment for local times in a zone). */
export function parseInstant(text: string, now: Date = new Date()): Date {
  if (text === 'now') return new Date(now.getTime());
  return new Date(instantOf(text, splitInstant(text)));
}
