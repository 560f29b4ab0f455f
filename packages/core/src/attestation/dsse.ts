import { verifySignature } from './keys.js';
import type { PublicKeyInfo } from './keys.js';
import type { Signer } from './signer.js';

/**
 * DSSE (Dead Simple Signing Envelope) v1: https://github.com/secure-systems-lab/dsse — protocol.md for
 * the pre-authentication encoding, envelope.md for the JSON form.
 *
 * Envelope strictness, decided against envelope.md's parsing rules:
 * - Unknown fields, at the top level and in signatures, are ignored as DSSE requires ("Consumers MUST
 *   ignore unrecognized fields") and dropped from the parsed envelope, so nothing unauthenticated rides
 *   along. They are never signed, so they can never matter.
 * - `payloadType` must be a non-empty, well-formed Unicode string. DSSE only needs the field present;
 *   an empty type can never be one we support, and a lone surrogate would be signed as U+FFFD, letting
 *   two different strings share one signature.
 * - `payload` may be empty (DSSE allows it); it must be strict base64.
 * - `signatures` must be a non-empty array (an unsigned envelope is never what a verifier wants);
 *   each `sig` non-empty strict base64, each `keyid` a string when present ("" means unset).
 */

export const PAYLOAD_TYPE_IN_TOTO = 'application/vnd.in-toto+json';

export interface EnvelopeSignature {
  keyid?: string;
  sig: string;
}

export interface Envelope {
  payloadType: string;
  payload: string;
  signatures: EnvelopeSignature[];
}

/** PAE(type, body) = "DSSEv1" SP LEN(type) SP type SP LEN(body) SP body, lengths in bytes. */
export function pae(payloadType: string, payload: Buffer): Buffer {
  const type = Buffer.from(payloadType, 'utf8');
  return Buffer.concat([
    Buffer.from(`DSSEv1 ${type.length} `, 'latin1'),
    type,
    Buffer.from(` ${payload.length} `, 'latin1'),
    payload,
  ]);
}

export type Base64Result = { ok: true; bytes: Buffer } | { ok: false; problem: string };

const NOT_BASE64 = /[^A-Za-z0-9+/\-_=]/;
const STANDARD_ONLY = /[+/]/;
const URL_SAFE_ONLY = /[-_]/;

function describeCharacter(character: string): string {
  if (character === ' ') return 'a space';
  if (character === '\n' || character === '\r') return 'a line break';
  if (character === '\t') return 'a tab';
  return JSON.stringify(character);
}

/**
 * Strict base64 (RFC 4648): the standard or the URL-safe alphabet (not both in one string), padded
 * correctly or not at all, with zero unused bits. Node's decoder skips anything it does not know, so it
 * only runs after these checks; the final re-encoding comparison makes every accepted string the one
 * spelling of its bytes in its alphabet.
 */
export function decodeBase64(text: string): Base64Result {
  const bad = NOT_BASE64.exec(text);
  if (bad !== null)
    return { ok: false, problem: `${describeCharacter(bad[0])} at offset ${bad.index} is not a base64 character` };
  const padAt = text.indexOf('=');
  const body = padAt === -1 ? text : text.slice(0, padAt);
  const padding = text.length - body.length;
  if (padding > 2 || text.slice(body.length) !== '='.repeat(padding)) {
    return { ok: false, problem: 'base64 padding must be one or two "=" at the very end' };
  }
  if (body.length % 4 === 1) {
    return { ok: false, problem: `${body.length} base64 characters cannot encode whole bytes (invalid length)` };
  }
  if (padding > 0 && text.length % 4 !== 0) {
    return { ok: false, problem: `padded base64 must be a multiple of 4 characters long (this is ${text.length})` };
  }
  const urlSafe = URL_SAFE_ONLY.test(body);
  if (urlSafe && STANDARD_ONLY.test(body)) {
    return { ok: false, problem: 'base64 mixes the standard (+ /) and URL-safe (- _) alphabets' };
  }
  const encoding = urlSafe ? 'base64url' : 'base64';
  const bytes = Buffer.from(body, encoding);
  if (stripPadding(bytes.toString(encoding)) !== body) {
    return { ok: false, problem: 'non-canonical base64: the unused bits of the last character are not zero' };
  }
  return { ok: true, bytes };
}

function stripPadding(text: string): string {
  let end = text.length;
  while (end > 0 && text.charCodeAt(end - 1) === 0x3d) end -= 1;
  return text.slice(0, end);
}

function payloadTypeProblem(payloadType: string): string | null {
  if (payloadType === '') return 'payloadType is empty';
  if (!payloadType.isWellFormed()) return 'payloadType is not well-formed Unicode (it has a lone surrogate)';
  return null;
}

export async function signEnvelope(
  payloadType: string,
  payload: Buffer,
  signers: readonly Signer[],
): Promise<Envelope> {
  // Programming errors, not user input: the caller chose the type and the signers.
  const typeProblem = payloadTypeProblem(payloadType);
  if (typeProblem !== null) throw new Error(`signEnvelope: ${typeProblem}`);
  if (signers.length === 0) throw new Error('signEnvelope: no signers');
  const message = pae(payloadType, payload);
  const signatures = await Promise.all(
    signers.map(async (signer): Promise<EnvelopeSignature> => {
      const sig = (await signer.sign(message)).toString('base64');
      return signer.keyid === '' ? { sig } : { keyid: signer.keyid, sig };
    }),
  );
  return { payloadType, payload: payload.toString('base64'), signatures };
}

export type EnvelopeParse = { ok: true; envelope: Envelope; payload: Buffer } | { ok: false; problem: string };

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** An own property only: a field inherited from a prototype was never in the JSON. */
function field(record: Record<string, unknown>, name: string): unknown {
  return Object.hasOwn(record, name) ? record[name] : undefined;
}

function parseSignature(value: unknown, where: string): EnvelopeSignature | string {
  if (!isRecord(value)) return `${where} must be an object with a "sig"`;
  const sig = field(value, 'sig');
  if (typeof sig !== 'string') return `${where}.sig is missing or not a string`;
  if (sig === '') return `${where}.sig is empty`;
  const decoded = decodeBase64(sig);
  if (!decoded.ok) return `${where}.sig: ${decoded.problem}`;
  const keyid = field(value, 'keyid');
  if (keyid === undefined) return { sig };
  if (typeof keyid !== 'string') return `${where}.keyid must be a string when present`;
  return { keyid, sig };
}

/**
 * Check the shape of a parsed JSON value as a DSSE envelope (see the strictness notes at the top) and
 * decode its payload. Never throws: an envelope is untrusted input, so its problems are data.
 */
export function parseEnvelope(value: unknown): EnvelopeParse {
  if (!isRecord(value)) return { ok: false, problem: 'a DSSE envelope must be a JSON object' };
  const payloadType = field(value, 'payloadType');
  if (typeof payloadType !== 'string') return { ok: false, problem: 'payloadType is missing or not a string' };
  const typeProblem = payloadTypeProblem(payloadType);
  if (typeProblem !== null) return { ok: false, problem: typeProblem };
  const payloadText = field(value, 'payload');
  if (typeof payloadText !== 'string') return { ok: false, problem: 'payload is missing or not a string' };
  const payload = decodeBase64(payloadText);
  if (!payload.ok) return { ok: false, problem: `payload: ${payload.problem}` };
  const list = field(value, 'signatures');
  if (!Array.isArray(list)) return { ok: false, problem: 'signatures is missing or not an array' };
  if (list.length === 0) return { ok: false, problem: 'signatures is empty: the envelope is not signed' };
  const signatures: EnvelopeSignature[] = [];
  for (const [index, item] of list.entries()) {
    const signature = parseSignature(item, `signatures[${index}]`);
    if (typeof signature === 'string') return { ok: false, problem: signature };
    signatures.push(signature);
  }
  return { ok: true, envelope: { payloadType, payload: payloadText, signatures }, payload: payload.bytes };
}

export interface SignatureCheck {
  /** The signature's unauthenticated keyid hint; null when unset or empty. */
  keyid: string | null;
  /** keyid of the given public key that verified it; null when none did. */
  verifiedBy: string | null;
  problem: string | null;
}

export interface EnvelopeVerification {
  verified: boolean;
  checks: SignatureCheck[];
}

/**
 * Hinted keys go first purely to save time: every key is still tried when they fail, so the keyid
 * hint (which DSSE says MUST NOT be used for security decisions) can never change the outcome.
 */
function tryOrder(keys: readonly PublicKeyInfo[], hint: string | null): readonly PublicKeyInfo[] {
  if (hint === null || keys.length < 2) return keys;
  return [...keys.filter((key) => key.keyid === hint), ...keys.filter((key) => key.keyid !== hint)];
}

function checkSignature(signature: EnvelopeSignature, message: Buffer, keys: readonly PublicKeyInfo[]): SignatureCheck {
  const keyid = signature.keyid === undefined || signature.keyid === '' ? null : signature.keyid;
  const decoded = decodeBase64(signature.sig);
  if (!decoded.ok) return { keyid, verifiedBy: null, problem: `sig: ${decoded.problem}` };
  if (keys.length === 0) return { keyid, verifiedBy: null, problem: 'no public keys to verify with' };
  for (const key of tryOrder(keys, keyid)) {
    if (verifySignature(key, message, decoded.bytes)) return { keyid, verifiedBy: key.keyid, problem: null };
  }
  const against = keys.length === 1 ? 'the given public key' : `any of the ${keys.length} given public keys`;
  const hintNote =
    keyid !== null && !keys.some((key) => key.keyid === keyid) ? ' (its keyid hint names none of them)' : '';
  return { keyid, verifiedBy: null, problem: `signature does not verify with ${against}${hintNote}` };
}

/**
 * Verify every signature against every key over PAE(envelope.payloadType, payload). `payload` is the
 * authenticated body: the bytes to parse afterwards are these, never a fresh decoding of
 * `envelope.payload` (openEnvelope does both steps together). Signatures that fail are reported in
 * `checks`, not dropped; `verified` is true when at least one signature verifies with one of the keys.
 */
export function verifyEnvelope(
  envelope: Envelope,
  payload: Buffer,
  keys: readonly PublicKeyInfo[],
): EnvelopeVerification {
  const message = pae(envelope.payloadType, payload);
  const checks = envelope.signatures.map((signature) => checkSignature(signature, message, keys));
  return { verified: checks.some((check) => check.verifiedBy !== null), checks };
}

export type OpenedEnvelope =
  ({ ok: true; envelope: Envelope; payload: Buffer } & EnvelopeVerification) | { ok: false; problem: string };

/** parseEnvelope then verifyEnvelope on the payload it decoded: the one safe path from JSON to bytes. */
export function openEnvelope(value: unknown, keys: readonly PublicKeyInfo[]): OpenedEnvelope {
  const parsed = parseEnvelope(value);
  if (!parsed.ok) return parsed;
  return { ...parsed, ...verifyEnvelope(parsed.envelope, parsed.payload, keys) };
}
