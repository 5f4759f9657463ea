import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { errorResponses, requestMeta } from '../core/http.ts';
import type { ImagingService } from './service.ts';

const Uid = z.string().regex(/^[0-9.]{1,64}$/, 'a DICOM UID');
const Params = z.object({ id: z.uuid() });

const StudyView = z.object({
  studyUid: z.string(), date: z.string().nullable(), description: z.string().nullable(),
  patientName: z.string().nullable().optional().describe('The name in the DICOM header; staff only: absent for the patient’s side'),
  accession: z.string().nullable().optional().describe('The hospital’s accession number; staff only: absent for the patient’s side'),
  identityFlag: z.string().nullable().describe('Why the images may be another patient’s; for the patient’s side without the name they carry'),
  series: z.array(z.object({
    seriesUid: z.string(), modality: z.string().nullable(), number: z.number().nullable(), description: z.string().nullable(), bodyPart: z.string().nullable(),
    instances: z.number(), frames: z.number(), transferSyntax: z.string(), thumbnailInstance: z.string(),
    slideId: z.uuid().nullable().describe('A whole-slide image series made into a slide: shown in the slide viewer'),
  })),
}).meta({ id: 'ImagingStudy' });

const MeasurementView = z.object({
  id: z.uuid(), studyUid: z.string(), seriesUid: z.string(), sopInstanceUid: z.string(), kind: z.enum(['length', 'angle']), points: z.array(z.array(z.number())),
  value: z.number(), unit: z.string(), label: z.string().nullable(), author: z.string(), authorId: z.uuid(), createdAt: z.string(),
}).meta({ id: 'ImagingMeasurement' });

const NewMeasurement = z.strictObject({
  studyUid: Uid, seriesUid: Uid, sopInstanceUid: Uid,
  kind: z.enum(['length', 'angle']),
  points: z.array(z.array(z.number().finite()).min(2).max(3)).min(2).max(3),
  value: z.number().finite(),
  unit: z.enum(['mm', 'px', 'deg']),
  label: z.string().trim().max(200).nullish(),
}).refine((m) => (m.kind === 'length' ? m.points.length === 2 : m.points.length === 3), { message: 'A length has two points, an angle three.' });

/** The case-facing imaging API: the studies of a case and the measurements made on them. */
export function imagingApiRoutes(imaging: ImagingService) {
  return async (fastify: FastifyInstance) => {
    const app = fastify.withTypeProvider<ZodTypeProvider>();
    const tags = ['imaging'];
    app.get('/cases/:id/imaging/studies', { config: { access: { case: 'case.records.read' } }, schema: { tags, summary: 'Imaging studies of a case, with their series', params: Params, response: { 200: z.array(StudyView), ...errorResponses } } },
      async (req) => imaging.caseStudies(req.actor, requestMeta(req), req.params.id));
    app.get('/cases/:id/imaging/studies/:studyUid/export', {
      config: { access: { case: 'case.imaging.export' } },
      schema: {
        tags, summary: 'The study de-identified (DICOM PS3.15 Basic Profile) as a zip', params: z.object({ id: z.uuid(), studyUid: Uid }),
        querystring: z.strictObject({
          retainLongitudinal: z.enum(['off', 'full', 'modified']).default('off'),
          cleanDescriptors: z.enum(['true', 'false']).default('false').transform((v) => v === 'true'),
          includeBurnedIn: z.enum(['true', 'false']).default('false').transform((v) => v === 'true'),
        }),
      },
    }, async (req, reply) => {
      const { stream, filename } = await imaging.exportDeidentified(req.actor, requestMeta(req), req.params.id, req.params.studyUid, req.query);
      return reply.type('application/zip').header('content-disposition', `attachment; filename="${filename}"`).send(stream);
    });
    app.get('/cases/:id/imaging/measurements', { config: { access: { case: 'case.records.read' } }, schema: { tags, summary: 'Measurements saved with the case', params: Params, querystring: z.strictObject({ studyUid: Uid.optional() }), response: { 200: z.array(MeasurementView), ...errorResponses } } },
      async (req) => imaging.measurements(req.actor, requestMeta(req), req.params.id, req.query.studyUid));
    app.post('/cases/:id/imaging/measurements', { config: { access: { case: 'case.imaging.annotate' } }, schema: { tags, summary: 'Save a length or angle measurement (reviewers and coordinators)', params: Params, body: NewMeasurement, response: { 201: MeasurementView, ...errorResponses } } },
      async (req, reply) => reply.code(201).send(await imaging.addMeasurement(req.actor, requestMeta(req), req.params.id, req.body)));
    app.delete('/cases/:id/imaging/measurements/:measurementId', { config: { access: { case: 'case.imaging.annotate' } }, schema: { tags, summary: 'Remove one of your measurements', params: z.object({ id: z.uuid(), measurementId: z.uuid() }), response: { 204: z.null(), ...errorResponses } } },
      async (req, reply) => {
        await imaging.deleteMeasurement(req.actor, requestMeta(req), req.params.id, req.params.measurementId);
        return reply.code(204).send(null);
      });
  };
}
