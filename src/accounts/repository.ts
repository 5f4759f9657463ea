import type { Queryable } from '../core/db.ts';
import { asLocale, type Locale } from '../core/locale.ts';
import type { Role } from '../core/auth/roles.ts';
import { hashToken, newToken } from '../core/auth/tokens.ts';

export interface UserRow {
  id: string;
  email: string;
  name: string;
  role: Role;
  password_hash: string | null;
  email_verified_at: Date | null;
  totp_secret: string | null;
  totp_pending_secret: string | null;
  totp_enabled_at: Date | null;
  totp_last_step: number | null;
  disabled_at: Date | null;
  created_at: Date;
  interprets: string[] | null;
  /** Not chosen yet: null (mail in English, pages as the device says). */
  locale: string | null;
}

export async function findUserByEmail(q: Queryable, email: string): Promise<UserRow | undefined> {
  return (await q.query<UserRow>('SELECT * FROM users WHERE lower(email) = lower($1)', [email.trim()]))[0];
}

export async function findUserById(q: Queryable, id: string): Promise<UserRow | undefined> {
  return (await q.query<UserRow>('SELECT * FROM users WHERE id = $1', [id]))[0];
}

export async function insertUser(q: Queryable, u: { email: string; name: string; role: Role; passwordHash: string | null; verified: boolean; createdBy?: string | null; interprets?: string[]; locale?: Locale }): Promise<UserRow> {
  const rows = await q.query<UserRow>(
    `INSERT INTO users (email, name, role, password_hash, email_verified_at, created_by, interprets, locale)
     VALUES ($1, $2, $3, $4, CASE WHEN $5 THEN now() END, $6, $7, $8) RETURNING *`,
    [u.email, u.name, u.role, u.passwordHash, u.verified, u.createdBy ?? null, u.interprets?.length ? u.interprets : null, u.locale ?? null]);
  return rows[0]!;
}

export type TokenPurpose = 'verify_email' | 'set_password';

/**
 * Issues a one-time token for a mail link, valid for `minutes` from `now` (the application's
 * clock, like sessions); returns the token itself, which is stored only as a hash.
 */
export async function issueUserToken(q: Queryable, userId: string, purpose: TokenPurpose, now: Date, minutes: number): Promise<string> {
  const token = newToken();
  await q.query('INSERT INTO user_tokens (token_hash, user_id, purpose, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)',
    [hashToken(token), userId, purpose, now.toISOString(), new Date(now.getTime() + minutes * 60_000).toISOString()]);
  return token;
}

/** Why a link was refused: never issued (or for another purpose), spent already, or too old. */
export type TokenRefusal = 'unknown' | 'used' | 'expired';

/** A token's user while it can still be spent, or why it cannot. */
export async function lookUpUserToken(q: Queryable, token: string, purpose: TokenPurpose, now: Date): Promise<{ userId: string } | { refused: TokenRefusal }> {
  const [row] = await q.query<{ user_id: string; used_at: Date | null; expires_at: Date }>(
    'SELECT user_id, used_at, expires_at FROM user_tokens WHERE token_hash = $1 AND purpose = $2', [hashToken(token), purpose]);
  if (!row) return { refused: 'unknown' };
  if (row.used_at) return { refused: 'used' };
  if (new Date(row.expires_at).getTime() <= now.getTime()) return { refused: 'expired' };
  return { userId: row.user_id };
}

/** Spends a one-time token: its user id once, or why it cannot be spent (the check and the spend are one statement). */
export async function consumeUserToken(q: Queryable, token: string, purpose: TokenPurpose, now: Date): Promise<{ userId: string } | { refused: TokenRefusal }> {
  const rows = await q.query<{ user_id: string }>(
    'UPDATE user_tokens SET used_at = $3 WHERE token_hash = $1 AND purpose = $2 AND used_at IS NULL AND expires_at > $3 RETURNING user_id',
    [hashToken(token), purpose, now.toISOString()]);
  if (rows[0]) return { userId: rows[0].user_id };
  const why = await lookUpUserToken(q, token, purpose, now);
  // Spent by a concurrent request between the two statements: it is used now.
  return 'refused' in why ? why : { refused: 'used' };
}

/** Spends every open token of a purpose for an account (an older mailed link must not outlive the new password). */
export async function spendOpenUserTokens(q: Queryable, userId: string, purpose: TokenPurpose, now: Date): Promise<void> {
  await q.query('UPDATE user_tokens SET used_at = $3 WHERE user_id = $1 AND purpose = $2 AND used_at IS NULL', [userId, purpose, now.toISOString()]);
}

/** Tokens of a purpose issued to an account since `since` (to cap how many reset mails one account gets). */
export async function countUserTokensSince(q: Queryable, userId: string, purpose: TokenPurpose, since: Date): Promise<number> {
  const [row] = await q.query<{ n: number }>('SELECT count(*)::int AS n FROM user_tokens WHERE user_id = $1 AND purpose = $2 AND created_at > $3', [userId, purpose, since.toISOString()]);
  return row?.n ?? 0;
}

export function toUserView(u: UserRow) {
  return {
    id: u.id,
    email: u.email,
    name: u.name,
    role: u.role,
    mfaEnabled: u.totp_enabled_at != null,
    emailVerified: u.email_verified_at != null,
    disabled: u.disabled_at != null,
    createdAt: new Date(u.created_at).toISOString(),
    interprets: u.interprets ?? [],
    locale: u.locale ? asLocale(u.locale) : null,
  };
}
