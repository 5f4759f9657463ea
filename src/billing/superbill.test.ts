import { describe, expect, it } from 'vitest';
import type { Invoice } from './invoiceRepository.ts';
import { superbillAvailable, superbillOf, type SuperbillFacts } from './superbill.ts';

const invoice = (over: Partial<Invoice> = {}): Invoice => ({
  id: 'inv', caseId: 'case', number: 'INV-2026-000001', status: 'paid', currency: 'USD',
  lines: [
    { serviceId: 'written_opinion', description: 'Written second opinion', quantity: 1, unitCents: 75_000, codes: [] },
    { serviceId: 'pathology_review', description: 'Pathology review', quantity: 2, unitCents: 40_000, codes: [{ system: 'http://www.ama-assn.org/go/cpt', code: '88321', display: 'Consultation and report on referred slides prepared elsewhere' }] },
    { serviceId: 'video_visit', description: 'Video visit', quantity: 1, unitCents: 30_000, codes: [] },
  ],
  discountCents: 5_000, discountReason: 'Returning patient', taxBasisPoints: 0, subtotalCents: 185_000, taxCents: 0, totalCents: 180_000, paidCents: 180_000, balanceCents: 0,
  dueOn: '2026-12-31', issuedAt: '2026-11-20T10:00:00.000Z', closedAt: null, closeReason: null, hardshipRequest: null, hardshipRequestedAt: null, assistance: { household: null, incomeBand: null, percent: null, cents: 0, reason: null, decidedAt: null }, version: 2, payments: [], createdAt: '2026-11-19T10:00:00.000Z',
  ...over,
});
const facts = (over: Partial<SuperbillFacts> = {}): SuperbillFacts => ({
  invoice: invoice(), biller: { name: 'Program' }, rendering: [], patient: { name: 'A Person', birthDate: null, planName: null, memberId: null, groupNumber: null },
  diagnosis: { code: 'C34.11', description: 'Malignant neoplasm of upper lobe, right bronchus or lung' }, serviceDays: { opinion: '2026-11-18', visit: '2026-11-25' }, placeOfService: '10', ...over,
});

describe('a superbill', () => {
  it('dates each service, marks the video visit as synchronous telehealth, and points every line at the diagnosis', () => {
    const bill = superbillOf(facts());
    expect(bill.lines.map((l) => [l.serviceId, l.serviceDate, l.modifiers, l.placeOfService, l.diagnosisPointers, l.units, l.chargeCents])).toEqual([
      ['written_opinion', '2026-11-18', [], '10', [1], 1, 75_000],
      ['pathology_review', '2026-11-18', [], '10', [1], 2, 80_000],
      ['video_visit', '2026-11-25', ['95'], '10', [1], 1, 30_000],
    ]);
    // Charges are the lines before discount; what was billed and paid follow the invoice.
    expect([bill.chargesCents, bill.totalCents, bill.paidCents, bill.balanceCents]).toEqual([185_000, 180_000, 180_000, 0]);
  });

  it('falls back to the day the bill was issued, and points nowhere without a diagnosis', () => {
    const bill = superbillOf(facts({ serviceDays: { opinion: null, visit: null }, diagnosis: null, placeOfService: '02' }));
    expect(bill.lines.every((l) => l.serviceDate === '2026-11-20' && l.diagnosisPointers.length === 0 && l.placeOfService === '02')).toBe(true);
  });

  it('exists for bills that stand, not for drafts or bills cancelled as issued in error', () => {
    expect(['draft', 'issued', 'paid', 'void', 'written_off'].filter((status) => superbillAvailable({ status: status as Invoice['status'] }))).toEqual(['issued', 'paid', 'written_off']);
  });
});
