import fp from 'fastify-plugin';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { roleAllows, type Permission } from './auth/roles.ts';
import type { Actor } from './context.ts';
import { AppError } from './errors.ts';
import { requireActor } from './http.ts';

/**
 * Who may call a route, declared by the route itself (`config: { access }`) and checked before
 * the body is read or validated, so a signed-out caller gets 401 (not a schema error) everywhere.
 *
 * - `public`: anyone (sign-up, assessment, invitation links, health checks).
 * - `session`: a session, even one still waiting for its second sign-in step (me, logout, MFA).
 * - `signed-in`: a complete sign-in, any role (the service decides what the person may see).
 * - `{ permission }`: a complete sign-in with a role that has the permission (403 otherwise).
 * - `{ case }`: a complete sign-in; role AND grant on the case are checked by the service that
 *   opens the case, which answers 404 outside the grant (a case's existence is health data).
 */
export type RouteAccess = 'public' | 'session' | 'signed-in' | { permission: Permission } | { case: Permission };

declare module 'fastify' {
  interface FastifyContextConfig {
    access?: RouteAccess;
  }
  interface FastifyRequest {
    /** The signed-in actor of a route whose access was checked (throws 401 where there is none). */
    readonly actor: Actor;
  }
}

// Every route of the API, FHIR and DICOMweb declares its access; web assets are public files.
const GUARDED = /^\/(api|fhir|dicomweb)(\/|$)|^\/(healthz|readyz)$/;

/** A readable line for the OpenAPI document (`x-access`) and for error messages. */
export function describeAccess(access: RouteAccess): string {
  if (typeof access === 'string') return access;
  return 'permission' in access ? `permission:${access.permission}` : `case:${access.case}`;
}

export function checkAccess(req: FastifyRequest, access: RouteAccess): void {
  if (access === 'public') return;
  if (access === 'session') {
    if (!req.auth) throw new AppError('UNAUTHENTICATED');
    return;
  }
  const actor = requireActor(req);
  if (typeof access === 'object' && 'permission' in access && !roleAllows(actor.role, access.permission)) throw new AppError('FORBIDDEN');
}

export const routeAccessPlugin = fp(async (app: FastifyInstance) => {
  app.decorateRequest('actor', {
    getter(this: FastifyRequest) {
      return requireActor(this);
    },
  });
  app.addHook('onRoute', (route) => {
    if (!GUARDED.test(route.url)) return;
    if (!route.config?.access) throw new Error(`${String(route.method)} ${route.url} declares no access (config.access): every route says who may call it.`);
  });
  app.addHook('onRequest', async (req) => {
    const access = req.routeOptions.config?.access;
    if (access) checkAccess(req, access);
  });
});
