import type { Queryable } from '../core/db.ts';
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
}

export async function findUserByEmail(q: Queryable, email: string): Promise<UserRow | undefined> {
  return (await q.query<UserRow>('SELECT * FROM users WHERE lower(email) = lower($1)', [email.trim()]))[0];
}

export async function findUserById(q: Queryable, id: string): Promise<UserRow | undefined> {
  return (await q.query<UserRow>('SELECT * FROM users WHERE id = $1', [id]))[0];
}

export async function insertUser(q: Queryable, u: { email: string; name: string; role: Role; passwordHash: string | null; verified: boolean; createdBy?: string | null }): Promise<UserRow> {
  const rows = await q.query<UserRow>(
    `INSERT INTO users (email, name, role, password_hash, email_verified_at, created_by)
     VALUES ($1, $2, $3, $4, CASE WHEN $5 THEN now() END, $6) RETURNING *`,
    [u.email, u.name, u.role, u.passwordHash, u.verified, u.createdBy ?? null]);
  return rows[0]!;
}

/** Issues a one-time token for a mail link; returns the token itself (stored only as a hash). */
export async function issueUserToken(q: Queryable, userId: string, purpose: 'verify_email' | 'set_password', hours: number): Promise<string> {
  const token = newToken();
  await q.query(`INSERT INTO user_tokens (token_hash, user_id, purpose, expires_at) VALUES ($1,$2,$3, now() + make_interval(hours => $4))`,
    [hashToken(token), userId, purpose, hours]);
  return token;
}

/** Spends a one-time token: returns its user id once, or undefined when unknown, used or expired. */
export async function consumeUserToken(q: Queryable, token: string, purpose: 'verify_email' | 'set_password'): Promise<string | undefined> {
  const rows = await q.query<{ user_id: string }>(
    `UPDATE user_tokens SET used_at = now() WHERE token_hash = $1 AND purpose = $2 AND used_at IS NULL AND expires_at > now() RETURNING user_id`,
    [hashToken(token), purpose]);
  return rows[0]?.user_id;
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
  };
}
