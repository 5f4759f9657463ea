import { openCase, withCaseTx, type CaseRow } from '../core/access.ts';
import { recordAudit } from '../core/audit.ts';
import { roleAllows } from '../core/auth/roles.ts';
import type { Actor, RequestMeta } from '../core/context.ts';
import type { Queryable } from '../core/db.ts';
import type { Deps } from '../core/deps.ts';
import { AppError, msg, type Message } from '../core/errors.ts';
import type { Locale } from '../core/locale.ts';
import { invoiceNumber, invoiceRefusal, invoiceTotals, type InvoiceAction, type InvoiceLine, type PaymentMethod } from './invoice.ts';
import { caseInvoices, checkoutSession, deleteDraft, setCheckoutSession, insertDraft, insertPayment, invoiceById, invoiceForUpdate, markClosed, markAssistanceDecided, markHardshipAsked, markIssued, providerEventSeen, saveDraft, type Invoice } from './invoiceRepository.ts';
import type { CaseEstimate } from './service.ts';
import type { PaymentProvider, ProviderPayment } from './payments.ts';

export type InvoiceView = Invoice & { payOnline: boolean; paymentBeforeReview: boolean; superbill: boolean; howToPay: string | null; assistance: Invoice['assistance'] & { suggestedPercent: number | null } };
import { billingIn, type Billing } from './estimate.ts';
import { invoiceDefinition } from './invoicePdf.ts';
import { givenLines, superbillAvailable } from './superbill.ts';
import { billingContext, type BillingContext } from './repository.ts';
import { BEFORE_REVIEW } from '../cases/lifecycle.ts';
import { assistanceCents, suggestedAssistance, type AssistancePolicy } from './assistance.ts';
import { billedPatient, superbillFor } from './superbillFacts.ts';
import { superbillDefinition } from './superbillPdf.ts';
import { renderPdf } from '../core/pdf.ts';
import { emit } from '../events/emit.ts';
import { enqueueJob } from '../jobs.ts';

export interface DraftChange {
  version: number;
  lines: { serviceId: string; quantity: number; unitCents: number }[];
  discountCents: number;
  discountReason?: string | undefined;
  taxBasisPoints: number;
  dueOn?: string | undefined;
}

// The latest date anywhere on Earth now (UTC+14): a coordinator's own today is never "the future".
const latestToday = (now: Date) => new Date(now.getTime() + 14 * 3_600_000).toISOString().slice(0, 10);
const earliestToday = (now: Date) => new Date(now.getTime() - 12 * 3_600_000).toISOString().slice(0, 10);
/** The patient's own money matters (their words, household, the help decided): the patient side's patients and the coordinator, not a referring physician. */
export const ownsMoneyMatters = (actor: Pick<Actor, 'role'>) => roleAllows(actor.role, 'case.billing.manage') || roleAllows(actor.role, 'case.billing.hardship');
const fieldError = (path: string, message: string | Message) => new AppError('VALIDATION_FAILED', message, { errors: [{ path, message: typeof message === 'string' ? message : message.text }] });

/**
 * A request's invoices: the coordinator drafts one from the estimate (the services included, at
 * the request's fees), edits its lines, discount, tax and due date, and issues it; then records
 * payments until it is paid, voids it (issued in error, nothing paid) or writes off what is owed
 * (a hardship the patient asked for, or any other reason). The patient side reads what was issued.
 */
export function invoiceService(deps: Deps, costs: { caseEstimate: (tx: Queryable, row: CaseRow, locale: Locale) => Promise<CaseEstimate>; catalogueNow: (tx: Queryable) => Promise<Billing>; assistancePolicy: AssistancePolicy }, provider: PaymentProvider | null = null) {
  const { db } = deps;
  const { caseEstimate: estimateOf, catalogueNow, assistancePolicy } = costs;
  /**
   * What a bill looks like to `actor` on a request in `ctx`: with whether they can pay it online
   * now, whether its payment holds the review, and whether its superbill can be made yet.
   */
  const viewFor = (actor: Actor, ctx: BillingContext, locale: Locale = 'en') => (inv: Invoice): InvoiceView => {
    // The patient's own words, household and help about their money: for the patient side's patients and the coordinator, not a referring physician.
    const own = ownsMoneyMatters(actor);
    const a = inv.assistance;
    const suggested = own && a.household && a.incomeBand ? suggestedAssistance(assistancePolicy, a.household, a.incomeBand)?.percent ?? null : null;
    return {
      ...inv,
      hardshipRequest: own ? inv.hardshipRequest : null,
      closeReason: own || inv.status !== 'written_off' ? inv.closeReason : null,
      assistance: own ? { ...a, suggestedPercent: suggested } : { ...a, household: null, incomeBand: null, percent: null, reason: null, suggestedPercent: null },
      payOnline: !!provider && inv.status === 'issued' && inv.balanceCents > 0 && roleAllows(actor.role, 'case.billing.pay'),
      paymentBeforeReview: deps.config.paymentTiming === 'before_review' && inv.status === 'issued' && BEFORE_REVIEW.includes(ctx.status),
      superbill: superbillAvailable(inv) && givenLines(inv, ctx.given).length > 0,
      howToPay: inv.status === 'issued' ? howToPay(locale) : null,
    };
  };
  /** The program's own words on how to pay other than online, in the reader's language when given in it. */
  const howToPay = (locale: Locale) => (locale === 'es' ? deps.config.paymentInstructions.es : undefined) ?? deps.config.paymentInstructions.en ?? null;
  /** The view of one bill after a change, read again with the request's context. */
  const viewAfter = async (tx: Queryable, actor: Actor, meta: RequestMeta, caseId: string, id: string) => viewFor(actor, await billingContext(tx, caseId), meta.locale)(await after(tx, caseId, id));
  /**
   * A bill's lines named in the reader's language, by the catalogue's names today (a line keeps
   * the English name it was billed under).
   */
  const inLanguage = async (tx: Queryable, locale: Locale | undefined) => {
    if (!locale || locale === 'en') return (inv: Invoice) => inv;
    const names = new Map(billingIn(await catalogueNow(tx), locale).catalogue.services.map((s) => [s.id, s.name]));
    return (inv: Invoice): Invoice => ({ ...inv, lines: inv.lines.map((l) => ({ ...l, description: names.get(l.serviceId) ?? l.description })) });
  };

  async function openInvoice(tx: Queryable, actor: Actor, meta: RequestMeta, caseId: string, invoiceId: string, action: InvoiceAction) {
    const permission = action === 'askHardship' ? 'case.billing.hardship' : action === 'checkout' ? 'case.billing.pay' : 'case.billing.manage';
    const { row } = await openCase(tx, actor, caseId, permission, meta, { forUpdate: true });
    const invoice = await invoiceForUpdate(tx, caseId, invoiceId);
    // The patient side does not know of drafts.
    if (!invoice || (invoice.status === 'draft' && !roleAllows(actor.role, 'case.billing.manage'))) throw new AppError('NOT_FOUND', 'This invoice is not on the request.');
    const refused = invoiceRefusal(action, invoice.status, invoice.paidCents);
    if (refused) throw new AppError('CONFLICT', refused);
    return { row, invoice };
  }

  const audit = (tx: Queryable, actor: Actor, meta: RequestMeta, action: string, caseId: string, invoiceId: string, detail: Record<string, unknown> = {}) =>
    recordAudit(tx, { actor, meta, action, entityType: 'Invoice', entityId: invoiceId, caseId, detail });

  const after = async (tx: Queryable, caseId: string, id: string) => (await invoiceById(tx, caseId, id))!;
  /** Closes an issued invoice (paid, void, written off) and puts it on the case's timeline. */
  async function close(tx: Queryable, invoice: Invoice, status: 'paid' | 'void' | 'written_off', by: string | null, reason: string | null) {
    await markClosed(tx, invoice.id, status, by, reason);
    await emit(tx, { caseId: invoice.caseId, actorId: by, type: 'invoice.close', detail: { invoiceId: invoice.id, number: invoice.number!, status } });
    await closePaymentPage(tx, invoice.id);
  }
  /**
   * A settled bill's payment page must take no more money: a job closes it at the provider once
   * the change is committed (never inside the transaction; retried if the provider does not
   * answer). A payment that still arrives is recorded and flagged for a refund.
   */
  async function closePaymentPage(tx: Queryable, invoiceId: string) {
    const sessionId = provider ? await checkoutSession(tx, invoiceId) : null;
    if (!sessionId) return;
    await setCheckoutSession(tx, invoiceId, null);
    await enqueueJob(tx, 'billing.closePaymentPage', { sessionId });
  }
  /** Today in UTC, for a payment the provider confirmed now. */
  const todayUtc = () => deps.now().toISOString().slice(0, 10);

  function linesOf(change: DraftChange['lines'], billing: Billing): InvoiceLine[] {
    const services = new Map(billing.catalogue.services.map((s) => [s.id, s]));
    return change.map((l, i) => {
      const s = services.get(l.serviceId);
      if (!s) throw fieldError(`/lines/${i}/serviceId`, 'Not a service of the catalogue.');
      return { serviceId: s.id, description: s.name, quantity: l.quantity, unitCents: l.unitCents, codes: s.codes };
    });
  }

  return {
    /** The request's invoices: all of them for the coordinator, the issued ones for the patient side. */
    async list(actor: Actor, meta: RequestMeta, caseId: string): Promise<InvoiceView[]> {
      return withCaseTx(db, async (tx) => {
        await openCase(tx, actor, caseId, 'case.billing.read', meta, { auditAction: 'invoice.list' });
        return (await caseInvoices(tx, caseId, roleAllows(actor.role, 'case.billing.manage'))).map(await inLanguage(tx, meta.locale)).map(viewFor(actor, await billingContext(tx, caseId), meta.locale));
      });
    },

    /** The job that closes a payment page at the provider. */
    async closePaymentPageAtProvider(sessionId: string): Promise<void> {
      await provider?.expireCheckout(sessionId);
    },

    /** The patient side starts paying a bill online: the provider's payment page for what is owed. */
    async checkout(actor: Actor, meta: RequestMeta, caseId: string, invoiceId: string): Promise<{ url: string }> {
      const bill = await withCaseTx(db, async (tx) => {
        // Access first: whether online payment is offered is no answer to someone outside the case.
        const { row, invoice } = await openInvoice(tx, actor, meta, caseId, invoiceId, 'checkout');
        if (!provider) throw new AppError('UNAVAILABLE', 'Bills cannot be paid online here. Your coordinator can tell you how to pay.');
        if (invoice.balanceCents <= 0) throw new AppError('CONFLICT', 'Nothing is owed on this bill.');
        await audit(tx, actor, meta, 'invoice.checkout', caseId, invoiceId);
        return { row, invoice };
      });
      const page = await provider!.startCheckout({
        invoiceId, caseId, number: bill.invoice.number!, amountCents: bill.invoice.balanceCents, currency: bill.invoice.currency,
        returnUrl: `${deps.config.publicUrl}/cases/${caseId}`, locale: meta.locale ?? 'en',
      });
      // The page opened before this one closes: one open page per bill. A bill that changed while
      // the page was made (settled, or helped with) gets no page for the old amount.
      const still = await withCaseTx(db, async (tx) => {
        await tx.query('SELECT id FROM cases WHERE id = $1 FOR UPDATE', [caseId]);
        const now = await invoiceForUpdate(tx, caseId, invoiceId);
        await closePaymentPage(tx, invoiceId);
        if (!now || now.status !== 'issued' || now.balanceCents !== bill.invoice.balanceCents) {
          await enqueueJob(tx, 'billing.closePaymentPage', { sessionId: page.sessionId });
          return false;
        }
        await setCheckoutSession(tx, invoiceId, page.sessionId);
        return true;
      });
      if (!still) throw new AppError('CONFLICT', 'This bill changed while the payment page was being opened. Look at it again before paying.');
      return { url: page.url };
    },

    /**
     * A payment the provider's signed notice confirms: recorded once (a notice sent again records
     * nothing more), and the bill is paid once nothing is owed. Money taken for a bill closed
     * meanwhile is still recorded, for the coordinator to refund.
     */
    async providerPayment(p: ProviderPayment, meta: RequestMeta): Promise<'recorded' | 'already' | 'unknown'> {
      return db.transaction(async (tx) => {
        // The case row first, as every coordinator action on a bill takes it: the same order, no deadlock.
        await tx.query('SELECT id FROM cases WHERE id = $1 FOR UPDATE', [p.caseId]);
        const invoice = await invoiceForUpdate(tx, p.caseId, p.invoiceId);
        if (!invoice || invoice.currency !== p.currency) {
          await recordAudit(tx, { actor: null, meta, action: 'invoice.payment.online', entityType: 'Invoice', entityId: p.invoiceId, caseId: invoice ? p.caseId : null, outcome: 'failure', detail: { reason: invoice ? 'currency' : 'unknown_invoice' } });
          return 'unknown';
        }
        if (await providerEventSeen(tx, p.eventId)) return 'already';
        const id = await insertPayment(tx, p.invoiceId, null, { amountCents: p.amountCents, method: 'card', reference: p.reference, receivedOn: todayUtc(), providerEventId: p.eventId });
        const paidInFull = invoice.status === 'issued' && p.amountCents >= invoice.balanceCents;
        if (paidInFull) await close(tx, invoice, 'paid', null, null);
        else if (invoice.status === 'issued') {
          // A part paid: a page opened for the whole amount would take more than is now owed.
          await closePaymentPage(tx, p.invoiceId);
          await emit(tx, { caseId: p.caseId, actorId: null, type: 'invoice.payment', detail: { invoiceId: p.invoiceId, number: invoice.number! } });
        }
        // Paid online for a bill closed meanwhile, or more than was owed: money to give back; the coordinator is told.
        if (invoice.status !== 'issued' || p.amountCents > invoice.balanceCents) {
          await emit(tx, { caseId: p.caseId, actorId: null, type: 'invoice.overpaid', detail: { invoiceId: p.invoiceId, number: invoice.number! } });
        }
        await recordAudit(tx, { actor: null, meta, action: 'invoice.payment.online', entityType: 'Invoice', entityId: p.invoiceId, caseId: p.caseId, detail: { kind: 'card', status: paidInFull ? 'paid' : invoice.status, itemId: id } });
        return 'recorded';
      });
    },

    /** A draft from the estimate: the services included, at the fees the request keeps. */
    async draft(actor: Actor, meta: RequestMeta, caseId: string): Promise<InvoiceView> {
      return withCaseTx(db, async (tx) => {
        const { row } = await openCase(tx, actor, caseId, 'case.billing.manage', meta, { forUpdate: true });
        if (row.status === 'draft') throw new AppError('CONFLICT', 'The request has not been sent yet: there is nothing to bill.');
        if ((await caseInvoices(tx, caseId, true)).some((i) => i.status === 'draft' || i.status === 'issued')) {
          throw new AppError('CONFLICT', 'This request already has an open invoice: finish, void or write it off first.');
        }
        const estimate = await estimateOf(tx, row, 'en');
        const lines: InvoiceLine[] = estimate.lines.filter((l) => l.part === 'included')
          .map((l) => ({ serviceId: l.serviceId, description: l.name, quantity: 1, unitCents: l.feeCents, codes: l.codes }));
        const id = await insertDraft(tx, caseId, actor.userId, { currency: estimate.currency, lines, totals: invoiceTotals(lines, 0, 0) });
        await audit(tx, actor, meta, 'invoice.draft', caseId, id, { count: lines.length });
        return viewAfter(tx, actor, meta, caseId, id);
      });
    },

    /** Saves a draft's lines, discount, tax and due date; a save over a newer version is refused. */
    async update(actor: Actor, meta: RequestMeta, caseId: string, invoiceId: string, change: DraftChange): Promise<InvoiceView> {
      return withCaseTx(db, async (tx) => {
        const { invoice } = await openInvoice(tx, actor, meta, caseId, invoiceId, 'edit');
        if (invoice.version !== change.version) throw new AppError('CONFLICT', 'Someone changed this invoice meanwhile: reload it and make your change again.');
        const lines = linesOf(change.lines, await catalogueNow(tx));
        const totals = invoiceTotals(lines, change.discountCents, change.taxBasisPoints);
        if (change.discountCents > totals.subtotalCents) throw fieldError('/discountCents', 'The discount is more than the services add up to.');
        const reason = change.discountReason?.trim() || null;
        if (totals.discountCents > 0 && !reason) throw fieldError('/discountReason', 'Say why there is a discount.');
        await saveDraft(tx, invoiceId, { lines, discountReason: totals.discountCents > 0 ? reason : null, taxBasisPoints: change.taxBasisPoints, dueOn: change.dueOn ?? null, totals });
        await audit(tx, actor, meta, 'invoice.update', caseId, invoiceId, { count: lines.length });
        return viewAfter(tx, actor, meta, caseId, invoiceId);
      });
    },

    async discard(actor: Actor, meta: RequestMeta, caseId: string, invoiceId: string): Promise<void> {
      await withCaseTx(db, async (tx) => {
        await openInvoice(tx, actor, meta, caseId, invoiceId, 'discard');
        await deleteDraft(tx, invoiceId);
        await audit(tx, actor, meta, 'invoice.discard', caseId, invoiceId);
      });
    },

    /** Issues a draft with its number and due date; from then on it is what the patient side sees. */
    async issue(actor: Actor, meta: RequestMeta, caseId: string, invoiceId: string, input: { version: number; dueOn: string }): Promise<InvoiceView> {
      if (input.dueOn < earliestToday(deps.now())) throw fieldError('/dueOn', 'The due date cannot be in the past.');
      return withCaseTx(db, async (tx) => {
        const { invoice } = await openInvoice(tx, actor, meta, caseId, invoiceId, 'issue');
        if (invoice.version !== input.version) throw new AppError('CONFLICT', 'Someone changed this invoice meanwhile: reload it and check it before issuing.');
        if (!invoice.lines.length) throw new AppError('CONFLICT', 'The invoice has no services: add one before issuing it.');
        await markIssued(tx, invoiceId, actor.userId, input.dueOn, (n, at) => invoiceNumber(at, n));
        await audit(tx, actor, meta, 'invoice.issue', caseId, invoiceId, { count: invoice.lines.length });
        const issued = await after(tx, caseId, invoiceId);
        await emit(tx, { caseId, actorId: actor.userId, type: 'invoice.issue', detail: { invoiceId, number: issued.number! } });
        return viewAfter(tx, actor, meta, caseId, invoiceId);
      });
    },

    /** A payment received (check, transfer, card, cash): the invoice is paid once nothing is owed. */
    async recordPayment(actor: Actor, meta: RequestMeta, caseId: string, invoiceId: string, p: { amountCents: number; method: PaymentMethod; reference?: string | undefined; receivedOn: string }): Promise<InvoiceView> {
      if (p.receivedOn > latestToday(deps.now())) throw fieldError('/receivedOn', 'The payment cannot be in the future.');
      return withCaseTx(db, async (tx) => {
        const { invoice } = await openInvoice(tx, actor, meta, caseId, invoiceId, 'pay');
        if (p.amountCents > invoice.balanceCents) throw fieldError('/amountCents', msg`The payment is more than what is owed (${(invoice.balanceCents / 100).toFixed(2)}).`);
        const id = await insertPayment(tx, invoiceId, actor.userId, { amountCents: p.amountCents, method: p.method, reference: p.reference?.trim() || null, receivedOn: p.receivedOn });
        const paidInFull = p.amountCents === invoice.balanceCents;
        if (paidInFull) await close(tx, invoice, 'paid', actor.userId, null);
        else {
          // A part paid: a page opened for the whole amount would take more than is now owed.
          await closePaymentPage(tx, invoiceId);
          await emit(tx, { caseId, actorId: actor.userId, type: 'invoice.payment', detail: { invoiceId, number: invoice.number! } });
        }
        await audit(tx, actor, meta, 'invoice.payment', caseId, invoiceId, { kind: p.method, status: paidInFull ? 'paid' : 'issued', itemId: id });
        return viewAfter(tx, actor, meta, caseId, invoiceId);
      });
    },

    /** An invoice issued in error, with nothing paid on it. */
    async void(actor: Actor, meta: RequestMeta, caseId: string, invoiceId: string, reason: string): Promise<InvoiceView> {
      return withCaseTx(db, async (tx) => {
        const { invoice } = await openInvoice(tx, actor, meta, caseId, invoiceId, 'void');
        await close(tx, invoice, 'void', actor.userId, reason);
        await audit(tx, actor, meta, 'invoice.void', caseId, invoiceId);
        return viewAfter(tx, actor, meta, caseId, invoiceId);
      });
    },

    /** What is owed is waived (a hardship waiver, or another reason); what was paid stays paid. */
    async writeOff(actor: Actor, meta: RequestMeta, caseId: string, invoiceId: string, reason: string): Promise<InvoiceView> {
      return withCaseTx(db, async (tx) => {
        const { invoice } = await openInvoice(tx, actor, meta, caseId, invoiceId, 'writeOff');
        await close(tx, invoice, 'written_off', actor.userId, reason);
        await audit(tx, actor, meta, 'invoice.writeOff', caseId, invoiceId, { reason: invoice.hardshipRequest !== null ? 'hardship_asked' : 'other' });
        return viewAfter(tx, actor, meta, caseId, invoiceId);
      });
    },

    /**
     * The patient asks for help with what is owed, in their words and, when they choose, with
     * their household's size and income band (the program's assistance policy); the coordinator decides.
     */
    async askHardship(actor: Actor, meta: RequestMeta, caseId: string, invoiceId: string, ask: { request: string; householdSize?: number | undefined; incomeBand?: string | undefined }): Promise<InvoiceView> {
      if (ask.householdSize !== undefined && ask.householdSize > assistancePolicy.maxHousehold) throw fieldError('/householdSize', 'is more people than the program’s assistance policy counts: choose the largest size');
      if ((ask.householdSize === undefined) !== (ask.incomeBand === undefined)) throw fieldError(ask.householdSize === undefined ? '/householdSize' : '/incomeBand', 'Give both the household’s size and its income band, or neither.');
      if (ask.householdSize !== undefined && !suggestedAssistance(assistancePolicy, ask.householdSize, ask.incomeBand!)) throw fieldError('/incomeBand', 'is not a band of the program’s assistance policy');
      return withCaseTx(db, async (tx) => {
        const { invoice } = await openInvoice(tx, actor, meta, caseId, invoiceId, 'askHardship');
        if (invoice.hardshipRequest) throw new AppError('CONFLICT', 'You have already asked for help with this bill. The coordinator will answer you.');
        await markHardshipAsked(tx, invoiceId, ask.request, ask.householdSize ?? null, ask.incomeBand ?? null);
        await emit(tx, { caseId, actorId: actor.userId, type: 'invoice.hardship', detail: { invoiceId, number: invoice.number! } });
        // The audit keeps that it was asked, never the patient's words.
        await audit(tx, actor, meta, 'invoice.hardship', caseId, invoiceId);
        return viewAfter(tx, actor, meta, caseId, invoiceId);
      });
    },

    /**
     * The coordinator decides a request for help: the share of what is owed that is waived (the
     * policy's suggestion or another, with a reason the patient reads). All of it closes the bill
     * as written off; a part leaves less to pay; none declines. Decided once.
     */
    async decideAssistance(actor: Actor, meta: RequestMeta, caseId: string, invoiceId: string, d: { percent: number; reason: string }): Promise<InvoiceView> {
      return withCaseTx(db, async (tx) => {
        const { invoice } = await openInvoice(tx, actor, meta, caseId, invoiceId, 'writeOff');
        if (!invoice.hardshipRequest) throw new AppError('CONFLICT', 'The patient has not asked for help with this bill: to waive what is owed anyway, write it off with a reason.');
        if (invoice.assistance.decidedAt) throw new AppError('CONFLICT', 'The request for help with this bill was already decided.');
        const cents = assistanceCents(invoice.balanceCents, d.percent);
        await markAssistanceDecided(tx, invoiceId, actor.userId, { percent: d.percent, cents, reason: d.reason });
        if (cents > 0 && cents >= invoice.balanceCents) await close(tx, invoice, 'written_off', actor.userId, d.reason);
        // A payment page opened for the old amount closes: it would take more than is now owed.
        else if (cents > 0) await closePaymentPage(tx, invoiceId);
        const outcome = cents === 0 ? 'declined' : cents >= invoice.balanceCents ? 'granted' : 'partly_granted';
        await emit(tx, { caseId, actorId: actor.userId, type: 'invoice.assistance', detail: { invoiceId, number: invoice.number!, outcome } });
        await audit(tx, actor, meta, 'invoice.assistance', caseId, invoiceId, { status: outcome });
        return viewAfter(tx, actor, meta, caseId, invoiceId);
      });
    },

    /** An issued invoice as a PDF in the reader's language, with what an insurance claim needs (codes, diagnosis). */
    async pdf(actor: Actor, meta: RequestMeta, caseId: string, invoiceId: string): Promise<{ number: string; pdf: Buffer }> {
      const doc = await withCaseTx(db, async (tx) => {
        const { row } = await openCase(tx, actor, caseId, 'case.billing.read', meta);
        const invoice = await invoiceById(tx, caseId, invoiceId);
        if (!invoice || invoice.status === 'draft') throw new AppError('NOT_FOUND', 'This invoice is not on the request.');
        await audit(tx, actor, meta, 'invoice.pdf', caseId, invoiceId);
        return {
          ...(await billedPatient(tx, row)),
          // Why what was owed was waived is the patient's and the coordinator's, not a referring physician's.
          invoice: { ...(await inLanguage(tx, meta.locale))(invoice), ...(invoice.status === 'written_off' && !ownsMoneyMatters(actor) ? { closeReason: null } : {}) }, letterhead: deps.config.reportLetterhead, provider: deps.config.billingProvider, caseReference: row.reference,
          howToPay: howToPay(meta.locale ?? 'en'),
          locale: meta.locale ?? 'en',
        };
      });
      return { number: doc.invoice.number!, pdf: await renderPdf(invoiceDefinition(doc)) };
    },

    /** The superbill of a bill that stands (issued, paid or waived), for the patient's health plan, in the reader's language. */
    async superbillPdf(actor: Actor, meta: RequestMeta, caseId: string, invoiceId: string): Promise<{ number: string; pdf: Buffer }> {
      const { bill, reference } = await withCaseTx(db, async (tx) => {
        const { row } = await openCase(tx, actor, caseId, 'case.billing.read', meta);
        const invoice = await invoiceById(tx, caseId, invoiceId);
        if (!invoice || invoice.status === 'draft') throw new AppError('NOT_FOUND', 'This invoice is not on the request.');
        if (invoice.status === 'void') throw new AppError('CONFLICT', 'This invoice was cancelled as issued in error: there is nothing to claim.');
        if (!superbillAvailable(invoice)) throw new AppError('CONFLICT', 'Nothing was paid or is owed on this bill: there is nothing to claim.');
        const bill = await superbillFor(tx, deps.config, row, (await inLanguage(tx, meta.locale))(invoice));
        if (!bill.lines.length) throw new AppError('CONFLICT', 'None of the services on this bill has been given yet: the statement for your health plan can be made once the opinion is issued.');
        await audit(tx, actor, meta, 'invoice.superbill', caseId, invoiceId);
        return { bill, reference: row.reference };
      });
      return { number: bill.facts.invoice.number!, pdf: await renderPdf(superbillDefinition(bill, deps.config.reportLetterhead, reference, meta.locale ?? 'en')) };
    },
  };
}
export type InvoiceService = ReturnType<typeof invoiceService>;
