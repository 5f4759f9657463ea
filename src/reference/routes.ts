import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { ICD10_CATALOG } from '../catalog/icd10.ts';
import { searchDiagnoses } from '../catalog/diagnosisSearch.ts';
import { PRIORITIES, SITUATIONS } from '../cases/intake.ts';
import { CASE_COMMANDS, CASE_STATUSES, STATUS_LABELS } from '../cases/lifecycle.ts';
import { choicesIn } from '../assessment/answers.ts';
import { knowledgeIn } from '../assessment/localized.ts';
import { entryIn, LOCALES, negotiateLocale } from '../core/locale.ts';
import { CONSENT_DOCUMENTS, currentDocument, documentIn } from '../consent/documents.ts';
import { ROLE_LABELS } from '../core/auth/roles.ts';

/** Public reference data the forms need: codes, situations, priorities, documents, lifecycle. */
export async function referenceRoutes(fastify: FastifyInstance) {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  const tags = ['reference'];
  const Diagnosis = z.object({
    id: z.string(), name: z.string().describe('What a person reads: the plain name, or the ICD-10-CM description when no plain name fits'),
    matched: z.string().nullable().describe('The synonym or abbreviation that matched, when it is not the name'),
    code: z.string().describe('The ICD-10-CM code a pick stands for'), display: z.string().describe('The official ICD-10-CM description'), group: z.string(), kind: z.enum(['name', 'code']),
  });

  app.get('/reference/icd10', { config: { access: 'public' }, schema: { tags, summary: 'Search diagnoses by plain name, synonym, abbreviation, ICD-10-CM description or code (typos forgiven; plain names first)', querystring: z.strictObject({ q: z.string().max(100).default(''), limit: z.coerce.number().int().min(1).max(100).default(20) }), response: { 200: z.object({ source: z.string(), reviewedOn: z.string(), items: z.array(Diagnosis) }) } } },
    async (req) => ({ source: ICD10_CATALOG.source, reviewedOn: ICD10_CATALOG.reviewedOn, items: searchDiagnoses(req.query.q, req.query.limit, negotiateLocale(req.headers['accept-language'])) }));
  app.get('/reference/intake', { config: { access: 'public' }, schema: { tags, summary: 'The five situations and the priorities the intake asks about', response: { 200: z.object({ situations: z.array(z.object({ id: z.number(), label: z.string(), source: z.string() })), priorities: z.array(z.object({ id: z.string(), label: z.string() })), urgencyRules: z.array(z.object({ id: z.string(), reason: z.string(), source: z.string(), reviewedOn: z.string() })) }) } } },
    async (req) => {
      const locale = negotiateLocale(req.headers['accept-language']);
      return {
        situations: SITUATIONS.map((s) => ({ id: s.id, label: entryIn(s, locale).label, source: s.source })),
        priorities: choicesIn(PRIORITIES, locale),
        urgencyRules: knowledgeIn(locale).knowledge.rules.urgency.rules.map(({ id, text, sources, reviewedOn }) => ({ id, reason: text, source: sources.join(', '), reviewedOn })),
      };
    });
  const Doc = z.object({ kind: z.string(), version: z.string(), title: z.string(), effectiveOn: z.string(), text: z.string(), language: z.enum(LOCALES).describe('The language of this text: the one asked for, or English where no translation exists') });
  app.get('/reference/consent-documents', { config: { access: 'public' }, schema: { tags, summary: 'The consent documents in force (and every earlier version), in the language asked for (Accept-Language)', response: { 200: z.object({ current: z.array(Doc), all: z.array(Doc) }) } } },
    async (req) => {
      const locale = negotiateLocale(req.headers['accept-language']);
      return { current: [currentDocument('service_consent'), currentDocument('hipaa_authorization')].map((d) => documentIn(d, locale)), all: CONSENT_DOCUMENTS.map((d) => documentIn(d, locale)) };
    });
  app.get('/reference/lifecycle', { config: { access: 'public' }, schema: { tags, summary: 'Case states and commands', response: { 200: z.object({ statuses: z.array(z.object({ id: z.string(), label: z.string() })), commands: z.array(z.object({ id: z.string(), label: z.string(), from: z.array(z.string()), to: z.string().nullable(), roles: z.array(z.string()) })), roles: z.record(z.string(), z.string()) }) } } },
    async () => ({
      statuses: CASE_STATUSES.map((id) => ({ id, label: STATUS_LABELS[id] })),
      commands: Object.entries(CASE_COMMANDS).map(([id, c]) => ({ id, label: c.label, from: [...c.from], to: c.to, roles: [...c.roles] })),
      roles: ROLE_LABELS,
    }));
}
