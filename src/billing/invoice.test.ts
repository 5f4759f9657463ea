import { describe, expect, it } from 'vitest';
import { balanceCents, invoiceNumber, invoiceRefusal, invoiceTotals, type InvoiceLine } from './invoice.ts';

const line = (unitCents: number, quantity = 1): InvoiceLine => ({ serviceId: 'written_opinion', description: 'Written opinion', quantity, unitCents, codes: [] });

describe('an invoice’s arithmetic', () => {
  it('adds the lines, takes the discount, then the tax (rounded half up to the cent)', () => {
    expect(invoiceTotals([line(150_000), line(25_000, 2)], 10_000, 825)).toEqual({ subtotalCents: 200_000, discountCents: 10_000, taxCents: 15_675, totalCents: 205_675 });
    // 0.5 cent rounds up.
    expect(invoiceTotals([line(1_000)], 0, 5).taxCents).toBe(1);
    expect(invoiceTotals([], 0, 0)).toEqual({ subtotalCents: 0, discountCents: 0, taxCents: 0, totalCents: 0 });
  });

  it('never discounts below zero or takes a negative discount', () => {
    expect(invoiceTotals([line(5_000)], 9_000, 1_000)).toEqual({ subtotalCents: 5_000, discountCents: 5_000, taxCents: 0, totalCents: 0 });
    expect(invoiceTotals([line(5_000)], -300, 0).discountCents).toBe(0);
  });

  it('owes the total less what was paid, never less than nothing', () => {
    expect(balanceCents(10_000, [{ amountCents: 2_500 }, { amountCents: 2_500 }])).toBe(5_000);
    expect(balanceCents(10_000, [{ amountCents: 12_000 }])).toBe(0);
  });

  it('numbers invoices by year', () => {
    expect(invoiceNumber(new Date('2026-11-30T23:00:00Z'), 42)).toBe('INV-2026-000042');
  });

  it('says why an action does not fit the invoice’s state', () => {
    expect(invoiceRefusal('edit', 'draft', 0)).toBeNull();
    expect(invoiceRefusal('edit', 'issued', 0)).toMatch(/already issued/);
    expect(invoiceRefusal('pay', 'draft', 0)).toMatch(/draft/);
    expect(invoiceRefusal('pay', 'paid', 0)).toMatch(/closed/);
    expect(invoiceRefusal('void', 'issued', 0)).toBeNull();
    expect(invoiceRefusal('void', 'issued', 100)).toMatch(/Write off/);
    expect(invoiceRefusal('writeOff', 'issued', 100)).toBeNull();
    expect(invoiceRefusal('askHardship', 'written_off', 0)).toMatch(/closed/);
  });
});
