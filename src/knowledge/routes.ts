import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { errorResponses } from '../core/http.ts';
import { knowledgeReview, REVIEW_EVERY_DAYS } from './review.ts';

const Entry = z.object({
  area: z.string(), kind: z.string().describe('Where in its file the entry sits'), id: z.string(), label: z.string(),
  reviewedOn: z.string(), sources: z.array(z.string()), due: z.boolean().describe(`Not reviewed for ${REVIEW_EVERY_DAYS} days or more`),
}).meta({ id: 'KnowledgeEntry' });

/** The administrator's view of when the knowledge was last reviewed, and what is due. */
export function knowledgeRoutes(now: () => Date) {
  return async (fastify: FastifyInstance) => {
    const app = fastify.withTypeProvider<ZodTypeProvider>();
    app.get('/admin/knowledge/review', {
      config: { access: { permission: 'knowledge.review' } },
      schema: { tags: ['knowledge'], summary: `Every dated entry of the clinical and service knowledge (rules, sources, catalogues), oldest review first; those not reviewed for ${REVIEW_EVERY_DAYS} days are due`, response: { 200: z.object({ asOf: z.string(), reviewEveryDays: z.number(), entries: z.array(Entry) }), ...errorResponses } },
    }, async () => ({ asOf: now().toISOString().slice(0, 10), reviewEveryDays: REVIEW_EVERY_DAYS, entries: knowledgeReview(now()) }));
  };
}
