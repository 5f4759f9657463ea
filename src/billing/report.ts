import { matchCondition } from '../assessment/conditionMatch.ts';
import { KNOWLEDGE } from '../assessment/knowledge.ts';
import type { Intake } from '../cases/intake.ts';
import { SERVICE_LINES } from '../experts/offers.ts';
import type { InvoiceStatus } from './invoice.ts';

/**
 * What the program billed, was paid, waived and is still owed, per month of issue and service
 * line: the administrators' view of the money, in aggregate only (no patient, no request). Pure:
 * the service reads the bills; every amount in the currency's minor unit.
 */
export interface BilledInvoice {
  status: Exclude<InvoiceStatus, 'draft'>;
  issuedAt: string;
  currency: string;
  totalCents: number;
  paidCents: number;
  assistanceCents: number;
  serviceLine: string;
}

export interface ReportRow {
  month: string;
  serviceLine: string;
  currency: string;
  bills: number;
  /** Bills cancelled as issued in error: counted, never in the amounts. */
  cancelled: number;
  billedCents: number;
  paidCents: number;
  waivedCents: number;
  outstandingCents: number;
  /** Paid beyond what was owed (an online payment for a bill settled meanwhile, a payment on a cancelled bill): to refund. */
  overpaidCents: number;
}

/** The service line a request belongs to, from its diagnosis (as expert matching finds it), or "other". */
export function serviceLineOfIntake(intake: Partial<Intake> | null): string {
  const c = intake?.condition;
  const match = matchCondition(KNOWLEDGE, c ? { code: c.icd10Code ?? undefined, text: c.description ?? undefined } : undefined);
  return SERVICE_LINES.find((l) => match.condition && l.conditions.includes(match.condition.id))?.id ?? 'other';
}

/** Per month and service line: billed = paid + waived + still owed, for the bills that stand. */
export function billingReport(bills: BilledInvoice[]): ReportRow[] {
  const rows = new Map<string, ReportRow>();
  for (const b of bills) {
    const month = b.issuedAt.slice(0, 7);
    const key = `${month}|${b.serviceLine}|${b.currency}`;
    const row = rows.get(key) ?? { month, serviceLine: b.serviceLine, currency: b.currency, bills: 0, cancelled: 0, billedCents: 0, paidCents: 0, waivedCents: 0, outstandingCents: 0, overpaidCents: 0 };
    rows.set(key, row);
    if (b.status === 'void') {
      row.cancelled++;
      row.overpaidCents += b.paidCents;
      continue;
    }
    row.bills++;
    row.billedCents += b.totalCents;
    // What was paid counts up to what the bill asked after help; beyond it is money to refund.
    const asked = Math.max(0, b.totalCents - b.assistanceCents);
    const paid = Math.min(b.paidCents, asked);
    const waived = b.status === 'written_off' ? b.totalCents - paid : b.totalCents - asked;
    row.paidCents += paid;
    row.overpaidCents += b.paidCents - paid;
    row.waivedCents += waived;
    row.outstandingCents += b.status === 'issued' ? asked - paid : 0;
  }
  const order = (id: string) => { const i = SERVICE_LINES.findIndex((l) => l.id === id); return i < 0 ? SERVICE_LINES.length : i; };
  return [...rows.values()].sort((a, b) => a.month.localeCompare(b.month) || order(a.serviceLine) - order(b.serviceLine) || a.currency.localeCompare(b.currency));
}
