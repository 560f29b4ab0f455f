// Untrusted text (file names, logins, branch names) must render as itself in Markdown: never as a
// link, an image, a mention-looking HTML tag or a broken table. Backslash-escape every Markdown
// punctuation character and entity-encode the HTML ones.
const ZWSP = '\u200B';
const PUNCTUATION = /[\\`*_{}[\]()#+\-.!|~:]/g;

export function escapeMarkdown(text: string): string {
  return (
    text
      .replace(/&/g, '&amp;')
      .replace(/</g, '&lt;')
      .replace(/>/g, '&gt;')
      .replace(/"/g, '&quot;')
      .replace(PUNCTUATION, (ch) => `\\${ch}`)
      // GitHub finds @mentions and #123 references in the rendered text, after escapes and entities
      // are gone: a zero-width space after the sign is what keeps `@org/team` from notifying anyone.
      .replace(/@/g, `@${ZWSP}`)
      .replace(/\\#/g, `\\#${ZWSP}`)
      .replace(/\r?\n|\r/g, ' ')
  );
}

/** For text inside a code span: the span's fence is made longer than any backtick run inside. */
export function codeSpan(text: string): string {
  const clean = text.replace(/\r?\n|\r/g, ' ');
  const longest = Math.max(0, ...[...clean.matchAll(/`+/g)].map((m) => m[0].length));
  const fence = '`'.repeat(longest + 1);
  const pad = clean.startsWith('`') || clean.endsWith('`') ? ' ' : '';
  return `${fence}${pad}${clean}${pad}${fence}`;
}

/** A code span inside a GFM table cell, where even a code span's `|` would end the cell. */
export function cellCode(text: string): string {
  return codeSpan(text).replace(/\|/g, '\\|');
}
