import type { Locale } from '../locale.ts';
import { wordsIn } from '../i18n.ts';
import Bowser from 'bowser';
import type { Actor, RequestMeta } from '../context.ts';
import type { Db, Queryable } from '../db.ts';
import type { Role } from './roles.ts';
import { hashToken, newToken } from './tokens.ts';

export type MfaState = 'ok' | 'pending' | 'enroll_required';

export interface SessionInfo {
  actor: Actor;
  mfaState: MfaState;
  tokenHash: string;
  createdAt: Date;
  expiresAt: Date;
  idleExpiresAt: Date;
}

export interface SessionPolicy {
  idleMs: number;
  absoluteMs: number;
}

/** Opens a server-side session and returns the token for the cookie (only its hash is stored). */
export async function createSession(tx: Queryable, userId: string, mfaState: MfaState, policy: SessionPolicy, meta: RequestMeta, now: Date): Promise<string> {
  const token = newToken();
  // Times from the application's clock, the one `resolveSession` judges them by.
  await tx.query(
    `INSERT INTO sessions (token_hash, user_id, mfa_state, created_at, last_seen_at, expires_at, ip, user_agent)
     VALUES ($1, $2, $3, $4, $4, $5, $6, $7)`,
    [hashToken(token), userId, mfaState, now.toISOString(), new Date(now.getTime() + policy.absoluteMs).toISOString(), meta.ip, meta.userAgent],
  );
  return token;
}

interface SessionRow {
  token_hash: string;
  mfa_state: MfaState;
  created_at: Date;
  last_seen_at: Date;
  expires_at: Date;
  user_id: string;
  role: Role;
  name: string;
  email: string;
}

/**
 * Looks up a session by its cookie token. Returns null when it does not exist, was revoked, passed
 * its absolute lifetime or sat idle too long, or its user is disabled. Touches `last_seen_at`
 * (at most every 15 s, to spare the database a write per request).
 */
export async function resolveSession(db: Db, token: string, policy: SessionPolicy, now = new Date(), reuseMs = 0): Promise<SessionInfo | null> {
  if (!token || token.length > 100) return null;
  const tokenHash = hashToken(token);
  if (reuseMs > 0) {
    const seen = recentlyResolved.get(tokenHash);
    if (seen && now.getTime() - seen.at < reuseMs && now < seen.info.expiresAt && now < seen.info.idleExpiresAt) return seen.info;
    const asOf = generation;
    const info = await lookUpSession(db, tokenHash, policy, now);
    // A change to sessions while this lookup ran may not be in what it read: not kept.
    if (asOf === generation) remember(tokenHash, info, now);
    return info;
  }
  return lookUpSession(db, tokenHash, policy, now);
}

/**
 * Sessions looked up in the last few seconds, for the reads a viewer makes many times a second
 * (slide tiles): one database lookup per session per few seconds instead of one per tile. Any
 * change to a session or an account in this process forgets them all, so sign-out and disabling
 * take effect here at once; another instance of the app notices within the reuse window.
 */
const recentlyResolved = new Map<string, { info: SessionInfo; at: number }>();
const RECENT_SESSIONS_MAX = 10_000;

function remember(tokenHash: string, info: SessionInfo | null, now: Date): void {
  recentlyResolved.delete(tokenHash);
  if (!info) return;
  recentlyResolved.set(tokenHash, { info, at: now.getTime() });
  if (recentlyResolved.size > RECENT_SESSIONS_MAX) recentlyResolved.delete(recentlyResolved.keys().next().value!);
}

let generation = 0;

/**
 * Called by every change that ends sessions (sign-out, revocation, disabling, password resets):
 * at once, and again when the transaction has committed, so a lookup made in between (which
 * still saw the session) is not kept either.
 */
export function forgetRecentSessions(tx?: Queryable): void {
  generation++;
  recentlyResolved.clear();
  tx?.afterCommit?.('forget-recent-sessions', () => {
    generation++;
    recentlyResolved.clear();
  });
}

async function lookUpSession(db: Db, tokenHash: string, policy: SessionPolicy, now: Date): Promise<SessionInfo | null> {
  const rows = await db.query<SessionRow>(
    `SELECT s.token_hash, s.mfa_state, s.created_at, s.last_seen_at, s.expires_at, u.id AS user_id, u.role, u.name, u.email
     FROM sessions s JOIN users u ON u.id = s.user_id
     WHERE s.token_hash = $1 AND s.revoked_at IS NULL AND u.disabled_at IS NULL`, [tokenHash]);
  const row = rows[0];
  if (!row) return null;
  const lastSeen = new Date(row.last_seen_at).getTime();
  const expiresAt = new Date(row.expires_at);
  if (expiresAt.getTime() <= now.getTime() || lastSeen + policy.idleMs <= now.getTime()) return null;
  let seen = lastSeen;
  if (now.getTime() - lastSeen > 15_000) {
    await db.query('UPDATE sessions SET last_seen_at = $2 WHERE token_hash = $1', [row.token_hash, now.toISOString()]);
    seen = now.getTime();
  }
  return {
    actor: { userId: row.user_id, role: row.role, name: row.name, email: row.email },
    mfaState: row.mfa_state,
    tokenHash: row.token_hash,
    createdAt: new Date(row.created_at),
    expiresAt,
    idleExpiresAt: new Date(Math.min(seen + policy.idleMs, expiresAt.getTime())),
  };
}

export async function setSessionMfaState(tx: Queryable, tokenHash: string, state: MfaState): Promise<void> {
  forgetRecentSessions(tx);
  await tx.query('UPDATE sessions SET mfa_state = $2 WHERE token_hash = $1', [tokenHash, state]);
}

export async function revokeSession(tx: Queryable, tokenHash: string): Promise<void> {
  forgetRecentSessions(tx);
  await tx.query('UPDATE sessions SET revoked_at = now() WHERE token_hash = $1 AND revoked_at IS NULL', [tokenHash]);
}

export interface ActiveSessionRow {
  id: string;
  token_hash: string;
  created_at: Date;
  last_seen_at: Date;
  ip: string | null;
  user_agent: string | null;
}

/** A person's sessions that still work: not revoked, not expired, not idle too long. */
export async function listActiveSessions(q: Queryable, userId: string, now: Date, policy: SessionPolicy): Promise<ActiveSessionRow[]> {
  return q.query<ActiveSessionRow>(
    `SELECT id, token_hash, created_at, last_seen_at, ip, user_agent FROM sessions
     WHERE user_id = $1 AND revoked_at IS NULL AND expires_at > $2 AND last_seen_at > $3 ORDER BY last_seen_at DESC`,
    [userId, now.toISOString(), new Date(now.getTime() - policy.idleMs).toISOString()]);
}

/** Ends every session of a person but one (the one they are using); returns how many ended. */
export async function revokeOtherSessions(tx: Queryable, userId: string, keepTokenHash: string): Promise<number> {
  forgetRecentSessions(tx);
  return (await tx.query('UPDATE sessions SET revoked_at = now() WHERE user_id = $1 AND token_hash <> $2 AND revoked_at IS NULL RETURNING id', [userId, keepTokenHash])).length;
}

/** "Chrome on macOS" ("Chrome en macOS"): the browser and system a session was opened from, in words a person knows. */
export function describeDevice(userAgent: string | null, locale: Locale = 'en'): string {
  const t = wordsIn(locale);
  if (!userAgent) return t('account:device.unknown');
  const ua = Bowser.parse(userAgent);
  const browser = ua.browser.name;
  const kind = ua.platform.type === 'mobile' ? t('account:device.mobile') : ua.platform.type === 'tablet' ? t('account:device.tablet') : null;
  const system = [ua.os.name, kind].filter(Boolean).join(' ');
  if (browser && system) return t('account:device.onSystem', { browser, system });
  return browser || system || t('account:device.unknown');
}

export async function revokeUserSessions(tx: Queryable, userId: string): Promise<number> {
  forgetRecentSessions(tx);
  return (await tx.query('UPDATE sessions SET revoked_at = now() WHERE user_id = $1 AND revoked_at IS NULL RETURNING id', [userId])).length;
}
