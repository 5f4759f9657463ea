import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { clearSessionCookie, setSessionCookie } from '../core/auth/plugin.ts';
import type { Config } from '../core/config.ts';
import { AppError } from '../core/errors.ts';
import { errorResponses, ProblemSchema, requestMeta } from '../core/http.ts';
import { negotiateLocale } from '../core/locale.ts';
import * as s from './schemas.ts';
import type { AccountsService } from './service.ts';

const Ok = z.object({ ok: z.literal(true) });

/** Registration, sign-in, MFA and (for admins) staff accounts. */
export function accountsRoutes(opts: { accounts: AccountsService; config: Config }) {
  const { accounts, config } = opts;
  return async (fastify: FastifyInstance) => {
    const app = fastify.withTypeProvider<ZodTypeProvider>();
    const tags = ['auth'];
    // The route's access ('session' or 'signed-in') was checked before the handler runs.
    const session = (req: FastifyRequest) => {
      if (!req.auth) throw new AppError('UNAUTHENTICATED');
      return req.auth;
    };

    app.post('/auth/register', { config: { access: 'public' }, schema: { tags, summary: 'Register a patient or caregiver account', body: s.RegisterBody, response: { 201: Ok, ...errorResponses } } }, async (req, reply) => {
      await accounts.register({ ...req.body, locale: req.body.locale ?? negotiateLocale(req.headers['accept-language']) }, requestMeta(req));
      return reply.code(201).send({ ok: true });
    });
    app.post('/auth/verify-email', { config: { access: 'public' }, schema: { tags, summary: 'Confirm an email address with the mailed token', body: s.TokenBody, response: { 200: Ok, ...errorResponses } } }, async (req) => {
      await accounts.verifyEmail(req.body.token, requestMeta(req));
      return { ok: true as const };
    });
    // A link that was used, or is too old, is answered with its own code so the page can say which.
    const linkErrors = { ...errorResponses, 410: ProblemSchema };
    app.post('/auth/set-password', { config: { access: 'public' }, schema: { tags, summary: 'Choose a password with a mailed link (new staff accounts, resets); every session of the account ends', body: s.SetPasswordBody, response: { 200: Ok, ...linkErrors } } }, async (req) => {
      await accounts.setPassword(req.body.token, req.body.password, requestMeta(req));
      return { ok: true as const };
    });
    app.post('/auth/set-password/check', {
      config: { access: 'public', rateLimit: { max: 60, timeWindow: 60_000 } },
      schema: { tags, summary: 'Whether a mailed link to choose a password still works (LINK_USED, LINK_EXPIRED or NOT_FOUND if not)', body: s.TokenBody, response: { 200: Ok, ...linkErrors } },
    }, async (req) => {
      await accounts.checkPasswordLink(req.body.token);
      return { ok: true as const };
    });
    app.post('/auth/forgot-password', {
      // Per client address here; the service also caps the mails one account receives.
      config: { access: 'public', rateLimit: { max: config.passwordResetRatePerHour, timeWindow: 3_600_000 } },
      schema: { tags, summary: 'Ask for a link to choose a new password; the answer is the same whether or not the address has an account', body: s.ForgotPasswordBody, response: { 202: s.ForgotPasswordView, ...errorResponses } },
    }, async (req, reply) => {
      await accounts.requestPasswordReset(req.body.email, requestMeta(req));
      return reply.code(202).send({ ok: true as const, linkValidMinutes: config.passwordResetLinkMinutes });
    });
    app.post('/auth/login', { config: { access: 'public' }, schema: { tags, summary: 'Sign in; the answer says whether an MFA step follows', body: s.LoginBody, response: { 200: z.object({ mfaState: s.MfaState }), ...errorResponses } } }, async (req, reply) => {
      const { token, mfaState } = await accounts.login(req.body.email, req.body.password, requestMeta(req));
      setSessionCookie(reply, token, config);
      return { mfaState };
    });
    app.post('/auth/logout', { config: { access: 'public' }, schema: { tags, summary: 'Sign out', response: { 200: Ok, ...errorResponses } } }, async (req, reply) => {
      if (req.auth) await accounts.logout(req.auth, requestMeta(req));
      clearSessionCookie(reply, config);
      return { ok: true as const };
    });
    app.get('/auth/me', { config: { access: 'session' }, schema: { tags, summary: 'The signed-in user and session state', response: { 200: s.MeView, ...errorResponses } } }, async (req) => accounts.me(session(req)));
    app.put('/auth/locale', { config: { access: 'session' }, schema: { tags, summary: 'Choose the language of my pages and mail', body: s.LocaleBody, response: { 200: Ok, ...errorResponses } } }, async (req) => {
      await accounts.setLocale(session(req), req.body.locale, requestMeta(req));
      return { ok: true as const };
    });
    app.post('/auth/mfa/setup', { config: { access: 'session' }, schema: { tags, summary: 'Start TOTP enrolment (password, and the current code if an authenticator is set up, asked again); the owner is mailed when it is enabled', body: s.StepUpBody, response: { 200: s.MfaSetupView, ...errorResponses } } }, async (req) =>
      accounts.mfaSetup(session(req), req.body, requestMeta(req)));
    app.post('/auth/mfa/enable', { config: { access: 'session' }, schema: { tags, summary: 'Finish TOTP enrolment with a first code', body: s.CodeBody, response: { 200: Ok, ...errorResponses } } }, async (req) => {
      await accounts.mfaEnable(session(req), req.body.code, requestMeta(req));
      return { ok: true as const };
    });
    app.post('/auth/mfa/disable', { config: { access: 'signed-in' }, schema: { tags, summary: 'Turn two-step sign-in off (patients and caregivers; password and current code asked again)', body: s.StepUpBody, response: { 200: Ok, ...errorResponses } } }, async (req) => {
      await accounts.mfaDisable(session(req), req.body, requestMeta(req));
      return { ok: true as const };
    });
    app.post('/auth/mfa/verify', { config: { access: 'session' }, schema: { tags, summary: 'Complete sign-in with a TOTP code', body: s.CodeBody, response: { 200: Ok, ...errorResponses } } }, async (req) => {
      await accounts.mfaVerify(session(req), req.body.code, requestMeta(req));
      return { ok: true as const };
    });

    app.post('/auth/password-strength', {
      config: { access: 'public', rateLimit: { max: 120, timeWindow: 60_000 } },
      schema: { tags, summary: 'How strong a password being chosen is, with advice in plain words (for the form)', body: s.PasswordStrengthBody, response: { 200: s.PasswordStrengthView, ...errorResponses } },
    }, async (req) => accounts.passwordHint(req.body, requestMeta(req).locale));
    app.post('/auth/password', { config: { access: 'signed-in' }, schema: { tags, summary: 'Change the password (current password and code asked again); every other session ends', body: s.ChangePasswordBody, response: { 200: Ok, ...errorResponses } } }, async (req) => {
      await accounts.changePassword(session(req), req.body, requestMeta(req));
      return { ok: true as const };
    });
    app.get('/auth/sessions', { config: { access: 'signed-in' }, schema: { tags, summary: 'My signed-in sessions: device, address, started, last used', response: { 200: z.array(s.SessionView), ...errorResponses } } }, async (req) =>
      accounts.listSessions(session(req), requestMeta(req)));
    app.delete('/auth/sessions/:sessionId', { config: { access: 'signed-in' }, schema: { tags, summary: 'End one of my sessions', params: z.object({ sessionId: z.uuid() }), response: { 200: z.object({ ended: z.number().int() }), ...errorResponses } } }, async (req) =>
      accounts.endSessions(session(req), req.params.sessionId, requestMeta(req)));
    app.delete('/auth/sessions', { config: { access: 'signed-in' }, schema: { tags, summary: 'End every session of mine but this one', response: { 200: z.object({ ended: z.number().int() }), ...errorResponses } } }, async (req) =>
      accounts.endSessions(session(req), null, requestMeta(req)));

    app.get('/experts', { config: { access: { permission: 'experts.list' } }, schema: { tags: ['cases'], summary: 'Active expert reviewers, for assignment (coordinators)', querystring: z.strictObject({ q: z.string().max(100).optional() }), response: { 200: z.array(z.object({ id: z.uuid(), name: z.string(), email: z.string() })), ...errorResponses } } }, async (req) =>
      accounts.listExperts(req.actor, req.query.q));

    const admin = ['admin'];
    app.get('/admin/users', { config: { access: { permission: 'users.manage' } }, schema: { tags: admin, summary: 'List and search accounts', querystring: s.UserListQuery, response: { 200: z.object({ items: z.array(s.UserView), total: z.number(), page: z.number(), pageSize: z.number() }), ...errorResponses } } }, async (req) =>
      accounts.listUsers(req.actor, req.query, requestMeta(req)));
    app.post('/admin/users', { config: { access: { permission: 'users.manage' } }, schema: { tags: admin, summary: 'Create a staff account (a set-password link is mailed)', body: s.CreateUserBody, response: { 201: s.UserView, ...errorResponses } } }, async (req, reply) => {
      const user = await accounts.createStaffUser(req.actor, req.body as { email: string; name: string; role: never; interprets?: string[] }, requestMeta(req));
      return reply.code(201).send(user);
    });
    app.post('/admin/users/:id/password-reset', { config: { access: { permission: 'users.manage' } }, schema: { tags: admin, summary: 'Reset a password: the person is mailed a link to choose a new one; their sessions end', params: z.object({ id: z.uuid() }), response: { 200: Ok, ...errorResponses } } }, async (req) => {
      await accounts.adminResetPassword(req.actor, req.params.id, requestMeta(req));
      return { ok: true as const };
    });
    app.post('/admin/users/:id/mfa-reset', { config: { access: { permission: 'users.manage' } }, schema: { tags: admin, summary: 'Remove a lost authenticator: the person sets up a new one at the next sign-in; their sessions end', params: z.object({ id: z.uuid() }), response: { 200: Ok, ...errorResponses } } }, async (req) => {
      await accounts.adminResetMfa(req.actor, req.params.id, requestMeta(req));
      return { ok: true as const };
    });
    app.patch('/admin/users/:id', { config: { access: { permission: 'users.manage' } }, schema: { tags: admin, summary: 'Disable or enable an account', params: z.object({ id: z.uuid() }), body: s.UpdateUserBody, response: { 200: s.UserView, ...errorResponses } } }, async (req) =>
      accounts.setDisabled(req.actor, req.params.id, req.body.disabled, requestMeta(req)));
  };
}
