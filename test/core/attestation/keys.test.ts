import { createHash, generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ConfigurationError } from '../../../packages/core/src/errors.js';
import {
  generateKeyPair,
  parseKeyring,
  parsePrivateKey,
  parsePublicKey,
  type KeyAlgorithm,
} from '../../../packages/core/src/attestation/keys.js';
import { keySigner } from '../../../packages/core/src/attestation/signer.js';

const ALGORITHMS: readonly KeyAlgorithm[] = ['ed25519', 'ecdsa-p256'];

/** The base64 body of every PEM block in the text: the key material. */
function pemBody(pem: string): string {
  return pem
    .split(/\r?\n/)
    .filter((line) => line !== '' && !line.startsWith('-----'))
    .join('');
}

/** The keyid computed independently: SHA-256 over the DER the PEM armours. */
function expectedKeyid(publicPem: string): string {
  return createHash('sha256')
    .update(Buffer.from(pemBody(publicPem), 'base64'))
    .digest('hex');
}

/**
 * Parse and expect a ConfigurationError whose every rendering names the source and holds no run of
 * 8 characters from the key text (a run that long is never in our wording by chance).
 */
function expectRefusal(parse: () => unknown, keyText: string, source: string): string {
  let caught: unknown;
  try {
    parse();
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(ConfigurationError);
  const error = caught as ConfigurationError;
  expect(error.cause).toBeUndefined();
  const renderings = [error.message, String(error), error.stack ?? '', JSON.stringify(error.problems)];
  const body = keyText.replace(/-----(BEGIN|END) [A-Z0-9 ]+-----/g, '').replace(/\\n|\r|\n/g, '');
  for (const text of renderings) {
    expect(text).toContain(source);
    for (let start = 0; start + 8 <= body.length; start += 1) {
      const run = body.slice(start, start + 8);
      if (text.includes(run)) throw new Error(`error message leaks key text: ${JSON.stringify(run)}`);
    }
  }
  return error.message;
}

function pem(key: { export(options: object): string | Buffer }, type: string, extra: object = {}): string {
  return key.export({ type, format: 'pem', ...extra }).toString();
}

describe.each(ALGORITHMS)('%s keys', (algorithm) => {
  const pair = generateKeyPair(algorithm);

  it('generates PKCS#8 and SPKI PEM with the keyid of the SPKI DER', () => {
    expect(pair.privatePem).toMatch(/^-----BEGIN PRIVATE KEY-----\n[\s\S]+\n-----END PRIVATE KEY-----\n$/);
    expect(pair.publicPem).toMatch(/^-----BEGIN PUBLIC KEY-----\n[\s\S]+\n-----END PUBLIC KEY-----\n$/);
    expect(pair.keyid).toMatch(/^[0-9a-f]{64}$/);
    expect(pair.keyid).toBe(expectedKeyid(pair.publicPem));
  });

  it('parses both halves to the same algorithm and keyid', () => {
    const privateKey = parsePrivateKey(pair.privatePem, '--key');
    const publicKey = parsePublicKey(pair.publicPem, '--public-key');
    expect(privateKey.algorithm).toBe(algorithm);
    expect(publicKey.algorithm).toBe(algorithm);
    expect(privateKey.keyid).toBe(pair.keyid);
    expect(publicKey.keyid).toBe(pair.keyid);
    expect(privateKey.publicKey.keyid).toBe(pair.keyid);
    expect(privateKey.publicKey.pem).toBe(pair.publicPem);
    expect(publicKey.pem).toBe(pair.publicPem);
    expect(privateKey.key.type).toBe('private');
    expect(publicKey.key.type).toBe('public');
  });

  it('reads Buffers, CRLF line ends and explanatory text around the block', () => {
    const wrapped = `Bag Attributes\n    friendlyName: deploy\n${pair.privatePem.replace(/\n/g, '\r\n')}trailing words\n`;
    expect(parsePrivateKey(Buffer.from(wrapped), 'key.pem').keyid).toBe(pair.keyid);
    expect(parsePublicKey(Buffer.from(pair.publicPem), 'pub.pem').keyid).toBe(pair.keyid);
  });

  it('makes a signer that carries the keyid and algorithm', () => {
    const signer = keySigner(parsePrivateKey(pair.privatePem, '--key'));
    expect(signer.keyid).toBe(pair.keyid);
    expect(signer.algorithm).toBe(algorithm);
  });

  it('refuses the public key as a private key, and the private key as a public key', () => {
    expect(
      expectRefusal(() => parsePrivateKey(pair.publicPem, 'COUNTERSIGN_KEY'), pair.publicPem, 'COUNTERSIGN_KEY'),
    ).toBe('COUNTERSIGN_KEY: holds a public key where a private (signing) key is expected');
    expect(
      expectRefusal(() => parsePublicKey(pair.privatePem, 'keys/pub.pem'), pair.privatePem, 'keys/pub.pem'),
    ).toMatch(
      /^keys\/pub\.pem: holds a PRIVATE key where a public key is expected; .*openssl pkey -in key\.pem -pubout/,
    );
  });
});

describe('keys Countersign does not sign with', () => {
  const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const p384 = generateKeyPairSync('ec', { namedCurve: 'P-384' });
  const k256 = generateKeyPairSync('ec', { namedCurve: 'secp256k1' });
  const ed448 = generateKeyPairSync('ed448');
  const x25519 = generateKeyPairSync('x25519');
  const p256 = generateKeyPairSync('ec', { namedCurve: 'P-256' });

  it.each<[string, string, RegExp]>([
    [
      'an RSA PKCS#8 key',
      pem(rsa.privateKey, 'pkcs8'),
      /^--key: is an RSA key; Countersign signs with Ed25519 or ECDSA P-256 keys$/,
    ],
    [
      'an RSA PKCS#1 key',
      pem(rsa.privateKey, 'pkcs1'),
      /^--key: is an RSA private key; Countersign signs with Ed25519/,
    ],
    [
      'a P-384 key',
      pem(p384.privateKey, 'pkcs8'),
      /^--key: is an EC key on curve secp384r1; Countersign signs with Ed25519 or ECDSA P-256 keys$/,
    ],
    ['a secp256k1 key', pem(k256.privateKey, 'pkcs8'), /^--key: is an EC key on curve secp256k1;/],
    ['an Ed448 key', pem(ed448.privateKey, 'pkcs8'), /^--key: is a ed448 key;/],
    ['an X25519 key', pem(x25519.privateKey, 'pkcs8'), /^--key: is a x25519 key;/],
    [
      'a SEC1 P-256 key',
      pem(p256.privateKey, 'sec1'),
      /^--key: is a SEC1 "EC PRIVATE KEY"; .*openssl pkcs8 -topk8 -nocrypt -in key\.pem -out key\.pkcs8\.pem$/,
    ],
    [
      'an encrypted PKCS#8 key',
      pem(p256.privateKey, 'pkcs8', { cipher: 'aes-256-cbc', passphrase: 'correct horse' }),
      /^--key: is an encrypted private key; .*openssl pkcs8 -in key\.pem -out key\.plain\.pem$/,
    ],
  ])('refuses %s as a private key without quoting it', (_name, text, message) => {
    expect(expectRefusal(() => parsePrivateKey(text, '--key'), text, '--key')).toMatch(message);
  });

  it.each<[string, string, RegExp]>([
    ['an RSA SPKI key', pem(rsa.publicKey, 'spki'), /^pub\.pem: is an RSA key;/],
    ['an RSA PKCS#1 public key', pem(rsa.publicKey, 'pkcs1'), /^pub\.pem: is an RSA public key;/],
    ['a P-384 key', pem(p384.publicKey, 'spki'), /^pub\.pem: is an EC key on curve secp384r1;/],
    ['an Ed448 key', pem(ed448.publicKey, 'spki'), /^pub\.pem: is a ed448 key;/],
  ])('refuses %s as a public key without quoting it', (_name, text, message) => {
    expect(expectRefusal(() => parsePublicKey(text, 'pub.pem'), text, 'pub.pem')).toMatch(message);
  });
});

describe('text that is not a usable PEM key', () => {
  const good = generateKeyPair('ed25519').privatePem;
  const body = pemBody(good);

  it.each<[string, string, RegExp]>([
    [
      'plain garbage',
      'this is not a key at all, just words',
      /^--key: no PEM block found; expected -----BEGIN PRIVATE KEY-----/,
    ],
    ['an empty string', '', /^--key: no PEM block found/],
    [
      'DER bytes as text',
      Buffer.from(body, 'base64').toString('latin1'),
      /^--key: no PEM block found; .*openssl pkey -inform DER/,
    ],
    ['a bare base64 body', body, /^--key: no PEM block found/],
    [
      'literal \\n escapes (a mangled CI secret)',
      good.replace(/\n/g, '\\n'),
      /^--key: no PEM block found: the text has literal "\\n" sequences/,
    ],
    ['a block without its END line', good.split('-----END')[0] ?? '', /^--key: no complete PEM block found/],
    [
      'mismatched BEGIN and END labels',
      good.replace('END PRIVATE KEY', 'END PUBLIC KEY'),
      /^--key: no complete PEM block found/,
    ],
    [
      'a damaged body',
      good.replace(body.slice(10, 30), 'A'.repeat(20)),
      /^--key: the PRIVATE KEY block is not a readable PKCS#8 key/,
    ],
    [
      'a truncated body',
      good.replace(body, body.slice(0, 20)),
      /^--key: the PRIVATE KEY block is not a readable PKCS#8 key/,
    ],
    [
      'junk characters in the body',
      good.replace(body.slice(4, 6), '*!'),
      /^--key: the PRIVATE KEY block is not a readable PKCS#8 key/,
    ],
    [
      'two private keys',
      good + generateKeyPair('ecdsa-p256').privatePem,
      /^--key: holds 2 PEM blocks \(PRIVATE KEY, PRIVATE KEY\); expected exactly one PRIVATE KEY$/,
    ],
    [
      'an unknown block',
      good.replace(/PRIVATE KEY/g, 'SECRET THING'),
      /^--key: holds a "SECRET THING" PEM block; expected a PKCS#8 "PRIVATE KEY"$/,
    ],
    [
      'a certificate',
      good.replace(/PRIVATE KEY/g, 'CERTIFICATE'),
      /^--key: holds a certificate where a private \(signing\) key is expected$/,
    ],
  ])('refuses %s without quoting it', (_name, text, message) => {
    expect(expectRefusal(() => parsePrivateKey(text, '--key'), text, '--key')).toMatch(message);
  });

  it('refuses a huge text before scanning it for blocks', () => {
    const text = '-----BEGIN PRIVATE KEY-----\n'.repeat(50_000);
    expect(() => parseKeyring(text, 'big.log')).toThrow(
      /^big\.log: is 1400000 characters long; a PEM key or keyring is far smaller$/,
    );
  });

  it('points at openssl for a certificate given as a public key', () => {
    const text = generateKeyPair('ed25519').publicPem.replace(/PUBLIC KEY/g, 'CERTIFICATE');
    expect(expectRefusal(() => parsePublicKey(text, '--public-key'), text, '--public-key')).toMatch(
      /openssl x509 -in cert\.pem -pubkey -noout/,
    );
  });
});

describe('parseKeyring', () => {
  const ed = generateKeyPair('ed25519');
  const ec = generateKeyPair('ecdsa-p256');
  const third = generateKeyPair('ed25519');

  it('parses every PUBLIC KEY block in order, with comments between them', () => {
    const text = `# release team\n${ed.publicPem}\n# platform team\n${ec.publicPem}${third.publicPem}`;
    expect(parseKeyring(text, 'keys.pem').map((key) => [key.algorithm, key.keyid])).toEqual([
      ['ed25519', ed.keyid],
      ['ecdsa-p256', ec.keyid],
      ['ed25519', third.keyid],
    ]);
  });

  it('keeps a repeated key once', () => {
    expect(parseKeyring(ed.publicPem + ec.publicPem + ed.publicPem, 'keys.pem').map((key) => key.keyid)).toEqual([
      ed.keyid,
      ec.keyid,
    ]);
  });

  it('reads a single key', () => {
    expect(parseKeyring(Buffer.from(ec.publicPem), 'keys.pem')).toHaveLength(1);
  });

  it('refuses the whole keyring over one private key, naming which block', () => {
    const text = ed.publicPem + ec.privatePem + third.publicPem;
    expect(expectRefusal(() => parseKeyring(text, 'keys.pem'), text, 'keys.pem')).toMatch(
      /^keys\.pem \(key 2 of 3\): holds a PRIVATE key/,
    );
  });

  it('refuses a keyring with an unsupported key, naming which block', () => {
    const rsa = pem(generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey, 'spki');
    const text = ed.publicPem + rsa;
    expect(expectRefusal(() => parseKeyring(text, 'keys.pem'), text, 'keys.pem')).toBe(
      'keys.pem (key 2 of 2): is an RSA key; Countersign signs with Ed25519 or ECDSA P-256 keys',
    );
  });

  it('refuses a keyring without keys', () => {
    expect(
      expectRefusal(() => parseKeyring('# nobody yet\n', 'COUNTERSIGN_KEYS'), '# nobody yet\n', 'COUNTERSIGN_KEYS'),
    ).toMatch(/^COUNTERSIGN_KEYS: no PEM block found; expected -----BEGIN PUBLIC KEY-----/);
  });
});
