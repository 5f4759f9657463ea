import { openCase, withCaseTx } from '../core/access.ts';
import type { Actor, RequestMeta } from '../core/context.ts';
import type { Deps } from '../core/deps.ts';
import type { Intake } from '../cases/intake.ts';
import { estimateCost, loadBilling, type CostEstimate, type PlanType } from './estimate.ts';

/** Costs and coverage: what a request is likely to cost, from what is known of it now. */
export function billingService(deps: Deps) {
  const { db, config } = deps;
  const billing = loadBilling();
  return {
    /** The itemised estimate and the coverage guidance for a case (its patient side and its staff). */
    async estimate(actor: Actor, meta: RequestMeta, caseId: string): Promise<CostEstimate> {
      return withCaseTx(db, async (tx) => {
        const { row } = await openCase(tx, actor, caseId, 'case.read', meta, { auditAction: 'case.estimate.read' });
        const intake = (row.intake ?? {}) as Partial<Intake>;
        const [imaging] = await tx.query<{ n: number }>('SELECT count(*)::int AS n FROM dicom_studies WHERE case_id = $1', [caseId]);
        return estimateCost({
          conditionCode: intake.condition?.icd10Code ?? null,
          surgeryProposed: intake.plan?.surgeryProposed === true,
          planType: (intake.patient?.planType as PlanType | undefined) ?? null,
          expedited: row.urgency === 'expedited',
          imagingStudies: imaging?.n ?? 0,
          followupDays: config.followupDays,
        }, billing);
      });
    },
  };
}
export type BillingService = ReturnType<typeof billingService>;
