// The canonical globs that expandGlob emits must mean the same to picomatch (the fast path) and to
// minimatch (the baseline), and what the policy author meant. These properties cover the constructs
// where the two libraries are known to diverge when fed arbitrary globs: escapes of letters, `[!...]`,
// escaped `^` first in a class, ranges spanning `/`, parentheses and other extglob characters.

import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { minimatch } from 'minimatch';
import { checkGlob, compileGlob, expandGlob } from '../../../packages/core/src/glob/index.js';

const PRINTABLE = Array.from({ length: 0x7f - 0x20 }, (_, i) => String.fromCharCode(0x20 + i));
const EXTRA = ['é', 'ß', '日', '\u00a0', '\u0001'];
const CLASS_CHARS = [...PRINTABLE, ...EXTRA].filter((char) => char !== '/');
/** Characters tried in the middle of `a?b` paths; `/` must never match. */
const PROBES = [...PRINTABLE, ...EXTRA];

function isAlphanumeric(char: string): boolean {
  return /^[A-Za-z0-9]$/u.test(char);
}

/** How a user writes one character so that it is literal: escaped unless it is a letter or digit. */
function userEscape(char: string): string {
  return isAlphanumeric(char) || char.charCodeAt(0) >= 0x80 ? char : `\\${char}`;
}

function bothMatchers(pattern: string): (path: string) => [boolean, boolean] {
  const compiled = compileGlob(pattern);
  const globs = expandGlob(pattern);
  return (path) => [compiled(path), globs.some((glob) => minimatch(path, glob, { dot: true }))];
}

const classItem = fc.oneof(
  fc.constantFrom(...CLASS_CHARS).map((char) => ({ low: char, high: char })),
  fc
    .tuple(fc.constantFrom(...CLASS_CHARS), fc.constantFrom(...CLASS_CHARS))
    .map(([a, b]) => (a <= b ? { low: a, high: b } : { low: b, high: a })),
);

describe('picomatch and minimatch agree on expanded globs', () => {
  it('classes: members, ranges (also across "/"), negation, escapes', () => {
    fc.assert(
      fc.property(fc.boolean(), fc.array(classItem, { minLength: 1, maxLength: 4 }), (negated, items) => {
        const body = items
          .map(({ low, high }) => (low === high ? userEscape(low) : `${userEscape(low)}-${userEscape(high)}`))
          .join('');
        const pattern = `/a[${negated ? '!' : ''}${body}]b`;
        expect(checkGlob(pattern)).toBeNull();
        const match = bothMatchers(pattern);
        for (const probe of PROBES) {
          const member = items.some(({ low, high }) => probe >= low && probe <= high);
          const expected = probe !== '/' && member !== negated;
          expect(match(`a${probe}b`), `${pattern} on a${probe}b`).toEqual([expected, expected]);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('escaped literals match themselves only', () => {
    const char = fc.constantFrom(...CLASS_CHARS, '🚀');
    fc.assert(
      fc.property(fc.array(char, { minLength: 1, maxLength: 6 }), (chars) => {
        const text = chars.join('');
        const pattern = `/${chars.map(userEscape).join('')}`;
        fc.pre(checkGlob(pattern) === null);
        const match = bothMatchers(pattern);
        expect(match(text)).toEqual([true, true]);
        expect(match(`${text}x`)).toEqual([false, false]);
        expect(match(`x${text}`)).toEqual([false, false]);
        expect(match(`${text}/inside`)).toEqual([true, true]);
      }),
      { numRuns: 500 },
    );
  });

  it('unescaped punctuation that is not a wildcard is literal', () => {
    const plain = PRINTABLE.filter((c) => !'*?[\\{}/'.includes(c));
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...plain), { minLength: 1, maxLength: 6 }), (chars) => {
        const text = chars.join('');
        const pattern = `/${text}`;
        fc.pre(checkGlob(pattern) === null);
        const match = bothMatchers(pattern);
        expect(match(text)).toEqual([true, true]);
        expect(match(`${text}x`)).toEqual([false, false]);
      }),
      { numRuns: 500 },
    );
  });

  it('wildcards next to literal punctuation stay within a segment', () => {
    const piece = fc.constantFrom('*', '?', '**', 'a', '.', '-', '(', ')', '|', '+', '@', '!', ',', '$', '^', '#');
    const pathChar = fc.constantFrom('a', '.', '-', '(', ')', '|', '+', '@', '!', ',', '$', '^', '#', '/');
    fc.assert(
      fc.property(
        fc.array(piece, { minLength: 1, maxLength: 5 }),
        fc.array(fc.array(pathChar, { minLength: 1, maxLength: 6 }), { minLength: 1, maxLength: 10 }),
        (pieces, paths) => {
          const pattern = `x/${pieces.join('')}`;
          fc.pre(checkGlob(pattern) === null);
          const match = bothMatchers(pattern);
          for (const chars of paths) {
            const path = `x/${chars.join('')}`;
            fc.pre(!path.split('/').some((s) => s === '' || s === '.' || s === '..'));
            const [picomatchSays, minimatchSays] = match(path);
            expect(picomatchSays, `${pattern} on ${path}`).toBe(minimatchSays);
          }
        },
      ),
      { numRuns: 500 },
    );
  });
});
