import { createPublicKey } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  decodeBase64,
  openEnvelope,
  pae,
  parseEnvelope,
  signEnvelope,
  verifyEnvelope,
  type Envelope,
} from '../../../packages/core/src/attestation/dsse.js';
import {
  generateKeyPair,
  parsePrivateKey,
  parsePublicKey,
  type KeyAlgorithm,
  type PrivateKeyInfo,
} from '../../../packages/core/src/attestation/keys.js';
import { keySigner, type Signer } from '../../../packages/core/src/attestation/signer.js';

const TYPE = 'application/vnd.in-toto+json';
const PAYLOAD = Buffer.from(
  JSON.stringify({
    _type: 'https://in-toto.io/Statement/v1',
    subject: [{ name: 'app', digest: { sha256: 'ab'.repeat(32) } }],
  }),
);

function privateKey(algorithm: KeyAlgorithm): PrivateKeyInfo {
  return parsePrivateKey(generateKeyPair(algorithm).privatePem, 'test');
}

const KEYS = { ed25519: privateKey('ed25519'), 'ecdsa-p256': privateKey('ecdsa-p256') } as const;
const OTHER = { ed25519: privateKey('ed25519'), 'ecdsa-p256': privateKey('ecdsa-p256') } as const;
const ALGORITHMS = ['ed25519', 'ecdsa-p256'] as const;

/** What a verifier does with an envelope off the wire. */
function reopen(envelope: Envelope, keys: PrivateKeyInfo[]) {
  return openEnvelope(
    JSON.parse(JSON.stringify(envelope)),
    keys.map((key) => key.publicKey),
  );
}

function verified(result: ReturnType<typeof openEnvelope>): boolean {
  if (!result.ok) throw new Error(`unexpected parse problem: ${result.problem}`);
  return result.verified;
}

function flipByte(base64: string, index: number): string {
  const bytes = Buffer.from(base64, 'base64');
  bytes[index] = (bytes[index] ?? 0) ^ 0x01;
  return bytes.toString('base64');
}

describe('pae', () => {
  it('matches the DSSE protocol test vector', () => {
    expect(pae('http://example.com/HelloWorld', Buffer.from('hello world')).toString('latin1')).toBe(
      'DSSEv1 29 http://example.com/HelloWorld 11 hello world',
    );
  });

  it('encodes empty type and body with zero lengths', () => {
    expect(pae('', Buffer.alloc(0)).toString('latin1')).toBe('DSSEv1 0  0 ');
  });

  it('counts bytes of the UTF-8 type, not characters', () => {
    expect(
      pae('tÿpe/é', Buffer.from('x')).equals(
        Buffer.concat([Buffer.from('DSSEv1 8 '), Buffer.from('tÿpe/é', 'utf8'), Buffer.from(' 1 x')]),
      ),
    ).toBe(true);
  });

  it('carries binary bodies byte for byte and lengths without leading zeros', () => {
    const body = Buffer.from([0, 255, 10, 32, 0x80]);
    expect(pae('t', body).equals(Buffer.concat([Buffer.from('DSSEv1 1 t 5 '), body]))).toBe(true);
    expect(pae('t', Buffer.alloc(1234)).subarray(0, 14).toString('latin1')).toBe('DSSEv1 1 t 123');
  });
});

describe('DSSE reference vector (ECDSA P-256, r||s signature)', () => {
  // From protocol.md: the key is given as decimal integers; the signature as raw r||s.
  const hex32 = (decimal: string) =>
    Buffer.from(BigInt(decimal).toString(16).padStart(64, '0'), 'hex').toString('base64url');
  const publicPem = createPublicKey({
    key: {
      kty: 'EC',
      crv: 'P-256',
      x: hex32('46950820868899156662930047687818585632848591499744589407958293238635476079160'),
      y: hex32('5640078356564379163099075877009565129882514886557779369047442380624545832820'),
    },
    format: 'jwk',
  })
    .export({ type: 'spki', format: 'pem' })
    .toString();
  const vector = {
    payload: 'aGVsbG8gd29ybGQ=',
    payloadType: 'http://example.com/HelloWorld',
    signatures: [{ sig: 'A3JqsQGtVsJ2O2xqrI5IcnXip5GToJ3F+FnZ+O88SjtR6rDAajabZKciJTfUiHqJPcIAriEGAHTVeCUjW2JIZA==' }],
  };

  it('verifies, so our PAE is byte-identical to the reference implementation', () => {
    const result = openEnvelope(vector, [parsePublicKey(publicPem, 'vector')]);
    expect(result.ok && result.verified).toBe(true);
    expect(result.ok && result.payload.toString()).toBe('hello world');
  });

  it('fails once the payload type changes', () => {
    expect(
      verified(
        openEnvelope({ ...vector, payloadType: 'http://example.com/HelloWorld2' }, [
          parsePublicKey(publicPem, 'vector'),
        ]),
      ),
    ).toBe(false);
  });
});

describe.each(ALGORITHMS)('round trip with %s', (algorithm) => {
  const key = KEYS[algorithm];

  it('signs and verifies through JSON', async () => {
    const envelope = await signEnvelope(TYPE, PAYLOAD, [keySigner(key)]);
    expect(Object.keys(envelope).sort()).toEqual(['payload', 'payloadType', 'signatures']);
    expect(envelope.signatures).toHaveLength(1);
    expect(envelope.signatures[0]?.keyid).toBe(key.keyid);
    const result = reopen(envelope, [key]);
    expect(result).toMatchObject({
      ok: true,
      verified: true,
      checks: [{ keyid: key.keyid, verifiedBy: key.keyid, problem: null }],
    });
    expect(result.ok && result.payload.equals(PAYLOAD)).toBe(true);
  });

  it('signs an empty payload', async () => {
    const envelope = await signEnvelope(TYPE, Buffer.alloc(0), [keySigner(key)]);
    expect(envelope.payload).toBe('');
    expect(verified(reopen(envelope, [key]))).toBe(true);
  });

  it('verifies envelopes re-encoded as unpadded URL-safe base64 (another producer)', async () => {
    const envelope = await signEnvelope(TYPE, PAYLOAD, [keySigner(key)]);
    const toUrl = (text: string) => Buffer.from(text, 'base64').toString('base64url');
    const urlSafe = {
      ...envelope,
      payload: toUrl(envelope.payload),
      signatures: envelope.signatures.map((s) => ({ ...s, sig: toUrl(s.sig) })),
    };
    expect(verified(reopen(urlSafe, [key]))).toBe(true);
  });

  it('rejects a flipped payload byte', async () => {
    const envelope = await signEnvelope(TYPE, PAYLOAD, [keySigner(key)]);
    for (const index of [0, 17, PAYLOAD.length - 1]) {
      const result = reopen({ ...envelope, payload: flipByte(envelope.payload, index) }, [key]);
      expect(verified(result)).toBe(false);
      expect(result.ok && result.checks[0]?.problem).toMatch(/does not verify with the given public key/);
    }
  });

  it('rejects a changed payload type', async () => {
    const envelope = await signEnvelope(TYPE, PAYLOAD, [keySigner(key)]);
    for (const payloadType of ['application/vnd.in-toto+jsonx', 'application/json', 'Application/vnd.in-toto+json']) {
      expect(verified(reopen({ ...envelope, payloadType }, [key]))).toBe(false);
    }
  });

  it('rejects a signature swapped in from another envelope by the same key', async () => {
    const envelope = await signEnvelope(TYPE, PAYLOAD, [keySigner(key)]);
    const other = await signEnvelope(TYPE, Buffer.from('{"another":"statement"}'), [keySigner(key)]);
    expect(verified(reopen({ ...envelope, signatures: other.signatures }, [key]))).toBe(false);
  });

  it('rejects a flipped signature byte without throwing', async () => {
    const envelope = await signEnvelope(TYPE, PAYLOAD, [keySigner(key)]);
    const sig = envelope.signatures[0]?.sig ?? '';
    for (const index of [0, 1, 5, Buffer.from(sig, 'base64').length - 1]) {
      expect(
        verified(reopen({ ...envelope, signatures: [{ keyid: key.keyid, sig: flipByte(sig, index) }] }, [key])),
      ).toBe(false);
    }
  });

  it('rejects the wrong key, of either algorithm', async () => {
    const envelope = await signEnvelope(TYPE, PAYLOAD, [keySigner(key)]);
    expect(verified(reopen(envelope, [OTHER[algorithm]]))).toBe(false);
    expect(verified(reopen(envelope, [OTHER.ed25519, OTHER['ecdsa-p256']]))).toBe(false);
  });

  it('ignores the keyid hint: a wrong hint still verifies with the right key, a right hint never helps the wrong key', async () => {
    const envelope = await signEnvelope(TYPE, PAYLOAD, [keySigner(key)]);
    const sig = envelope.signatures[0]?.sig ?? '';
    const decoy = OTHER[algorithm];
    const hints = [decoy.keyid, 'not-a-key', '', undefined];
    for (const keyid of hints) {
      const signature = keyid === undefined ? { sig } : { keyid, sig };
      const result = reopen({ ...envelope, signatures: [signature] }, [decoy, key]);
      expect(result).toMatchObject({ ok: true, verified: true, checks: [{ verifiedBy: key.keyid, problem: null }] });
    }
    // The hint names the only key given, and it is the wrong one.
    const forged = reopen({ ...envelope, signatures: [{ keyid: decoy.keyid, sig }] }, [decoy]);
    expect(forged).toMatchObject({ ok: true, verified: false, checks: [{ keyid: decoy.keyid, verifiedBy: null }] });
  });

  it('reports a hint that names none of the keys', async () => {
    const envelope = await signEnvelope(TYPE, PAYLOAD, [keySigner(key)]);
    const result = reopen(envelope, [OTHER[algorithm], OTHER.ed25519]);
    expect(result.ok && result.checks[0]?.problem).toBe(
      'signature does not verify with any of the 2 given public keys (its keyid hint names none of them)',
    );
  });
});

describe('ECDSA encoding', () => {
  it('signs DER (SEQUENCE of two INTEGERs), which is what openssl and Sigstore produce', async () => {
    for (let round = 0; round < 10; round += 1) {
      const envelope = await signEnvelope(TYPE, Buffer.from(`payload ${round}`), [keySigner(KEYS['ecdsa-p256'])]);
      const der = Buffer.from(envelope.signatures[0]?.sig ?? '', 'base64');
      expect(der[0]).toBe(0x30);
      expect(der[1]).toBe(der.length - 2);
      expect(der[2]).toBe(0x02);
      expect(der.length).toBeGreaterThanOrEqual(8);
      expect(der.length).toBeLessThanOrEqual(72);
    }
  });
});

describe('several signatures', () => {
  it('reports every signature, verified or not', async () => {
    const envelope = await signEnvelope(TYPE, PAYLOAD, [keySigner(KEYS.ed25519), keySigner(KEYS['ecdsa-p256'])]);
    const onlyEd = reopen(envelope, [KEYS.ed25519]);
    expect(onlyEd).toMatchObject({
      ok: true,
      verified: true,
      checks: [
        { keyid: KEYS.ed25519.keyid, verifiedBy: KEYS.ed25519.keyid, problem: null },
        {
          keyid: KEYS['ecdsa-p256'].keyid,
          verifiedBy: null,
          problem: 'signature does not verify with the given public key (its keyid hint names none of them)',
        },
      ],
    });
    const both = reopen(envelope, [KEYS['ecdsa-p256'], KEYS.ed25519]);
    expect(both.ok && both.checks.map((check) => check.verifiedBy)).toEqual([
      KEYS.ed25519.keyid,
      KEYS['ecdsa-p256'].keyid,
    ]);
  });

  it('is not verified when no signature verifies, and says so for each', async () => {
    const envelope = await signEnvelope(TYPE, PAYLOAD, [keySigner(KEYS.ed25519), keySigner(KEYS['ecdsa-p256'])]);
    const result = reopen(envelope, [OTHER.ed25519]);
    expect(result.ok && result.verified).toBe(false);
    expect(result.ok && result.checks.every((check) => check.problem !== null && check.verifiedBy === null)).toBe(true);
  });

  it('needs keys to verify anything', async () => {
    const envelope = await signEnvelope(TYPE, PAYLOAD, [keySigner(KEYS.ed25519)]);
    const result = verifyEnvelope(envelope, PAYLOAD, []);
    expect(result).toEqual({
      verified: false,
      checks: [{ keyid: KEYS.ed25519.keyid, verifiedBy: null, problem: 'no public keys to verify with' }],
    });
  });

  it('reports an undecodable signature handed straight to verifyEnvelope', () => {
    const envelope: Envelope = {
      payloadType: TYPE,
      payload: PAYLOAD.toString('base64'),
      signatures: [{ sig: 'not base64!' }],
    };
    const result = verifyEnvelope(envelope, PAYLOAD, [KEYS.ed25519.publicKey]);
    expect(result.verified).toBe(false);
    expect(result.checks[0]?.problem).toMatch(/^sig: a space at offset 3/);
  });
});

describe('signEnvelope', () => {
  const anonymous: Signer = { keyid: '', algorithm: 'ed25519', sign: (data) => keySigner(KEYS.ed25519).sign(data) };

  it('leaves keyid out when the signer has none', async () => {
    const envelope = await signEnvelope(TYPE, PAYLOAD, [anonymous]);
    expect(Object.keys(envelope.signatures[0] ?? {})).toEqual(['sig']);
    expect(reopen(envelope, [KEYS.ed25519])).toMatchObject({ ok: true, verified: true, checks: [{ keyid: null }] });
  });

  it('refuses to produce unsigned or untyped envelopes', async () => {
    await expect(signEnvelope(TYPE, PAYLOAD, [])).rejects.toThrow('no signers');
    await expect(signEnvelope('', PAYLOAD, [anonymous])).rejects.toThrow('payloadType is empty');
    await expect(signEnvelope('a\ud800', PAYLOAD, [anonymous])).rejects.toThrow('lone surrogate');
  });
});

describe('parseEnvelope', () => {
  const good = { payloadType: TYPE, payload: 'aGk=', signatures: [{ keyid: 'k', sig: 'c2ln' }] };

  it('accepts a well-formed envelope and decodes its payload', () => {
    expect(parseEnvelope(good)).toEqual({ ok: true, envelope: good, payload: Buffer.from('hi') });
  });

  it('accepts an empty payload and an absent or empty keyid', () => {
    const value = { payloadType: TYPE, payload: '', signatures: [{ sig: 'c2ln' }, { keyid: '', sig: 'c2ln' }] };
    expect(parseEnvelope(value)).toEqual({ ok: true, envelope: value, payload: Buffer.alloc(0) });
  });

  it('ignores and drops unknown fields, as DSSE requires of consumers', () => {
    const result = parseEnvelope({
      ...good,
      extra: { nested: true },
      signatures: [{ keyid: 'k', sig: 'c2ln', cert: 'x' }],
    });
    expect(result).toEqual({ ok: true, envelope: good, payload: Buffer.from('hi') });
  });

  it('does not read fields from the prototype', () => {
    const inherited = Object.assign(Object.create({ payloadType: TYPE }) as object, {
      payload: 'aGk=',
      signatures: good.signatures,
    });
    expect(parseEnvelope(inherited)).toEqual({ ok: false, problem: 'payloadType is missing or not a string' });
  });

  it.each<[string, unknown, string]>([
    ['null', null, 'a DSSE envelope must be a JSON object'],
    ['an array', [good], 'a DSSE envelope must be a JSON object'],
    ['a string', JSON.stringify(good), 'a DSSE envelope must be a JSON object'],
    ['no payloadType', { ...good, payloadType: undefined }, 'payloadType is missing or not a string'],
    ['a numeric payloadType', { ...good, payloadType: 1 }, 'payloadType is missing or not a string'],
    ['an empty payloadType', { ...good, payloadType: '' }, 'payloadType is empty'],
    [
      'a lone surrogate in payloadType',
      { ...good, payloadType: 'x\udc00' },
      'payloadType is not well-formed Unicode (it has a lone surrogate)',
    ],
    ['no payload', { ...good, payload: undefined }, 'payload is missing or not a string'],
    [
      'a payload that is not base64',
      { ...good, payload: 'aGk*' },
      'payload: "*" at offset 3 is not a base64 character',
    ],
    ['no signatures', { ...good, signatures: undefined }, 'signatures is missing or not an array'],
    ['signatures as an object', { ...good, signatures: { sig: 'c2ln' } }, 'signatures is missing or not an array'],
    ['no signature', { ...good, signatures: [] }, 'signatures is empty: the envelope is not signed'],
    ['a signature that is a string', { ...good, signatures: ['c2ln'] }, 'signatures[0] must be an object with a "sig"'],
    ['a missing sig', { ...good, signatures: [{ keyid: 'k' }] }, 'signatures[0].sig is missing or not a string'],
    ['an empty sig', { ...good, signatures: [{ sig: 'c2ln' }, { sig: '' }] }, 'signatures[1].sig is empty'],
    [
      'a sig with bad length',
      { ...good, signatures: [{ sig: 'c2lnc' }] },
      'signatures[0].sig: 5 base64 characters cannot encode whole bytes (invalid length)',
    ],
    [
      'a numeric keyid',
      { ...good, signatures: [{ keyid: 7, sig: 'c2ln' }] },
      'signatures[0].keyid must be a string when present',
    ],
    [
      'a null keyid',
      { ...good, signatures: [{ keyid: null, sig: 'c2ln' }] },
      'signatures[0].keyid must be a string when present',
    ],
  ])('rejects %s', (_name, value, problem) => {
    expect(parseEnvelope(value)).toEqual({ ok: false, problem });
  });
});

describe('decodeBase64', () => {
  it.each([
    ['standard, padded', 'aGVsbG8/Pz8+Pg==', Buffer.from('hello???>>')],
    ['standard, unpadded', 'aGVsbG8/Pz8+Pg', Buffer.from('hello???>>')],
    ['URL-safe, padded', 'aGVsbG8_Pz8-Pg==', Buffer.from('hello???>>')],
    ['URL-safe, unpadded', 'aGVsbG8_Pz8-Pg', Buffer.from('hello???>>')],
    ['one pad', 'aGk=', Buffer.from('hi')],
    ['no pad needed', 'aGV5', Buffer.from('hey')],
    ['empty', '', Buffer.alloc(0)],
  ])('accepts %s', (_name, text, bytes) => {
    expect(decodeBase64(text)).toEqual({ ok: true, bytes });
  });

  it.each([
    ['a space', 'aGVs bG8=', 'a space at offset 4 is not a base64 character'],
    ['a leading space', ' aGk=', 'a space at offset 0 is not a base64 character'],
    ['a line break', 'aGVs\nbG8=', 'a line break at offset 4 is not a base64 character'],
    ['a tab', 'aGk=\t', 'a tab at offset 4 is not a base64 character'],
    ['an asterisk', 'aG*k', '"*" at offset 2 is not a base64 character'],
    ['a period', 'aGk.', '"." at offset 3 is not a base64 character'],
    ['non-ASCII', 'aGké', '"é" at offset 3 is not a base64 character'],
    ['one character', 'a', '1 base64 characters cannot encode whole bytes (invalid length)'],
    ['five characters', 'aGVsb', '5 base64 characters cannot encode whole bytes (invalid length)'],
    ['padding in the middle', 'aG=k', 'base64 padding must be one or two "=" at the very end'],
    ['three pads', 'aG===', 'base64 padding must be one or two "=" at the very end'],
    ['too little padding', 'aG=', 'padded base64 must be a multiple of 4 characters long (this is 3)'],
    ['too much padding', 'aGk==', 'padded base64 must be a multiple of 4 characters long (this is 5)'],
    ['padding after a full quantum', 'aGV5==', 'padded base64 must be a multiple of 4 characters long (this is 6)'],
    ['only padding', '==', 'padded base64 must be a multiple of 4 characters long (this is 2)'],
    ['mixed alphabets', 'ab+_', 'base64 mixes the standard (+ /) and URL-safe (- _) alphabets'],
    ['non-zero unused bits', 'aGl=', 'non-canonical base64: the unused bits of the last character are not zero'],
    [
      'non-zero unused bits, unpadded',
      'aGVsbG9',
      'non-canonical base64: the unused bits of the last character are not zero',
    ],
  ])('rejects %s', (_name, text, problem) => {
    expect(decodeBase64(text)).toEqual({ ok: false, problem });
  });

  it('accepts every standard and URL-safe spelling of arbitrary bytes, padded or not', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (array) => {
        const bytes = Buffer.from(array);
        const standard = bytes.toString('base64');
        const spellings = [
          standard,
          standard.replace(/=+$/, ''),
          bytes.toString('base64url'),
          bytes.toString('base64url') + '='.repeat(standard.length - standard.replace(/=+$/, '').length),
        ];
        for (const text of spellings) {
          const result = decodeBase64(text);
          expect(result.ok && result.bytes.equals(bytes)).toBe(true);
        }
      }),
    );
  });

  it('rejects any string with a character outside both alphabets, wherever it is', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 1, maxLength: 48 }),
        fc.constantFrom(' ', '\n', '*', '.', '!', '%', '\0', '\\', '"', '~'),
        fc.nat(),
        (array, junk, at) => {
          const text = Buffer.from(array).toString('base64');
          const position = at % (text.length + 1);
          expect(decodeBase64(text.slice(0, position) + junk + text.slice(position)).ok).toBe(false);
        },
      ),
    );
  });
});
