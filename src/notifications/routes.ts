import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { errorResponses, requestMeta } from '../core/http.ts';
import type { LiveHub } from './live.ts';
import type { NotificationsService } from './service.ts';

export const Notice = z.object({
  id: z.number().int(),
  kind: z.string(),
  title: z.string(),
  caseId: z.uuid(),
  caseReference: z.string(),
  link: z.string(),
  createdAt: z.string(),
  read: z.boolean(),
});
const Unread = z.object({ unread: z.number().int() });

/** The signed-in person's notices: list and page, unread count (polled by the menu), mark read. */
// A page reconnects by itself (EventSource); each reconnection is signed in and checked again.
const STREAM_MINUTES = 10;
const HEARTBEAT_MS = 25_000;

export function notificationsRoutes(notifications: NotificationsService, live: LiveHub) {
  return async (fastify: FastifyInstance) => {
    const app = fastify.withTypeProvider<ZodTypeProvider>();
    const tags = ['notifications'];
    app.get('/notifications', {
      config: { access: 'signed-in' },
      schema: {
        tags, summary: 'My notices, newest first (page with `before`, the last id of the previous page)',
        querystring: z.strictObject({
          unread: z.enum(['true', 'false']).optional().transform((v) => v === 'true'),
          before: z.coerce.number().int().min(1).max(Number.MAX_SAFE_INTEGER).optional(),
          limit: z.coerce.number().int().min(1).max(50).default(20),
        }),
        response: { 200: z.object({ items: z.array(Notice), unread: z.number().int(), nextBefore: z.number().int().nullable() }), ...errorResponses },
      },
    }, async (req) => notifications.list(req.actor, requestMeta(req), req.query));
    app.get('/notifications/unread', { config: { access: 'signed-in' }, schema: { tags, summary: 'How many of my notices are unread', response: { 200: Unread, ...errorResponses } } },
      async (req) => ({ unread: await notifications.unread(req.actor) }));
    app.post('/notifications/read', {
      config: { access: 'signed-in' },
      schema: {
        tags, summary: 'Mark some of my notices, or all, as read',
        body: z.union([z.strictObject({ ids: z.array(z.number().int().min(1)).min(1).max(100) }), z.strictObject({ all: z.literal(true) })]),
        response: { 200: Unread, ...errorResponses },
      },
    }, async (req) => notifications.markRead(req.actor, requestMeta(req), req.body));
    app.get('/notifications/live', {
      config: { access: 'signed-in' },
      schema: { tags, summary: 'Server-sent events: `notice` with { caseId, kind } whenever I get a notice, so open pages refresh (ids only; the page then reads)' },
    }, async (req, reply) => {
      const actor = req.actor;
      reply.hijack();
      const res = reply.raw;
      res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-store', 'x-accel-buffering': 'no' });
      res.write('retry: 5000\n\n');
      const stop = live.subscribe(actor.userId, (s) => res.write(`event: notice\ndata: ${JSON.stringify({ caseId: s.caseId, kind: s.kind })}\n\n`));
      const beat = setInterval(() => res.write(': still here\n\n'), HEARTBEAT_MS);
      const end = setTimeout(() => res.end(), STREAM_MINUTES * 60_000);
      res.on('close', () => {
        stop();
        clearInterval(beat);
        clearTimeout(end);
      });
    });
  };
}
