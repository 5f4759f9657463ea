import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { errorResponses, requestMeta } from '../core/http.ts';
import type { MessagesService } from './service.ts';

const Params = z.object({ id: z.uuid() });
const ThreadParams = z.object({ id: z.uuid(), threadId: z.uuid() });
const Body = z.string().trim().min(1, 'Write a message.').max(4000);
const Thread = z.object({ id: z.uuid(), kind: z.enum(['followup', 'care_team']), subject: z.string(), lastMessageAt: z.string(), messages: z.number().int(), unread: z.number().int() }).meta({ id: 'MessageThread' });
const Message = z.object({ id: z.uuid(), body: z.string(), author: z.string(), authorRole: z.string(), mine: z.boolean(), documentId: z.uuid().nullable(), documentName: z.string().nullable().describe('The attached record’s file name; null when none, or on the patient’s side for a file someone else added'), createdAt: z.string() });

/** The case's message centre (patient's side, the case's coordinator and experts). */
export function messagesRoutes(messages: MessagesService) {
  return async (fastify: FastifyInstance) => {
    const app = fastify.withTypeProvider<ZodTypeProvider>();
    const tags = ['messages'];
    app.get('/cases/:id/threads', { config: { access: { case: 'case.read' } }, schema: { tags, summary: 'The case’s conversations, newest first, each with my unread count', params: Params, response: { 200: z.array(Thread), ...errorResponses } } },
      async (req) => messages.threads(req.actor, requestMeta(req), req.params.id));
    app.post('/cases/:id/threads', { config: { access: { case: 'case.read' } }, schema: { tags, summary: 'Start a conversation (a record of the case may be attached)', params: Params,
      body: z.strictObject({ subject: z.string().trim().min(3, 'Give the conversation a subject.').max(200), body: Body, documentId: z.uuid().optional() }), response: { 201: z.object({ threadId: z.uuid() }), ...errorResponses } } },
    async (req, reply) => reply.code(201).send(await messages.start(req.actor, requestMeta(req), req.params.id, req.body)));
    app.get('/cases/:id/threads/:threadId', { config: { access: { case: 'case.read' } }, schema: { tags, summary: 'A conversation’s messages (reading marks it read)', params: ThreadParams,
      response: { 200: z.object({ id: z.uuid(), kind: z.enum(['followup', 'care_team']), subject: z.string(), messages: z.array(Message) }), ...errorResponses } } },
    async (req) => messages.thread(req.actor, requestMeta(req), req.params.id, req.params.threadId));
    app.post('/cases/:id/threads/:threadId/messages', { config: { access: { case: 'case.read' } }, schema: { tags, summary: 'Write in a conversation (follow-up questions go to /followups)', params: ThreadParams,
      body: z.strictObject({ body: Body, documentId: z.uuid().optional() }), response: { 201: z.object({ id: z.uuid(), createdAt: z.string() }), ...errorResponses } } },
    async (req, reply) => reply.code(201).send(await messages.post(req.actor, requestMeta(req), req.params.id, req.params.threadId, req.body)));
  };
}
