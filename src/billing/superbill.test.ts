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
  diagnosis: { code: 'C34.11', description: 'Malignant neoplasm of upper lobe, right bronchus or lung' }, given: { opinion: '2026-11-18', visit: '2026-11-25' }, places: { telehealth: '10', review: '11' }, ...over,
});
const VISIT_CODE = { system: 'http://www.ama-assn.org/go/cpt', code: '98002', display: 'Synchronous audio-video visit, new patient, moderate level of medical decision making' };

describe('a superbill', () => {
  it('dates each service given, places the visit as telehealth and the review where the program is, and points every line at the diagnosis', () => {
    const withCode = invoice({ lines: invoice().lines.map((l) => (l.serviceId === 'video_visit' ? { ...l, codes: [VISIT_CODE] } : l)) });
    const bill = superbillOf(facts({ invoice: withCode }));
    expect(bill.lines.map((l) => [l.serviceId, l.serviceDate, l.modifiers, l.placeOfService, l.diagnosisPointers, l.units, l.chargeCents])).toEqual([
      ['written_opinion', '2026-11-18', [], '11', [1], 1, 75_000],
      ['pathology_review', '2026-11-18', [], '11', [1], 2, 80_000],
      ['video_visit', '2026-11-25', ['95'], '10', [1], 1, 30_000],
    ]);
    // Charges are the lines before discount; what was asked, paid and owed follow the invoice.
    expect([bill.chargesCents, bill.askedCents, bill.waivedCents, bill.paidCents, bill.balanceCents]).toEqual([185_000, 180_000, 0, 180_000, 0]);
  });

  it('leaves out services not given yet, and a modifier where there is no code to modify', () => {
    const bill = superbillOf(facts({ given: { opinion: '2026-11-18', visit: null } }));
    expect(bill.lines.map((l) => l.serviceId)).toEqual(['written_opinion', 'pathology_review']);
    expect(bill.notYetGiven).toEqual(['Video visit']);
    expect(superbillOf(facts({ given: { opinion: null, visit: '2026-11-25' } })).lines.map((l) => [l.serviceId, l.modifiers])).toEqual([['video_visit', []]]);
    expect(superbillOf(facts({ given: { opinion: null, visit: null }, diagnosis: null })).lines).toEqual([]);
  });

  it('counts help with the bill as waived, not as asked of the patient', () => {
    const helped = superbillOf(facts({ invoice: invoice({ status: 'issued', paidCents: 50_000, balanceCents: 40_000, assistance: { household: 3, incomeBand: 'up_to_400', percent: 50, cents: 90_000, reason: 'Policy', decidedAt: '2026-11-21T00:00:00.000Z' } }) }));
    expect([helped.askedCents, helped.waivedCents, helped.paidCents, helped.balanceCents]).toEqual([90_000, 90_000, 50_000, 40_000]);
    const writtenOff = superbillOf(facts({ invoice: invoice({ status: 'written_off', paidCents: 30_000, balanceCents: 0 }) }));
    expect([writtenOff.askedCents, writtenOff.waivedCents]).toEqual([30_000, 150_000]);
  });

  it('exists for bills that stand and ask something: not drafts, cancelled bills, or bills waived whole', () => {
    const of = (status: Invoice['status'], paidCents: number, balanceCents: number) => superbillAvailable({ status, paidCents, balanceCents });
    expect([of('draft', 0, 100), of('issued', 0, 100), of('paid', 100, 0), of('void', 0, 0), of('written_off', 20, 0), of('written_off', 0, 0)]).toEqual([false, true, true, false, true, false]);
  });
});
