import type { Appointment } from '@medplum/fhirtypes';
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Config } from '../core/config.ts';
import { AppError } from '../core/errors.ts';
import { errorResponses, requestMeta } from '../core/http.ts';
import { CLOSE_NO_LONGER_ALLOWED, openChannel, sameOriginOnly } from '../core/realtime.ts';
import type { RoomHub, RoomStore } from './room.ts';
import { iceServersFor } from './turn.ts';
import { bundle } from '../fhir/routes.ts';
import { expertOfScheduleId, scheduleResource, slotRange, slotResources } from './fhir.ts';
import { VISIT_TYPE_IDS, VISITS, VisitHours } from './rules.ts';
import { visitTypeById } from './rules.ts';
import type { VisitRow, VisitsService } from './service.ts';

const VisitView = z.object({
  id: z.uuid(), caseId: z.uuid(), type: z.string(), typeLabel: z.string(), expertName: z.string(), startsAt: z.string(), endsAt: z.string(),
  status: z.enum(['booked', 'cancelled', 'ended']), timeZone: z.string(), interpreterLanguage: z.string().nullable(), interpreterName: z.string().nullable(), roomOpen: z.boolean(), past: z.boolean(), canCancel: z.boolean(),
}).meta({ id: 'Visit' });
const CaseParams = z.object({ id: z.uuid() });
const VisitParams = z.object({ visitId: z.uuid() });
const Ok = z.object({ ok: z.literal(true) });

const RoomMessage = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('admit'), userId: z.uuid() }),
  z.strictObject({ type: z.literal('signal'), to: z.uuid(), data: z.strictObject({
    description: z.strictObject({ type: z.enum(['offer', 'answer', 'pranswer', 'rollback']), sdp: z.string().max(64_000).optional() }).optional(),
    candidate: z.strictObject({ candidate: z.string().max(2000), sdpMid: z.string().max(64).nullable().optional(), sdpMLineIndex: z.number().int().min(0).max(64).nullable().optional(), usernameFragment: z.string().max(256).nullable().optional() }).nullable().optional(),
  }) }),
  z.strictObject({ type: z.literal('leave') }),
  z.strictObject({ type: z.literal('end') }),
]);
const LIVE_MINUTES = 90;

/** Close code of a window whose person joined the visit from another window or device. */
export const CLOSE_REPLACED = 4409;

/** Video visits: hours, slots, booking and cancelling on a case, the room's WebSocket, and FHIR Appointment. */
export function visitsRoutes(visits: VisitsService, store: RoomStore, hub: RoomHub, config: Config) {
  return async (fastify: FastifyInstance) => {
    const app = fastify.withTypeProvider<ZodTypeProvider>();
    const tags = ['visits'];
    app.get('/experts/me/visit-hours', { config: { access: { permission: 'experts.own' } }, schema: { tags, summary: 'My weekly hours for video visits, in my time zone (expert)', response: { 200: VisitHours, ...errorResponses } } },
      async (req) => visits.hours(req.actor));
    app.put('/experts/me/visit-hours', { config: { access: { permission: 'experts.own' } }, schema: { tags, summary: 'Set my weekly hours and days off for video visits (expert)', body: VisitHours, response: { 200: VisitHours, ...errorResponses } } },
      async (req) => visits.saveHours(req.actor, requestMeta(req), req.body));
    app.get('/cases/:id/visits', { config: { access: { case: 'case.read' } }, schema: { tags, summary: 'The case’s video visits, and which the caller may book now (each with why not)', params: CaseParams, response: { 200: z.object({
      visits: z.array(VisitView), types: z.array(z.object({ id: z.string(), label: z.string(), minutes: z.number(), bookable: z.boolean(), why: z.array(z.string()) })),
      expertName: z.string().nullable(), cancellationHours: z.number(),
    }), ...errorResponses } } }, async (req) => visits.list(req.actor, requestMeta(req), req.params.id));
    app.get('/cases/:id/visits/slots', { config: { access: { case: 'case.read' } }, schema: { tags, summary: 'Free slots of the lead expert for a visit type (UTC instants; show them in the patient’s zone)', params: CaseParams,
      querystring: z.strictObject({ type: z.enum(VISIT_TYPE_IDS), days: z.coerce.number().int().min(1).max(60).default(21) }), response: { 200: z.object({ expertName: z.string(), slots: z.array(z.string()) }), ...errorResponses } } },
    async (req) => visits.slots(req.actor, requestMeta(req), req.params.id, req.query.type, req.query.days));
    app.post('/cases/:id/visits', { config: { access: { case: 'case.read' } }, schema: { tags, summary: 'Book a video visit in a free slot (patient side); calendar mail to everyone, a reminder the day before', params: CaseParams,
      body: z.strictObject({ type: z.enum(VISIT_TYPE_IDS), startsAt: z.iso.datetime(), timeZone: z.string().min(2).max(64), interpreterLanguage: z.string().regex(/^[a-z]{2,3}$/).optional() }), response: { 201: VisitView, ...errorResponses } } },
    async (req, reply) => reply.code(201).send(await visits.book(req.actor, requestMeta(req), req.params.id, req.body)));
    app.post('/visits/:visitId/cancel', { config: { access: 'signed-in' }, schema: { tags, summary: 'Cancel a visit (patient side up to the policy’s notice; the expert or coordinator at any time)', params: VisitParams,
      body: z.strictObject({ reason: z.string().trim().max(500).optional() }), response: { 200: Ok, ...errorResponses } } },
    async (req) => { await visits.cancel(req.actor, requestMeta(req), req.params.visitId, req.body.reason); return { ok: true as const }; });
    app.post('/visits/:visitId/move', { config: { access: 'signed-in' }, schema: { tags, summary: 'Move a visit to another free time of its expert (same notice as cancelling); calendars are updated in place', params: VisitParams,
      body: z.strictObject({ startsAt: z.iso.datetime() }), response: { 200: VisitView, ...errorResponses } } },
    async (req) => visits.move(req.actor, requestMeta(req), req.params.visitId, req.body.startsAt));
    app.get('/visits/mine', { config: { access: 'signed-in' }, schema: { tags, summary: 'The visits I take part in as expert or interpreter, from yesterday on', response: { 200: z.array(VisitView), ...errorResponses } } },
      async (req) => visits.mine(req.actor, requestMeta(req)));
    app.get('/visits/:visitId/interpreters', { config: { access: { permission: 'interpreters.list' } }, schema: { tags, summary: 'Interpreters in the visit’s language who are free at its time (the case’s coordinator)', params: VisitParams,
      response: { 200: z.array(z.object({ id: z.uuid(), name: z.string(), interprets: z.array(z.string()) })), ...errorResponses } } },
    async (req) => visits.interpreters(req.actor, requestMeta(req), req.params.visitId));
    app.put('/visits/:visitId/interpreter', { config: { access: { permission: 'interpreters.list' } }, schema: { tags, summary: 'Book an interpreter into the visit, or take them off it (the case’s coordinator); the interpreter gets the calendar mail', params: VisitParams,
      body: z.strictObject({ userId: z.uuid().nullable() }), response: { 200: VisitView, ...errorResponses } } },
    async (req) => visits.setInterpreter(req.actor, requestMeta(req), req.params.visitId, req.body.userId));
    app.get('/visits/:visitId', { config: { access: 'signed-in' }, schema: { tags, summary: 'A visit, for its room (the expert and the patient side of its case)', params: VisitParams, response: { 200: VisitView.extend({ expert: z.boolean() }), ...errorResponses } } },
      async (req) => {
        const r = await visits.enter(req.actor, requestMeta(req), req.params.visitId, { action: 'visit.read' });
        return { ...r.visit, expert: r.expert };
      });

    /**
     * The room: signed in, on the visit (the case's check), of our origin, and only while the room
     * is open. The expert is admitted; anyone else waits until the expert admits them. Admitted
     * participants exchange WebRTC messages through the server; the media goes between them.
     */
    app.get('/visits/:visitId/live', {
      websocket: true, config: { access: 'signed-in' },
      schema: { tags, summary: 'WebSocket: `hello`, `presence`, `signal`, `ended`, `replaced` (the person joined from another window; this one closes); send `admit` (expert), `signal`, `leave`, `end` (expert)', params: VisitParams },
      preValidation: sameOriginOnly(config),
    }, (socket, req) => {
      const actor = req.actor;
      const meta = requestMeta(req);
      const { visitId } = req.params as { visitId: string };
      let stop = () => {};
      let entered: { expert: boolean; caseId: string; expertId: string } | null = null;
      const connection = crypto.randomUUID();
      openChannel(socket, {
        maxMinutes: LIVE_MINUTES,
        schema: RoomMessage,
        join: async (channel) => {
          const r = await visits.enter(actor, meta, visitId, { action: 'visit.room.enter' });
          if (!r.visit.roomOpen) throw new AppError('CONFLICT', r.visit.status === 'booked' ? 'The room opens 15 minutes before the visit.' : 'This visit is over.');
          const v = await visits.find(visitId);
          const me = { expert: r.expert, caseId: r.caseId, expertId: v.expert_id };
          entered = me;
          await store.enter(visitId, actor, r.expert, connection);
          // Signals are handled one at a time, in the order they came: a newer presence list is never overwritten by an older one.
          let inOrder: Promise<unknown> = Promise.resolve();
          stop = hub.subscribe(visitId, (s) => {
            inOrder = inOrder.then(async () => {
              if (s.kind === 'presence') {
                // Whoever was removed from the case meanwhile leaves the room at the next change.
                if (!(await visits.stillAllowed(visitId, actor.userId))) return channel.close(CLOSE_NO_LONGER_ALLOWED, 'no longer on the case');
                // The person opened the visit in another window: that one is them now.
                if (!(await store.isCurrent(visitId, actor.userId, connection))) {
                  channel.send({ type: 'replaced' });
                  return channel.close(CLOSE_REPLACED, 'joined elsewhere');
                }
                channel.send({ type: 'presence', presence: await store.presence(visitId, me.expertId) });
              } else if (s.kind === 'ended') {
                channel.send({ type: 'ended' });
                channel.close(1000, 'ended');
              } else if (s.to === actor.userId && (await store.isCurrent(visitId, actor.userId, connection))) {
                // A window replaced by a newer one leaves what is addressed to the person to that window.
                const m = await store.take(s.id, actor.userId);
                if (m) channel.send({ type: 'signal', from: m.from, data: m.payload });
              }
            }).catch(() => undefined);
          });
          // The page may have gone while we were letting it in.
          if (socket.readyState !== socket.OPEN) stop();
          return { type: 'hello', you: actor.userId, expert: r.expert, iceServers: iceServersFor(config, actor.userId, new Date()), presence: await store.presence(visitId, v.expert_id) };
        },
        onMessage: async (m, channel) => {
          const me = entered!;
          if (m.type === 'signal') {
            if (!(await store.signal(visitId, actor.userId, m.to, m.data))) channel.send({ type: 'error', status: 403, detail: 'Only people admitted to the visit talk to each other.' });
          } else if (m.type === 'admit') {
            if (!me.expert) return channel.send({ type: 'error', status: 403, detail: 'The expert admits people to the visit.' });
            await store.admit(visitId, actor, meta, me.caseId, m.userId);
          } else if (m.type === 'leave') channel.close(1000, 'left');
          else {
            if (!me.expert) return channel.send({ type: 'error', status: 403, detail: 'The expert ends the visit.' });
            await visits.end(actor, meta, visitId);
            await store.ended(visitId);
          }
        },
        onClose: () => {
          stop();
          if (entered) void store.leave(visitId, actor, meta, entered.caseId, connection).catch(() => undefined);
        },
      });
    });
  };
}

/** A visit as a FHIR R4 Appointment. */
export function toFhirAppointment(v: VisitRow, patientId: string): Appointment {
  return {
    resourceType: 'Appointment', id: v.id,
    status: v.status === 'booked' ? 'booked' : v.status === 'cancelled' ? 'cancelled' : 'fulfilled',
    serviceType: [{ text: visitTypeById(v.visit_type)?.label ?? 'Video visit' }],
    appointmentType: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v2-0276', code: 'ROUTINE', display: 'Routine appointment - default if not valued' }] },
    description: 'Video visit with the expert',
    start: new Date(v.starts_at).toISOString(), end: new Date(v.ends_at).toISOString(),
    minutesDuration: Math.round((new Date(v.ends_at).getTime() - new Date(v.starts_at).getTime()) / 60_000),
    created: new Date((v as VisitRow & { created_at?: Date }).created_at ?? v.starts_at).toISOString(),
    basedOn: [{ reference: `ServiceRequest/${v.case_id}` }],
    participant: [
      { actor: { reference: `Patient/${patientId}` }, required: 'required', status: 'accepted' },
      { actor: { display: v.expert_name }, required: 'required', status: 'accepted' },
    ],
  };
}

export function visitFhirRoutes(visits: VisitsService, publicUrl: () => string) {
  const list = (v: unknown): string[] => (Array.isArray(v) ? v.map(String) : v === undefined ? [] : [String(v)]);
  const send = (reply: FastifyReply, body: unknown) => reply.type('application/fhir+json; charset=utf-8').send(body);
  return async (app: FastifyInstance) => {
    app.get('/Appointment/:id', { config: { access: { case: 'case.read' } } }, async (req, reply) => {
      const { id } = req.params as { id: string };
      const found = await visits.forFhir(req.actor, requestMeta(req), id);
      return send(reply, toFhirAppointment(found.visit, found.patientId));
    });
    // Availability is the directory's, not a patient's: those who search the directory read it.
    const horizon = () => ({ from: new Date(), to: new Date(Date.now() + 60 * 86_400_000) });
    app.get('/Schedule/:id', { config: { access: { permission: 'experts.list' } } }, async (req, reply) => {
      const expertId = expertOfScheduleId((req.params as { id: string }).id);
      const [e] = expertId ? await visits.availability([expertId]) : [];
      if (!e) throw new AppError('NOT_FOUND', 'This schedule was not found.');
      return send(reply, scheduleResource(e, VISITS.types, horizon()));
    });
    app.get('/Schedule', { config: { access: { permission: 'experts.list' } } }, async (req, reply) => {
      const q = req.query as Record<string, unknown>;
      const actors = list(q.actor).map((a) => a.replace(/^Practitioner\//, ''));
      const found = await visits.availability(actors.length ? actors : null);
      return send(reply, bundle(req, `${publicUrl()}/fhir/R4`, found.map((e) => scheduleResource(e, VISITS.types, horizon())), found.length, found.length, 0));
    });
    app.get('/Slot', { config: { access: { permission: 'experts.list' } } }, async (req, reply) => {
      const q = req.query as Record<string, unknown>;
      const [schedule, ...more] = list(q.schedule);
      if (!schedule || more.length) throw new AppError('VALIDATION_FAILED', 'Search slots of one schedule: schedule=Schedule/{id}.');
      const typeId = list(q['service-type'])[0]?.replace(/^urn:consilium:visit-type\|/, '') ?? VISITS.types[0]!.id;
      const type = visitTypeById(typeId);
      if (!type) throw new AppError('VALIDATION_FAILED', `Unknown service-type; use one of ${VISIT_TYPE_IDS.join(', ')}.`);
      const status = list(q.status)[0];
      if (status !== undefined && status !== 'free' && status !== 'busy') throw new AppError('VALIDATION_FAILED', 'status is free or busy.');
      const now = new Date();
      const range = slotRange(list(q.start), now);
      const expertId = expertOfScheduleId(schedule.replace(/^Schedule\//, ''));
      const [e] = expertId ? await visits.availability([expertId]) : [];
      const slots = e ? slotResources(e, type, range, now, status) : [];
      return send(reply, bundle(req, `${publicUrl()}/fhir/R4`, slots, slots.length, slots.length, 0));
    });
  };
}
