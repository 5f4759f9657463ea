import crypto from 'node:crypto';

/** A random URL-safe secret of 32 bytes; only its hash is ever stored. */
export function newToken(): string {
  return crypto.randomBytes(32).toString('base64url');
}

/** SHA-256 of a token, as stored in the database. */
export function hashToken(token: string): string {
  // One-shot: every signed-in request (each slide tile too) hashes its cookie's token.
  return crypto.hash('sha256', token, 'hex');
}
