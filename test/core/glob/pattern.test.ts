import { describe, it, expect } from 'vitest';
import { minimatch } from 'minimatch';
import { checkGlob, compileGlob, expandGlob, PathIndex } from '../../../packages/core/src/glob/index.js';
import { isConfigurationError } from '../../../packages/core/src/errors.js';

/** The baseline every matcher must agree with: minimatch over the expanded globs. */
function minimatchAny(pattern: string, path: string): boolean {
  return expandGlob(pattern).some((glob) => minimatch(path, glob, { dot: true }));
}

// [pattern, path, expected]
const CASES: readonly (readonly [string, string, boolean])[] = [
  // No `/`: any depth, and `*.x` is `**/*.x`.
  ['*.sql', 'a.sql', true],
  ['*.sql', 'db/x/y/a.sql', true],
  ['*.sql', 'a.sql.bak', false],
  ['*.sql', 'asql', false],
  ['*.sql', '.sql', true],
  ['**/*.sql', 'a.sql', true],
  ['**/*.sql', 'db/x/a.sql', true],
  ['*.md', 'README.md', true],
  ['*.md', 'docs/a/b.md', true],
  ['*.tar.gz', 'x/a.tar.gz', true],
  ['*.tar.gz', 'a.gz', false],
  ['Dockerfile', 'Dockerfile', true],
  ['Dockerfile', 'svc/Dockerfile', true],
  ['Dockerfile', 'svc/a/b/Dockerfile', true],
  ['Dockerfile', 'Dockerfile.prod', false],
  ['Dockerfile', 'svc/Dockerfile/x', true], // a directory named Dockerfile
  ['README.md', 'README.md', true],
  ['README.md', 'docs/README.md', true],
  // Case-sensitive.
  ['Dockerfile', 'dockerfile', false],
  ['*.MD', 'README.md', false],
  // A directory name matches everything below it; a trailing `/` excludes a file of that name.
  ['docs/', 'docs/a/b.md', true],
  ['docs/', 'docs/a', true],
  ['docs/', 'docs', false],
  ['docs/', 'x/docs/a', true],
  ['docs/', 'docs2/a', false],
  ['docs', 'docs', true],
  ['docs', 'docs/a/b.md', true],
  ['docs', 'x/docs', true],
  ['docs', 'docsx', false],
  ['doc/', 'docs/x', false],
  ['doc', 'docs/x', false],
  ['doc/', 'doc/x', true],
  ['src/', 'src', false],
  ['x/', 'a/x/b', true],
  // Leading `/` anchors at the root and is stripped; so does a `/` in the middle.
  ['/docs', 'docs/a', true],
  ['/docs', 'docs', true],
  ['/docs', 'a/docs/b', false],
  ['/db/migrations', 'db/migrations/001.sql', true],
  ['/db/migrations', 'db/migrations', true],
  ['/db/migrations', 'x/db/migrations/1.sql', false],
  ['/db/migrations', 'db/migrations2/1.sql', false],
  ['db/migrations/*', 'db/migrations/001.sql', true],
  ['db/migrations/*', 'db/migrations/sub/001.sql', true], // `sub` matches `*` and is a directory
  ['db/migrations/*', 'x/db/migrations/001.sql', false],
  ['db/migrations/*', 'db/migrations', false],
  ['/*.md', 'README.md', true],
  ['/*.md', 'docs/a.md', false],
  ['src/*.ts', 'src/a.ts', true],
  ['src/*.ts', 'src/x/a.ts', false],
  // Trailing `/**`: everything under, not the directory itself.
  ['db/migrations/**', 'db/migrations/a', true],
  ['db/migrations/**', 'db/migrations/a/b.sql', true],
  ['db/migrations/**', 'db/migrations', false],
  ['services/payments/**', 'services/payments/src/a.ts', true],
  ['services/payments/**', 'services/payments', false],
  ['services/payments/**', 'services/payments-v2/a.ts', false],
  ['services/payments/**', 'x/services/payments/a.ts', false],
  // `**` crosses segments, including none.
  ['a/**/b', 'a/b', true],
  ['a/**/b', 'a/x/b', true],
  ['a/**/b', 'a/x/y/b', true],
  ['a/**/b', 'a/b/c', true],
  ['a/**/b', 'a/xb', false],
  ['a/**/b', 'x/a/b', false],
  ['**/b', 'b', true],
  ['**/b', 'x/y/b', true],
  ['**/node_modules/**', 'node_modules/x', true],
  ['**/node_modules/**', 'a/b/node_modules/x/y', true],
  ['**/node_modules/**', 'node_modules', false],
  ['infra/terraform/**/*.tf', 'infra/terraform/main.tf', true],
  ['infra/terraform/**/*.tf', 'infra/terraform/m/x/vpc.tf', true],
  ['infra/terraform/**/*.tf', 'infra/terraform/x.tfvars', false],
  ['infra/terraform/**/*.tf', 'infra/main.tf', false],
  ['src/**/auth/**', 'src/auth/login.ts', true],
  ['src/**/auth/**', 'src/a/b/auth/c/d.ts', true],
  ['src/**/auth/**', 'src/authz/x.ts', false],
  ['src/**/auth/**', 'lib/auth/x.ts', false],
  ['src/**/auth/**', 'src/auth', false],
  ['a/**/h.txt', 'a/b/c/d/e/f/g/h.txt', true],
  ['**', 'a', true],
  ['**', 'a/b/.c/d', true],
  ['/**', '.env', true],
  ['*', 'anything', true],
  ['*', 'a/b/c', true],
  // `*` stays within a segment, also when written `**` inside a segment.
  ['a*', 'abc', true],
  ['a*', 'a', true],
  ['a*', 'ba', false],
  ['a**b', 'axyb', true],
  ['a**b', 'x/axyb', true],
  ['/a**b', 'ax/yb', false],
  // `?` is one character, never `/`.
  ['?', 'a', true],
  ['?', 'x/a', true],
  ['?', 'ab', false],
  ['a?c', 'abc', true],
  ['/a?c', 'a/c', false],
  ['a?c', 'ac', false],
  // Classes.
  ['[abc].txt', 'a.txt', true],
  ['[abc].txt', 'd.txt', false],
  ['[a-c]x', 'bx', true],
  ['[a-c]x', 'dx', false],
  ['[!a]x', 'bx', true],
  ['[!a]x', 'ax', false],
  ['[^a]x', 'bx', true],
  ['[^a]x', 'ax', false],
  ['/a[!b]c', 'a/c', false],
  ['[-a]', '-', true],
  ['[a-]', '-', true],
  ['[\\]]', ']', true],
  ['[\\^x]', '^', true],
  ['[\\^-z]', '_', true],
  ['[\\^-z]', 'A', false],
  ['/a[+-0]b', 'a.b', true],
  ['/a[+-0]b', 'a/b', false],
  ['/a[!x]b', 'a/b', false],
  // Dotfiles match `*`, `**` and `?`.
  ['.env', '.env', true],
  ['.env', 'svc/.env', true],
  ['.env', '.envrc', false],
  ['.github/workflows/*.yml', '.github/workflows/ci.yml', true],
  ['a/*', 'a/.x', true],
  ['*', '.hidden/file', true],
  ['?env', '.env', true],
  ['**/*.yml', '.github/workflows/ci.yml', true],
  // Spaces and Unicode are ordinary characters.
  ['docs/my file.md', 'docs/my file.md', true],
  ['my file.md', 'x/my file.md', true],
  ['my file.md', 'x/myfile.md', false],
  ['données/**', 'données/é.txt', true],
  ['naïve?.txt', 'naïve1.txt', true],
  ['日本/*.md', '日本/読む.md', true],
  ['rocket-🚀.txt', 'a/rocket-🚀.txt', true],
  ['rocket-??.txt', 'rocket-🚀.txt', true], // `?` is one UTF-16 code unit
  // Escapes and characters that are special to other glob dialects are literal.
  ['a\\*b', 'a*b', true],
  ['a\\*b', 'axb', false],
  ['\\!important', '!important', true],
  ['\\#notes', '#notes', true],
  ['#notes', 'x/#notes', true],
  ['file\\[1\\].txt', 'file[1].txt', true],
  ['a(b)', 'a(b)', true],
  ['a(b|c)', 'ab', false],
  ['\\{x\\}', '{x}', true],
  ['a+b', 'a+b', true],
  ['x@y', 'x@y', true],
  ['a$b^c', 'a$b^c', true],
  ['x\\ ', 'x ', true],
  ['x\\ ', 'x', false],
  ['a\\\\b', 'a\\b', true],
  ['a\\\\-b', 'a\\-b', true],
  ['x/a|*', 'x/a|b', true],
  ['x/a|*', 'x/a', false],
  ['x/a\\|*', 'x/b', false],
  ['[ab]', '[ab]', false], // a class is never also the literal text of the class
  // Literal braces (escaped) survive minimatch's brace expansion, next to other escapes too.
  ['\\{\\{name\\}\\}/**', '{{name}}/x', true],
  ['\\{\\{name\\}\\}/**', 'aname/x', false],
  ['a\\{b\\\\c\\}', 'a{b\\c}', true],
  ['x[{]y\\}', 'x{y}', true],
  ['x[{]y\\}', 'xay}', false],
  ['x[!{]y\\}', 'xay}', true],
  ['x[!{]y\\}', 'x{y}', false],
  ['x[z-{]y\\}', 'x{y}', true],
  ['x[z-{]y\\}', 'x|y}', false],
];

describe('glob semantics', () => {
  it.each(CASES)('%j matches %j: %s', (pattern, path, expected) => {
    expect(checkGlob(pattern)).toBeNull();
    expect(compileGlob(pattern)(path)).toBe(expected);
    expect(minimatchAny(pattern, path)).toBe(expected);
    expect(new PathIndex([pattern]).matches(path)).toEqual(expected ? [0] : []);
  });
});

describe('expandGlob', () => {
  const EXPANSIONS: readonly (readonly [string, readonly string[]])[] = [
    ['*.sql', ['**/*.sql', '**/*.sql/**/*']],
    ['**/*.sql', ['**/*.sql', '**/*.sql/**/*']],
    ['Dockerfile', ['**/Dockerfile', '**/Dockerfile/**/*']],
    ['docs/', ['**/docs/**/*']],
    ['/db/migrations', ['db/migrations', 'db/migrations/**/*']],
    ['db/migrations/**', ['db/migrations/**/*']],
    ['a/**/b', ['a/**/b', 'a/**/b/**/*']],
    ['**', ['**/*']],
    ['*', ['**/*']],
    ['**/**/x', ['**/x', '**/x/**/*']],
    ['a**b', ['**/a*b', '**/a*b/**/*']],
    ['my file.md', ['**/my file.md', '**/my file.md/**/*']],
    // Punctuation that either library might read specially becomes a one-character class.
    ['a(b)', ['**/a[\\(]b[\\)]', '**/a[\\(]b[\\)]/**/*']],
    ['/a\\|b*', ['a[\\|]b*', 'a[\\|]b*/**/*']],
    ['/\\#x', ['[\\#]x', '[\\#]x/**/*']],
    // `{` never appears in an expansion (see emitClass): it is written as the complement class.
    ['/a\\{', ['a[^\\\u0001-\\.0-z\\|-\uffff]', 'a[^\\\u0001-\\.0-z\\|-\uffff]/**/*']],
    ['[!a-c]', ['**/[^a-c]', '**/[^a-c]/**/*']],
    ['[\\^-z]', ['**/[\\_-z\\^]', '**/[\\_-z\\^]/**/*']],
    ['/[+-0]', ['[\\+-\\.0]', '[\\+-\\.0]/**/*']], // the range `+-0` spans `/`, which is cut out
  ];
  it.each(EXPANSIONS)('%j expands to %j', (pattern, expected) => {
    expect(expandGlob(pattern)).toEqual(expected);
  });
});

// [pattern, message]
const REJECTIONS: readonly (readonly [string, string])[] = [
  ['', 'glob is empty; expected a path pattern such as "docs/**" or "*.md"'],
  ['   ', 'glob "   " is only whitespace; expected a path pattern such as "docs/**" or "*.md"'],
  ['\t', 'glob "\\t" is only whitespace; expected a path pattern such as "docs/**" or "*.md"'],
  [
    '!docs/**',
    'glob "!docs/**" starts with "!", but negation is not supported; use "all-paths" or a separate rule instead (write "\\!" to match a literal "!")',
  ],
  [
    'docs\\',
    'glob "docs\\\\" ends with an unescaped "\\"; expected a character after it (write "\\\\" to match a backslash)',
  ],
  [
    'a[bc',
    'glob "a[bc" has an unclosed "[" at column 2; expected a class such as "[abc]" or "[a-z]" (or "\\[" to match a literal "[")',
  ],
  [
    'a/[b/c]',
    'glob "a/[b/c]" has "/" inside a class at column 5; a class matches one character within a segment, never "/"',
  ],
  ['a/***', 'glob "a/***" has "***" at column 3; expected "*" (within a segment) or "**" (across segments)'],
  ['****', 'glob "****" has "****" at column 1; expected "*" (within a segment) or "**" (across segments)'],
  [
    '*.{js,ts}',
    'glob "*.{js,ts}" has "{" at column 3, but braces are not supported; write one glob per alternative (or "\\{" to match a literal "{")',
  ],
  [
    'a}',
    'glob "a}" has "}" at column 2, but braces are not supported; write one glob per alternative (or "\\}" to match a literal "}")',
  ],
  [
    '@(a|b)',
    'glob "@(a|b)" has "@(" at column 1, but extglobs are not supported; write one glob per alternative (or "\\(" to match a literal "(")',
  ],
  [
    'x/!(a)',
    'glob "x/!(a)" has "!(" at column 3, but extglobs are not supported; write one glob per alternative (or "\\(" to match a literal "(")',
  ],
  [
    '*(a)',
    'glob "*(a)" has "*(" at column 1, but extglobs are not supported; write one glob per alternative (or "\\(" to match a literal "(")',
  ],
  [
    'a**(b)',
    'glob "a**(b)" has "*(" at column 3, but extglobs are not supported; write one glob per alternative (or "\\(" to match a literal "(")',
  ],
  [
    '?(a)',
    'glob "?(a)" has "?(" at column 1, but extglobs are not supported; write one glob per alternative (or "\\(" to match a literal "(")',
  ],
  [
    '+(a)',
    'glob "+(a)" has "+(" at column 1, but extglobs are not supported; write one glob per alternative (or "\\(" to match a literal "(")',
  ],
  ['/', 'glob "/" names only the repository root; expected a path below it, such as "/**" for every file'],
  ['a//b', 'glob "a//b" has an empty segment ("//") at column 3; expected one "/" between names'],
  ['//a', 'glob "//a" has an empty segment ("//") at column 2; expected one "/" between names'],
  ['a//', 'glob "a//" has an empty segment ("//") at column 3; expected one "/" between names'],
  ['./docs', 'glob "./docs" has a "." segment; expected a path relative to the repository root, without "." or ".."'],
  ['a/../b', 'glob "a/../b" has a ".." segment; expected a path relative to the repository root, without "." or ".."'],
  [
    ' docs/**',
    'glob " docs/**" starts with whitespace; remove it (or write "\\ " if the path really starts with a space)',
  ],
  ['docs/** ', 'glob "docs/** " ends with whitespace; remove it (or write "\\ " if the path really ends with a space)'],
  [
    'a[]b',
    'glob "a[]b" has an empty class at column 2; expected at least one character (write "\\]" to put "]" in a class)',
  ],
  [
    'a[!]b',
    'glob "a[!]b" has an empty class at column 2; expected at least one character (write "\\]" to put "]" in a class)',
  ],
  [
    '[[:alpha:]]',
    'glob "[[:alpha:]]" has "[" inside a class at column 2; POSIX classes such as "[[:alpha:]]" are not supported, expected ranges such as "[a-zA-Z]" (or "\\[" for a literal "[")',
  ],
  ['x[z-a]', 'glob "x[z-a]" has a reversed range "z-a" at column 3; expected the lower character first, as in "a-z"'],
  ['a\\/b', 'glob "a\\\\/b" has an escaped "/" at column 2; a segment cannot contain "/", expected a plain "/"'],
  [
    'x[🚀]',
    'glob "x[🚀]" has a character outside the Basic Multilingual Plane inside a class at column 3; classes match one UTF-16 code unit, so use "*" instead',
  ],
];

describe('checkGlob rejections', () => {
  it.each(REJECTIONS)('rejects %j', (pattern, message) => {
    expect(checkGlob(pattern)).toBe(message);
    expect(() => compileGlob(pattern)).toThrow(message);
    expect(() => expandGlob(pattern)).toThrow(message);
  });

  it('reports rejections as configuration errors', () => {
    let caught: unknown;
    try {
      compileGlob('*.{a,b}');
    } catch (error) {
      caught = error;
    }
    expect(isConfigurationError(caught)).toBe(true);
  });

  it('names the offending pattern when PathIndex gets an invalid one', () => {
    expect(() => new PathIndex(['docs/**', '!docs/internal/**'])).toThrow(/"!docs\/internal\/\*\*" starts with "!"/);
  });

  it('rejects what picomatch cannot compile, in one line with a shortened pattern', () => {
    const huge = `${'a/'.repeat(40_000)}b`;
    const message = checkGlob(huge);
    expect(message).toMatch(/^glob "a\/a\/.*\.\.\." cannot be compiled \(.+\); expected a shorter or simpler pattern$/);
    expect(message).not.toContain('\n');
  });

  it('keeps every message on one line', () => {
    expect(checkGlob('a\n[')).not.toContain('\n');
  });
});
