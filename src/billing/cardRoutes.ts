import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { errorResponses, requestMeta } from '../core/http.ts';
import { AppError } from '../core/errors.ts';
import { CARD_MAX_BYTES, CARD_READINGS, CARD_SIDES, PHOTO_ONLY, type CoverageCards } from './cards.ts';

const CoverageCard = z.object({
  side: z.enum(CARD_SIDES), contentType: z.enum(['jpeg', 'png']), size: z.number(), uploadedAt: z.string(), uploadedByName: z.string().nullable(),
  reading: z.enum(CARD_READINGS).describe('waiting: being read; read: an id was found; nothing_found; failed; off: this installation has no text recognition'),
  memberId: z.string().nullable().describe('Read from the photo, for the patient to confirm; not the intake’s value'),
  groupNumber: z.string().nullable(),
}).meta({ id: 'CoverageCard' });
const Params = z.object({ id: z.uuid() });
const SideParams = z.object({ id: z.uuid(), side: z.enum(CARD_SIDES) });
const tags = ['costs'];

/** Photos of the insurance card: sent as the picture itself (image/jpeg or image/png), read back by the patient side and the coordinator. */
export function cardRoutes(cards: CoverageCards) {
  return async (fastify: FastifyInstance) => {
    fastify.addContentTypeParser(['image/jpeg', 'image/png'], { parseAs: 'buffer', bodyLimit: CARD_MAX_BYTES }, (_req, body, done) => done(null, body));
    const app = fastify.withTypeProvider<ZodTypeProvider>();
    const write = { access: { case: 'case.billing.card' } } as const;
    app.get('/cases/:id/coverage/cards', { config: { access: { case: 'case.billing.read' } }, schema: { tags, summary: 'Photos of the insurance card on the request, with the member ID and group number read from them', params: Params, response: { 200: z.array(CoverageCard), ...errorResponses } } },
      async (req) => cards.list(req.actor, requestMeta(req), req.params.id));
    app.put('/cases/:id/coverage/cards/:side', {
      config: write,
      schema: { tags, summary: 'Add or replace the photo of one side of the card (the body is the JPEG or PNG picture, at most 15 MB); its text is read in the background', params: SideParams, response: { 200: z.array(CoverageCard), ...errorResponses } },
    }, async (req) => {
      // Only the picture itself is a photo: a JSON or form body parsed into something else is refused, not passed on.
      if (!Buffer.isBuffer(req.body)) throw new AppError('UNSUPPORTED_MEDIA_TYPE', PHOTO_ONLY);
      return cards.put(req.actor, requestMeta(req), req.params.id, req.params.side, req.body);
    });
    app.get('/cases/:id/coverage/cards/:side/image', { config: { access: { case: 'case.billing.read' } }, schema: { tags, summary: 'The photo of one side of the card', params: SideParams } },
      async (req, reply) => {
        const { contentType, bytes } = await cards.image(req.actor, requestMeta(req), req.params.id, req.params.side);
        return reply.type(`image/${contentType}`).send(bytes);
      });
    app.post('/cases/:id/coverage/cards/use', {
      config: write,
      schema: { tags, summary: 'Put the member ID and group number read from the card on the request (a person confirms them; a sent request too)', params: Params,
        response: { 200: z.object({ memberId: z.string().nullable(), groupNumber: z.string().nullable() }), ...errorResponses } },
    }, async (req) => cards.useRead(req.actor, requestMeta(req), req.params.id));
    app.delete('/cases/:id/coverage/cards/:side', { config: write, schema: { tags, summary: 'Remove the photo of one side of the card', params: SideParams, response: { 200: z.array(CoverageCard), ...errorResponses } } },
      async (req) => cards.remove(req.actor, requestMeta(req), req.params.id, req.params.side));
  };
}
