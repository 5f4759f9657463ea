import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { ICD10_CATALOG, searchIcd10 } from '../catalog/icd10.ts';
import { PRIORITIES, SITUATIONS } from '../cases/intake.ts';
import { CASE_COMMANDS, CASE_STATUSES, STATUS_LABELS } from '../cases/lifecycle.ts';
import { KNOWLEDGE } from '../assessment/knowledge.ts';
import { CONSENT_DOCUMENTS, currentDocument } from '../consent/documents.ts';
import { ROLE_LABELS } from '../core/auth/roles.ts';

/** Public reference data the forms need: codes, situations, priorities, documents, lifecycle. */
export async function referenceRoutes(fastify: FastifyInstance) {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  const tags = ['reference'];
  const Code = z.object({ code: z.string(), display: z.string(), group: z.string() });

  app.get('/reference/icd10', { config: { access: 'public' }, schema: { tags, summary: 'Search the bundled ICD-10-CM codes', querystring: z.strictObject({ q: z.string().max(100).default(''), limit: z.coerce.number().int().min(1).max(100).default(20) }), response: { 200: z.object({ source: z.string(), reviewedOn: z.string(), items: z.array(Code) }) } } },
    async (req) => ({ source: ICD10_CATALOG.source, reviewedOn: ICD10_CATALOG.reviewedOn, items: searchIcd10(req.query.q, req.query.limit) }));
  app.get('/reference/intake', { config: { access: 'public' }, schema: { tags, summary: 'The five situations and the priorities the intake asks about', response: { 200: z.object({ situations: z.array(z.object({ id: z.number(), label: z.string(), source: z.string() })), priorities: z.array(z.object({ id: z.string(), label: z.string() })), urgencyRules: z.array(z.object({ id: z.string(), reason: z.string(), source: z.string(), reviewedOn: z.string() })) }) } } },
    async () => ({ situations: [...SITUATIONS], priorities: [...PRIORITIES], urgencyRules: KNOWLEDGE.rules.urgency.rules.map(({ id, text, sources, reviewedOn }) => ({ id, reason: text, source: sources.join(', '), reviewedOn })) }));
  const Doc = z.object({ kind: z.string(), version: z.string(), title: z.string(), effectiveOn: z.string(), text: z.string() });
  app.get('/reference/consent-documents', { config: { access: 'public' }, schema: { tags, summary: 'The consent documents in force (and every earlier version)', response: { 200: z.object({ current: z.array(Doc), all: z.array(Doc) }) } } },
    async () => ({ current: [currentDocument('service_consent'), currentDocument('hipaa_authorization')], all: CONSENT_DOCUMENTS }));
  app.get('/reference/lifecycle', { config: { access: 'public' }, schema: { tags, summary: 'Case states and commands', response: { 200: z.object({ statuses: z.array(z.object({ id: z.string(), label: z.string() })), commands: z.array(z.object({ id: z.string(), label: z.string(), from: z.array(z.string()), to: z.string().nullable(), roles: z.array(z.string()) })), roles: z.record(z.string(), z.string()) }) } } },
    async () => ({
      statuses: CASE_STATUSES.map((id) => ({ id, label: STATUS_LABELS[id] })),
      commands: Object.entries(CASE_COMMANDS).map(([id, c]) => ({ id, label: c.label, from: [...c.from], to: c.to, roles: [...c.roles] })),
      roles: ROLE_LABELS,
    }));
}
