import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { PRIORITIES } from '../cases/intake.ts';
import { errorResponses } from '../core/http.ts';
import { negotiateLocale } from '../core/locale.ts';
import { AssessmentAnswers, choicesIn, TIMING_CHOICES, TREATMENT_KINDS } from './answers.ts';
import { KNOWLEDGE, KnowledgeView } from './knowledge.ts';
import { assessIn, knowledgeIn } from './localized.ts';
import { wordsIn } from '../core/i18n.ts';
import { assessmentPdf } from './pdf.ts';
import { AssessmentResult } from './result.ts';

/**
 * The public "Should I get a second opinion?" API. Anonymous and stateless: answers are not
 * stored and not logged (they are health information); a per-address rate limit keeps it cheap.
 */
const Choice = z.object({ id: z.string(), label: z.string() });
const Questionnaire = z.object({
  operations: z.array(z.object({ id: z.string(), label: z.string(), major: z.boolean(), lungResection: z.boolean() })),
  treatments: z.array(Choice), timing: z.array(Choice), priorities: z.array(Choice), records: z.array(Choice),
  panels: z.array(z.object({ id: z.string(), label: z.string(), tests: z.array(z.string()) })),
  conditions: z.array(z.object({ id: z.string(), label: z.string(), kind: z.enum(['cancer', 'lung']), codes: z.array(z.string()) })),
}).meta({ id: 'AssessmentQuestionnaire' });

export function assessmentRoutes(opts: { ratePerMinute: number; now: () => Date }) {
  return async function routes(fastify: FastifyInstance) {
    const app = fastify.withTypeProvider<ZodTypeProvider>();
    const tags = ['assessment'];
    const rateLimit = { max: opts.ratePerMinute, timeWindow: 60_000 };

    app.post('/assessments', {
      config: { access: 'public', rateLimit },
      schema: { tags, summary: 'Assess whether and how to seek a second opinion (anonymous)', body: AssessmentAnswers, response: { 200: AssessmentResult, ...errorResponses } },
    }, async (req) => assessIn(req.body, negotiateLocale(req.headers['accept-language'])));

    app.post('/assessments/pdf', {
      config: { access: 'public', rateLimit },
      schema: { tags, summary: 'The same assessment as a printable PDF', body: AssessmentAnswers, response: { 200: z.any().describe('application/pdf'), ...errorResponses } },
    }, async (req, reply) => {
      const result = assessIn(req.body, negotiateLocale(req.headers['accept-language']));
      const pdf = await assessmentPdf(result, opts.now());
      const name = wordsIn(result.language)('assessment:fileName');
      return reply.type('application/pdf').header('content-disposition', `attachment; filename="${name}"`).send(pdf);
    });

    app.get('/assessments/questionnaire', { config: { access: 'public' }, schema: { tags, summary: 'The choices the questionnaire offers, in the language asked for (Accept-Language)', response: { 200: Questionnaire } } }, async (req) => {
      const locale = negotiateLocale(req.headers['accept-language']);
      const k = knowledgeIn(locale).knowledge;
      return {
        operations: k.operations.map(({ id, label, major, lungResection }) => ({ id, label, major, lungResection })),
        treatments: choicesIn(TREATMENT_KINDS, locale),
        timing: choicesIn(TIMING_CHOICES, locale),
        priorities: choicesIn(PRIORITIES, locale),
        records: k.rules.checklist.map(({ id, label }) => ({ id, label })),
        panels: k.panels.map(({ id, label, tests }) => ({ id, label, tests: tests.map((t) => t.name) })),
        conditions: k.conditions.map(({ id, label, kind, codes }) => ({ id, label, kind, codes })),
      };
    });

    app.get('/assessments/rules', { config: { access: 'public' }, schema: { tags, summary: 'Every rule and catalogue entry with its source and review date, for clinicians to audit, in the language asked for (Accept-Language; English where a text has no translation)', response: { 200: KnowledgeView } } }, async (req) => {
      const k = knowledgeIn(negotiateLocale(req.headers['accept-language'])).knowledge;
      return { version: k.version, sources: k.sources, conditions: k.conditions, operations: k.operations, volumeStandards: k.volumeStandards, specialties: k.specialties, panels: k.panels, rules: k.rules };
    });
  };
}
