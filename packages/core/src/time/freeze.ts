/**
 * Freeze windows: a cron expression opens the window, another closes it, both read in the freeze's
 * own IANA zone (croner does the zone arithmetic).
 *
 * Cron dialect: exactly five fields (minute hour day-of-month month day-of-week), each a list of
 * `*`, a number, or a range, any of which may carry a `/step` (`*\/15`, `1-5`, `MON-FRI/2`, `0,30`).
 * Month names JAN-DEC and day names SUN-SAT are accepted in their own field, in any case; 0 and 7
 * are both Sunday. When both day fields are restricted, a day matching either runs (classic cron).
 * Everything else is refused, though croner reads some of it: nicknames (@daily, @reboot), a seconds
 * or year field, and the Quartz extras `?`, `L`, `W`, `#`. A policy should mean the same thing to a
 * person who knows crontab(5), and those extras differ between implementations.
 *
 * DST: a time that falls in a spring-forward gap fires when the clock resumes (a 02:30 start on a
 * day that skips 02:00-03:00 opens at 03:00); a time that occurs twice fires once, at the first
 * occurrence. Expressions whose minute and hour fields hold no `*` or step are treated that way;
 * ones with wildcards or steps fire on every wall-clock match instead, like an interval timer. Give
 * a freeze's start and end the same kind: a wildcard start with an explicit end would reopen in the
 * repeated hour and stay open until the next end.
 */
import { Cron } from 'croner';
import { isValidTimeZone } from './instant.js';

export interface FreezeWindowSpec {
  start: string;
  end: string;
  timezone: string;
}

export interface FreezeState {
  active: boolean;
  since?: Date;
  until?: Date;
}

export interface CompiledFreeze {
  readonly spec: Readonly<FreezeWindowSpec>;
  state(at: Date): FreezeState;
}

const SHAPE_MESSAGE = 'must be a 5-field cron expression: minute hour day-of-month month day-of-week';
const FIELD_NAMES = ['minute', 'hour', 'day-of-month', 'month', 'day-of-week'] as const;
const MONTHS = 'JAN|FEB|MAR|APR|MAY|JUN|JUL|AUG|SEP|OCT|NOV|DEC';
const DAYS = 'SUN|MON|TUE|WED|THU|FRI|SAT';

function fieldRegex(value: string): RegExp {
  const item = `(?:\\*|(?:${value})(?:-(?:${value}))?)(?:/[0-9]+)?`;
  return new RegExp(`^${item}(?:,${item})*$`, 'i');
}

const FIELD_SYNTAX = [
  fieldRegex('[0-9]+'),
  fieldRegex('[0-9]+'),
  fieldRegex('[0-9]+'),
  fieldRegex(`[0-9]+|${MONTHS}`),
  fieldRegex(`[0-9]+|${DAYS}`),
];

const CRON_OPTIONS = { paused: true, mode: '5-part', fixedTimeRule: 'no-wildcard' } as const;

// A date-independent reference for "does this ever fire"; croner searches the whole calendar.
const EPOCH = new Date(0);

function syntaxProblem(expression: string): string | null {
  if (expression.trim().startsWith('@')) return `${SHAPE_MESSAGE} (nicknames such as @daily are not supported)`;
  const fields = expression.trim().split(/\s+/);
  if (fields.length !== 5) return SHAPE_MESSAGE;
  const bad = fields.findIndex((field, index) => !(FIELD_SYNTAX[index]?.test(field) ?? false));
  if (bad < 0) return null;
  const names = bad === 3 ? ', JAN-DEC' : bad === 4 ? ', SUN-SAT' : '';
  return (
    `has an invalid ${FIELD_NAMES[bad] ?? ''} field '${fields[bad] ?? ''}': ` +
    `use numbers${names}, *, ranges (1-5), steps (*/15) and lists (0,30)`
  );
}

function cronerReason(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.replace(/^CronPattern:\s*/, '').replace(/\s+/g, ' ');
}

/** null when `expression` is a cron expression in the dialect above that fires at least once, else why not. */
export function checkCron(expression: string): string | null {
  const syntax = syntaxProblem(expression);
  if (syntax !== null) return syntax;
  let cron: Cron;
  try {
    cron = new Cron(expression.trim(), { ...CRON_OPTIONS, timezone: 'UTC' });
  } catch (error) {
    return `is not a valid cron expression: ${cronerReason(error)}`;
  }
  if (cron.nextRun(EPOCH) === null) return 'never matches a date (for example 30 February)';
  return null;
}

function compileCron(role: 'start' | 'end', expression: string, timezone: string): Cron {
  const problem = checkCron(expression);
  if (problem !== null) throw new Error(`freeze ${role} '${expression}' ${problem}`);
  return new Cron(expression.trim(), { ...CRON_OPTIONS, timezone });
}

/**
 * The latest run at or before `at`. croner's previousRuns leaves out a run exactly at the reference
 * but keeps one earlier in the same second, so a reference 1 ms later makes the bound inclusive.
 */
function latestRunAtOrBefore(cron: Cron, at: Date): Date | undefined {
  const [run] = cron.previousRuns(1, new Date(at.getTime() + 1));
  return run !== undefined && run.getTime() <= at.getTime() ? run : undefined;
}

/**
 * Compile a freeze once, check it many times. Throws a plain Error naming the bad field when the
 * spec is invalid, so a policy loader should run checkCron / isValidTimeZone first for nicer messages.
 */
export function compileFreeze(spec: FreezeWindowSpec): CompiledFreeze {
  if (!isValidTimeZone(spec.timezone)) throw new Error(`freeze timezone '${spec.timezone}' is not an IANA time zone`);
  const start = compileCron('start', spec.start, spec.timezone);
  const end = compileCron('end', spec.end, spec.timezone);
  const frozen = Object.freeze({ ...spec });
  return {
    spec: frozen,
    state(at: Date): FreezeState {
      const since = latestRunAtOrBefore(start, at);
      if (since === undefined) return { active: false };
      const closed = latestRunAtOrBefore(end, at);
      // A start and an end at the same instant leave the window shut: the end wins ties.
      if (closed !== undefined && closed.getTime() >= since.getTime()) return { active: false };
      const until = end.nextRun(at) ?? undefined;
      return until === undefined ? { active: true, since } : { active: true, since, until };
    },
  };
}

/** Whether `at` is inside the window; compile once with compileFreeze when checking many instants. */
export function freezeState(spec: FreezeWindowSpec, at: Date): FreezeState {
  return compileFreeze(spec).state(at);
}
