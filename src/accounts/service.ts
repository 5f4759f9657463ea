import QRCode from 'qrcode';
import { recordAudit } from '../core/audit.ts';
import { dummyPasswordHash, hashPassword, verifyPassword } from '../core/auth/passwords.ts';
import { isStaff, type Role } from '../core/auth/roles.ts';
import { createSession, revokeSession, revokeUserSessions, setSessionMfaState, type MfaState, type SessionInfo } from '../core/auth/sessions.ts';
import { checkTotp, newTotpSecret } from '../core/auth/totp.ts';
import type { Actor, RequestMeta } from '../core/context.ts';
import type { Deps } from '../core/deps.ts';
import { AppError } from '../core/errors.ts';
import { enqueueMail } from '../core/mail.ts';
import { consumeUserToken, findUserByEmail, findUserById, insertUser, issueUserToken, toUserView, type UserRow } from './repository.ts';

const asActor = (u: UserRow): Actor => ({ userId: u.id, role: u.role, name: u.name, email: u.email });

/**
 * Accounts: self-registration of patients and caregivers with email verification, sign-in with
 * throttling and TOTP, and staff accounts created by admins. Every step leaves an audit event.
 */
export function accountsService(deps: Deps) {
  const { db, config } = deps;
  const link = (path: string) => `${config.publicUrl}${path}`;
  const policy = { idleMs: config.sessionIdleMs, absoluteMs: config.sessionAbsoluteMs };

  /** MFA state a fresh sign-in starts in: staff must enrol, enrolled users must give a code. */
  function initialMfaState(u: UserRow): MfaState {
    if (u.totp_enabled_at) return 'pending';
    if (isStaff(u.role) && !config.demo) return 'enroll_required';
    return 'ok';
  }

  async function assertNotThrottled(email: string, ip: string | null): Promise<void> {
    const since = new Date(deps.now().getTime() - config.loginLockMs).toISOString();
    const [row] = await db.query<{ by_email: number; by_ip: number }>(
      `SELECT count(*) FILTER (WHERE email_lower = $1)::int AS by_email, count(*) FILTER (WHERE ip = $2)::int AS by_ip
       FROM login_failures WHERE at > $3 AND (email_lower = $1 OR ip = $2)`, [email.toLowerCase(), ip, since]);
    // Per account to stop guessing one password; per address (looser) to slow spraying many.
    if ((row?.by_email ?? 0) >= config.loginMaxFailures || (row?.by_ip ?? 0) >= config.loginMaxFailures * 5) {
      throw new AppError('TOO_MANY_REQUESTS', `Too many failed sign-in attempts. Try again in ${Math.ceil(config.loginLockMs / 60_000)} minutes.`, { retryAfterSeconds: Math.ceil(config.loginLockMs / 1000) });
    }
  }

  return {
    async register(input: { email: string; name: string; password: string }, meta: RequestMeta): Promise<void> {
      const passwordHash = await hashPassword(input.password);
      await db.transaction(async (tx) => {
        const existing = await findUserByEmail(tx, input.email);
        if (existing) {
          // Same answer as a new registration, so the form does not reveal who has an account.
          await enqueueMail(tx, { kind: 'account_exists', to: existing.email, subject: 'You already have a Consilium account', text: `Someone (perhaps you) tried to register with this address. You can sign in at ${link('/login')}. If you forgot your password, ask the service to reset it.` });
          return;
        }
        const user = await insertUser(tx, { email: input.email, name: input.name, role: 'patient', passwordHash, verified: false });
        const token = await issueUserToken(tx, user.id, 'verify_email', 48);
        await enqueueMail(tx, { kind: 'verify_email', to: user.email, subject: 'Confirm your email address', text: `Welcome to Consilium. Confirm your email address by opening this link within 48 hours:\n\n${link(`/verify-email?token=${token}`)}\n` });
        await recordAudit(tx, { actor: asActor(user), meta, action: 'user.register', entityType: 'User', entityId: user.id });
      });
    },

    async verifyEmail(token: string, meta: RequestMeta): Promise<void> {
      await db.transaction(async (tx) => {
        const userId = await consumeUserToken(tx, token, 'verify_email');
        if (!userId) throw new AppError('NOT_FOUND', 'This confirmation link is not valid any more. Sign in to get a new one, or register again.');
        await tx.query('UPDATE users SET email_verified_at = coalesce(email_verified_at, now()) WHERE id = $1', [userId]);
        await recordAudit(tx, { actor: null, meta, action: 'user.verify_email', entityType: 'User', entityId: userId });
      });
    },

    async setPassword(token: string, password: string, meta: RequestMeta): Promise<void> {
      const passwordHash = await hashPassword(password);
      await db.transaction(async (tx) => {
        const userId = await consumeUserToken(tx, token, 'set_password');
        if (!userId) throw new AppError('NOT_FOUND', 'This link is not valid any more. Ask an administrator for a new one.');
        await tx.query('UPDATE users SET password_hash = $2, email_verified_at = coalesce(email_verified_at, now()) WHERE id = $1', [userId, passwordHash]);
        await revokeUserSessions(tx, userId);
        await recordAudit(tx, { actor: null, meta, action: 'user.set_password', entityType: 'User', entityId: userId });
      });
    },

    /** Checks the password and opens a session; the session may still need the MFA step. */
    async login(email: string, password: string, meta: RequestMeta): Promise<{ token: string; mfaState: MfaState }> {
      await assertNotThrottled(email, meta.ip);
      const user = await findUserByEmail(db, email);
      const ok = user?.password_hash ? await verifyPassword(user.password_hash, password) : (await verifyPassword(await dummyPasswordHash(), password), false);
      if (!user || !ok || user.disabled_at) {
        await db.transaction(async (tx) => {
          await tx.query('INSERT INTO login_failures (email_lower, ip) VALUES ($1, $2)', [email.trim().toLowerCase(), meta.ip]);
          await recordAudit(tx, { actor: null, meta, action: 'user.login', entityType: 'User', entityId: user?.id ?? null, outcome: 'failure' });
        });
        throw new AppError('INVALID_CREDENTIALS');
      }
      if (!user.email_verified_at) throw new AppError('EMAIL_NOT_VERIFIED', 'Open the link in the email we sent you to confirm your address, then sign in.');
      const mfaState = initialMfaState(user);
      const token = await db.transaction(async (tx) => {
        await tx.query('DELETE FROM login_failures WHERE email_lower = $1', [user.email.toLowerCase()]);
        const t = await createSession(tx, user.id, mfaState, policy, meta);
        await recordAudit(tx, { actor: asActor(user), meta, action: 'user.login', entityType: 'User', entityId: user.id, detail: { mfaState } });
        return t;
      });
      return { token, mfaState };
    },

    async logout(session: SessionInfo, meta: RequestMeta): Promise<void> {
      await db.transaction(async (tx) => {
        await revokeSession(tx, session.tokenHash);
        await recordAudit(tx, { actor: session.actor, meta, action: 'user.logout', entityType: 'User', entityId: session.actor.userId });
      });
    },

    async me(session: SessionInfo) {
      const user = await findUserById(db, session.actor.userId);
      if (!user) throw new AppError('UNAUTHENTICATED');
      return {
        user: toUserView(user),
        session: { mfaState: session.mfaState, expiresAt: session.expiresAt.toISOString(), idleExpiresAt: session.idleExpiresAt.toISOString() },
        demo: config.demo,
      };
    },

    /** Starts TOTP enrolment: a new pending secret, shown once as a QR code and as text. */
    async mfaSetup(session: SessionInfo) {
      if (session.mfaState === 'pending') throw new AppError('MFA_REQUIRED', 'Enter your current code first.');
      const { secret, uri } = newTotpSecret(session.actor.email);
      await db.query('UPDATE users SET totp_pending_secret = $2 WHERE id = $1', [session.actor.userId, secret]);
      return { secret, otpauthUri: uri, qrDataUrl: await QRCode.toDataURL(uri) };
    },

    async mfaEnable(session: SessionInfo, code: string, meta: RequestMeta): Promise<void> {
      if (session.mfaState === 'pending') throw new AppError('MFA_REQUIRED', 'Enter your current code first.');
      const user = await findUserById(db, session.actor.userId);
      const step = user?.totp_pending_secret ? checkTotp(user.totp_pending_secret, code, deps.now().getTime()) : null;
      if (!user || step === null) throw new AppError('VALIDATION_FAILED', 'That code is not right. Check the time on your phone and try the newest code.');
      await db.transaction(async (tx) => {
        await tx.query('UPDATE users SET totp_secret = totp_pending_secret, totp_pending_secret = NULL, totp_enabled_at = now(), totp_last_step = $2 WHERE id = $1', [user.id, step]);
        await setSessionMfaState(tx, session.tokenHash, 'ok');
        await recordAudit(tx, { actor: session.actor, meta, action: 'user.mfa_enable', entityType: 'User', entityId: user.id });
      });
    },

    async mfaVerify(session: SessionInfo, code: string, meta: RequestMeta): Promise<void> {
      if (session.mfaState !== 'pending') throw new AppError('CONFLICT', 'No code is expected for this session.');
      await assertNotThrottled(session.actor.email, meta.ip);
      const user = await findUserById(db, session.actor.userId);
      const step = user?.totp_secret ? checkTotp(user.totp_secret, code, deps.now().getTime()) : null;
      // A code is good once: a step at or before the last one used is a replay.
      if (!user || step === null || (user.totp_last_step != null && step <= Number(user.totp_last_step))) {
        await db.transaction(async (tx) => {
          await tx.query('INSERT INTO login_failures (email_lower, ip) VALUES ($1, $2)', [session.actor.email.toLowerCase(), meta.ip]);
          await recordAudit(tx, { actor: session.actor, meta, action: 'user.mfa_verify', entityType: 'User', entityId: session.actor.userId, outcome: 'failure' });
        });
        throw new AppError('VALIDATION_FAILED', 'That code is not right. Try the newest code from your authenticator app.');
      }
      await db.transaction(async (tx) => {
        await tx.query('UPDATE users SET totp_last_step = $2 WHERE id = $1', [user.id, step]);
        await setSessionMfaState(tx, session.tokenHash, 'ok');
        await recordAudit(tx, { actor: session.actor, meta, action: 'user.mfa_verify', entityType: 'User', entityId: user.id });
      });
    },

    /** Admin: creates a staff account and mails a link to choose a password. */
    async createStaffUser(admin: Actor, input: { email: string; name: string; role: Role }, meta: RequestMeta) {
      return db.transaction(async (tx) => {
        if (await findUserByEmail(tx, input.email)) throw new AppError('CONFLICT', 'An account with this email already exists.');
        const user = await insertUser(tx, { email: input.email, name: input.name, role: input.role, passwordHash: null, verified: false, createdBy: admin.userId });
        const token = await issueUserToken(tx, user.id, 'set_password', 72);
        await enqueueMail(tx, { kind: 'set_password', to: user.email, subject: 'Your Consilium account', text: `An account was created for you at Consilium. Choose your password within 72 hours:\n\n${link(`/set-password?token=${token}`)}\n\nYou will then set up two-step sign-in with an authenticator app.` });
        await recordAudit(tx, { actor: admin, meta, action: 'user.create', entityType: 'User', entityId: user.id, detail: { role: input.role } });
        return toUserView(user);
      });
    },

    async listUsers(admin: Actor, q: { q?: string; role?: Role; page: number; pageSize: number }, meta: RequestMeta) {
      const where: string[] = [];
      const params: unknown[] = [];
      if (q.q) {
        params.push(`%${q.q.toLowerCase()}%`);
        where.push(`(lower(email) LIKE $${params.length} OR lower(name) LIKE $${params.length})`);
      }
      if (q.role) {
        params.push(q.role);
        where.push(`role = $${params.length}`);
      }
      const clause = where.length ? `WHERE ${where.join(' AND ')}` : '';
      const [{ total } = { total: 0 }] = await db.query<{ total: number }>(`SELECT count(*)::int AS total FROM users ${clause}`, params);
      const rows = await db.query<UserRow>(`SELECT * FROM users ${clause} ORDER BY created_at DESC, id LIMIT ${q.pageSize} OFFSET ${(q.page - 1) * q.pageSize}`, params);
      await db.transaction((tx) => recordAudit(tx, { actor: admin, meta, action: 'user.list', entityType: 'User', detail: { count: rows.length } }));
      return { items: rows.map(toUserView), total, page: q.page, pageSize: q.pageSize };
    },

    /** Active experts for the coordinator's assignment picker (matching and ranking come later). */
    async listExperts(_coordinator: Actor, q?: string) {
      const rows = await db.query<{ id: string; name: string; email: string }>(
        `SELECT id, name, email FROM users WHERE role = 'expert' AND disabled_at IS NULL AND ($1::text IS NULL OR lower(name) LIKE '%' || lower($1) || '%') ORDER BY name LIMIT 100`, [q ?? null]);
      return rows;
    },

    async setDisabled(admin: Actor, userId: string, disabled: boolean, meta: RequestMeta) {
      if (userId === admin.userId && disabled) throw new AppError('CONFLICT', 'You cannot disable your own account.');
      return db.transaction(async (tx) => {
        const rows = await tx.query<UserRow>(`UPDATE users SET disabled_at = CASE WHEN $2 THEN coalesce(disabled_at, now()) END WHERE id = $1 RETURNING *`, [userId, disabled]);
        if (!rows[0]) throw new AppError('NOT_FOUND', 'No such user.');
        if (disabled) await revokeUserSessions(tx, userId);
        await recordAudit(tx, { actor: admin, meta, action: disabled ? 'user.disable' : 'user.enable', entityType: 'User', entityId: userId });
        return toUserView(rows[0]);
      });
    },
  };
}

export type AccountsService = ReturnType<typeof accountsService>;
