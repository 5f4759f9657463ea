import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { errorResponses, requestMeta } from '../core/http.ts';
import { AssessmentResult } from '../assessment/result.ts';
import { CaseStatusSchema } from '../cases/schemas.ts';
import { ChecklistView } from '../records/routes.ts';
import { evaluateLungResection } from './lungFunction.ts';
import type { OutcomesService } from './outcomes.ts';
import { FollowupThread, LungFunctionResultView, LungInputChecked, OpinionDraft, OpinionDraftChanges, OpinionPart, OpinionReport, OutcomesSummary, ReviewNote, SummaryLanguageView, SummaryTranslationBody } from './schemas.ts';
import type { OpinionsService } from './service.ts';

const Params = z.object({ id: z.uuid() });
const Workspace = z.object({
  status: CaseStatusSchema,
  isReviewer: z.boolean(),
  isLead: z.boolean(),
  intake: z.record(z.string(), z.unknown()),
  biomarkers: AssessmentResult.shape.biomarkers,
  biomarkerFindings: z.array(z.object({
    test: z.string(), result: z.enum(['found', 'not_found', 'stated', 'conflicting']).describe('stated: a value for the test (a score, a percentage), quoted and not judged'), evidence: z.array(z.string()),
  })).meta({ description: 'What the molecular reports on file state of each biomarker test, with the words it was read from (plain statements only)' }),
  reportedLungFunction: z.object({ fev1Percent: z.number().optional(), dlcoPercent: z.number().optional() }).nullable()
    .meta({ description: 'Lung function before surgery (% of predicted) as the patient gave it in the assessment; their own numbers, not a report' }),
  lungFunctionOnFile: z.array(z.object({ measure: z.enum(['fev1', 'dlco']), percentPredicted: z.number(), afterBronchodilator: z.boolean().describe('The line says the value was taken after a bronchodilator'), evidence: z.string() }))
    .meta({ description: 'FEV1 and DLCO (% of predicted) as the pulmonary function reports on file state them, with the line each was read from' }),
  checklist: ChecklistView.pick({ items: true, complete: true }),
  myPart: OpinionPart.nullable(),
  otherParts: z.array(OpinionPart),
  reviewers: z.array(z.object({ id: z.uuid(), name: z.string(), signed: z.boolean(), lead: z.boolean() })),
  notes: z.array(ReviewNote),
  reports: z.array(OpinionReport),
  summaryLanguage: SummaryLanguageView,
}).meta({ id: 'OpinionWorkspace' });
const Credentials = z.strictObject({ password: z.string().min(1).max(200), code: z.string().regex(/^\d{6}$/, 'the 6-digit code from the authenticator app') });
const IssueReport = Credentials.extend({
  leaveOutBoard: z.strictObject({ reason: z.string().trim().min(3).max(1000) }).optional()
    .meta({ description: 'Issue the report without the tumor board’s recommendation; the reason is kept as a review note' }),
});

/** The review workspace, the opinion and its report, follow-up, survey and outcomes. */
export function opinionsRoutes(opinions: OpinionsService, outcomes: OutcomesService) {
  return async (fastify: FastifyInstance) => {
    const app = fastify.withTypeProvider<ZodTypeProvider>();
    const tags = ['opinion'];
    app.get('/cases/:id/opinion', { config: { access: { case: 'case.opinion.read' } }, schema: { tags, summary: 'The review workspace: intake, biomarkers, checklist, parts, notes and issued reports', params: Params, response: { 200: Workspace, ...errorResponses } } },
      async (req) => opinions.workspace(req.actor, requestMeta(req), req.params.id));
    app.put('/cases/:id/opinion/draft', { config: { access: { case: 'case.opinion.write' } }, schema: { tags, summary: 'Replace my draft part of the opinion (assigned expert); sections may be half-filled', params: Params, body: OpinionDraft, response: { 200: OpinionPart, ...errorResponses } } },
      async (req) => opinions.saveDraft(req.actor, requestMeta(req), req.params.id, req.body, 'replace'));
    app.patch('/cases/:id/opinion/draft', { config: { access: { case: 'case.opinion.write' } }, schema: { tags, summary: 'Save some sections of my draft part (autosave); a section given as null is cleared', params: Params, body: OpinionDraftChanges, response: { 200: OpinionPart, ...errorResponses } } },
      async (req) => opinions.saveDraft(req.actor, requestMeta(req), req.params.id, req.body, 'merge'));
    app.post('/cases/:id/opinion/notes', { config: { access: { case: 'case.opinion.write' } }, schema: { tags, summary: 'A private review note', params: Params, body: z.strictObject({ body: z.string().trim().min(1).max(4000) }), response: { 201: ReviewNote, ...errorResponses } } },
      async (req, reply) => reply.code(201).send(await opinions.addNote(req.actor, requestMeta(req), req.params.id, req.body.body)));
    app.post('/cases/:id/opinion/sign', { config: { access: { case: 'case.opinion.write' } }, schema: { tags, summary: 'Sign my part (password and authenticator code again)', params: Params, body: Credentials, response: { 200: OpinionPart, ...errorResponses } } },
      async (req) => opinions.signPart(req.actor, requestMeta(req), req.params.id, req.body));
    app.post('/cases/:id/opinion/report', { config: { access: { case: 'case.opinion.write' } }, schema: { tags, summary: 'Issue the combined report (lead expert, every part signed)', params: Params, body: IssueReport, response: { 201: OpinionReport, ...errorResponses } } },
      async (req, reply) => reply.code(201).send(await opinions.issueReport(req.actor, requestMeta(req), req.params.id, req.body)));
    app.post('/cases/:id/opinion/report/versions', {
      config: { access: { case: 'case.opinion.write' } },
      schema: { tags, summary: 'An addendum or amendment, with a reason', params: Params, body: Credentials.extend({ kind: z.enum(['addendum', 'amendment']), reason: z.string().trim().min(5).max(1000), text: z.string().trim().min(1).max(8000) }), response: { 201: OpinionReport, ...errorResponses } },
    }, async (req, reply) => reply.code(201).send(await opinions.amend(req.actor, requestMeta(req), req.params.id, req.body)));
    app.get('/cases/:id/opinion/report/:version/pdf', { config: { access: { case: 'case.opinion.read' } }, schema: { tags, summary: 'The report PDF of one version', params: Params.extend({ version: z.coerce.number().int().min(1) }) } }, async (req, reply) => {
      const { stream, size, filename } = await opinions.reportPdf(req.actor, requestMeta(req), req.params.id, req.params.version);
      return reply.type('application/pdf').header('content-length', String(size)).header('content-disposition', `attachment; filename="${filename}"`).send(stream);
    });
    app.get('/cases/:id/opinion/report/:version/translation/pdf', { config: { access: { case: 'case.opinion.read' } }, schema: { tags, summary: 'The reviewed translation of the patient summary of one version, as a PDF (the patient’s language first)', params: Params.extend({ version: z.coerce.number().int().min(1) }) } }, async (req, reply) => {
      const { pdf, filename } = await opinions.translationPdf(req.actor, requestMeta(req), req.params.id, req.params.version);
      return reply.type('application/pdf').header('content-disposition', `attachment; filename="${filename}"`).send(pdf);
    });
    app.put('/cases/:id/opinion/report/:version/translation', {
      config: { access: { case: 'case.opinion.translate' } },
      schema: { tags, summary: 'Attach a translation of the patient summary, reviewed by a person (coordinator); the signed original stays as written', params: Params.extend({ version: z.coerce.number().int().min(1) }), body: SummaryTranslationBody, response: { 200: SummaryLanguageView, ...errorResponses } },
    }, async (req) => opinions.attachSummaryTranslation(req.actor, requestMeta(req), req.params.id, req.params.version, req.body));
    app.post('/cases/:id/opinion/deliver', { config: { access: { case: 'case.transition' } }, schema: { tags, summary: 'Deliver the report to the patient, proxies and referrer (coordinator)', params: Params, response: { 200: z.object({ delivered: z.literal(true) }), ...errorResponses } } },
      async (req) => opinions.deliver(req.actor, requestMeta(req), req.params.id));
    app.get('/cases/:id/followups', { config: { access: { case: 'case.opinion.read' } }, schema: { tags, summary: 'The follow-up thread after delivery', params: Params, response: { 200: FollowupThread, ...errorResponses } } },
      async (req) => opinions.followups(req.actor, requestMeta(req), req.params.id));
    app.post('/cases/:id/followups', { config: { access: { case: 'case.followup.write' } }, schema: { tags, summary: 'Ask or answer a follow-up question', params: Params, body: z.strictObject({ body: z.string().trim().min(1).max(4000) }), response: { 201: z.object({ id: z.uuid(), createdAt: z.string() }), ...errorResponses } } },
      async (req, reply) => reply.code(201).send(await opinions.postFollowup(req.actor, requestMeta(req), req.params.id, req.body.body)));
    app.post('/cases/:id/survey', {
      config: { access: { case: 'case.survey.write' } },
      schema: { tags, summary: 'The patient’s short survey after delivery', params: Params, body: z.strictObject({ clear: z.number().int().min(1).max(5), changed: z.enum(['diagnosis', 'plan', 'both', 'neither']), wouldRecommend: z.boolean(), comment: z.string().trim().max(2000).optional() }), response: { 201: z.object({ saved: z.literal(true) }), ...errorResponses } },
    }, async (req, reply) => reply.code(201).send(await opinions.submitSurvey(req.actor, requestMeta(req), req.params.id, req.body)));
    app.post('/calculators/lung-resection', { config: { access: 'signed-in' }, schema: { tags, summary: 'ppoFEV1/ppoDLCO and the next step of the ACCP algorithm', body: LungInputChecked, response: { 200: LungFunctionResultView, ...errorResponses } } },
      async (req) => { req.actor; return evaluateLungResection(req.body, requestMeta(req).locale); });
    app.get('/outcomes', { config: { access: { permission: 'outcomes.read' } }, schema: { tags, summary: 'Outcomes: situations, concordance, turnaround, SLA breaches (coordinators, admins)', querystring: z.strictObject({ format: z.enum(['json', 'csv']).default('json') }), response: { 200: z.union([OutcomesSummary, z.string().meta({ description: 'CSV, with format=csv' })]), ...errorResponses } } },
      async (req, reply) => {
        const actor = req.actor;
        const data = await outcomes.summary(actor, requestMeta(req));
        if (req.query.format === 'csv') return reply.type('text/csv').header('content-disposition', 'attachment; filename="outcomes.csv"').send(outcomes.csv(data));
        return data;
      });
  };
}
