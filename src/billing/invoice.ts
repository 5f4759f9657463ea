/**
 * An invoice's arithmetic and its states, as pure functions: lines (a service of the catalogue,
 * a quantity, a unit price in cents and the billing codes it maps to), a discount with its reason,
 * a tax rate, and the payments against it. Amounts are whole cents; tax is rounded half up.
 */

export const INVOICE_STATUSES = ['draft', 'issued', 'paid', 'void', 'written_off'] as const;
export type InvoiceStatus = (typeof INVOICE_STATUSES)[number];
export const PAYMENT_METHODS = ['check', 'transfer', 'card', 'cash', 'other'] as const;
export type PaymentMethod = (typeof PAYMENT_METHODS)[number];

export interface InvoiceLine {
  serviceId: string;
  description: string;
  quantity: number;
  unitCents: number;
  codes: { system: string; code: string; display: string }[];
}

export interface InvoiceTotals { subtotalCents: number; discountCents: number; taxCents: number; totalCents: number }

/** Subtotal, discount (never more than the subtotal), tax on what is left, and the total. */
export function invoiceTotals(lines: InvoiceLine[], discountCents: number, taxBasisPoints: number): InvoiceTotals {
  const subtotalCents = lines.reduce((n, l) => n + l.quantity * l.unitCents, 0);
  const discount = Math.min(Math.max(0, discountCents), subtotalCents);
  const taxCents = Math.round(((subtotalCents - discount) * taxBasisPoints) / 10_000);
  return { subtotalCents, discountCents: discount, taxCents, totalCents: subtotalCents - discount + taxCents };
}

/** What is still owed: the total less the payments, never below zero. */
export const balanceCents = (totalCents: number, payments: { amountCents: number }[]) => Math.max(0, totalCents - payments.reduce((n, p) => n + p.amountCents, 0));

/** The invoice's number: the year it was issued and a running number ("INV-2026-000042"). */
export const invoiceNumber = (issuedAt: Date, sequence: number) => `INV-${issuedAt.getUTCFullYear()}-${String(sequence).padStart(6, '0')}`;

/** What can be done with an invoice in a state (and with payments on it), and why not otherwise. */
export type InvoiceAction = 'edit' | 'discard' | 'issue' | 'pay' | 'void' | 'writeOff' | 'askHardship' | 'checkout';
export function invoiceRefusal(action: InvoiceAction, status: InvoiceStatus, paidCents: number): string | null {
  switch (action) {
    case 'edit':
    case 'discard':
    case 'issue':
      return status === 'draft' ? null : 'This invoice was already issued: it cannot be changed. Void it and draft another, or write off what is owed.';
    case 'pay':
    case 'writeOff':
    case 'askHardship':
    case 'checkout':
      return status === 'issued' ? null : status === 'draft' ? 'This invoice is a draft: issue it first.' : 'This invoice is closed: nothing is owed on it.';
    case 'void':
      if (status !== 'issued') return status === 'draft' ? 'A draft is discarded, not voided.' : 'This invoice is closed already.';
      return paidCents > 0 ? 'Payments were recorded on this invoice: it cannot be voided. Write off what is owed instead.' : null;
  }
}
