// The signing key arrives as a secret's PEM text. It is masked line by line before anything is
// parsed: a runner masks each registered value, and a multi-line value printed in part (one line
// of a parse error, say) would otherwise slip past a mask of the whole.
import * as core from '@actions/core';
import { ConfigurationError, parsePrivateKey, type PrivateKeyInfo } from '@countersign/core';

export interface SigningKey {
  key: PrivateKeyInfo;
  /** Every string that must never be shown: the whole PEM and each of its lines. */
  secrets: string[];
}

export function readSigningKey(name = 'signing-key'): SigningKey {
  const pem = core.getInput(name);
  const secrets = secretParts(pem);
  for (const secret of secrets) core.setSecret(secret);
  if (pem.trim() === '')
    throw new ConfigurationError({
      message: `input ${name} is empty: pass the PEM private key from an environment secret, e.g. \${{ secrets.COUNTERSIGN_SIGNING_KEY }} (countersign keygen makes one)`,
    });
  // parsePrivateKey's messages name the source, never the key's text.
  return { key: parsePrivateKey(pem.trim(), `input ${name}`), secrets };
}

/** The PEM and its lines, except the armour lines, which are the same in every key. */
export function secretParts(pem: string): string[] {
  const lines = pem
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('-----'));
  return [...new Set([pem, pem.trim(), ...lines])].filter((s) => s !== '');
}
