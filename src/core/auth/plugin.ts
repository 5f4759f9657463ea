import fp from 'fastify-plugin';
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { Config } from '../config.ts';
import type { Db } from '../db.ts';
import { resolveSession, type SessionInfo } from './sessions.ts';

export const SESSION_COOKIE = 'consilium_session';

declare module 'fastify' {
  interface FastifyRequest {
    auth: SessionInfo | null;
  }
  interface FastifyContextConfig {
    /**
     * A read a viewer makes many times a second (a slide's tiles): the session lookup may be
     * reused for `VIEWER_ACCESS_REUSE_SECONDS`, as the route's case decision is.
     */
    viewerRead?: boolean;
  }
}

/** Sets the session cookie: httpOnly, SameSite=Strict, Secure in production. */
export function setSessionCookie(reply: FastifyReply, token: string, config: Config): void {
  reply.setCookie(SESSION_COOKIE, token, {
    httpOnly: true,
    sameSite: 'strict',
    secure: config.secureCookies,
    path: '/',
    maxAge: Math.floor(config.sessionAbsoluteMs / 1000),
  });
}

export function clearSessionCookie(reply: FastifyReply, config: Config): void {
  reply.clearCookie(SESSION_COOKIE, { path: '/', httpOnly: true, sameSite: 'strict', secure: config.secureCookies });
}

/** Resolves the session cookie on every request into `req.auth` (null when signed out). */
export const authPlugin = fp(async (app: FastifyInstance, opts: { db: Db; config: Config; now: () => Date }) => {
  app.decorateRequest('auth', null);
  app.addHook('onRequest', async (req) => {
    // DICOMweb and API clients that cannot keep cookies send the same token as a bearer token.
    const bearer = /^Bearer ([A-Za-z0-9_-]{20,200})$/.exec(req.headers.authorization ?? '')?.[1];
    const token = req.cookies[SESSION_COOKIE] ?? bearer;
    const reuseMs = req.routeOptions.config?.viewerRead ? opts.config.viewerAccessReuseMs : 0;
    req.auth = token ? await resolveSession(opts.db, token, { idleMs: opts.config.sessionIdleMs, absoluteMs: opts.config.sessionAbsoluteMs }, opts.now(), reuseMs) : null;
  });
});
