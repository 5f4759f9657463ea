import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { AssessmentResult } from '../assessment/result.ts';
import { errorResponses, estimatedPageOf, pageOf, requestMeta } from '../core/http.ts';
import type { IntakeSectionName } from './intake.ts';
import type { CaseCommand } from './lifecycle.ts';
import * as s from './schemas.ts';
import type { CasesService } from './service.ts';

/** The case REST API: queue, detail, intake steps, consent, proxies, lifecycle commands. */
export function casesRoutes(cases: CasesService) {
  return async (fastify: FastifyInstance) => {
    const app = fastify.withTypeProvider<ZodTypeProvider>();
    const tags = ['cases'];
    const detail = { 200: s.CaseDetail, ...errorResponses };

    app.get('/cases', { config: { access: { permission: 'case.list' } }, schema: { tags, summary: 'Cases the caller may see (the coordinator queue): filter, search, page', querystring: s.CaseListQuery, response: { 200: estimatedPageOf(s.CaseSummary).extend({ nextCursor: z.string().nullable() }), ...errorResponses } } },
      async (req) => cases.listCases(req.actor, req.query, requestMeta(req)));
    app.post('/cases', { config: { access: { permission: 'case.create' } }, schema: { tags, summary: 'Start a new second-opinion request (draft), optionally from public assessment answers', body: s.CreateCaseBody, response: { 201: s.CaseDetail, ...errorResponses } } },
      async (req, reply) => reply.code(201).send(await cases.createCase(req.actor, requestMeta(req), req.body?.assessment)));
    app.get('/cases/:id/assessment', { config: { access: { case: 'case.read' } }, schema: { tags, summary: 'The assessment rules run on this case: situations, urgency, reviewers, records checklist, biomarkers', params: s.CaseIdParams, response: { 200: AssessmentResult, ...errorResponses } } },
      async (req) => cases.caseAssessment(req.actor, req.params.id, requestMeta(req)));
    app.get('/cases/:id', { config: { access: { case: 'case.read' } }, schema: { tags, summary: 'One case', params: s.CaseIdParams, response: detail } },
      async (req) => cases.getCase(req.actor, req.params.id, requestMeta(req)));
    app.put('/cases/:id/intake/:section', { config: { access: { case: 'case.intake.write' } }, schema: { tags, summary: 'Save one intake step (drafts only)', params: s.IntakeSectionParams, body: z.unknown(), response: detail } },
      async (req) => cases.saveIntakeSection(req.actor, req.params.id, req.params.section as IntakeSectionName, req.body, requestMeta(req)));
    app.post('/cases/:id/consents', { config: { access: { case: 'case.consent.sign' } }, schema: { tags, summary: 'Sign a consent document with a typed name', params: s.CaseIdParams, body: s.ConsentBody, response: { 201: s.CaseDetail, ...errorResponses } } },
      async (req, reply) => reply.code(201).send(await cases.signConsent(req.actor, req.params.id, req.body, requestMeta(req))));
    app.post('/cases/:id/commands/:command', { config: { access: { case: 'case.transition' } }, schema: { tags, summary: 'Run a lifecycle command (submit, startRecordCollection, hold, …)', params: s.CommandParams, body: s.CommandBody, response: detail } },
      async (req) => cases.transition(req.actor, req.params.id, req.params.command as CaseCommand, req.body ?? {}, requestMeta(req)));
    app.put('/cases/:id/urgency', { config: { access: { case: 'case.urgency.set' } }, schema: { tags, summary: 'Override the urgency (coordinator)', params: s.CaseIdParams, body: s.UrgencyBody, response: detail } },
      async (req) => cases.setUrgency(req.actor, req.params.id, req.body.urgency, req.body.reason, requestMeta(req)));
    app.put('/cases/:id/lead', { config: { access: { case: 'case.experts.match' } }, schema: { tags, summary: 'Name the assigned expert who leads the review and issues the report (coordinator)', params: s.CaseIdParams, body: z.strictObject({ expertId: z.uuid() }), response: detail } },
      async (req) => cases.setLead(req.actor, req.params.id, req.body.expertId, requestMeta(req)));
    app.get('/cases/:id/timeline', { config: { access: { case: 'case.read' } }, schema: { tags, summary: 'The case timeline', params: s.CaseIdParams, response: { 200: z.array(s.TimelineEntry), ...errorResponses } } },
      async (req) => cases.timeline(req.actor, req.params.id, requestMeta(req)));
    app.get('/cases/:id/access-log', { config: { access: { case: 'case.accessLog.read' } }, schema: { tags, summary: 'Who opened or changed this case', params: s.CaseIdParams, querystring: z.strictObject({ page: z.coerce.number().int().min(1).default(1), pageSize: z.coerce.number().int().min(1).max(100).default(50) }), response: { 200: pageOf(s.AccessLogEntry), ...errorResponses } } },
      async (req) => cases.accessLog(req.actor, req.params.id, req.query, requestMeta(req)));
    app.post('/cases/:id/proxies', { config: { access: { case: 'case.proxy.manage' } }, schema: { tags, summary: 'Invite a caregiver to act for the patient', params: s.CaseIdParams, body: s.ProxyInviteBody, response: { 201: z.object({ ok: z.literal(true) }), ...errorResponses } } },
      async (req, reply) => reply.code(201).send(await cases.inviteProxy(req.actor, req.params.id, req.body, requestMeta(req))));
    app.get('/cases/:id/invitations', { config: { access: { case: 'case.proxy.manage' } }, schema: { tags, summary: 'Open caregiver invitations on the case (patient)', params: s.CaseIdParams, response: { 200: z.array(z.object({ id: z.uuid(), email: z.string(), relationship: z.string(), sentAt: z.string(), expiresAt: z.string() })), ...errorResponses } } },
      async (req) => cases.listInvitations(req.actor, req.params.id, requestMeta(req)));
    app.delete('/cases/:id/invitations/:invitationId', { config: { access: { case: 'case.proxy.manage' } }, schema: { tags, summary: 'Withdraw a caregiver invitation before it is accepted (patient)', params: z.object({ id: z.uuid(), invitationId: z.uuid() }), response: { 200: z.object({ ok: z.literal(true) }), ...errorResponses } } },
      async (req) => cases.withdrawInvitation(req.actor, req.params.id, req.params.invitationId, requestMeta(req)));
    app.delete('/cases/:id/proxies/:userId', { config: { access: { case: 'case.proxy.manage' } }, schema: { tags, summary: 'Remove a caregiver', params: z.object({ id: z.uuid(), userId: z.uuid() }), response: detail } },
      async (req) => cases.revokeProxy(req.actor, req.params.id, req.params.userId, requestMeta(req)));
    app.get('/invitations/:token', { config: { access: 'public' }, schema: { tags, summary: 'What a caregiver invitation is for', params: z.object({ token: z.string().max(100) }), response: { 200: z.object({ email: z.string(), relationship: z.string(), invitedBy: z.string(), caseReference: z.string() }), ...errorResponses } } },
      async (req) => cases.invitationInfo(req.params.token));
    app.post('/invitations/:token/accept', { config: { access: 'signed-in' }, schema: { tags, summary: 'Accept a caregiver invitation', params: z.object({ token: z.string().max(100) }), response: { 200: z.object({ caseId: z.uuid() }), ...errorResponses } } },
      async (req) => cases.acceptInvitation(req.actor, req.params.token, requestMeta(req)));
  };
}
