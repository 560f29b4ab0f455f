import { sign } from 'node:crypto';
import type { PrivateKeyInfo } from './keys.js';

/**
 * Something that signs DSSE pre-authentication bytes. An interface rather than a key so keyless
 * signing (Sigstore: an OIDC token exchanged for a short-lived certificate) can slot in later without
 * touching the envelope code.
 */
export interface Signer {
  /** Goes into the envelope as the unauthenticated `keyid` hint; empty for none. */
  readonly keyid: string;
  readonly algorithm: string;
  sign(data: Buffer): Promise<Buffer>;
}

/**
 * A signer backed by a local private key.
 *
 * ECDSA signatures are DER (ASN.1 SEQUENCE of r and s): what openssl, Sigstore/cosign and Go's
 * ecdsa.SignASN1 produce, so our envelopes verify with their tools unchanged. The digest is SHA-256.
 * Ed25519 is pure Ed25519 over the whole message (no prehash), as RFC 8032 intends.
 */
export function keySigner(key: PrivateKeyInfo): Signer {
  const { algorithm, keyid } = key;
  return {
    keyid,
    algorithm,
    sign(data: Buffer): Promise<Buffer> {
      return new Promise((resolve, reject) => {
        const done = (error: Error | null, signature: Buffer): void => {
          if (error === null) resolve(signature);
          // The key object never appears in Node's signing errors, but say nothing more than we must.
          else reject(new Error(`signing with ${algorithm} key ${keyid} failed`, { cause: error }));
        };
        // The callback form runs in libuv's pool, so signing never blocks the event loop.
        if (algorithm === 'ed25519') sign(null, data, key.key, done);
        else sign('sha256', data, { key: key.key, dsaEncoding: 'der' }, done);
      });
    },
  };
}
