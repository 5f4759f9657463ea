import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { errorResponses, requestMeta } from '../core/http.ts';
import { INSURER_ANSWERS } from './repository.ts';
import { ServiceText } from './catalogue.ts';
import { AppError } from '../core/errors.ts';
import { toCsv } from '../core/csv.ts';
import { SERVICE_LINES } from '../experts/offers.ts';
import { entryIn, type Locale } from '../core/locale.ts';
import type { BillingService } from './service.ts';

const ReportRowView = z.object({
  month: z.string(), serviceLine: z.string(), serviceLineLabel: z.string(), currency: z.string(), bills: z.number(), cancelled: z.number().describe('Bills cancelled as issued in error (not in the amounts)'),
  billedCents: z.number(), paidCents: z.number().describe('Paid, up to what each bill asked'), waivedCents: z.number(), outstandingCents: z.number(),
  overpaidCents: z.number().describe('Paid beyond what was owed, to refund'),
}).meta({ id: 'BillingReportRow' });
/** A service line's name in the reader's language (the CSV keeps its id beside it). */
const serviceLineLabel = (id: string, locale: Locale = 'en') => {
  const line = SERVICE_LINES.find((l) => l.id === id);
  return line ? entryIn(line, locale).label : id;
};
const AssistancePolicyView = z.object({
  year: z.number(), currency: z.string(), firstPersonCents: z.number(), eachAdditionalPersonCents: z.number().describe('The guideline for a household of n is first + (n − 1) × each'), maxHousehold: z.number(),
  bands: z.array(z.object({ id: z.string(), upToPercent: z.number().nullable().describe('Up to this percent of the guideline; null for the last, open band'), assistancePercent: z.number() })),
  reviewedOn: z.string(), sources: z.array(z.object({ id: z.string(), title: z.string(), url: z.string().nullable() })),
}).meta({ id: 'AssistancePolicy' });
const Cited = z.object({ id: z.string(), title: z.string(), url: z.string().nullable() }).meta({ id: 'CostSource' });
const CostEstimate = z.object({
  currency: z.string().describe('ISO 4217; amounts are in its minor unit (cents)'),
  lines: z.array(z.object({
    serviceId: z.string(), name: z.string(), description: z.string(), includes: z.string().nullable(), feeCents: z.number(),
    part: z.enum(['included', 'possible', 'optional']).describe('In the total; added if the records hold what it reviews; or an option the patient may choose'),
    why: z.string().describe('Why the line is in the estimate'),
    codes: z.array(z.object({ system: z.string(), code: z.string(), display: z.string() })).describe('Billing codes the service maps to'),
    codeNote: z.string().nullable(), sources: z.array(Cited),
  })),
  totalCents: z.number(), upToCents: z.number().describe('The total with the possible lines'),
  guidance: z.array(z.object({ id: z.string(), text: z.string(), ask: z.string().describe('What to ask the plan'), why: z.string().describe('Why this guidance applies'), limits: z.string().describe('What the estimate cannot say, for this kind of plan'), sources: z.array(Cited), reviewedOn: z.string() })),
  priceNote: z.string(), reviewedOn: z.string(),
  pricesAsOf: z.string().nullable().describe('When the fees used were set'),
  pricesKeptFromSubmission: z.boolean().describe('The request keeps the fees in force when it was sent'),
  pricesSet: z.boolean().describe('False while the program has only the catalogue\'s example fees (no administrator has set its own)'),
}).meta({ id: 'CostEstimate' });
const ServiceTexts = z.record(z.string().regex(/^[a-z_]{1,40}$/), ServiceText);
const FeeSchedule = z.object({
  version: z.number(), currency: z.string(), fees: z.record(z.string(), z.number()).describe('Fee in cents per service'),
  services: ServiceTexts.nullable().describe('The services’ names, texts and billing codes from this version on (null: the catalogue file’s)'), note: z.string(),
  createdBy: z.string().nullable(), createdByName: z.string().nullable(), createdAt: z.string(),
}).meta({ id: 'FeeSchedule' });
const Fees = z.object({
  services: z.array(z.object({ id: z.string(), name: z.string(), description: z.string() })),
  texts: ServiceTexts.describe('Each service’s texts and codes as in force today, to edit'),
  codes: z.array(z.object({ system: z.string(), code: z.string(), display: z.string() })).describe('The codes a service may map to'),
  codeNote: z.string(),
  current: FeeSchedule.nullable(), history: z.array(FeeSchedule),
}).meta({ id: 'Fees' });
const NewFees = z.strictObject({
  basedOn: z.number().int().min(1).describe('The version the new fees were edited from: a save over a newer version is refused'),
  fees: z.record(z.string().regex(/^[a-z_]{1,40}$/), z.number().int().min(0).max(10_000_000)).describe('Fee in cents for every service'),
  services: ServiceTexts.optional().describe('Every service’s name, description, what it includes and billing codes (from the code set), in English and Spanish; left out, the texts stay as they are'),
  note: z.string().trim().min(1, 'Say why the fees change.').max(300),
});

const CoverageCheck = z.object({
  id: z.string(), insurer: z.string(), answer: z.enum(INSURER_ANSWERS), reference: z.string().nullable(), spokeOn: z.string(), note: z.string().nullable(),
  byName: z.string().nullable(), at: z.string(),
}).meta({ id: 'CoverageCheck' });
const NewCoverageCheck = z.strictObject({
  insurer: z.string().trim().min(1, 'Name the insurer or plan.').max(200),
  answer: z.enum(INSURER_ANSWERS),
  reference: z.string().trim().max(100).optional(),
  spokeOn: z.iso.date(),
  note: z.string().trim().max(1000).optional(),
});

/** What a request is likely to cost, and what the patient's kind of coverage usually does. */
export function billingRoutes(billing: BillingService) {
  return async (fastify: FastifyInstance) => {
    const app = fastify.withTypeProvider<ZodTypeProvider>();
    app.get('/cases/:id/estimate', {
      config: { access: { case: 'case.billing.read' } },
      schema: { tags: ['costs'], summary: 'An itemised estimate of what the request will cost, and coverage guidance for the patient’s kind of plan (guidance, never a promise)', params: z.object({ id: z.uuid() }), response: { 200: CostEstimate, ...errorResponses } },
    }, async (req) => billing.estimate(req.actor, requestMeta(req), req.params.id));
    app.get('/cases/:id/coverage-checks', { config: { access: { case: 'case.billing.read' } }, schema: { tags: ['costs'], summary: 'What the patient’s insurer said when the coordinator asked, newest first', params: z.object({ id: z.uuid() }), response: { 200: z.array(CoverageCheck), ...errorResponses } } },
      async (req) => billing.coverageChecks(req.actor, requestMeta(req), req.params.id));
    app.post('/cases/:id/coverage-checks', { config: { access: { case: 'case.records.curate' } }, schema: { tags: ['costs'], summary: 'Record what the insurer said: the answer, the day, the call’s reference number (coordinator)', params: z.object({ id: z.uuid() }), body: NewCoverageCheck, response: { 201: z.array(CoverageCheck), ...errorResponses } } },
      async (req, reply) => reply.code(201).send(await billing.recordCoverageCheck(req.actor, requestMeta(req), req.params.id, req.body)));
    // The program's assistance policy, so the patient side can pick their band (no health data: not audited).
    const policy = billing.assistancePolicy;
    app.get('/billing/assistance-policy', {
      config: { access: { permission: 'case.billing.read' } },
      schema: { tags: ['costs'], summary: 'The program’s financial-assistance policy: the poverty guideline by household size and the income bands with what each suggests waiving', response: { 200: AssistancePolicyView, ...errorResponses } },
    }, async (req) => {
      const locale = requestMeta(req).locale ?? 'en';
      const g = policy.povertyGuideline;
      return {
        year: g.year, currency: g.currency, firstPersonCents: g.firstPersonCents, eachAdditionalPersonCents: g.eachAdditionalPersonCents, maxHousehold: policy.maxHousehold,
        bands: policy.bands, reviewedOn: policy.reviewedOn, sources: policy.sources.map((s) => ({ id: s.id, title: entryIn(s, locale).title, url: s.url })),
      };
    });
    const Month = z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/, 'A month is written 2026-11.');
    app.get('/admin/billing/report', {
      config: { access: { permission: 'billing.report' } },
      schema: { tags: ['costs'], summary: 'Billed, paid, waived and still owed per month of issue and service line (administrators; aggregate only); CSV with format=csv',
        querystring: z.strictObject({ from: Month.optional().describe('First month (default: eleven months ago)'), to: Month.optional().describe('Last month, included (default: this month)'), format: z.enum(['json', 'csv']).default('json') }),
        response: { 200: z.union([z.array(ReportRowView), z.string().meta({ description: 'CSV, with format=csv' })]), ...errorResponses } },
    }, async (req, reply) => {
      const now = new Date();
      const month = (d: Date) => d.toISOString().slice(0, 7);
      const from = req.query.from ?? month(new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 11, 1)));
      const last = req.query.to ?? month(now);
      if (last < from) throw new AppError('VALIDATION_FAILED', 'The last month comes before the first.', { errors: [{ path: '/to', message: 'is before the first month' }] });
      const [y, m] = last.split('-').map(Number) as [number, number];
      const rows = await billing.report(req.actor, requestMeta(req), { from, to: month(new Date(Date.UTC(y, m, 1))) });
      if (req.query.format === 'csv') {
        const money = (cents: number) => (cents / 100).toFixed(2);
        const csv = toCsv([['month', 'service_line', 'service_line_name', 'currency', 'bills', 'cancelled', 'billed', 'paid', 'waived', 'outstanding', 'overpaid'],
          ...rows.map((r) => [r.month, r.serviceLine, serviceLineLabel(r.serviceLine), r.currency, r.bills, r.cancelled, money(r.billedCents), money(r.paidCents), money(r.waivedCents), money(r.outstandingCents), money(r.overpaidCents)])]);
        return reply.type('text/csv; charset=utf-8').header('content-disposition', `attachment; filename="billing-${from}-to-${last}.csv"`).send(csv);
      }
      return rows.map((r) => ({ ...r, serviceLineLabel: serviceLineLabel(r.serviceLine, requestMeta(req).locale) }));
    });
    app.get('/admin/fees', { config: { access: { permission: 'fees.manage' } }, schema: { tags: ['costs'], summary: 'The program’s services with today’s fees and every earlier version', response: { 200: Fees, ...errorResponses } } },
      async () => billing.fees());
    app.put('/admin/fees', { config: { access: { permission: 'fees.manage' } }, schema: { tags: ['costs'], summary: 'Set new fees (a new version, with the reason); requests already sent keep theirs', body: NewFees, response: { 200: FeeSchedule, ...errorResponses } } },
      async (req) => billing.setFees(req.actor, requestMeta(req), req.body));
  };
}
