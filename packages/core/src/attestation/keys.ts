import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, verify } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { ConfigurationError } from '../errors.js';

/**
 * Signing keys for attestations: Ed25519 or ECDSA P-256, as PEM (PKCS#8 private, SPKI public).
 *
 * Key material must never reach an error or a log. Every message here is built from `source` (a flag,
 * a file or an environment variable name), the PEM label and facts Node reports about the key (its
 * type or curve) — never from the text we were given, and never from Node's own error messages.
 */

export type KeyAlgorithm = 'ed25519' | 'ecdsa-p256';

export const KEY_ALGORITHMS: readonly KeyAlgorithm[] = ['ed25519', 'ecdsa-p256'];

export interface PublicKeyInfo {
  algorithm: KeyAlgorithm;
  /** Lowercase hex SHA-256 of the SPKI DER encoding of the public key. */
  keyid: string;
  key: KeyObject;
  /** SPKI PEM, normalised by re-export (so it is ours, not the caller's text). */
  pem: string;
}

export interface PrivateKeyInfo {
  algorithm: KeyAlgorithm;
  keyid: string;
  key: KeyObject;
  publicKey: PublicKeyInfo;
}

const SUPPORTED = 'Countersign signs with Ed25519 or ECDSA P-256 keys';

interface PemBlock {
  label: string;
  text: string;
}

// RFC 7468 allows explanatory text around blocks (openssl's "Bag Attributes", comments), so only the
// blocks themselves are picked out; the END label must repeat the BEGIN label.
const PEM_BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----\r?\n[\s\S]*?\r?\n-----END \1-----/g;

// Key files and keyrings are a few KiB; anything far larger is the wrong file, and the block pattern
// would scan it once per BEGIN line.
const MAX_PEM_BYTES = 1 << 20;

function pemBlocks(pem: string | Buffer, source: string): PemBlock[] {
  const text = typeof pem === 'string' ? pem : pem.toString('utf8');
  if (text.length > MAX_PEM_BYTES)
    throw fail(source, `is ${text.length} characters long; a PEM key or keyring is far smaller`);
  return [...text.matchAll(PEM_BLOCK)].map((match) => ({ label: match[1] ?? '', text: match[0] }));
}

function fail(source: string, message: string): ConfigurationError {
  return new ConfigurationError({ message: `${source}: ${message}` });
}

/** Says why the text holds no PEM block, with the usual causes in mind. */
function noBlockMessage(pem: string | Buffer, expected: string): string {
  const text = typeof pem === 'string' ? pem : pem.toString('latin1');
  // Secrets pasted into CI settings often arrive with literal "\n" instead of line breaks.
  if (!text.includes('\n') && text.includes('\\n')) {
    return `no PEM block found: the text has literal "\\n" sequences instead of line breaks; expected -----BEGIN ${expected}-----`;
  }
  if (text.includes('-----BEGIN'))
    return `no complete PEM block found (a BEGIN line without a matching END line); expected -----BEGIN ${expected}-----`;
  return `no PEM block found; expected -----BEGIN ${expected}----- (DER keys convert with: openssl pkey -inform DER -in key.der -out key.pem)`;
}

function singleBlock(pem: string | Buffer, source: string, expected: string): PemBlock {
  const blocks = pemBlocks(pem, source);
  const [first] = blocks;
  if (first === undefined) throw fail(source, noBlockMessage(pem, expected));
  if (blocks.length > 1) {
    throw fail(
      source,
      `holds ${blocks.length} PEM blocks (${blocks.map((b) => b.label).join(', ')}); expected exactly one ${expected}`,
    );
  }
  return first;
}

/** Why a private-key PEM label is not one we read, with the openssl command that fixes it. */
function privateLabelProblem(label: string): string | null {
  switch (label) {
    case 'PRIVATE KEY':
      return null;
    case 'EC PRIVATE KEY':
      return 'is a SEC1 "EC PRIVATE KEY"; Countersign reads PKCS#8 only. Convert it with: openssl pkcs8 -topk8 -nocrypt -in key.pem -out key.pkcs8.pem';
    case 'ENCRYPTED PRIVATE KEY':
      return 'is an encrypted private key; Countersign reads unencrypted PKCS#8 (keep it in a secret store instead). Decrypt it with: openssl pkcs8 -in key.pem -out key.plain.pem';
    case 'RSA PRIVATE KEY':
      return `is an RSA private key; ${SUPPORTED}`;
    case 'OPENSSH PRIVATE KEY':
      return `is an OpenSSH private key; ${SUPPORTED} in PKCS#8 PEM (create one with: openssl genpkey -algorithm ed25519 -out key.pem)`;
    case 'PUBLIC KEY':
    case 'RSA PUBLIC KEY':
      return 'holds a public key where a private (signing) key is expected';
    case 'CERTIFICATE':
      return 'holds a certificate where a private (signing) key is expected';
    default:
      return `holds a "${label}" PEM block; expected a PKCS#8 "PRIVATE KEY"`;
  }
}

function publicLabelProblem(label: string): string | null {
  switch (label) {
    case 'PUBLIC KEY':
      return null;
    case 'PRIVATE KEY':
    case 'EC PRIVATE KEY':
    case 'ENCRYPTED PRIVATE KEY':
    case 'RSA PRIVATE KEY':
    case 'OPENSSH PRIVATE KEY':
      // A private key in a verification setting is a leak waiting to happen; refuse rather than derive.
      return 'holds a PRIVATE key where a public key is expected; do not distribute it. Extract the public key with: openssl pkey -in key.pem -pubout -out key.pub.pem';
    case 'CERTIFICATE':
      return 'holds a certificate; extract its public key with: openssl x509 -in cert.pem -pubkey -noout > key.pub.pem';
    case 'RSA PUBLIC KEY':
      return `is an RSA public key; ${SUPPORTED}`;
    default:
      return `holds a "${label}" PEM block; expected an SPKI "PUBLIC KEY"`;
  }
}

export function keyidOf(publicKey: KeyObject): string {
  return createHash('sha256')
    .update(publicKey.export({ type: 'spki', format: 'der' }))
    .digest('hex');
}

function publicInfo(key: KeyObject, algorithm: KeyAlgorithm): PublicKeyInfo {
  return { algorithm, keyid: keyidOf(key), key, pem: key.export({ type: 'spki', format: 'pem' }).toString() };
}

/** The algorithm of a parsed key, or a refusal that says what the key is instead. */
function requireSupported(key: KeyObject, source: string): KeyAlgorithm {
  const type = key.asymmetricKeyType;
  const curve = key.asymmetricKeyDetails?.namedCurve;
  if (type === 'ed25519') return 'ed25519';
  if (type === 'ec' && curve === 'prime256v1') return 'ecdsa-p256';
  let what = `a ${type ?? 'unknown'} key`;
  if (type === 'ec') what = `an EC key on curve ${curve ?? 'unknown'}`;
  if (type === 'rsa' || type === 'rsa-pss') what = 'an RSA key';
  throw fail(source, `is ${what}; ${SUPPORTED}`);
}

/**
 * Parse a PKCS#8 PEM private key. SEC1 ("EC PRIVATE KEY") is refused with the conversion command rather
 * than accepted, so there is one format to document, store and rotate.
 */
export function parsePrivateKey(pem: string | Buffer, source: string): PrivateKeyInfo {
  const block = singleBlock(pem, source, 'PRIVATE KEY');
  const labelProblem = privateLabelProblem(block.label);
  if (labelProblem !== null) throw fail(source, labelProblem);
  let key: KeyObject;
  try {
    key = createPrivateKey({ key: block.text, format: 'pem' });
  } catch {
    // Node's message is dropped on purpose: we do not vouch for what a decoder puts in it.
    throw fail(source, 'the PRIVATE KEY block is not a readable PKCS#8 key (damaged or not base64 DER)');
  }
  const algorithm = requireSupported(key, source);
  const publicKey = publicInfo(createPublicKey(key), algorithm);
  return { algorithm, keyid: publicKey.keyid, key, publicKey };
}

function parsePublicBlock(block: PemBlock, source: string): PublicKeyInfo {
  const labelProblem = publicLabelProblem(block.label);
  if (labelProblem !== null) throw fail(source, labelProblem);
  let key: KeyObject;
  try {
    key = createPublicKey({ key: block.text, format: 'pem' });
  } catch {
    throw fail(source, 'the PUBLIC KEY block is not a readable SPKI key (damaged or not base64 DER)');
  }
  return publicInfo(key, requireSupported(key, source));
}

export function parsePublicKey(pem: string | Buffer, source: string): PublicKeyInfo {
  return parsePublicBlock(singleBlock(pem, source, 'PUBLIC KEY'), source);
}

/**
 * Every PUBLIC KEY block in one PEM text, in order. Any other block fails the whole keyring (a private
 * key in a keyring is a mistake to stop, not to skip). The same key twice is kept once, so callers that
 * count distinct keys (thresholds) cannot be fooled by repetition.
 */
export function parseKeyring(pem: string | Buffer, source: string): PublicKeyInfo[] {
  const blocks = pemBlocks(pem, source);
  if (blocks.length === 0) throw fail(source, noBlockMessage(pem, 'PUBLIC KEY'));
  const keys = new Map<string, PublicKeyInfo>();
  blocks.forEach((block, index) => {
    const info = parsePublicBlock(
      block,
      blocks.length === 1 ? source : `${source} (key ${index + 1} of ${blocks.length})`,
    );
    if (!keys.has(info.keyid)) keys.set(info.keyid, info);
  });
  return [...keys.values()];
}

export function generateKeyPair(algorithm: KeyAlgorithm): { privatePem: string; publicPem: string; keyid: string } {
  const { privateKey, publicKey } =
    algorithm === 'ed25519' ? generateKeyPairSync('ed25519') : generateKeyPairSync('ec', { namedCurve: 'P-256' });
  return {
    privatePem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    publicPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    keyid: keyidOf(publicKey),
  };
}

/**
 * Whether `signature` over `data` verifies with `key`. Never throws: a malformed signature is simply
 * one that does not verify.
 *
 * ECDSA: we sign DER, and DER is tried first. A signature of exactly 64 bytes is also tried as IEEE
 * P1363 (r || s), the encoding of DSSE's own test vector and of some WebCrypto-based signers; the two
 * readings cannot both be meant, and accepting either adds no forgery (ECDSA signatures are malleable
 * anyway, which is why nothing here treats signature bytes as an identifier).
 */
export function verifySignature(key: PublicKeyInfo, data: Buffer, signature: Buffer): boolean {
  try {
    if (key.algorithm === 'ed25519') return verify(null, data, key.key, signature);
    if (verify('sha256', data, { key: key.key, dsaEncoding: 'der' }, signature)) return true;
    return signature.length === 64 && verify('sha256', data, { key: key.key, dsaEncoding: 'ieee-p1363' }, signature);
  } catch {
    return false;
  }
}
