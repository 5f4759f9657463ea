import { negotiateLocale } from './locale.ts';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { Actor, RequestMeta } from './context.ts';
import { AppError } from './errors.ts';
import { roleAllows, type Permission } from './auth/roles.ts';

/** Where the request came from, for the audit trail. */
/**
 * For an answer sent before the request body was read to the end (a refusal part-way through an
 * upload): the rest of that body would sit on a kept-alive connection, and the client's next
 * request on it would wait behind bytes nobody reads. The connection closes after the answer.
 */
export function closeIfBodyUnread(req: IncomingMessage, res: ServerResponse): void {
  if (!req.complete) res.setHeader('connection', 'close');
}

export function requestMeta(req: FastifyRequest): RequestMeta {
  const ua = req.headers['user-agent'];
  return { ip: req.ip ?? null, userAgent: typeof ua === 'string' ? ua.slice(0, 500) : null, locale: negotiateLocale(req.headers['accept-language']) };
}

/** The signed-in actor with a complete sign-in (MFA done where required), or a 401. */
export function requireActor(req: FastifyRequest): Actor {
  const auth = req.auth;
  if (!auth) throw new AppError('UNAUTHENTICATED');
  if (auth.mfaState !== 'ok') throw new AppError('MFA_REQUIRED', auth.mfaState === 'pending' ? 'Enter the code from your authenticator app.' : 'Set up two-step sign-in before continuing.', { mfaState: auth.mfaState });
  return auth.actor;
}

/** The problem-details body, as documented in OpenAPI for every error response. */
export const ProblemSchema = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.number().int(),
    detail: z.string().optional(),
    instance: z.string().optional(),
    key: z.string().optional().meta({ description: 'The message as an English template with {0}, {1}… for its values (detail is it filled in): the id for clients that word it in another language' }),
    params: z.record(z.string(), z.unknown()).optional().meta({ description: 'The values of the template, by position' }),
    code: z.string(),
    errors: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
  })
  .loose()
  .meta({ id: 'Problem' });

export const PageQuery = {
  page: z.coerce.number().int().min(1).max(10_000).default(1),
  pageSize: z.coerce.number().int().min(1).max(100).default(25),
};

/** A page of results with the total, the shape of every list endpoint. */
export function pageOf<T extends z.ZodType>(item: T) {
  return z.object({ items: z.array(item), total: z.number().int(), page: z.number().int(), pageSize: z.number().int() });
}

/** A page of a list that may be long: above a threshold its total is the database's estimate. */
export function estimatedPageOf<T extends z.ZodType>(item: T) {
  return pageOf(item).extend({ totalIsEstimate: z.boolean().meta({ description: 'True when `total` is an estimate (a long list); exact otherwise' }) });
}

export const Uuid = z.uuid();
export const IsoDate = z.iso.date();

/** The actor, who must also hold a role permitted to `permission` (403 otherwise). */
export function requirePermission(req: FastifyRequest, permission: Permission): Actor {
  const actor = requireActor(req);
  if (!roleAllows(actor.role, permission)) throw new AppError('FORBIDDEN');
  return actor;
}

/** Standard error responses, documented for every route in OpenAPI. */
export const errorResponses = {
  400: ProblemSchema,
  401: ProblemSchema,
  403: ProblemSchema,
  404: ProblemSchema,
  409: ProblemSchema,
  422: ProblemSchema,
  429: ProblemSchema,
};
