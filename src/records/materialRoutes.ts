import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { errorResponses, requestMeta } from '../core/http.ts';
import { ROI_ITEMS, type MaterialService } from './material.ts';
import { SPECIMEN_STATUSES } from './specimens.ts';

const Params = z.object({ id: z.uuid() });
const ItemParams = z.object({ id: z.uuid(), itemId: z.uuid() });
const Text = (max: number) => z.string().trim().min(1).max(max);
const SpecimenView = z.object({
  id: z.uuid(), kind: z.enum(['slides', 'blocks']), label: z.string(), expectedCount: z.number(), sourceFacility: z.string(), barcode: z.string(),
  status: z.enum(SPECIMEN_STATUSES), statusLabel: z.string(), carrier: z.string().nullable(), trackingNumber: z.string().nullable(),
  receivedCount: z.number().nullable(), conditionNote: z.string().nullable(), returnCarrier: z.string().nullable(), returnTrackingNumber: z.string().nullable(),
  updatedAt: z.string(), history: z.array(z.object({ status: z.string(), at: z.string(), by: z.string(), detail: z.record(z.string(), z.unknown()) })),
}).meta({ id: 'Specimen' });
const RoiView = z.object({
  id: z.uuid(), facilityName: z.string(), facilityAddress: z.string(), facilityFax: z.string().nullable(), items: z.array(z.string()),
  status: z.enum(['prepared', 'sent', 'partially_received', 'received']), createdAt: z.string(), sentAt: z.string().nullable(),
}).meta({ id: 'RecordsRequest' });

/** Slides and blocks tracking, and release-of-information requests, under each case. */
export function materialRoutes(material: MaterialService) {
  return async function routes(fastify: FastifyInstance) {
    const app = fastify.withTypeProvider<ZodTypeProvider>();
    const tags = ['pathology material and records requests'];
    const pdf = (reply: import('fastify').FastifyReply, name: string, bytes: Buffer) =>
      reply.type('application/pdf').header('content-disposition', `inline; filename="${name}"`).send(bytes);

    app.get('/api/cases/:id/specimens', { config: { access: { case: 'case.records.read' } }, schema: { tags, summary: 'Slides and blocks tracked for the case, with their history', params: Params, response: { 200: z.array(SpecimenView), ...errorResponses } } },
      async (req) => material.listSpecimens(req.actor, req.params.id, requestMeta(req)));
    app.post('/api/cases/:id/specimens', {
      config: { access: { case: 'case.records.curate' } },
      schema: { tags, summary: 'Start tracking slides or blocks requested from a facility (coordinator)', params: Params, body: z.strictObject({ kind: z.enum(['slides', 'blocks']), label: Text(200), expectedCount: z.number().int().min(1).max(500), sourceFacility: Text(300) }), response: { 201: SpecimenView, ...errorResponses } },
    }, async (req, reply) => reply.code(201).send(await material.requestSpecimen(req.actor, req.params.id, req.body, requestMeta(req))));
    app.post('/api/cases/:id/specimens/glass-request', {
      config: { access: { case: 'case.opinion.write' } },
      schema: { tags, summary: 'Ask for the glass slides because the digital ones are not enough (assigned pathologist); tracked like any request', params: Params,
        body: z.strictObject({ sourceFacility: Text(300), expectedCount: z.number().int().min(1).max(500), reason: Text(150) }), response: { 201: SpecimenView, ...errorResponses } },
    }, async (req, reply) => reply.code(201).send(await material.askForGlassSlides(req.actor, req.params.id, req.body, requestMeta(req))));
    app.post('/api/cases/:id/specimens/:itemId/steps', {
      config: { access: { case: 'case.records.curate' } },
      schema: { tags, summary: 'Move tracked material on: shipped, received (count and condition), with the reviewer, returned', params: ItemParams,
        body: z.strictObject({ to: z.enum(SPECIMEN_STATUSES), carrier: Text(100).optional(), trackingNumber: Text(100).optional(), receivedCount: z.number().int().min(0).max(500).optional(), condition: z.enum(['intact', 'damaged', 'incomplete']).optional(), note: z.string().trim().max(1000).optional() }), response: { 200: SpecimenView, ...errorResponses } },
    }, async (req) => material.stepSpecimen(req.actor, req.params.id, req.params.itemId, req.body, requestMeta(req)));
    app.get('/api/cases/:id/specimens/:itemId/label.pdf', { config: { access: { case: 'case.records.read' } }, schema: { tags, summary: 'A printable label with a barcode', params: ItemParams } },
      async (req, reply) => pdf(reply, 'label.pdf', await material.specimenLabel(req.actor, req.params.id, req.params.itemId, requestMeta(req))));

    app.get('/api/cases/:id/roi-requests', { config: { access: { case: 'case.records.read' } }, schema: { tags, summary: 'Release-of-information requests for the case', params: Params, response: { 200: z.array(RoiView), ...errorResponses } } },
      async (req) => material.listRoi(req.actor, req.params.id, requestMeta(req)));
    app.post('/api/cases/:id/roi-requests', {
      config: { access: { case: 'case.records.curate' } },
      schema: { tags, summary: 'Prepare a release-of-information request to a facility (coordinator)', params: Params,
        body: z.strictObject({ facilityName: Text(200), facilityAddress: Text(500), facilityFax: z.string().trim().max(40).optional(), items: z.array(z.enum(Object.keys(ROI_ITEMS) as [string, ...string[]])).min(1, 'Choose what the facility should send.') }), response: { 201: RoiView, ...errorResponses } },
    }, async (req, reply) => reply.code(201).send(await material.createRoi(req.actor, req.params.id, req.body, requestMeta(req))));
    app.put('/api/cases/:id/roi-requests/:itemId/status', {
      config: { access: { case: 'case.records.curate' } },
      schema: { tags, summary: 'Record that the request was sent, or that records arrived in part or in full', params: ItemParams, body: z.strictObject({ status: z.enum(['prepared', 'sent', 'partially_received', 'received']) }), response: { 200: RoiView, ...errorResponses } },
    }, async (req) => material.setRoiStatus(req.actor, req.params.id, req.params.itemId, req.body.status, requestMeta(req)));
    app.get('/api/cases/:id/roi-requests/:itemId/letter.pdf', { config: { access: { case: 'case.records.read' } }, schema: { tags, summary: 'The request letter with the patient’s authorization', params: ItemParams } },
      async (req, reply) => pdf(reply, 'records-request.pdf', await material.roiLetter(req.actor, req.params.id, req.params.itemId, requestMeta(req))));
    app.get('/api/reference/roi-items', { config: { access: 'public' }, schema: { tags, summary: 'What a records request can ask for', response: { 200: z.array(z.object({ id: z.string(), label: z.string() })) } } }, async () => Object.entries(ROI_ITEMS).map(([id, label]) => ({ id, label })));
  };
}
