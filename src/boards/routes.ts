import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Config } from '../core/config.ts';
import { errorResponses, requestMeta } from '../core/http.ts';
import { CLOSE_NO_LONGER_ALLOWED, openChannel, sameOriginOnly } from '../core/realtime.ts';
import type { BoardHub } from './live.ts';
import { BOARDS, boardLabelIn } from './rules.ts';
import * as s from './schemas.ts';
import type { BoardsService } from './service.ts';

const Ok = z.object({ ok: z.literal(true) });
const CaseParams = z.object({ id: z.uuid() });
const SessionParams = z.object({ sessionId: z.uuid() });
const AgendaParams = z.object({ sessionId: z.uuid(), caseId: z.uuid() });
const MemberParams = z.object({ sessionId: z.uuid(), userId: z.uuid() });
const ok = { ok: true as const };

// A page reconnects by itself; each connection is signed in and checked again.
const LIVE_MINUTES = 10;
const LiveMessage = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('present'), state: s.PresentationState }),
  z.strictObject({ type: z.literal('ping') }),
]);

/** Boards: proposals on a case, sessions with their agenda and members, the live room and the minutes. */
export function boardsRoutes(boards: BoardsService, hub: BoardHub, config: Config) {
  return async (fastify: FastifyInstance) => {
    const app = fastify.withTypeProvider<ZodTypeProvider>();
    const tags = ['boards'];

    app.get('/boards/types', { config: { access: 'signed-in' }, schema: { tags, summary: 'Board types with their required roster, and the proposal rules, with sources and review dates', response: { 200: z.object({
      version: z.string(),
      types: z.array(z.object({ id: z.string(), label: z.string(), roster: z.array(z.object({ seat: z.string(), anyOf: z.array(z.string()) })), sources: z.array(z.string()), reviewedOn: z.string() })),
      rules: z.array(z.object({ id: z.string(), text: z.string(), sources: z.array(z.string()), reviewedOn: z.string() })),
      sources: z.array(z.object({ id: z.string(), title: z.string(), detail: z.string(), reviewedOn: z.string() })),
    }), ...errorResponses } } }, async (req) => ({
      version: BOARDS.version,
      types: BOARDS.boardTypes.map((t) => ({ id: t.id, label: boardLabelIn(t, requestMeta(req).locale ?? 'en'), roster: t.roster, sources: t.sources, reviewedOn: t.reviewedOn })),
      rules: BOARDS.proposalRules.map((r) => ({ id: r.id, text: r.text, sources: r.sources, reviewedOn: r.reviewedOn })),
      sources: BOARDS.sources,
    }));

    // ---- On a case ----
    app.get('/cases/:id/board', { config: { access: { case: 'case.read' } }, schema: { tags, summary: 'Whether the rules propose a board and why, the proposal, sessions and confirmed recommendations', params: CaseParams, response: { 200: s.CaseBoardView, ...errorResponses } } },
      async (req) => boards.caseBoard(req.actor, requestMeta(req), req.params.id));
    app.post('/cases/:id/board/request', { config: { access: { case: 'case.read' } }, schema: { tags, summary: 'Ask for a board discussion (patient side or assigned reviewer)', params: CaseParams, body: s.BoardRequest, response: { 201: Ok, ...errorResponses } } },
      async (req, reply) => { await boards.request(req.actor, requestMeta(req), req.params.id, req.body.note); return reply.code(201).send(ok); });
    app.post('/cases/:id/board/confirm', { config: { access: { case: 'case.board.confirm' } }, schema: { tags, summary: 'Confirm the board proposal with the board type (the case’s coordinator)', params: CaseParams, body: s.ProposalConfirm, response: { 200: Ok, ...errorResponses } } },
      async (req) => { await boards.confirm(req.actor, requestMeta(req), req.params.id, req.body.boardType); return ok; });
    app.post('/cases/:id/board/decline', { config: { access: { case: 'case.board.confirm' } }, schema: { tags, summary: 'Decline a board for this case, with a reason (the case’s coordinator)', params: CaseParams, body: s.ProposalDecline, response: { 200: Ok, ...errorResponses } } },
      async (req) => { await boards.decline(req.actor, requestMeta(req), req.params.id, req.body.reason); return ok; });

    // ---- Sessions ----
    app.get('/boards/proposals', { config: { access: { permission: 'board.manage' } }, schema: { tags, summary: 'Cases confirmed for a board and waiting for an agenda (chair)', querystring: z.strictObject({ boardType: s.BoardTypeId.optional() }), response: { 200: z.array(z.object({
      caseId: z.uuid(), reference: z.string(), boardType: z.string(), boardLabel: z.string(), condition: z.string().nullable(), reasons: z.array(z.string()), confirmedAt: z.string(), scheduledFor: z.string().nullable(),
    })), ...errorResponses } } }, async (req) => boards.proposals(req.actor, requestMeta(req), req.query.boardType));
    app.get('/boards/sessions', { config: { access: { permission: 'board.sit' } }, schema: { tags, summary: 'Upcoming (or past) sessions I chair or sit on; a chair sees all', querystring: z.strictObject({ past: z.enum(['true', 'false']).optional().transform((v) => v === 'true') }), response: { 200: z.array(s.SessionSummary), ...errorResponses } } },
      async (req) => boards.sessions(req.actor, { past: req.query.past }, requestMeta(req).locale));
    app.post('/boards/sessions', { config: { access: { permission: 'board.manage' } }, schema: { tags, summary: 'Schedule a session, or a weekly series (chair)', body: s.SessionInput, response: { 201: z.array(s.SessionSummary), ...errorResponses } } },
      async (req, reply) => reply.code(201).send(await boards.createSessions(req.actor, requestMeta(req), req.body)));
    app.get('/boards/sessions/:sessionId', { config: { access: { permission: 'board.sit' } }, schema: { tags, summary: 'A session: agenda, members, quorum and what is presented (chair and members)', params: SessionParams, response: { 200: s.SessionView, ...errorResponses } } },
      async (req) => boards.session(req.actor, requestMeta(req), req.params.sessionId));
    app.patch('/boards/sessions/:sessionId', { config: { access: { permission: 'board.manage' } }, schema: { tags, summary: 'Move or rename a session, or this and the following sessions of its series (members get the calendar update)', params: SessionParams, body: s.SessionChange, response: { 200: z.array(s.SessionSummary), ...errorResponses } } },
      async (req) => boards.changeSessions(req.actor, requestMeta(req), req.params.sessionId, req.body));
    app.post('/boards/sessions/:sessionId/cancel', { config: { access: { permission: 'board.manage' } }, schema: { tags, summary: 'Cancel a session, or this and the following sessions of its series (members lose access to their cases)', params: SessionParams, querystring: s.SessionCancel, response: { 200: Ok, ...errorResponses } } },
      async (req) => { await boards.cancelSession(req.actor, requestMeta(req), req.params.sessionId, req.query.scope); return ok; });
    app.post('/boards/sessions/:sessionId/agenda', { config: { access: { permission: 'board.manage' } }, schema: { tags, summary: 'Put a confirmed case on the agenda', params: SessionParams, body: s.AgendaAdd, response: { 201: Ok, ...errorResponses } } },
      async (req, reply) => { await boards.addToAgenda(req.actor, requestMeta(req), req.params.sessionId, req.body.caseId, req.body.minutes); return reply.code(201).send(ok); });
    app.put('/boards/sessions/:sessionId/agenda', { config: { access: { permission: 'board.manage' } }, schema: { tags, summary: 'Order the agenda (every case of it, in the new order)', params: SessionParams, body: s.AgendaOrder, response: { 200: Ok, ...errorResponses } } },
      async (req) => { await boards.orderAgenda(req.actor, requestMeta(req), req.params.sessionId, req.body.caseIds); return ok; });
    app.patch('/boards/sessions/:sessionId/agenda/:caseId', { config: { access: { permission: 'board.manage' } }, schema: { tags, summary: 'Set the time for a case', params: AgendaParams, body: s.AgendaMinutes, response: { 200: Ok, ...errorResponses } } },
      async (req) => { await boards.setAgendaMinutes(req.actor, requestMeta(req), req.params.sessionId, req.params.caseId, req.body.minutes); return ok; });
    app.delete('/boards/sessions/:sessionId/agenda/:caseId', { config: { access: { permission: 'board.manage' } }, schema: { tags, summary: 'Take a case off the agenda', params: AgendaParams, response: { 200: Ok, ...errorResponses } } },
      async (req) => { await boards.removeFromAgenda(req.actor, requestMeta(req), req.params.sessionId, req.params.caseId); return ok; });
    app.post('/boards/sessions/:sessionId/members', { config: { access: { permission: 'board.manage' } }, schema: { tags, summary: 'Invite a member from the directory (mail with a calendar invitation)', params: SessionParams, body: s.MemberInvite, response: { 201: Ok, ...errorResponses } } },
      async (req, reply) => { await boards.invite(req.actor, requestMeta(req), req.params.sessionId, req.body.userId, req.body.seat); return reply.code(201).send(ok); });
    app.post('/boards/sessions/:sessionId/members/reviewers', { config: { access: { permission: 'board.manage' } }, schema: { tags, summary: 'Invite the assigned reviewers of every agenda case', params: SessionParams, response: { 200: z.object({ invited: z.number().int() }), ...errorResponses } } },
      async (req) => boards.inviteReviewers(req.actor, requestMeta(req), req.params.sessionId));
    app.delete('/boards/sessions/:sessionId/members/:userId', { config: { access: { permission: 'board.manage' } }, schema: { tags, summary: 'Remove a member (they lose access to the agenda cases)', params: MemberParams, response: { 200: Ok, ...errorResponses } } },
      async (req) => { await boards.removeMember(req.actor, requestMeta(req), req.params.sessionId, req.params.userId); return ok; });
    app.put('/boards/sessions/:sessionId/members/:userId/attendance', { config: { access: { permission: 'board.manage' } }, schema: { tags, summary: 'Record whether a member attended', params: MemberParams, body: s.Attendance, response: { 200: Ok, ...errorResponses } } },
      async (req) => { await boards.setAttendance(req.actor, requestMeta(req), req.params.sessionId, req.params.userId, req.body.attended); return ok; });
    app.put('/boards/sessions/:sessionId/presenter', { config: { access: { permission: 'board.manage' } }, schema: { tags, summary: 'Hand the presentation to a member (or take it back)', params: SessionParams, body: z.strictObject({ userId: z.uuid() }), response: { 200: Ok, ...errorResponses } } },
      async (req) => { await boards.setPresenter(req.actor, requestMeta(req), req.params.sessionId, req.body.userId); return ok; });
    app.put('/boards/sessions/:sessionId/presentation', { config: { access: { permission: 'board.sit' } }, schema: { tags, summary: 'Move the shared view (the presenter); the live channel does the same', params: SessionParams, body: s.PresentationState, response: { 200: z.object({ seq: z.number().int() }), ...errorResponses } } },
      async (req) => boards.present(req.actor, requestMeta(req), req.params.sessionId, req.body));
    app.get('/boards/sessions/:sessionId/cases/:caseId', { config: { access: { permission: 'board.sit' } }, schema: { tags, summary: 'The one-page presentation of an agenda case, each fact linked to its record', params: AgendaParams, response: { 200: s.CasePresentation, ...errorResponses } } },
      async (req) => boards.presentation(req.actor, requestMeta(req), req.params.sessionId, req.params.caseId));
    app.put('/boards/sessions/:sessionId/cases/:caseId/minutes', { config: { access: { permission: 'board.sit' } }, schema: { tags, summary: 'Save the minutes of a case (chair or presenter)', params: AgendaParams, body: s.MinutesDraft, response: { 200: z.object({ missing: z.array(z.string()) }), ...errorResponses } } },
      async (req) => boards.saveMinutes(req.actor, requestMeta(req), req.params.sessionId, req.params.caseId, req.body));
    app.post('/boards/sessions/:sessionId/cases/:caseId/minutes/confirm', { config: { access: { permission: 'board.manage' } }, schema: { tags, summary: 'Confirm the minutes (chair): final, with attendance', params: AgendaParams, response: { 200: Ok, ...errorResponses } } },
      async (req) => { await boards.confirmMinutes(req.actor, requestMeta(req), req.params.sessionId, req.params.caseId); return ok; });

    /**
     * The live room. Signed in and a member on connect (the same 404 as the session page
     * otherwise); every message the presenter sends is checked and saved by the service; every
     * signal sent out is for people still on the session. Messages carry ids and positions only.
     */
    app.get('/boards/sessions/:sessionId/live', {
      websocket: true, config: { access: { permission: 'board.sit' } },
      schema: { tags, summary: 'WebSocket: `hello` and `state` (what is presented), `changed` (agenda, members, minutes); send `present` to move the shared view', params: SessionParams },
      preValidation: sameOriginOnly(config),
    }, (socket, req) => {
      const actor = req.actor;
      const meta = requestMeta(req);
      const { sessionId } = req.params as { sessionId: string };
      let stop = () => {};
      openChannel(socket, {
        maxMinutes: LIVE_MINUTES,
        schema: LiveMessage,
        // Joining is checked (and attendance recorded) before anything else.
        join: async (channel) => {
          const hello = await boards.joined(actor, meta, sessionId);
          stop = hub.subscribe(sessionId, (signal, allowed) => {
            if (!allowed.has(actor.userId)) return channel.close(CLOSE_NO_LONGER_ALLOWED, 'no longer a member');
            channel.send(signal.kind === 'state' ? { type: 'state', seq: signal.seq, state: signal.state, presenterId: signal.presenterId } : { type: 'changed', ...signal });
          });
          if (socket.readyState !== socket.OPEN) stop();
          return { type: 'hello', ...hello };
        },
        onMessage: async (m, channel) => {
          if (m.type === 'ping') return channel.send({ type: 'pong' });
          const { seq } = await boards.present(actor, meta, sessionId, m.state);
          channel.send({ type: 'ack', seq });
        },
        onClose: () => stop(),
      });
    });
  };
}
