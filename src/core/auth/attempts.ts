import { recordAuditNow } from '../audit.ts';
import type { Config } from '../config.ts';
import type { Actor, RequestMeta } from '../context.ts';
import type { Db, Queryable } from '../db.ts';
import { AppError, msg } from '../errors.ts';
import { enqueueMail } from '../mail.ts';
import { wordsIn } from '../i18n.ts';
import type { SecretBox } from '../secrets.ts';
import { verifyPassword } from './passwords.ts';
import { checkTotp } from './totp.ts';

/**
 * Guessing limits for everything that checks a secret: the password at sign-in (per account and,
 * looser, per address), the authenticator code at sign-in, and the password and code asked again
 * before a sensitive act (step-up). An attempt is reserved BEFORE the secret is checked, so thirty
 * parallel guesses cannot all be judged against a limit of five; a good attempt gives its
 * reservation back. Code failures are counted per account and survive a good password, so signing
 * in again does not buy more guesses at the code.
 */
export type AttemptKind = 'password' | 'mfa' | 'step_up';

export interface AttemptKey {
  kind: AttemptKind;
  /** Normalised e-mail (password attempts are counted per typed address, existing or not). */
  email?: string;
  userId?: string | null;
  ip: string | null;
}

export interface AttemptLimits {
  db: Db;
  config: Pick<Config, 'loginMaxFailures' | 'loginLockMs'>;
  now: () => Date;
}

const tooMany = (config: AttemptLimits['config']) =>
  new AppError('TOO_MANY_REQUESTS', msg`Too many failed attempts. Try again in ${Math.ceil(config.loginLockMs / 60_000)} minutes.`, { retryAfterSeconds: Math.ceil(config.loginLockMs / 1000) });

/** Reserves an attempt, or refuses when the account (or address) used up its attempts. */
export async function reserveAttempt(l: AttemptLimits, key: AttemptKey): Promise<{ id: string; failuresBefore: number }> {
  const now = l.now();
  const since = new Date(now.getTime() - l.config.loginLockMs).toISOString();
  // One reservation at a time per account: counted in the same transaction as it is written, so a
  // parallel guess whose row is not yet visible cannot slip past the limit.
  const decided = await l.db.transaction(async (tx) => {
    await tx.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`login:${key.kind}:${key.kind === 'password' ? key.email : key.userId}`]);
    // Password guesses are also limited per address, across accounts: that count is serialised too
    // (always after the account's lock, so two requests never wait for each other in reverse).
    if (key.kind === 'password') await tx.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`login:ip:${key.ip}`]);
    const [row] = await tx.query<{ id: string }>(
      'INSERT INTO login_failures (email_lower, ip, kind, user_id, at) VALUES ($1, $2, $3, $4, $5) RETURNING id::text',
      [key.email ?? '', key.ip, key.kind, key.userId ?? null, now.toISOString()]);
    const id = row!.id;
    const [c] = key.kind === 'password'
      ? await tx.query<{ mine: number; by_ip: number }>(
        `SELECT count(*) FILTER (WHERE email_lower = $1)::int AS mine, count(*) FILTER (WHERE ip = $2)::int AS by_ip
         FROM login_failures WHERE kind = 'password' AND at > $3 AND id <= $4 AND (email_lower = $1 OR ip = $2)`, [key.email, key.ip, since, id])
      : await tx.query<{ mine: number; by_ip: number }>(
        `SELECT count(*)::int AS mine, 0 AS by_ip FROM login_failures WHERE kind = $1 AND user_id = $2 AND at > $3 AND id <= $4`, [key.kind, key.userId, since, id]);
    // Counted up to and including this reservation: parallel attempts queue behind each other.
    if ((c?.mine ?? 0) > l.config.loginMaxFailures || (c?.by_ip ?? 0) > l.config.loginMaxFailures * 5) {
      await tx.query('DELETE FROM login_failures WHERE id = $1', [id]);
      return null;
    }
    return { id, mine: c?.mine ?? 1 };
  });
  if (!decided) throw tooMany(l.config);
  return { id: decided.id, failuresBefore: decided.mine - 1 };
}

/** A good attempt: its reservation goes, and so do the account's earlier failures of that kind. */
export async function attemptSucceeded(db: Db, key: AttemptKey, reservationId: string): Promise<void> {
  // The account's rows include the reservation itself; by id only when there is no account to name.
  if (key.kind === 'password' && key.email) await db.query(`DELETE FROM login_failures WHERE kind = 'password' AND email_lower = $1`, [key.email]);
  else if (key.kind !== 'password' && key.userId) await db.query('DELETE FROM login_failures WHERE kind = $1 AND user_id = $2', [key.kind, key.userId]);
  else await db.query('DELETE FROM login_failures WHERE id = $1', [reservationId]);
}

/**
 * The authenticator step a code proves, or null: a wrong code, or one at or before the last step
 * used (a code is good once). Spend the step with `spendTotpStep` once the rest checks out.
 */
export function freshTotpStep(secrets: SecretBox, user: { totp_secret: string | null; totp_last_step: string | number | null }, code: string | null | undefined, nowMs: number): number | null {
  if (!user.totp_secret || !code) return null;
  const step = checkTotp(secrets.open(user.totp_secret), code, nowMs);
  return step !== null && (user.totp_last_step == null || step > Number(user.totp_last_step)) ? step : null;
}

/**
 * Mails the owner when a wrong code just used up the account's attempts: someone who knows the
 * password is guessing at the second step. The mail names no health data.
 */
export async function warnOwnerOfLock(l: AttemptLimits & { publicUrl: string }, key: AttemptKey, failuresBefore: number, to: { email: string; locale: string | null }): Promise<void> {
  if (failuresBefore + 1 !== l.config.loginMaxFailures) return;
  const t = wordsIn(to.locale);
  const text = t('mails:account.locked.text', { minutes: Math.ceil(l.config.loginLockMs / 60_000), account: `${l.publicUrl}/account` });
  await l.db.transaction((tx) => enqueueMail(tx, { kind: 'security_lock', to: to.email, subject: t('mails:account.locked.subject'), text }));
}


/** Records a code's time step as used; false when it (or a later one) was used already. */
export async function spendTotpStep(q: Queryable, userId: string, step: number): Promise<boolean> {
  const rows = await q.query('UPDATE users SET totp_last_step = $2 WHERE id = $1 AND (totp_last_step IS NULL OR totp_last_step < $2) RETURNING id', [userId, step]);
  return rows.length === 1;
}

export interface StepUpDeps extends AttemptLimits {
  secrets: SecretBox;
  publicUrl: () => string;
}

/**
 * Asks the signed-in person for their password and, when they have an authenticator, a fresh
 * code, before a sensitive act (signing an opinion, changing sign-in details). Same limits and
 * replay rule as sign-in; a failure is audited under `audit.action` (with the case, if any).
 */
export async function confirmIdentity(d: StepUpDeps, actor: Actor, meta: RequestMeta, creds: { password: string; code?: string | null }, audit: { action: string; caseId?: string | null; entityType?: string }): Promise<void> {
  const key: AttemptKey = { kind: 'step_up', userId: actor.userId, ip: meta.ip };
  const reservation = await reserveAttempt(d, key);
  const [u] = await d.db.query<{ email: string; locale: string | null; password_hash: string | null; totp_secret: string | null; totp_last_step: string | number | null }>(
    'SELECT email, locale, password_hash, totp_secret, totp_last_step FROM users WHERE id = $1', [actor.userId]);
  const passwordOk = Boolean(u?.password_hash && (await verifyPassword(u.password_hash, creds.password)));
  let step: number | null = null;
  // Without an authenticator the password alone confirms: a staff member only gets this far once
  // enrolled (sessions without one are held at enrolment), or in demo mode.
  let codeOk = !u?.totp_secret;
  if (u?.totp_secret) {
    step = freshTotpStep(d.secrets, u, creds.code, d.now().getTime());
    codeOk = step !== null;
  }
  // Spend the code atomically: of two requests with the same code, only one moves the step on.
  if (passwordOk && codeOk && step !== null) codeOk = await spendTotpStep(d.db, actor.userId, step);
  if (!passwordOk || !codeOk) {
    await recordAuditNow(d.db, { actor, meta, action: audit.action, entityType: audit.entityType ?? (audit.caseId ? 'Case' : 'User'), entityId: audit.caseId ?? actor.userId, caseId: audit.caseId ?? null, outcome: 'failure', detail: { reason: 'reauthentication_failed' } });
    if (u) await warnOwnerOfLock({ ...d, publicUrl: d.publicUrl() }, key, reservation.failuresBefore, u);
    throw new AppError('INVALID_CREDENTIALS', u?.totp_secret ? 'The password or the authenticator code is not correct; nothing was changed. Each code works once: if you just used one, wait for the next.' : 'The password is not correct; nothing was changed.');
  }
  await attemptSucceeded(d.db, key, reservation.id);
}
