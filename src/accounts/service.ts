import type QRCodeModule from 'qrcode';
import { recordAudit, recordAuditNow } from '../core/audit.ts';
import { attemptSucceeded, confirmIdentity, freshTotpStep, reserveAttempt, spendTotpStep, warnOwnerOfLock } from '../core/auth/attempts.ts';
import { judgePassword } from '../core/auth/passwordStrength.ts';
import type { Queryable } from '../core/db.ts';
import { isSealed, SEALED_PREFIX, type SecretBox } from '../core/secrets.ts';
import { dummyPasswordHash, hashPassword, verifyPassword } from '../core/auth/passwords.ts';
import { isStaff, type Role } from '../core/auth/roles.ts';
import { createSession, describeDevice, forgetRecentSessions, listActiveSessions, revokeOtherSessions, revokeSession, revokeUserSessions, setSessionMfaState, type MfaState, type SessionInfo } from '../core/auth/sessions.ts';
import { checkTotp, newTotpSecret } from '../core/auth/totp.ts';
import type { Actor, RequestMeta } from '../core/context.ts';
import type { Deps } from '../core/deps.ts';
import { AppError, msg } from '../core/errors.ts';
import { enqueueMail } from '../core/mail.ts';
import { accountMails, type SecurityChange } from './mails.ts';
import type { Locale } from '../core/locale.ts';
import { consumeUserToken, countUserTokensSince, findUserByEmail, findUserById, insertUser, issueUserToken, lookUpUserToken, spendOpenUserTokens, toUserView, type TokenRefusal, type UserRow } from './repository.ts';
import { onFirstUse } from '../core/onFirstUse.ts';

/** The QR code of an authenticator's set-up, drawn once in a while: loaded by the first. */
const qrcode = onFirstUse<typeof QRCodeModule>('qrcode');

const asActor = (u: UserRow): Actor => ({ userId: u.id, role: u.role, name: u.name, email: u.email });

/** At most this many "forgot password" mails an hour per account, whatever address asks: nobody's mailbox is flooded. */
const RESET_MAILS_PER_HOUR = 3;

/** Why a link to choose a password does not work, in plain words, with the way to a new one. */
function refusedPasswordLink(why: TokenRefusal): AppError {
  const again = 'ask for a new one with “Forgot password?” on the sign-in page.';
  if (why === 'used') return new AppError('LINK_USED', `This link was used already (or a newer one was), so it does not work any more. If you did not choose a new password yourself, ${again}`);
  if (why === 'expired') return new AppError('LINK_EXPIRED', `This link has expired: for your safety it works only for a short time. Please ${again}`);
  return new AppError('NOT_FOUND', `This link is not valid. Open it again from the email, or ${again}`);
}

/**
 * Accounts: self-registration of patients and caregivers with email verification, sign-in with
 * throttling and TOTP, sessions a person can see and end, and staff accounts managed by admins.
 * Every step leaves an audit event. E-mail addresses arrive normalised (trimmed, lower case) from
 * the request schemas, so the lock, the lookup and the audit all see the same address.
 */
export function accountsService(deps: Deps, secrets: SecretBox) {
  const { db, config } = deps;
  const link = (path: string) => `${config.publicUrl}${path}`;
  const policy = { idleMs: config.sessionIdleMs, absoluteMs: config.sessionAbsoluteMs };
  const limits = { db, config, now: deps.now };
  const stepUp = { ...limits, secrets, publicUrl: () => config.publicUrl };

  /** MFA state a fresh sign-in starts in: staff must enrol, enrolled users must give a code. */
  function initialMfaState(u: UserRow): MfaState {
    if (u.totp_enabled_at) return 'pending';
    if (isStaff(u.role) && !config.demo) return 'enroll_required';
    return 'ok';
  }

  /** Whose account a (still valid) set-password link is for. */
  async function setPasswordHolder(token: string) {
    const found = await lookUpUserToken(db, token, 'set_password', deps.now());
    return 'userId' in found ? findUserById(db, found.userId) : undefined;
  }

  /** Refuses a guessable password, with what to do instead. */
  async function assertStrongPassword(password: string, personal: string[], locale: Locale = 'en') {
    const verdict = await judgePassword(password, personal, locale);
    if (!verdict.ok) throw new AppError('WEAK_PASSWORD', msg`This password is too easy to guess. ${verdict.advice.join(' ')}`);
  }

  /** Mails the owner about a change to how they sign in, in their language (no health data, a way to react). */
  const mailSecurityChange = async (tx: Queryable, userId: string, change: SecurityChange) => {
    const [u] = await tx.query<{ email: string; locale: string }>('SELECT email, locale FROM users WHERE id = $1', [userId]);
    if (!u) return;
    await enqueueMail(tx, { kind: 'security_notice', to: u.email, ...accountMails(u.locale).security(change, link('/account')) });
  };

  return {
    /**
     * The strength verdict for a password being chosen (the form's live hint), judged like the
     * save will be: with the name and address typed, or those of the person a set-password link is for.
     */
    async passwordHint(input: { password: string; email?: string; name?: string; token?: string }, locale: Locale = 'en') {
      const holder = input.token ? await setPasswordHolder(input.token) : undefined;
      return judgePassword(input.password, [input.email, input.name, holder?.email, holder?.name].filter((x): x is string => !!x), locale);
    },

    async register(input: { email: string; name: string; password: string; locale: Locale }, meta: RequestMeta): Promise<void> {
      await assertStrongPassword(input.password, [input.email, input.name], meta.locale);
      const passwordHash = await hashPassword(input.password);
      await db.transaction(async (tx) => {
        const existing = await findUserByEmail(tx, input.email);
        if (existing) {
          // Same answer as a new registration, so the form does not reveal who has an account.
          await enqueueMail(tx, { kind: 'account_exists', to: existing.email, ...accountMails(existing.locale).accountExists(link('/login'), link('/forgot-password')) });
          return;
        }
        const user = await insertUser(tx, { email: input.email, name: input.name, role: 'patient', passwordHash, verified: false, locale: input.locale });
        const token = await issueUserToken(tx, user.id, 'verify_email', deps.now(), 48 * 60);
        await enqueueMail(tx, { kind: 'verify_email', to: user.email, ...accountMails(user.locale).verifyEmail(link(`/verify-email?token=${token}`)) });
        await recordAudit(tx, { actor: asActor(user), meta, action: 'user.register', entityType: 'User', entityId: user.id });
      });
    },

    async verifyEmail(token: string, meta: RequestMeta): Promise<void> {
      await db.transaction(async (tx) => {
        const spent = await consumeUserToken(tx, token, 'verify_email', deps.now());
        if (!('userId' in spent)) throw new AppError('NOT_FOUND', 'This confirmation link is not valid any more. Sign in to get a new one, or register again.');
        const userId = spent.userId;
        await tx.query('UPDATE users SET email_verified_at = coalesce(email_verified_at, now()) WHERE id = $1', [userId]);
        await recordAudit(tx, { actor: null, meta, action: 'user.verify_email', entityType: 'User', entityId: userId });
      });
    },

    /**
     * Whether a mailed link to choose a password still works, so the page can say so before a
     * new password is typed; refused in plain words (used, expired, unknown) otherwise.
     */
    async checkPasswordLink(token: string): Promise<void> {
      const found = await lookUpUserToken(db, token, 'set_password', deps.now());
      if ('refused' in found) throw refusedPasswordLink(found.refused);
    },

    /**
     * "Forgot password?": mails a link to choose a new password when the address belongs to an
     * active account. The caller answers the same whatever happened here, so the form does not
     * reveal who has an account; the current password keeps working until a new one is chosen.
     */
    async requestPasswordReset(email: string, meta: RequestMeta): Promise<void> {
      const now = deps.now();
      await db.transaction(async (tx) => {
        const user = await findUserByEmail(tx, email);
        const sent = user && !user.disabled_at
          && (await countUserTokensSince(tx, user.id, 'set_password', new Date(now.getTime() - 3_600_000))) < RESET_MAILS_PER_HOUR;
        if (user && sent) {
          const minutes = config.passwordResetLinkMinutes;
          const token = await issueUserToken(tx, user.id, 'set_password', now, minutes);
          await enqueueMail(tx, { kind: 'password_reset', to: user.email, ...accountMails(user.locale).passwordReset(link(`/set-password?token=${token}`), minutes) });
        }
        const reason = !user ? 'no_account' : user.disabled_at ? 'account_disabled' : sent ? 'mailed' : 'too_many_links';
        // No address in the trail: an unknown one could be anybody's, and the account is named by its id.
        await recordAudit(tx, { actor: null, meta, action: 'user.password_reset_request', entityType: 'User', entityId: user?.id ?? null, outcome: reason === 'mailed' ? 'success' : 'failure', detail: { reason } });
      });
    },

    /**
     * Chooses a password with a mailed link (new staff accounts, resets by an admin, "forgot
     * password"): spends the link and every other open one, and ends every session of the account.
     */
    async setPassword(token: string, password: string, meta: RequestMeta): Promise<void> {
      const holder = await setPasswordHolder(token);
      if (holder) await assertStrongPassword(password, [holder.email, holder.name], meta.locale);
      const passwordHash = await hashPassword(password);
      await db.transaction(async (tx) => {
        const now = deps.now();
        const spent = await consumeUserToken(tx, token, 'set_password', now);
        if ('refused' in spent) throw refusedPasswordLink(spent.refused);
        const [before] = await tx.query<{ had_password: boolean }>('SELECT password_hash IS NOT NULL AS had_password FROM users WHERE id = $1', [spent.userId]);
        await tx.query('UPDATE users SET password_hash = $2, email_verified_at = coalesce(email_verified_at, now()) WHERE id = $1', [spent.userId, passwordHash]);
        await spendOpenUserTokens(tx, spent.userId, 'set_password', now);
        const ended = await revokeUserSessions(tx, spent.userId);
        await recordAudit(tx, { actor: null, meta, action: 'user.set_password', entityType: 'User', entityId: spent.userId, detail: { sessions: ended } });
        // A password replaced by link (not a first one) is news the owner must hear of.
        if (before?.had_password) await mailSecurityChange(tx, spent.userId, 'passwordChosenByLink');
      });
    },

    /** Checks the password and opens a session; the session may still need the MFA step. */
    async login(email: string, password: string, meta: RequestMeta): Promise<{ token: string; mfaState: MfaState }> {
      const key = { kind: 'password' as const, email, ip: meta.ip };
      const reservation = await reserveAttempt(limits, key);
      const user = await findUserByEmail(db, email);
      const ok = user?.password_hash ? await verifyPassword(user.password_hash, password) : (await verifyPassword(await dummyPasswordHash(), password), false);
      if (!user || !ok || user.disabled_at) {
        // The reservation stays as the failure that counts against the account and the address.
        await recordAuditNow(db, { actor: null, meta, action: 'user.login', entityType: 'User', entityId: user?.id ?? null, outcome: 'failure' });
        throw new AppError('INVALID_CREDENTIALS');
      }
      await attemptSucceeded(db, key, reservation.id);
      if (!user.email_verified_at) throw new AppError('EMAIL_NOT_VERIFIED', 'Open the link in the email we sent you to confirm your address, then sign in.');
      const mfaState = initialMfaState(user);
      const token = await db.transaction(async (tx) => {
        const t = await createSession(tx, user.id, mfaState, policy, meta, deps.now());
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

    /** Saves the language of the person's pages and mail (also during the MFA step: its page is read too). */
    async setLocale(session: SessionInfo, locale: Locale, meta: RequestMeta): Promise<void> {
      await db.transaction(async (tx) => {
        await tx.query('UPDATE users SET locale = $2 WHERE id = $1', [session.actor.userId, locale]);
        await recordAudit(tx, { actor: session.actor, meta, action: 'user.locale', entityType: 'User', entityId: session.actor.userId, detail: { language: locale } });
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

    /**
     * Starts TOTP enrolment: a new pending secret, shown once as a QR code and as text. The
     * password is asked again, and the current code too when an authenticator is already set up,
     * so a session left open somewhere cannot swap the second factor for the attacker's own.
     */
    async mfaSetup(session: SessionInfo, creds: { password: string; code?: string | null }, meta: RequestMeta) {
      if (session.mfaState === 'pending') throw new AppError('MFA_REQUIRED', 'Enter your current code first.');
      await confirmIdentity(stepUp, session.actor, meta, creds, { action: 'user.mfa_setup' });
      const { secret, uri } = newTotpSecret(session.actor.email);
      await db.transaction(async (tx) => {
        await tx.query('UPDATE users SET totp_pending_secret = $2 WHERE id = $1', [session.actor.userId, secrets.seal(secret)]);
        await recordAudit(tx, { actor: session.actor, meta, action: 'user.mfa_setup', entityType: 'User', entityId: session.actor.userId });
      });
      return { secret, otpauthUri: uri, qrDataUrl: await qrcode().toDataURL(uri) };
    },

    async mfaEnable(session: SessionInfo, code: string, meta: RequestMeta): Promise<void> {
      if (session.mfaState === 'pending') throw new AppError('MFA_REQUIRED', 'Enter your current code first.');
      const user = await findUserById(db, session.actor.userId);
      const step = user?.totp_pending_secret ? checkTotp(secrets.open(user.totp_pending_secret), code, deps.now().getTime()) : null;
      if (!user || step === null) throw new AppError('VALIDATION_FAILED', 'That code is not right. Check the time on your phone and try the newest code.');
      const replaced = user.totp_enabled_at != null;
      await db.transaction(async (tx) => {
        await tx.query('UPDATE users SET totp_secret = totp_pending_secret, totp_pending_secret = NULL, totp_enabled_at = now(), totp_last_step = $2 WHERE id = $1', [user.id, step]);
        await setSessionMfaState(tx, session.tokenHash, 'ok');
        await recordAudit(tx, { actor: session.actor, meta, action: 'user.mfa_enable', entityType: 'User', entityId: user.id });
        await mailSecurityChange(tx, user.id, replaced ? 'mfaReplaced' : 'mfaOn');
      });
    },

    /** Turns two-step sign-in off (patients and caregivers only; staff must keep it), after a step-up. */
    async mfaDisable(session: SessionInfo, creds: { password: string; code?: string | null }, meta: RequestMeta): Promise<void> {
      const actor = session.actor;
      if (isStaff(actor.role)) throw new AppError('FORBIDDEN', 'Staff accounts keep two-step sign-in: they work with other people’s health information.');
      await confirmIdentity(stepUp, actor, meta, creds, { action: 'user.mfa_disable' });
      await db.transaction(async (tx) => {
        await tx.query('UPDATE users SET totp_secret = NULL, totp_pending_secret = NULL, totp_enabled_at = NULL WHERE id = $1', [actor.userId]);
        await recordAudit(tx, { actor, meta, action: 'user.mfa_disable', entityType: 'User', entityId: actor.userId });
        await mailSecurityChange(tx, actor.userId, 'mfaOff');
      });
    },

    async mfaVerify(session: SessionInfo, code: string, meta: RequestMeta): Promise<void> {
      if (session.mfaState !== 'pending') throw new AppError('CONFLICT', 'No code is expected for this session.');
      // Wrong codes count per account, across sessions, and a good password does not reset them.
      const key = { kind: 'mfa' as const, userId: session.actor.userId, ip: meta.ip };
      const reservation = await reserveAttempt(limits, key);
      const user = await findUserById(db, session.actor.userId);
      const step = user ? freshTotpStep(secrets, user, code, deps.now().getTime()) : null;
      if (!user || step === null) {
        await recordAuditNow(db, { actor: session.actor, meta, action: 'user.mfa_verify', entityType: 'User', entityId: session.actor.userId, outcome: 'failure' });
        if (user) await warnOwnerOfLock({ ...limits, publicUrl: config.publicUrl }, key, reservation.failuresBefore, user);
        throw new AppError('VALIDATION_FAILED', 'That code is not right. Try the newest code from your authenticator app.');
      }
      await attemptSucceeded(db, key, reservation.id);
      await db.transaction(async (tx) => {
        // Spent atomically: the same code sent twice at once opens one session, not two.
        if (!(await spendTotpStep(tx, user.id, step))) throw new AppError('VALIDATION_FAILED', 'That code is not right. Try the newest code from your authenticator app.');
        await setSessionMfaState(tx, session.tokenHash, 'ok');
        await recordAudit(tx, { actor: session.actor, meta, action: 'user.mfa_verify', entityType: 'User', entityId: user.id });
      });
    },

    /** Changes the password (current one and code asked again); every other session ends. */
    async changePassword(session: SessionInfo, input: { currentPassword: string; code?: string | null; newPassword: string }, meta: RequestMeta): Promise<void> {
      const actor = session.actor;
      if (input.newPassword === input.currentPassword) throw new AppError('VALIDATION_FAILED', 'Choose a new password that is different from the current one.');
      await confirmIdentity(stepUp, actor, meta, { password: input.currentPassword, code: input.code }, { action: 'user.password_change' });
      await assertStrongPassword(input.newPassword, [actor.email, actor.name], meta.locale);
      const passwordHash = await hashPassword(input.newPassword);
      await db.transaction(async (tx) => {
        await tx.query('UPDATE users SET password_hash = $2 WHERE id = $1', [actor.userId, passwordHash]);
        const ended = await revokeOtherSessions(tx, actor.userId, session.tokenHash);
        await recordAudit(tx, { actor, meta, action: 'user.password_change', entityType: 'User', entityId: actor.userId, detail: { sessions: ended } });
        await mailSecurityChange(tx, actor.userId, 'passwordChanged');
      });
    },

    /** The person's own signed-in sessions: device, address, when it started and was last used. */
    async listSessions(session: SessionInfo, meta: RequestMeta) {
      const rows = await listActiveSessions(db, session.actor.userId, deps.now(), policy);
      await recordAuditNow(db, { actor: session.actor, meta, action: 'user.sessions.read', entityType: 'User', entityId: session.actor.userId, detail: { count: rows.length } });
      return rows.map((r) => ({
        id: r.id, device: describeDevice(r.user_agent, meta.locale), ipAddress: r.ip,
        createdAt: new Date(r.created_at).toISOString(), lastUsedAt: new Date(r.last_seen_at).toISOString(), current: r.token_hash === session.tokenHash,
      }));
    },

    /** Ends one of the person's sessions, or (without an id) every one but the current. */
    async endSessions(session: SessionInfo, sessionId: string | null, meta: RequestMeta): Promise<{ ended: number }> {
      return db.transaction(async (tx) => {
        forgetRecentSessions(tx);
        const ended = sessionId
          ? (await tx.query('UPDATE sessions SET revoked_at = now() WHERE id = $1 AND user_id = $2 AND revoked_at IS NULL RETURNING id', [sessionId, session.actor.userId])).length
          : await revokeOtherSessions(tx, session.actor.userId, session.tokenHash);
        if (sessionId && ended === 0) throw new AppError('NOT_FOUND', 'This session has ended already.');
        await recordAudit(tx, { actor: session.actor, meta, action: 'user.sessions.end', entityType: 'User', entityId: session.actor.userId, detail: { sessions: ended } });
        return { ended };
      });
    },

    /** Admin: creates a staff account and mails a link to choose a password. */
    async createStaffUser(admin: Actor, input: { email: string; name: string; role: Role; interprets?: string[] }, meta: RequestMeta) {
      return db.transaction(async (tx) => {
        if (await findUserByEmail(tx, input.email)) throw new AppError('CONFLICT', 'An account with this email already exists.');
        const user = await insertUser(tx, { email: input.email, name: input.name, role: input.role, passwordHash: null, verified: false, createdBy: admin.userId, ...(input.interprets ? { interprets: input.interprets } : {}) });
        const token = await issueUserToken(tx, user.id, 'set_password', deps.now(), 72 * 60);
        await enqueueMail(tx, { kind: 'set_password', to: user.email, ...accountMails(user.locale).created(link(`/set-password?token=${token}`)) });
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

    /** Admin: mails the person a link to choose a new password; their sessions end now. */
    async adminResetPassword(admin: Actor, userId: string, meta: RequestMeta): Promise<void> {
      await db.transaction(async (tx) => {
        const user = await findUserById(tx, userId);
        if (!user) throw new AppError('NOT_FOUND', 'No such user.');
        await tx.query('UPDATE users SET password_hash = NULL WHERE id = $1', [userId]);
        await revokeUserSessions(tx, userId);
        const token = await issueUserToken(tx, userId, 'set_password', deps.now(), 24 * 60);
        await enqueueMail(tx, { kind: 'set_password', to: user.email, ...accountMails(user.locale).passwordResetByAdmin(link(`/set-password?token=${token}`)) });
        await recordAudit(tx, { actor: admin, meta, action: 'user.password_reset', entityType: 'User', entityId: userId });
      });
    },

    /** Admin: removes a lost authenticator; the person sets up a new one at the next sign-in. */
    async adminResetMfa(admin: Actor, userId: string, meta: RequestMeta): Promise<void> {
      await db.transaction(async (tx) => {
        const user = await findUserById(tx, userId);
        if (!user) throw new AppError('NOT_FOUND', 'No such user.');
        await tx.query('UPDATE users SET totp_secret = NULL, totp_pending_secret = NULL, totp_enabled_at = NULL, totp_last_step = NULL WHERE id = $1', [userId]);
        await tx.query(`DELETE FROM login_failures WHERE user_id = $1 AND kind IN ('mfa', 'step_up')`, [userId]);
        await revokeUserSessions(tx, userId);
        await recordAudit(tx, { actor: admin, meta, action: 'user.mfa_reset', entityType: 'User', entityId: userId });
        await enqueueMail(tx, { kind: 'security_notice', to: user.email, ...accountMails(user.locale).mfaResetByAdmin(isStaff(user.role)) });
      });
    },

    /**
     * Seals authenticator secrets kept in plain text (written before they were encrypted at rest)
     * and reseals those under an older master key: at start-up, and by `consilium blobs-rotate`.
     */
    async resealSecrets(opts: { rotate: boolean }): Promise<number> {
      // At start-up only plaintext secrets (written before sealing existed) are due: the database
      // finds them, so a sealed store costs one empty query rather than reading every account.
      const rows = await db.query<{ id: string; totp_secret: string | null; totp_pending_secret: string | null }>(
        `SELECT id, totp_secret, totp_pending_secret FROM users
         WHERE ${opts.rotate ? 'totp_secret IS NOT NULL OR totp_pending_secret IS NOT NULL' : `totp_secret NOT LIKE '${SEALED_PREFIX}:%' OR totp_pending_secret NOT LIKE '${SEALED_PREFIX}:%'`}`);
      const due = (v: string | null) => v != null && (opts.rotate ? secrets.stale(v) : !isSealed(v));
      let n = 0;
      for (const r of rows.filter((row) => due(row.totp_secret) || due(row.totp_pending_secret))) {
        const reseal = (v: string | null) => (v && due(v) ? secrets.seal(secrets.open(v)) : v);
        await db.query('UPDATE users SET totp_secret = $2, totp_pending_secret = $3 WHERE id = $1', [r.id, reseal(r.totp_secret), reseal(r.totp_pending_secret)]);
        n++;
      }
      return n;
    },
  };
}

export type AccountsService = ReturnType<typeof accountsService>;
