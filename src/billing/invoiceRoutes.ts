import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { errorResponses, requestMeta } from '../core/http.ts';
import { INVOICE_STATUSES, PAYMENT_METHODS } from './invoice.ts';
import type { InvoiceService } from './invoices.ts';
import { AppError } from '../core/errors.ts';
import { LOCALES } from '../core/locale.ts';
import { NoticeRefused, type PaymentProvider } from './payments.ts';

const Code = z.object({ system: z.string(), code: z.string(), display: z.string() });
const InvoiceView = z.object({
  id: z.uuid(), caseId: z.uuid(), number: z.string().nullable().describe('Given when issued, e.g. INV-2026-000042'),
  status: z.enum(INVOICE_STATUSES), currency: z.string().describe('ISO 4217; amounts are in its minor unit (cents)'),
  lines: z.array(z.object({ serviceId: z.string(), description: z.string(), quantity: z.number(), unitCents: z.number(), codes: z.array(Code) })),
  discountCents: z.number(), discountReason: z.string().nullable(), taxBasisPoints: z.number().describe('Tax rate in hundredths of a percent (825 = 8.25 %)'),
  subtotalCents: z.number(), taxCents: z.number(), totalCents: z.number(), paidCents: z.number(), balanceCents: z.number().describe('Still owed (0 once closed)'),
  dueOn: z.string().nullable(), issuedAt: z.string().nullable(), closedAt: z.string().nullable(), closeReason: z.string().nullable(),
  hardshipRequest: z.string().nullable().describe('The patient’s words when they asked for help with the bill'), hardshipRequestedAt: z.string().nullable(),
  assistance: z.object({
    household: z.number().nullable(), incomeBand: z.string().nullable(),
    suggestedPercent: z.number().nullable().describe('What the program’s assistance policy suggests waiving for this household and band'),
    percent: z.number().nullable().describe('The share of what was owed that was waived (0: declined); null until decided'),
    cents: z.number().describe('What the assistance waived'), reason: z.string().nullable(), decidedAt: z.string().nullable(),
  }),
  version: z.number().describe('Sent back with a change: a change over a newer version is refused'),
  payments: z.array(z.object({ id: z.uuid(), amountCents: z.number(), method: z.enum(PAYMENT_METHODS), reference: z.string().nullable(), receivedOn: z.string(), recordedByName: z.string().nullable(), online: z.boolean().describe('Taken online (confirmed by the payment provider)'), at: z.string() })),
  payOnline: z.boolean().describe('The caller can pay what is owed online now'),
  howToPay: z.string().nullable().describe('How to pay other than online, in the program’s words (BILLING_PAYMENT_INSTRUCTIONS); null once settled or when not configured'),
  superbill: z.boolean().describe('A superbill can be made: services on the bill were given, and something was paid or is owed'),
  paymentBeforeReview: z.boolean().describe('The program asks for this bill to be paid before the review starts (BILLING_PAYMENT_TIMING)'),
  createdAt: z.string(),
}).meta({ id: 'Invoice' });

const Reason = (what: string) => z.string().trim().min(3, `Say why the invoice is ${what}.`).max(500);
const Params = z.object({ id: z.uuid() });
const InvoiceParams = z.object({ id: z.uuid(), invoiceId: z.uuid() });
const DraftChange = z.strictObject({
  version: z.number().int().min(1),
  lines: z.array(z.strictObject({ serviceId: z.string().max(40), quantity: z.number().int().min(1).max(100), unitCents: z.number().int().min(0).max(10_000_000) })).max(30),
  discountCents: z.number().int().min(0).max(10_000_000),
  discountReason: z.string().trim().max(300).optional(),
  taxBasisPoints: z.number().int().min(0).max(5000).describe('Tax rate in hundredths of a percent, up to 50 %'),
  dueOn: z.iso.date().optional(),
});
const tags = ['costs'];

/** A request's invoices: drafted, issued and settled by the coordinator, read and asked about by the patient side. */
export function invoiceRoutes(invoices: InvoiceService, provider: PaymentProvider | null) {
  return async (fastify: FastifyInstance) => {
    const app = fastify.withTypeProvider<ZodTypeProvider>();
    const manage = { access: { case: 'case.billing.manage' } } as const;
    app.get('/cases/:id/invoices', { config: { access: { case: 'case.billing.read' } }, schema: { tags, summary: 'The request’s invoices (the patient side sees those issued)', params: Params, response: { 200: z.array(InvoiceView), ...errorResponses } } },
      async (req) => invoices.list(req.actor, requestMeta(req), req.params.id));
    app.post('/cases/:id/invoices', { config: manage, schema: { tags, summary: 'Draft an invoice from the estimate: the services included, at the fees the request keeps (coordinator)', params: Params, response: { 201: InvoiceView, ...errorResponses } } },
      async (req, reply) => reply.code(201).send(await invoices.draft(req.actor, requestMeta(req), req.params.id)));
    app.put('/cases/:id/invoices/:invoiceId', { config: manage, schema: { tags, summary: 'Change a draft: lines, discount with its reason, tax rate, due date', params: InvoiceParams, body: DraftChange, response: { 200: InvoiceView, ...errorResponses } } },
      async (req) => invoices.update(req.actor, requestMeta(req), req.params.id, req.params.invoiceId, req.body));
    app.delete('/cases/:id/invoices/:invoiceId', { config: manage, schema: { tags, summary: 'Discard a draft', params: InvoiceParams, response: { 204: z.null(), ...errorResponses } } },
      async (req, reply) => {
        await invoices.discard(req.actor, requestMeta(req), req.params.id, req.params.invoiceId);
        return reply.code(204).send(null);
      });
    app.post('/cases/:id/invoices/:invoiceId/issue', { config: manage, schema: { tags, summary: 'Issue a draft: it gets its number and due date, and the patient side sees it', params: InvoiceParams, body: z.strictObject({ version: z.number().int().min(1), dueOn: z.iso.date() }), response: { 200: InvoiceView, ...errorResponses } } },
      async (req) => invoices.issue(req.actor, requestMeta(req), req.params.id, req.params.invoiceId, req.body));
    app.post('/cases/:id/invoices/:invoiceId/payments', {
      config: manage,
      schema: { tags, summary: 'Record a payment received; the invoice is paid once nothing is owed', params: InvoiceParams, response: { 200: InvoiceView, ...errorResponses },
        body: z.strictObject({ amountCents: z.number().int().min(1).max(10_000_000), method: z.enum(PAYMENT_METHODS), reference: z.string().trim().max(100).optional(), receivedOn: z.iso.date() }) },
    }, async (req) => invoices.recordPayment(req.actor, requestMeta(req), req.params.id, req.params.invoiceId, req.body));
    app.post('/cases/:id/invoices/:invoiceId/void', { config: manage, schema: { tags, summary: 'Void an invoice issued in error (nothing paid on it)', params: InvoiceParams, body: z.strictObject({ reason: Reason('void') }), response: { 200: InvoiceView, ...errorResponses } } },
      async (req) => invoices.void(req.actor, requestMeta(req), req.params.id, req.params.invoiceId, req.body.reason));
    app.post('/cases/:id/invoices/:invoiceId/write-off', { config: manage, schema: { tags, summary: 'Waive what is owed (a hardship waiver or another reason); payments stay', params: InvoiceParams, body: z.strictObject({ reason: Reason('written off') }), response: { 200: InvoiceView, ...errorResponses } } },
      async (req) => invoices.writeOff(req.actor, requestMeta(req), req.params.id, req.params.invoiceId, req.body.reason));
    app.post('/cases/:id/invoices/:invoiceId/hardship', {
      config: { access: { case: 'case.billing.hardship' } },
      schema: { tags, summary: 'The patient asks for help with what is owed (a hardship waiver); the coordinator decides', params: InvoiceParams, response: { 200: InvoiceView, ...errorResponses },
        body: z.strictObject({
          request: z.string().trim().min(10, 'Tell us in a few words what makes the bill hard to pay.').max(2000),
          householdSize: z.number().int().min(1).max(50).optional().describe('People in the household, for the program’s assistance policy'),
          incomeBand: z.string().max(40).optional().describe('The band of yearly household income, an id from GET /api/billing/assistance-policy'),
        }) },
    }, async (req) => invoices.askHardship(req.actor, requestMeta(req), req.params.id, req.params.invoiceId, req.body));
    app.post('/cases/:id/invoices/:invoiceId/assistance', {
      config: manage,
      schema: { tags, summary: 'Decide a request for help: the share of what is owed that is waived (0 declines, 100 writes off the rest), with a reason the patient reads', params: InvoiceParams, response: { 200: InvoiceView, ...errorResponses },
        body: z.strictObject({ percent: z.number().int().min(0).max(100), reason: Reason('helped or not') }) },
    }, async (req) => invoices.decideAssistance(req.actor, requestMeta(req), req.params.id, req.params.invoiceId, req.body));
    app.post('/cases/:id/invoices/:invoiceId/checkout', {
      config: { access: { case: 'case.billing.pay' } },
      schema: { tags, summary: 'Pay what is owed online: the payment provider’s page to go to (when the program takes payments online)', params: InvoiceParams, response: { 200: z.object({ url: z.url() }), ...errorResponses } },
    }, async (req) => invoices.checkout(req.actor, requestMeta(req), req.params.id, req.params.invoiceId));

    // The provider's notices are signed; their bytes are checked as sent, so this route reads them raw.
    await app.register(async (raw) => {
      raw.addContentTypeParser('application/json', { parseAs: 'buffer', bodyLimit: 1024 * 1024 }, (_req, body, done) => done(null, body));
      raw.post('/payments/stripe/webhook', {
        config: { access: 'public' },
        schema: { tags, summary: 'Stripe’s signed notices of payments (checkout.session.completed); recorded once each', response: { 200: z.object({ received: z.literal(true), outcome: z.enum(['recorded', 'already', 'unknown', 'ignored']) }), ...errorResponses } },
      }, async (req) => {
        if (!provider) throw new AppError('NOT_FOUND', 'Payments are not taken online here.');
        let payment;
        try {
          payment = provider.paymentFrom(req.body as Buffer, typeof req.headers['stripe-signature'] === 'string' ? req.headers['stripe-signature'] : undefined);
        } catch (err) {
          if (err instanceof NoticeRefused) throw new AppError('VALIDATION_FAILED', 'The notice’s signature does not hold.');
          throw err;
        }
        if (!payment) return { received: true as const, outcome: 'ignored' as const };
        return { received: true as const, outcome: await invoices.providerPayment(payment, requestMeta(req)) };
      });
    });

    /** A bill's document as a PDF download, in the language the link names or the reader's. */
    const pdfRoute = (path: string, summary: string, make: InvoiceService['pdf'], filename: (number: string) => string) =>
      app.get(`/cases/:id/invoices/:invoiceId/${path}`, {
        config: { access: { case: 'case.billing.read' } },
        // A link opened from the page carries the page's language (a download sends the browser's own Accept-Language).
        schema: { tags, summary, params: InvoiceParams, querystring: z.strictObject({ lang: z.enum(LOCALES).optional() }) },
      }, async (req, reply) => {
        const meta = requestMeta(req);
        const { number, pdf } = await make(req.actor, { ...meta, locale: req.query.lang ?? meta.locale }, req.params.id, req.params.invoiceId);
        return reply.type('application/pdf').header('content-disposition', `attachment; filename="${filename(number)}.pdf"`).send(pdf);
      });
    pdfRoute('pdf', 'An issued invoice as PDF, in the reader’s language, with the codes an insurance claim needs', invoices.pdf, (n) => n);
    pdfRoute('superbill', 'A superbill for the patient’s health plan (PDF): biller and rendering NPIs, tax id, dates and place of service, CPT codes with modifiers, ICD-10-CM diagnoses, charges and payments', invoices.superbillPdf, (n) => `superbill-${n}`);
  };
}
