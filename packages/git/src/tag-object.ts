import { parseIdentity } from './commits.js';

export type SignatureKind = 'ssh' | 'openpgp' | 'x509';

/** An annotated tag object, split the way `git verify-tag` splits it. */
export interface TagObject {
  object: string | null;
  type: string | null;
  /** The name the tag was created with: part of the signed bytes, unlike the ref that points at it. */
  tag: string | null;
  tagger: string | null;
  message: string;
  /** The bytes the signature covers: the whole object up to the signature block. */
  payload: Buffer;
  signature: { kind: SignatureKind; text: string } | null;
}

// The armour lines git recognises (gpg-interface.c); which one opens the block decides the format.
const SIGNATURE_STARTS: ReadonlyArray<readonly [string, SignatureKind]> = [
  ['-----BEGIN SSH SIGNATURE-----', 'ssh'],
  ['-----BEGIN PGP SIGNATURE-----', 'openpgp'],
  ['-----BEGIN PGP MESSAGE-----', 'openpgp'],
  ['-----BEGIN SIGNED MESSAGE-----', 'x509'],
];

export function parseTagObject(raw: Buffer): TagObject {
  // latin1 maps each byte to one character, so string offsets are byte offsets.
  const text = raw.toString('latin1');
  const start = signatureStart(text);
  const payload = raw.subarray(0, start?.offset ?? raw.length);
  const separator = text.indexOf('\n\n');
  const headerEnd = separator < 0 || separator > payload.length ? payload.length : separator;
  const headers = headerFields(text.slice(0, headerEnd));
  const messageStart = Math.min(headerEnd + 2, payload.length);
  return {
    object: utf8(raw, headers.get('object')),
    type: utf8(raw, headers.get('type')),
    tag: utf8(raw, headers.get('tag')),
    tagger: utf8(raw, headers.get('tagger')),
    message: raw.toString('utf8', messageStart, payload.length),
    payload,
    signature: start === null ? null : { kind: start.kind, text: raw.toString('utf8', start.offset) },
  };
}

/**
 * Where the signature block starts: the LAST line that opens one, as git decides, so text in the
 * message that looks like a signature is signed content, not the signature.
 */
function signatureStart(text: string): { offset: number; kind: SignatureKind } | null {
  let found: { offset: number; kind: SignatureKind } | null = null;
  for (let offset = 0; offset < text.length;) {
    const kind = SIGNATURE_STARTS.find(([marker]) => text.startsWith(marker, offset))?.[1];
    if (kind !== undefined) found = { offset, kind };
    const newline = text.indexOf('\n', offset);
    offset = newline < 0 ? text.length : newline + 1;
  }
  return found;
}

interface Field {
  start: number;
  end: number;
}

/** The first value of each header; continuation lines (a leading space) belong to the one above. */
function headerFields(headers: string): Map<string, Field> {
  const fields = new Map<string, Field>();
  let lineStart = 0;
  while (lineStart < headers.length) {
    const newline = headers.indexOf('\n', lineStart);
    const lineEnd = newline < 0 ? headers.length : newline;
    const space = headers.indexOf(' ', lineStart);
    if (headers[lineStart] !== ' ' && space > lineStart && space < lineEnd) {
      const key = headers.slice(lineStart, space);
      if (!fields.has(key)) fields.set(key, { start: space + 1, end: lineEnd });
    }
    lineStart = lineEnd + 1;
  }
  return fields;
}

function utf8(raw: Buffer, field: Field | undefined): string | null {
  return field === undefined ? null : raw.toString('utf8', field.start, field.end);
}

export interface Tagger {
  /** `Name <email>` as the tagger line states it: a claim, never an identity. */
  claim: string | null;
  /** The tagger time, ISO 8601 in UTC; null when the line has none. */
  at: string | null;
  date: Date | null;
}

/** `Name <email> <epoch seconds> <±hhmm>`, split as git writes it. */
export function parseTagger(line: string | null): Tagger {
  if (line === null) return { claim: null, at: null, date: null };
  const close = line.lastIndexOf('>');
  const person = parseIdentity(close < 0 ? line : line.slice(0, close + 1));
  const claim = [person.name, person.email === null ? null : `<${person.email}>`]
    .filter((part) => part !== null && part !== undefined)
    .join(' ');
  const time = /^\s*(\d{1,15})\s+[+-]\d{4}\s*$/.exec(close < 0 ? '' : line.slice(close + 1));
  const date = time?.[1] === undefined ? null : new Date(Number.parseInt(time[1], 10) * 1000);
  const valid = date !== null && !Number.isNaN(date.getTime());
  return {
    claim: claim === '' ? null : claim,
    // git keeps whole seconds; milliseconds of .000 would only suggest a precision it lacks.
    at: valid ? date.toISOString().replace('.000Z', 'Z') : null,
    date: valid ? date : null,
  };
}
