import { practitionerResources } from './directoryExchange.ts';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { errorResponses, PageQuery, pageOf, requestMeta } from '../core/http.ts';
import { TAXONOMY, TaxonomyFile } from './matching.ts';
import { CaseOfferView, CaseTeamProposal, ExpertInbox, ExpertProfileInput, ExpertProfileView } from './schemas.ts';
import type { OffersService } from './offers.ts';
import type { ExpertsService } from './service.ts';

/** The expert directory and case matching. */
export function expertsRoutes(experts: ExpertsService, offers: OffersService) {
  return async function routes(fastify: FastifyInstance) {
    const app = fastify.withTypeProvider<ZodTypeProvider>();
    const tags = ['experts'];
    fastify.addContentTypeParser('text/csv', { parseAs: 'string', bodyLimit: 10 * 1024 * 1024 }, (_req, body, done) => done(null, body));
    app.post('/api/admin/experts/import', { config: { access: { permission: 'experts.manage' } }, schema: { tags, summary: 'Import the directory from CSV (text/csv); bad rows are reported by line and not imported', body: z.string().max(10 * 1024 * 1024),
      response: { 200: z.object({ saved: z.number(), created: z.number(), errors: z.array(z.object({ line: z.number(), message: z.string() })) }), ...errorResponses } } },
      async (req) => experts.importCsv(req.actor, req.body, requestMeta(req)));
    app.get('/api/admin/experts/export.csv', { config: { access: { permission: 'experts.manage' } }, schema: { tags, summary: 'The directory as CSV (admin)' } }, async (req, reply) =>
      reply.type('text/csv; charset=utf-8').header('content-disposition', 'attachment; filename="experts.csv"').send(await experts.export(req.actor, 'csv', requestMeta(req))));
    app.get('/api/admin/experts/export.fhir.json', { config: { access: { permission: 'experts.manage' } }, schema: { tags, summary: 'The directory as a FHIR R4 Bundle of Practitioner, PractitionerRole and Organization (admin)' } }, async (req, reply) =>
      reply.type('application/fhir+json').send(await experts.export(req.actor, 'fhir', requestMeta(req))));
    // The directory in FHIR: each expert as Practitioner and PractitionerRole (those who search the directory).
    app.get('/fhir/R4/Practitioner/:id', { config: { access: { permission: 'experts.list' } } }, async (req, reply) =>
      reply.type('application/fhir+json; charset=utf-8').send(practitionerResources(await experts.one(req.actor, (req.params as { id: string }).id)).practitioner));
    app.get('/fhir/R4/PractitionerRole/:id', { config: { access: { permission: 'experts.list' } } }, async (req, reply) =>
      reply.type('application/fhir+json; charset=utf-8').send(practitionerResources(await experts.one(req.actor, (req.params as { id: string }).id.replace(/^role-/, ''))).role));
    app.get('/api/experts/me/profile', { config: { access: { permission: 'experts.own' } }, schema: { tags, summary: 'The signed-in expert’s directory profile (null before it is filled in)', response: { 200: ExpertProfileView.nullable(), ...errorResponses } } },
      async (req) => experts.myProfile(req.actor));
    app.put('/api/experts/me/profile', { config: { access: { permission: 'experts.own' } }, schema: { tags, summary: 'Save the signed-in expert’s profile', body: ExpertProfileInput, response: { 200: ExpertProfileView, ...errorResponses } } },
      async (req) => {
        const actor = req.actor;
        return experts.saveProfile(actor, actor.userId, req.body, requestMeta(req));
      });
    app.put('/api/admin/experts/:userId/profile', { config: { access: { permission: 'experts.manage' } }, schema: { tags, summary: 'Save an expert’s profile (admin)', params: z.object({ userId: z.uuid() }), body: ExpertProfileInput, response: { 200: ExpertProfileView, ...errorResponses } } },
      async (req) => experts.saveProfile(req.actor, req.params.userId, req.body, requestMeta(req)));
    app.get('/api/directory/experts', {
      config: { access: { permission: 'experts.list' } },
      schema: { tags, summary: 'Search the expert directory (coordinators and admins): name, institution or NPI; specialty, licence, language; paged',
        querystring: z.strictObject({ q: z.string().trim().max(100).optional(), taxonomy: z.string().max(10).optional(), licensedIn: z.string().max(5).optional(), language: z.string().max(3).optional(), ...PageQuery }), response: { 200: pageOf(ExpertProfileView), ...errorResponses } },
    }, async (req) => experts.search(req.actor, req.query));
    app.get('/api/reference/taxonomy', { config: { access: 'public' }, schema: { tags, summary: 'The NUCC taxonomy codes the directory uses, and which specialties they serve', response: { 200: TaxonomyFile } } },
      async () => TAXONOMY);
    app.get('/api/cases/:id/matches', {
      config: { access: { case: 'case.experts.match' } },
      schema: { tags, summary: 'Experts ranked for each reviewer role the case needs, with the reasons (coordinator)', params: z.object({ id: z.uuid() }), querystring: z.strictObject({ consultMode: z.enum(['records_review', 'video']).default('records_review') }), response: { 200: CaseTeamProposal, ...errorResponses } },
    }, async (req) => experts.matchCase(req.actor, req.params.id, req.query.consultMode, requestMeta(req)));

    const Offer = z.object({ id: z.uuid(), status: z.string(), respondBy: z.string().optional(), caseId: z.uuid().optional() });
    app.post('/api/cases/:id/offers', { config: { access: { case: 'case.experts.match' } }, schema: { tags, summary: 'Offer the case to an expert for a role (coordinator); the expert is mailed', params: z.object({ id: z.uuid() }), body: z.strictObject({ expertId: z.uuid(), role: z.string().regex(/^[a-z_]{2,40}$/) }), response: { 201: Offer, ...errorResponses } } },
      async (req, reply) => reply.code(201).send(await offers.offer(req.actor, req.params.id, req.body, requestMeta(req))));
    app.get('/api/cases/:id/offers', { config: { access: { case: 'case.experts.match' } }, schema: { tags, summary: 'Offers made for the case and their answers (coordinator)', params: z.object({ id: z.uuid() }), response: { 200: z.array(CaseOfferView), ...errorResponses } } },
      async (req) => offers.caseOffers(req.actor, req.params.id, requestMeta(req)));
    app.post('/api/offers/:offerId/accept', { config: { access: { permission: 'experts.own' } }, schema: { tags, summary: 'Accept an offered case (expert): access to the case follows', params: z.object({ offerId: z.uuid() }), response: { 200: Offer, ...errorResponses } } },
      async (req) => offers.accept(req.actor, req.params.offerId, requestMeta(req)));
    app.post('/api/offers/:offerId/decline', { config: { access: { permission: 'experts.own' } }, schema: { tags, summary: 'Decline an offered case with a reason (expert)', params: z.object({ offerId: z.uuid() }), body: z.strictObject({ reason: z.string().trim().min(3, 'Say why, so the coordinator can choose well.').max(1000) }), response: { 200: Offer, ...errorResponses } } },
      async (req) => offers.decline(req.actor, req.params.offerId, req.body.reason, requestMeta(req)));
    app.get('/api/experts/me/inbox', { config: { access: { permission: 'experts.own' } }, schema: { tags, summary: 'The expert’s inbox: offers to answer, accepted cases by due date, due soon and overdue', response: { 200: ExpertInbox, ...errorResponses } } },
      async (req) => offers.inbox(req.actor, requestMeta(req)));
  };
}
