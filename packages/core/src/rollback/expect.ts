// The small languages of a probe's expectations: status lists ('200-299,304') and JSON paths
// ('$.status', 'checks[0].ok', "$['x-y']"). Hand-written and tiny on purpose: a health check needs
// field access, not a query language, and every accepted spelling is documented in docs/rollback.md.
import { ConfigurationError } from '../errors.js';

export interface StatusRange {
  from: number;
  to: number;
}

const STATUS_ITEM = /^([1-5][0-9][0-9])(?:-([1-5][0-9][0-9]))?$/;

/** '200-299,304' → ranges. `label` names the option in the error ('--expect-status'). */
export function parseStatusRanges(text: string, label = 'expect-status'): StatusRange[] {
  const items = text.split(',').map((item) => item.trim());
  if (items.length === 0 || items.some((item) => item === ''))
    throw new ConfigurationError({
      message: `${label}: '${text}' is not a status list; write codes and ranges such as 200-299,304`,
    });
  return items.map((item) => {
    const match = STATUS_ITEM.exec(item);
    if (match === null)
      throw new ConfigurationError({
        message: `${label}: '${item}' is neither an HTTP status (100-599) nor a range such as 200-299`,
      });
    const from = Number(match[1]);
    const to = match[2] === undefined ? from : Number(match[2]);
    if (to < from) throw new ConfigurationError({ message: `${label}: the range '${item}' ends before it starts` });
    return { from, to };
  });
}

export function statusMatches(status: number, ranges: readonly StatusRange[]): boolean {
  return ranges.some((range) => status >= range.from && status <= range.to);
}

export function formatStatusRanges(ranges: readonly StatusRange[]): string {
  return ranges.map((r) => (r.from === r.to ? `${r.from}` : `${r.from}-${r.to}`)).join(',');
}

export type PathSegment = string | number;

/**
 * Parses `$.a.b[0]['c d']` (the leading `$` and the first dot are optional). Keys are identifiers
 * after a dot, or quoted strings in brackets; indices are non-negative integers in brackets.
 */
export function parseJsonPath(text: string, label = 'expect-json'): PathSegment[] {
  const bad = (why: string) =>
    new ConfigurationError({
      message: `${label}: '${text}' is not a JSON path (${why}); e.g. $.status or checks[0].ok`,
    });
  let i = 0;
  const segments: PathSegment[] = [];
  if (text.startsWith('$')) i = 1;
  else if (text !== '' && text[0] !== '.' && text[0] !== '[') {
    // A bare first key: 'status' is read as '$.status'.
    text = `.${text}`;
  }
  const source = text;
  while (i < source.length) {
    const c = source[i];
    if (c === '.') {
      const match = /^[A-Za-z_$][A-Za-z0-9_$-]*/.exec(source.slice(i + 1));
      if (match === null) throw bad(`a key is expected after the dot at ${i + 1}`);
      segments.push(match[0]);
      i += 1 + match[0].length;
    } else if (c === '[') {
      const index = /^\[([0-9]+)\]/.exec(source.slice(i));
      if (index !== null) {
        segments.push(Number(index[1]));
        i += index[0].length;
        continue;
      }
      const quote = source[i + 1];
      if (quote !== "'" && quote !== '"') throw bad(`a bracket holds an index or a quoted key, at ${i + 1}`);
      const end = source.indexOf(`${quote}]`, i + 2);
      if (end < 0) throw bad(`the quoted key at ${i + 1} is not closed`);
      segments.push(source.slice(i + 2, end));
      i = end + 2;
    } else {
      throw bad(`unexpected '${c}' at ${i + 1}`);
    }
  }
  if (segments.length === 0) throw bad('it names no field');
  return segments;
}

export function formatJsonPath(path: readonly PathSegment[]): string {
  return `$${path
    .map((s) => (typeof s === 'number' ? `[${s}]` : /^[A-Za-z_$][A-Za-z0-9_$-]*$/.test(s) ? `.${s}` : `['${s}']`))
    .join('')}`;
}

/** The value at the path, or `undefined` when the path leads nowhere. */
export function readJsonPath(value: unknown, path: readonly PathSegment[]): unknown {
  let current: unknown = value;
  for (const segment of path) {
    if (typeof segment === 'number') {
      if (!Array.isArray(current) || segment >= current.length) return undefined;
      current = current[segment] as unknown;
    } else {
      if (current === null || typeof current !== 'object' || Array.isArray(current)) return undefined;
      if (!Object.hasOwn(current, segment)) return undefined;
      current = (current as Record<string, unknown>)[segment];
    }
  }
  return current;
}

export interface JsonExpectation {
  path: PathSegment[];
  /** As written after `=`. */
  expected: string;
}

/** 'PATH=VALUE', split at the first '=' outside brackets. */
export function parseJsonExpectation(text: string, label = 'expect-json'): JsonExpectation {
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '[') depth++;
    else if (c === ']') depth = Math.max(0, depth - 1);
    else if (c === '=' && depth === 0)
      return { path: parseJsonPath(text.slice(0, i), label), expected: text.slice(i + 1) };
  }
  throw new ConfigurationError({ message: `${label}: '${text}' needs the form PATH=VALUE, e.g. $.status=ok` });
}

/**
 * Whether the value at the path equals the expected text. A string matches its own text (so
 * `$.status=ok` needs no quotes); anything else matches the JSON the text parses to, so
 * `checks[0].ok=true` is the boolean and `$.count=3` the number.
 */
export function jsonValueMatches(actual: unknown, expected: string): boolean {
  if (actual === undefined) return false;
  if (typeof actual === 'string') return actual === expected || JSON.stringify(actual) === expected;
  let parsed: unknown;
  try {
    parsed = JSON.parse(expected);
  } catch {
    return false;
  }
  return canonical(actual) === canonical(parsed);
}

function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.keys(value)
      .sort()
      .map((key) => `${JSON.stringify(key)}:${canonical((value as Record<string, unknown>)[key])}`);
    return `{${entries.join(',')}}`;
  }
  return JSON.stringify(value);
}
