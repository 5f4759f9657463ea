import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { knowledgeIn } from '../assessment/localized.ts';
import { DEFAULT_LOCALE, entryIn, type Locale } from '../core/locale.ts';
import { requestMeta } from '../core/http.ts';
import { serviceLevelsFor } from '../cases/sla.ts';
import type { Config } from '../core/config.ts';
import { SERVICE_LINES } from '../experts/offers.ts';

/**
 * What anyone may know about the service before signing up, for the public home page: how long
 * an opinion takes (the configured service levels), which illnesses and kinds of specialists it
 * covers (names only: nothing about any expert in the directory), what the seed article says
 * about costs and insurance, how long follow-up questions stay open, and whom to contact.
 */
export const ServiceInfo = z.object({
  turnaround: z.object({
    standardBusinessDays: z.number().int().meta({ description: 'Business days from complete records to the opinion (SERVICE_LEVELS_FILE)' }),
    expeditedBusinessDays: z.number().int().meta({ description: 'The same for an urgent case' }),
  }),
  followupDays: z.number().int().meta({ description: 'Days after delivery in which follow-up questions are open (FOLLOWUP_DAYS)' }),
  serviceLines: z.array(z.object({ id: z.string(), label: z.string(), conditions: z.array(z.string()) })),
  specialists: z.array(z.object({ id: z.string(), label: z.string(), plain: z.string() })),
  costNotes: z.array(z.object({ id: z.string(), text: z.string(), sources: z.array(z.string()) })),
  contact: z.object({ email: z.string().nullable(), phone: z.string().nullable() }),
}).meta({ id: 'ServiceInfo' });
export type ServiceInfo = z.infer<typeof ServiceInfo>;

/** The public description of the service under this configuration (pure: configuration and bundled data only). */
export function serviceInfo(config: Pick<Config, 'serviceLevelsFile' | 'followupDays' | 'contactEmail' | 'contactPhone'>, locale: Locale = DEFAULT_LOCALE): ServiceInfo {
  const levels = serviceLevelsFor(config);
  const { knowledge: KNOWLEDGE } = knowledgeIn(locale);
  const conditionLabel = (id: string) => KNOWLEDGE.conditions.find((c) => c.id === id)?.label;
  return {
    turnaround: { standardBusinessDays: levels.businessDays.standard, expeditedBusinessDays: levels.businessDays.expedited },
    followupDays: config.followupDays,
    serviceLines: SERVICE_LINES.map((l) => ({ id: l.id, label: entryIn(l, locale).label, conditions: l.conditions.map(conditionLabel).filter((c): c is string => !!c) })),
    // "Surgery in the organ concerned" is a placeholder role for matching, not a kind of specialist to name.
    specialists: KNOWLEDGE.specialties.filter((s) => s.id !== 'general_surgery').map(({ id, label, plain }) => ({ id, label, plain })),
    costNotes: KNOWLEDGE.rules.coverage.map(({ id, text, sources }) => ({ id, text, sources })),
    contact: { email: config.contactEmail ?? null, phone: config.contactPhone ?? null },
  };
}

export function serviceInfoRoutes(config: Config) {
  return async function routes(fastify: FastifyInstance) {
    const app = fastify.withTypeProvider<ZodTypeProvider>();
    app.get('/reference/service', {
      config: { access: 'public' },
      schema: { tags: ['reference'], summary: 'What the service offers: turnaround, kinds of experts, costs and insurance, contact (public, no personal data)', response: { 200: ServiceInfo } },
    }, async (req) => serviceInfo(config, requestMeta(req).locale));
  };
}
