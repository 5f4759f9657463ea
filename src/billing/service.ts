import { openCase, withCaseTx, type CaseRow } from '../core/access.ts';
import type { Queryable } from '../core/db.ts';
import type { Locale } from '../core/locale.ts';
import { recordAudit } from '../core/audit.ts';
import type { Actor, RequestMeta } from '../core/context.ts';
import type { Deps } from '../core/deps.ts';
import { AppError } from '../core/errors.ts';
import type { Intake } from '../cases/intake.ts';
import { decideUrgency } from '../cases/urgency.ts';
import { loadAssistancePolicy } from './assistance.ts';
import { loadCodeSet, textsToEdit, unknownCodes, withTexts, type ServiceText } from './catalogue.ts';
import { billingReport, serviceLineOfIntake, type BilledInvoice, type ReportRow } from './report.ts';
import type { AssessmentAnswers } from '../assessment/answers.ts';
import { billingIn, estimateCost, loadBilling, type CostEstimate, type PlanType } from './estimate.ts';
import { addCoverageCheck, addFeeVersion, coverageChecks, currentFees, feeHistory, feesVersion, seedFeeSchedule, type CoverageCheck, type FeeSchedule, type InsurerAnswer } from './repository.ts';

/**
 * A draft's urgency as submitting would decide it (the same rules), so expedited handling is in
 * the estimate before the request is sent; an intake too unfinished to judge is not expedited.
 */
function likelyExpedited(intake: Partial<Intake>, carried: unknown): boolean {
  try {
    return decideUrgency(intake as Intake, (carried ?? null) as AssessmentAnswers | null).urgency === 'expedited';
  } catch {
    return false;
  }
}

/** An expert's listed networks name the plan: the same words, whatever the case and spacing, either way round ("Aetna" lists "Aetna Choice PPO"). */
export function listsPlan(networks: string[], plan: string): boolean {
  const norm = (s: string) => s.toLowerCase().replace(/[^a-z0-9]+/g, ' ').trim();
  const p = norm(plan);
  return p.length > 2 && networks.map(norm).some((n) => n.length > 2 && (p === n || p.startsWith(`${n} `) || n.startsWith(`${p} `)));
}

export type CaseEstimate = CostEstimate & { pricesAsOf: string | null; pricesKeptFromSubmission: boolean; pricesSet: boolean };

/** Costs and coverage: what a request is likely to cost, and the program's fee schedule. */
export function billingService(deps: Deps) {
  const { db, config } = deps;
  const billing = loadBilling();
  const codeSet = loadCodeSet();
  const assistancePolicy = loadAssistancePolicy();
  const serviceIds = new Set(billing.catalogue.services.map((s) => s.id));
  /** The catalogue as the administrators last edited it (the file's texts until they do). */
  const catalogueNow = async (tx: Queryable) => withTexts(billing, codeSet, (await currentFees(tx))?.services);

  /**
   * The itemised estimate and the coverage guidance for a case whose access was checked, at the
   * fees in force when it was sent, or today's for a draft.
   */
  async function caseEstimate(tx: Queryable, row: CaseRow, locale: Locale): Promise<CaseEstimate> {
    const intake = (row.intake ?? {}) as Partial<Intake>;
    const [known] = await tx.query<{ imaging: number; board: boolean; visit: boolean }>(
      `SELECT (SELECT count(*)::int FROM dicom_studies WHERE case_id = $1) AS imaging,
              EXISTS (SELECT 1 FROM case_events WHERE case_id = $1 AND type = 'case.referToBoard') AS board,
              EXISTS (SELECT 1 FROM visits WHERE case_id = $1 AND status IN ('booked', 'ended')) AS visit`, [row.id]);
    const pinned = row.fee_schedule_version;
    const current = await currentFees(tx);
    const insured = intake.patient?.planType && !['none', 'international'].includes(intake.patient.planType) ? intake.patient.insurancePlan?.trim() : undefined;
    const networks = insured ? await tx.query<{ networks: string[] }>(
      `SELECT p.insurance_networks AS networks FROM case_members m JOIN expert_profiles p ON p.user_id = m.user_id
        WHERE m.case_id = $1 AND m.relation = 'expert' AND m.revoked_at IS NULL`, [row.id]) : [];
    const [lastCall] = await tx.query<{ answer: string }>('SELECT answer FROM coverage_checks WHERE case_id = $1 ORDER BY spoke_on DESC, created_at DESC LIMIT 1', [row.id]);
    // The request keeps its prices; the services' names, texts and codes are the catalogue's today.
    const prices = pinned ? await feesVersion(tx, pinned) : current;
    const estimate = estimateCost({
      conditionCode: intake.condition?.icd10Code ?? null,
      surgeryProposed: intake.plan?.surgeryProposed === true,
      planType: (intake.patient?.planType as PlanType | undefined) ?? null,
      expedited: row.status === 'draft' ? likelyExpedited(intake, row.assessment_answers) : row.urgency === 'expedited',
      imagingStudies: known?.imaging ?? 0,
      atBoard: known?.board === true,
      visitBooked: known?.visit === true,
      conditionWords: !!intake.condition?.description,
      followupDays: config.followupDays,
      sent: row.status !== 'draft',
      network: networks.length ? (networks.some((n) => listsPlan(n.networks, insured!)) ? 'in' : 'out') : null,
      authorizationNeeded: lastCall?.answer === 'authorization_needed',
    }, billingIn(withTexts(billing, codeSet, current?.services), locale), prices ?? undefined);
    // The first version holds the catalogue's example fees until an administrator sets the program's own.
    return { ...estimate, pricesAsOf: prices?.createdAt ?? null, pricesKeptFromSubmission: !!pinned, pricesSet: !!prices?.createdBy };
  }

  return {
    /** The service catalogue and coverage rules, read once (bills name their services from it). */
    billing,
    caseEstimate,
    catalogueNow,
    /** The financial-assistance policy, read once (bills suggest from it; patients pick their band from it). */
    assistancePolicy,

    /** A new installation starts with the catalogue's fees as its first version. */
    async start(): Promise<void> {
      await db.transaction((tx) => seedFeeSchedule(tx, billing.catalogue));
    },

    /**
     * The itemised estimate and the coverage guidance for a case (its patient side and its staff),
     * at the fees in force when it was sent, or today's for a draft.
     */
    async estimate(actor: Actor, meta: RequestMeta, caseId: string): Promise<CaseEstimate> {
      return withCaseTx(db, async (tx) => {
        const { row } = await openCase(tx, actor, caseId, 'case.billing.read', meta, { auditAction: 'case.estimate.read' });
        return caseEstimate(tx, row, meta.locale ?? 'en');
      });
    },

    /** What the insurer said, newest first (the case's people). */
    async coverageChecks(actor: Actor, meta: RequestMeta, caseId: string): Promise<CoverageCheck[]> {
      return withCaseTx(db, async (tx) => {
        await openCase(tx, actor, caseId, 'case.billing.read', meta, { auditAction: 'coverage.check.list' });
        return coverageChecks(tx, caseId);
      });
    },

    /** The coordinator records a call to the insurer: who answered what, when, and its reference number. */
    async recordCoverageCheck(actor: Actor, meta: RequestMeta, caseId: string, input: { insurer: string; answer: InsurerAnswer; reference?: string | undefined; spokeOn: string; note?: string | undefined }): Promise<CoverageCheck[]> {
      // The latest date anywhere on Earth now (UTC+14): a coordinator's own today is never "the future".
      if (input.spokeOn > new Date(deps.now().getTime() + 14 * 3_600_000).toISOString().slice(0, 10)) throw new AppError('VALIDATION_FAILED', 'The call cannot be in the future.', { errors: [{ path: '/spokeOn', message: 'The call cannot be in the future.' }] });
      return withCaseTx(db, async (tx) => {
        const { row } = await openCase(tx, actor, caseId, 'case.records.curate', meta);
        if (row.status === 'draft') throw new AppError('CONFLICT', 'The request has not been sent yet.');
        const id = await addCoverageCheck(tx, caseId, actor.userId, input);
        await recordAudit(tx, { actor, meta, action: 'coverage.check.add', entityType: 'CoverageCheck', entityId: id, caseId, detail: { status: input.answer } });
        return coverageChecks(tx, caseId);
      });
    },

    /** The services with today's fees, texts and codes, the codes they may map to, and the history of changes (administrators). */
    async fees() {
      return db.transaction(async (tx) => {
        const current = await currentFees(tx);
        const now = withTexts(billing, codeSet, current?.services);
        return {
          services: now.catalogue.services.map((s) => ({ id: s.id, name: s.name, description: s.description })),
          texts: textsToEdit(billing.catalogue, codeSet, current?.services),
          codes: codeSet.codes.map((c) => ({ system: codeSet.system, code: c.code, display: c.display })),
          codeNote: codeSet.note,
          current,
          history: await feeHistory(tx),
        };
      });
    },

    /** A new version of the fees (and, when given, of the services' texts and codes), with the reason; requests already sent keep their fees. */
    async setFees(actor: Actor, meta: RequestMeta, input: { basedOn: number; fees: Record<string, number>; services?: Record<string, ServiceText> | undefined; note: string }): Promise<FeeSchedule> {
      const unknown = Object.keys(input.fees).filter((id) => !serviceIds.has(id));
      if (unknown.length) throw new AppError('VALIDATION_FAILED', `Unknown service: ${unknown.join(', ')}.`, { errors: unknown.map((id) => ({ path: `/fees/${id}`, message: 'Not a service of the catalogue.' })) });
      const missing = [...serviceIds].filter((id) => !(id in input.fees));
      if (missing.length) throw new AppError('VALIDATION_FAILED', 'Give a fee for every service.', { errors: missing.map((id) => ({ path: `/fees/${id}`, message: 'A fee is needed.' })) });
      if (input.services) {
        const strange = Object.keys(input.services).filter((id) => !serviceIds.has(id));
        const absent = [...serviceIds].filter((id) => !(id in input.services!));
        if (strange.length || absent.length) throw new AppError('VALIDATION_FAILED', 'Give the texts of every service of the catalogue, and of no other.', { errors: [...strange, ...absent].map((id) => ({ path: `/services/${id}`, message: strange.includes(id) ? 'Not a service of the catalogue.' : 'The texts are needed.' })) });
        const bad = unknownCodes(codeSet, input.services);
        if (bad.length) throw new AppError('VALIDATION_FAILED', 'A billing code is not in the code set the program uses.', { errors: bad.map((b) => ({ path: `/services/${b.id}/codes`, message: `${b.code} is not a code of the code set` })) });
      }
      return db.transaction(async (tx) => {
        const saved = await addFeeVersion(tx, { basedOn: input.basedOn, currency: billing.catalogue.currency, fees: input.fees, services: input.services, note: input.note, by: actor.userId });
        await recordAudit(tx, { actor, meta, action: 'fees.change', entityType: 'FeeSchedule', entityId: String(saved.version), detail: { version: saved.version } });
        return saved;
      });
    },

    /**
     * Billed, paid, waived and still owed per month of issue and service line, for bills issued
     * in [from, to) (months, YYYY-MM). Aggregate only: no request or patient is named.
     */
    async report(actor: Actor, meta: RequestMeta, range: { from: string; to: string }): Promise<ReportRow[]> {
      return db.transaction(async (tx) => {
        const bills = await tx.query<{ status: BilledInvoice['status']; issued_at: Date; currency: string; total_cents: string | number; assistance_cents: string | number; paid_cents: string | number; intake: Partial<Intake> | null }>(
          `SELECT i.status, i.issued_at, i.currency, i.total_cents, i.assistance_cents, c.intake,
                  (SELECT coalesce(sum(p.amount_cents), 0) FROM invoice_payments p WHERE p.invoice_id = i.id) AS paid_cents
             FROM invoices i JOIN cases c ON c.id = i.case_id
            WHERE i.status <> 'draft' AND i.issued_at >= $1::timestamptz AND i.issued_at < $2::timestamptz`, [`${range.from}-01T00:00:00Z`, `${range.to}-01T00:00:00Z`]);
        const rows = billingReport(bills.map((b) => ({
          status: b.status, issuedAt: new Date(b.issued_at).toISOString(), currency: b.currency, totalCents: Number(b.total_cents),
          paidCents: Number(b.paid_cents), assistanceCents: Number(b.assistance_cents), serviceLine: serviceLineOfIntake(b.intake),
        })));
        await recordAudit(tx, { actor, meta, action: 'billing.report.read', entityType: 'BillingReport', detail: { count: bills.length } });
        return rows;
      });
    },

  };
}
export type BillingService = ReturnType<typeof billingService>;
