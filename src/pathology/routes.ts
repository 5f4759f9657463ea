import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { errorResponses, requestMeta } from '../core/http.ts';
import type { SlideAnnotations } from './annotations.ts';
import type { PathologyService } from './service.ts';

const SlideView = z.object({
  id: z.uuid(),
  filename: z.string().optional().describe('The uploaded file’s name (a DICOM slide’s series description); staff only: absent for the patient’s side'),
  name: z.string().optional().describe('Part/block and stain when given, and the file name; staff only: absent for the patient’s side'),
  block: z.string().nullable().describe('The specimen part and block the slide was cut from, e.g. A3'), stain: z.string().nullable().describe('e.g. H&E, or an immunostain'),
  status: z.enum(['processing', 'ready', 'failed']), failure: z.enum(['unreadable', 'tiles', 'too_large', 'missing']).nullable().describe('Why the slide cannot be shown'),
  vendor: z.string().nullable(), width: z.number().nullable(), height: z.number().nullable(),
  micronsPerPixel: z.number().nullable(), objectivePower: z.number().nullable(), levels: z.number().nullable(),
  tiles: z.object({ size: z.number(), overlap: z.number(), format: z.string() }).nullable(),
  labelMayShowName: z.boolean(),
  pictures: z.array(z.enum(['label', 'macro'])).describe('Photos of the glass the file holds: the label (may show a name) and the whole slide'),
  uploadedAt: z.string(),
}).meta({ id: 'Slide' });

const SlideParams = z.object({ id: z.uuid(), slideId: z.uuid() });

const AnnotationView = z.object({
  id: z.uuid(), slideId: z.uuid(), number: z.number().int(), kind: z.enum(['length', 'area', 'arrow']), points: z.array(z.tuple([z.number(), z.number()])),
  value: z.number().nullable().describe('µm for a length, µm² for an area; null for an arrow'), unit: z.string().nullable(), note: z.string().nullable(), author: z.string(), authorId: z.uuid(), createdAt: z.string(),
}).meta({ id: 'SlideAnnotation' });

const Point = z.tuple([z.number().finite(), z.number().finite()]);
const Note = z.string().trim().max(500);
const NewAnnotation = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('length'), points: z.array(Point).length(2), note: Note.nullish() }),
  z.strictObject({ kind: z.literal('area'), points: z.array(Point).min(3).max(500), note: Note.nullish() }),
  z.strictObject({ kind: z.literal('arrow'), points: z.array(Point).length(2), note: Note.min(1, 'Say what the arrow points at.') }),
]);
const TileParams = SlideParams.extend({
  level: z.coerce.number().int().min(0).max(40),
  tile: z.string().regex(/^[0-9]{1,6}_[0-9]{1,6}\.jpeg$/, 'col_row.jpeg'),
});

/** Whole-slide images of a case and their tiles in the Deep Zoom layout (`…/tiles/{level}/{col}_{row}.jpeg`). */
export function pathologyRoutes(pathology: PathologyService, annotations: SlideAnnotations) {
  return async (fastify: FastifyInstance) => {
    const app = fastify.withTypeProvider<ZodTypeProvider>();
    const tags = ['pathology'];
    app.get('/cases/:id/slides', { config: { access: { case: 'case.records.read' } }, schema: { tags, summary: 'Digital slides of a case', params: z.object({ id: z.uuid() }), response: { 200: z.array(SlideView), ...errorResponses } } },
      async (req) => pathology.list(req.actor, requestMeta(req), req.params.id));
    app.get('/cases/:id/slides/:slideId', { config: { access: { case: 'case.records.read' } }, schema: { tags, summary: 'One digital slide, as the viewer opens it (audited once per opening)', params: SlideParams, response: { 200: SlideView, ...errorResponses } } },
      async (req) => pathology.open(req.actor, requestMeta(req), req.params.id, req.params.slideId));
    app.patch('/cases/:id/slides/:slideId', { config: { access: { case: 'case.imaging.annotate' } }, schema: { tags, summary: 'Name the part/block and stain of a slide (null clears one)', params: SlideParams,
      body: z.strictObject({ block: z.string().trim().max(40).nullish(), stain: z.string().trim().max(80).nullish() }), response: { 200: SlideView, ...errorResponses } } },
    async (req) => pathology.describe(req.actor, requestMeta(req), req.params.id, req.params.slideId, req.body));
    app.get('/cases/:id/slides/:slideId/pictures/:picture', { config: { access: { case: 'case.records.read' } }, schema: { tags, summary: 'The photo of the slide’s label or of the whole glass (JPEG; audited)', params: SlideParams.extend({ picture: z.enum(['label.jpeg', 'macro.jpeg']) }) } },
      async (req, reply) => reply.type('image/jpeg').send(await pathology.picture(req.actor, requestMeta(req), req.params.id, req.params.slideId, req.params.picture === 'label.jpeg' ? 'label' : 'macro')));
    app.get('/cases/:id/slides/:slideId/annotations', { config: { access: { case: 'case.records.read' } }, schema: { tags, summary: 'Measurements saved on a slide, numbered', params: SlideParams, response: { 200: z.array(AnnotationView), ...errorResponses } } },
      async (req) => annotations.list(req.actor, requestMeta(req), req.params.id, req.params.slideId));
    app.post('/cases/:id/slides/:slideId/annotations', { config: { access: { case: 'case.imaging.annotate' } }, schema: { tags, summary: 'Save a length, an area (an outline of 3 or more points) or an arrow (with a note) on a slide; µm and µm² are computed from the slide’s scale', params: SlideParams, body: NewAnnotation, response: { 201: AnnotationView, ...errorResponses } } },
      async (req, reply) => reply.code(201).send(await annotations.add(req.actor, requestMeta(req), req.params.id, req.params.slideId, req.body)));
    app.delete('/cases/:id/slides/:slideId/annotations/:annotationId', { config: { access: { case: 'case.imaging.annotate' } }, schema: { tags, summary: 'Remove one of your slide measurements', params: SlideParams.extend({ annotationId: z.uuid() }), response: { 204: z.null(), ...errorResponses } } },
      async (req, reply) => {
        await annotations.remove(req.actor, requestMeta(req), req.params.id, req.params.slideId, req.params.annotationId);
        return reply.code(204).send(null);
      });
    app.get('/cases/:id/slides/:slideId/annotations.geojson', { config: { access: { case: 'case.records.read' } }, schema: { tags, summary: 'The slide’s measurements as GeoJSON (x, y in full-resolution pixels)', params: SlideParams } },
      async (req, reply) => reply.type('application/geo+json').header('content-disposition', 'attachment; filename="slide-annotations.geojson"').send(JSON.stringify(await annotations.geojson(req.actor, requestMeta(req), req.params.id, req.params.slideId))));
    app.get('/cases/:id/slides/:slideId/annotations.dcm', { config: { access: { case: 'case.records.read' } }, schema: { tags, summary: 'The slide’s measurements as a DICOM Microscopy Bulk Simple Annotations file (2D, full-resolution pixels; 409 when there are none)', params: SlideParams } },
      async (req, reply) => reply.type('application/dicom').header('content-disposition', 'attachment; filename="slide-annotations.dcm"').send(await annotations.dicom(req.actor, requestMeta(req), req.params.id, req.params.slideId)));
    app.get('/cases/:id/slides/:slideId/tiles/:level/:tile', {
      config: { access: { case: 'case.records.read' }, viewerRead: true },
      schema: { tags, summary: 'One JPEG tile of a slide (Deep Zoom level and column_row)', params: TileParams },
    }, async (req, reply) => {
      const [col, row] = req.params.tile.slice(0, -5).split('_').map(Number);
      const bytes = await pathology.tile(req.actor, requestMeta(req), req.params.id, req.params.slideId, req.params.level, col!, row!);
      return reply.type('image/jpeg').send(bytes);
    });
  };
}
