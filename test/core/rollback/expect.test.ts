// The expectation languages: status lists and the tiny JSON path.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  formatJsonPath,
  jsonValueMatches,
  parseJsonExpectation,
  parseJsonPath,
  parseStatusRanges,
  readJsonPath,
  statusMatches,
} from '../../../packages/core/src/rollback/expect.js';

describe('status lists', () => {
  it('reads codes and ranges', () => {
    const ranges = parseStatusRanges('200-299, 304');
    expect(ranges).toEqual([
      { from: 200, to: 299 },
      { from: 304, to: 304 },
    ]);
    expect(statusMatches(204, ranges)).toBe(true);
    expect(statusMatches(304, ranges)).toBe(true);
    expect(statusMatches(301, ranges)).toBe(false);
    expect(statusMatches(500, ranges)).toBe(false);
  });

  it.each([
    ['', 'is not a status list'],
    ['200,', 'is not a status list'],
    ['2xx', "'2xx' is neither"],
    ['600', "'600' is neither"],
    ['099', "'099' is neither"],
    ['299-200', 'ends before it starts'],
    ['200-', "'200-' is neither"],
  ])('refuses %j, naming the option', (text, message) => {
    expect(() => parseStatusRanges(text, '--expect-status')).toThrow(message);
    expect(() => parseStatusRanges(text, '--expect-status')).toThrow('--expect-status');
  });

  it('accepts exactly the codes inside the ranges (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 100, max: 599 }),
        fc.integer({ min: 100, max: 599 }),
        fc.integer({ min: 0, max: 700 }),
        (a, b, code) => {
          const [from, to] = a <= b ? [a, b] : [b, a];
          const ranges = parseStatusRanges(`${from}-${to}`);
          expect(statusMatches(code, ranges)).toBe(code >= from && code <= to);
        },
      ),
    );
  });
});

describe('JSON paths', () => {
  const doc = { status: 'ok', checks: [{ ok: true, name: 'db' }, { ok: false }], 'x-y': { n: 3 }, nothing: null };

  it.each([
    ['$.status', ['status'], 'ok'],
    ['status', ['status'], 'ok'],
    ['checks[0].ok', ['checks', 0, 'ok'], true],
    ['$.checks[1].ok', ['checks', 1, 'ok'], false],
    ["$['x-y'].n", ['x-y', 'n'], 3],
    ['$["x-y"]["n"]', ['x-y', 'n'], 3],
    ['$.nothing', ['nothing'], null],
    ['$.checks[5]', ['checks', 5], undefined],
    ['$.status.deeper', ['status', 'deeper'], undefined],
    ['$.toString', ['toString'], undefined],
  ])('%s', (text, path, value) => {
    expect(parseJsonPath(text)).toEqual(path);
    expect(readJsonPath(doc, parseJsonPath(text))).toEqual(value);
  });

  it.each(['', '$', '$.', 'a..b', '$[x]', "$['open", 'a b', '$[-1]'])('refuses %j', (text) => {
    expect(() => parseJsonPath(text, '--expect-json')).toThrow(/--expect-json: .* is not a JSON path/);
  });

  it('formats a path back into a path it reads the same', () => {
    for (const text of ['$.a.b[0]', "$['x-y'][2].z", '$.a b'.replace(' ', '')]) {
      const path = parseJsonPath(text);
      expect(parseJsonPath(formatJsonPath(path))).toEqual(path);
    }
  });

  it('splits PATH=VALUE at the first = outside brackets', () => {
    expect(parseJsonExpectation('$.status=ok')).toEqual({ path: ['status'], expected: 'ok' });
    expect(parseJsonExpectation("$['a=b']=x=y")).toEqual({ path: ['a=b'], expected: 'x=y' });
    expect(() => parseJsonExpectation('$.status', '--expect-json')).toThrow(
      "--expect-json: '$.status' needs the form PATH=VALUE",
    );
  });

  it('compares strings as text and everything else as JSON', () => {
    expect(jsonValueMatches('ok', 'ok')).toBe(true);
    expect(jsonValueMatches('ok', '"ok"')).toBe(true);
    expect(jsonValueMatches('true', 'true')).toBe(true);
    expect(jsonValueMatches(true, 'true')).toBe(true);
    expect(jsonValueMatches(true, '"true"')).toBe(false);
    expect(jsonValueMatches(3, '3')).toBe(true);
    expect(jsonValueMatches(3, '3.0')).toBe(true);
    expect(jsonValueMatches(3, '4')).toBe(false);
    expect(jsonValueMatches({ b: 1, a: [2] }, '{"a":[2],"b":1}')).toBe(true);
    expect(jsonValueMatches(null, 'null')).toBe(true);
    expect(jsonValueMatches(undefined, 'null')).toBe(false);
    expect(jsonValueMatches(1, 'not json')).toBe(false);
  });
});
