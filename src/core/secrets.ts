import crypto from 'node:crypto';
import type { MasterKey } from './blobs.ts';

/**
 * Small secrets kept in database columns (authenticator seeds), encrypted with the same master
 * keys as files: AES-256-GCM under the current key, tagged with the key's id so older keys still
 * open what they sealed. A database dump alone then yields no second factor.
 */
export const SEALED_PREFIX = 'sealed:v1';

export interface SecretBox {
  seal: (plaintext: string) => string;
  open: (stored: string) => string;
  /** True when a stored value is plaintext or sealed under a key other than the current one. */
  stale: (stored: string) => boolean;
}

export function secretBox(keys: MasterKey[]): SecretBox {
  const current = keys[0];
  if (!current) throw new Error('No master key: secrets cannot be sealed.');
  return {
    seal(plaintext) {
      const iv = crypto.randomBytes(12);
      const c = crypto.createCipheriv('aes-256-gcm', current.key, iv);
      const body = Buffer.concat([iv, c.update(plaintext, 'utf8'), c.final(), c.getAuthTag()]);
      return `${SEALED_PREFIX}:${current.id}:${body.toString('base64')}`;
    },
    stale: (stored) => !stored.startsWith(`${SEALED_PREFIX}:${current.id}:`),
    open(stored) {
      // A value written before secrets were sealed is read as it is, and sealed at start-up.
      if (!isSealed(stored)) return stored;
      const [, , keyId, b64] = stored.split(':');
      const key = keys.find((k) => k.id === keyId);
      if (!key) throw new Error(`The master key "${keyId}" that sealed a secret is not configured (BLOB_KEYS).`);
      const body = Buffer.from(b64 ?? '', 'base64');
      const d = crypto.createDecipheriv('aes-256-gcm', key.key, body.subarray(0, 12));
      d.setAuthTag(body.subarray(body.length - 16));
      return Buffer.concat([d.update(body.subarray(12, body.length - 16)), d.final()]).toString('utf8');
    },
  };
}

export const isSealed = (stored: string) => stored.startsWith(`${SEALED_PREFIX}:`);
