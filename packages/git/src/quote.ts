const NAMED_ESCAPES: Readonly<Record<string, number>> = {
  a: 0x07,
  b: 0x08,
  t: 0x09,
  n: 0x0a,
  v: 0x0b,
  f: 0x0c,
  r: 0x0d,
  '"': 0x22,
  '\\': 0x5c,
};

export interface Unquoted {
  value: string;
  /** Index just past the closing quote in the source text. */
  end: number;
}

/**
 * Reads the C-style quoted name git writes in patch headers for paths with control characters,
 * quotes or backslashes, starting at the opening quote at `start`. Octal escapes are bytes, so the
 * name is rebuilt as bytes and decoded once. Returns null when the text is not a well-formed quote.
 */
export function unquoteC(text: string, start = 0): Unquoted | null {
  if (text[start] !== '"') return null;
  const bytes: number[] = [];
  let index = start + 1;
  while (index < text.length) {
    const char = text[index] as string;
    if (char === '"') return { value: Buffer.from(bytes).toString('utf8'), end: index + 1 };
    if (char !== '\\') {
      const codePoint = text.codePointAt(index) as number;
      const literal = String.fromCodePoint(codePoint);
      bytes.push(...Buffer.from(literal, 'utf8'));
      index += literal.length;
      continue;
    }
    const escape = text[index + 1];
    if (escape === undefined) return null;
    const named = NAMED_ESCAPES[escape];
    if (named !== undefined) {
      bytes.push(named);
      index += 2;
      continue;
    }
    const octal = text.slice(index + 1, index + 4);
    if (!/^[0-3][0-7]{2}$/.test(octal)) return null;
    bytes.push(Number.parseInt(octal, 8));
    index += 4;
  }
  return null;
}

/** A path as git prints it in a patch header: C-quoted when it needs to be, bare otherwise. */
export function unquotePath(text: string): string {
  if (!text.startsWith('"')) return text;
  const unquoted = unquoteC(text);
  return unquoted !== null && unquoted.end === text.length ? unquoted.value : text;
}
