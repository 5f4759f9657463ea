import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { errorResponses, PageQuery, requestMeta, requireActor } from '../core/http.ts';
import { TAXONOMY } from './matching.ts';
import { ExpertProfileInput, ExpertProfileView } from './schemas.ts';
import type { OffersService } from './offers.ts';
import type { ExpertsService } from './service.ts';

/** The expert directory and case matching. */
export function expertsRoutes(experts: ExpertsService, offers: OffersService) {
  return async function routes(fastify: FastifyInstance) {
    const app = fastify.withTypeProvider<ZodTypeProvider>();
    const tags = ['experts'];
    fastify.addContentTypeParser('text/csv', { parseAs: 'string', bodyLimit: 10 * 1024 * 1024 }, (_req, body, done) => done(null, body));
    app.post('/api/admin/experts/import', { schema: { tags, summary: 'Import the directory from CSV (text/csv); bad rows are reported by line and not imported', body: z.string().max(10 * 1024 * 1024),
      response: { 200: z.object({ saved: z.number(), created: z.number(), errors: z.array(z.object({ line: z.number(), message: z.string() })) }), ...errorResponses } } },
      async (req) => experts.importCsv(requireActor(req), req.body, requestMeta(req)));
    app.get('/api/admin/experts/export.csv', { schema: { tags, summary: 'The directory as CSV (admin)' } }, async (req, reply) =>
      reply.type('text/csv; charset=utf-8').header('content-disposition', 'attachment; filename="experts.csv"').send(await experts.export(requireActor(req), 'csv', requestMeta(req))));
    app.get('/api/admin/experts/export.fhir.json', { schema: { tags, summary: 'The directory as a FHIR R4 Bundle of Practitioner, PractitionerRole and Organization (admin)' } }, async (req, reply) =>
      reply.type('application/fhir+json').send(await experts.export(requireActor(req), 'fhir', requestMeta(req))));
    app.get('/api/experts/me/profile', { schema: { tags, summary: 'The signed-in expert’s directory profile (null before it is filled in)' } },
      async (req) => experts.myProfile(requireActor(req)));
    app.put('/api/experts/me/profile', { schema: { tags, summary: 'Save the signed-in expert’s profile', body: ExpertProfileInput, response: { 200: ExpertProfileView, ...errorResponses } } },
      async (req) => {
        const actor = requireActor(req);
        return experts.saveProfile(actor, actor.userId, req.body, requestMeta(req));
      });
    app.put('/api/admin/experts/:userId/profile', { schema: { tags, summary: 'Save an expert’s profile (admin)', params: z.object({ userId: z.uuid() }), body: ExpertProfileInput, response: { 200: ExpertProfileView, ...errorResponses } } },
      async (req) => experts.saveProfile(requireActor(req), req.params.userId, req.body, requestMeta(req)));
    app.get('/api/directory/experts', {
      schema: { tags, summary: 'Search the expert directory (coordinators and admins): name, institution or NPI; specialty, licence, language; paged',
        querystring: z.strictObject({ q: z.string().trim().max(100).optional(), taxonomy: z.string().max(10).optional(), licensedIn: z.string().max(5).optional(), language: z.string().max(3).optional(), ...PageQuery }) },
    }, async (req) => experts.search(requireActor(req), req.query));
    app.get('/api/reference/taxonomy', { schema: { tags, summary: 'The NUCC taxonomy codes the directory uses, and which specialties they serve' } },
      async () => TAXONOMY);
    app.get('/api/cases/:id/matches', {
      schema: { tags, summary: 'Experts ranked for each reviewer role the case needs, with the reasons (coordinator)', params: z.object({ id: z.uuid() }), querystring: z.strictObject({ consultMode: z.enum(['records_review', 'video']).default('records_review') }) },
    }, async (req) => experts.matchCase(requireActor(req), req.params.id, req.query.consultMode, requestMeta(req)));

    const Offer = z.object({ id: z.uuid(), status: z.string(), respondBy: z.string().optional(), caseId: z.uuid().optional() });
    app.post('/api/cases/:id/offers', { schema: { tags, summary: 'Offer the case to an expert for a role (coordinator); the expert is mailed', params: z.object({ id: z.uuid() }), body: z.strictObject({ expertId: z.uuid(), role: z.string().regex(/^[a-z_]{2,40}$/) }), response: { 201: Offer, ...errorResponses } } },
      async (req, reply) => reply.code(201).send(await offers.offer(requireActor(req), req.params.id, req.body, requestMeta(req))));
    app.get('/api/cases/:id/offers', { schema: { tags, summary: 'Offers made for the case and their answers (coordinator)', params: z.object({ id: z.uuid() }) } },
      async (req) => offers.caseOffers(requireActor(req), req.params.id, requestMeta(req)));
    app.post('/api/offers/:offerId/accept', { schema: { tags, summary: 'Accept an offered case (expert): access to the case follows', params: z.object({ offerId: z.uuid() }), response: { 200: Offer, ...errorResponses } } },
      async (req) => offers.accept(requireActor(req), req.params.offerId, requestMeta(req)));
    app.post('/api/offers/:offerId/decline', { schema: { tags, summary: 'Decline an offered case with a reason (expert)', params: z.object({ offerId: z.uuid() }), body: z.strictObject({ reason: z.string().trim().min(3, 'Say why, so the coordinator can choose well.').max(1000) }), response: { 200: Offer, ...errorResponses } } },
      async (req) => offers.decline(requireActor(req), req.params.offerId, req.body.reason, requestMeta(req)));
    app.get('/api/experts/me/inbox', { schema: { tags, summary: 'The expert’s inbox: offers to answer, accepted cases by due date, due soon and overdue' } },
      async (req) => offers.inbox(requireActor(req), requestMeta(req)));
  };
}
