import { describe, expect, it } from 'vitest';
import { billingReport, serviceLineOfIntake, type BilledInvoice } from './report.ts';

const bill = (over: Partial<BilledInvoice>): BilledInvoice => ({ status: 'issued', issuedAt: '2026-10-05T10:00:00.000Z', currency: 'USD', totalCents: 100_000, paidCents: 0, assistanceCents: 0, serviceLine: 'thoracic_oncology', ...over });

describe('the billing report', () => {
  it('adds up each month and service line so that billed = paid + waived + still owed, leaving cancelled bills out of the amounts', () => {
    const rows = billingReport([
      bill({ status: 'paid', paidCents: 100_000 }),
      bill({ status: 'issued', paidCents: 20_000, assistanceCents: 30_000 }),
      bill({ status: 'written_off', paidCents: 10_000 }),
      bill({ status: 'void' }),
      bill({ serviceLine: 'interstitial_lung_disease', totalCents: 50_000 }),
      bill({ issuedAt: '2026-11-01T00:00:00.000Z', status: 'paid', paidCents: 70_000, assistanceCents: 30_000 }),
    ]);
    expect(rows).toEqual([
      { month: '2026-10', serviceLine: 'thoracic_oncology', currency: 'USD', bills: 3, cancelled: 1, billedCents: 300_000, paidCents: 130_000, waivedCents: 120_000, outstandingCents: 50_000, overpaidCents: 0 },
      { month: '2026-10', serviceLine: 'interstitial_lung_disease', currency: 'USD', bills: 1, cancelled: 0, billedCents: 50_000, paidCents: 0, waivedCents: 0, outstandingCents: 50_000, overpaidCents: 0 },
      { month: '2026-11', serviceLine: 'thoracic_oncology', currency: 'USD', bills: 1, cancelled: 0, billedCents: 100_000, paidCents: 70_000, waivedCents: 30_000, outstandingCents: 0, overpaidCents: 0 },
    ]);
    for (const r of rows) expect(r.paidCents + r.waivedCents + r.outstandingCents).toBe(r.billedCents);
  });

  it('counts money paid beyond what was owed apart, as to refund, so the amounts still add up', () => {
    const [row] = billingReport([
      bill({ status: 'paid', paidCents: 120_000 }),
      bill({ status: 'written_off', paidCents: 0, assistanceCents: 0 }),
      bill({ status: 'void', paidCents: 5_000 }),
      bill({ status: 'issued', assistanceCents: 50_000, paidCents: 60_000 }),
    ]);
    expect(row).toMatchObject({ bills: 3, cancelled: 1, billedCents: 300_000, paidCents: 150_000, waivedCents: 150_000, outstandingCents: 0, overpaidCents: 35_000 });
    expect(row!.paidCents + row!.waivedCents + row!.outstandingCents).toBe(row!.billedCents);
  });

  it('puts a request in the service line its diagnosis belongs to, or "other"', () => {
    expect(serviceLineOfIntake({ condition: { icd10Code: 'C34.11', description: 'Adenocarcinoma of the right upper lobe' } } as never)).toBe('thoracic_oncology');
    expect(serviceLineOfIntake({ condition: { description: 'idiopathic pulmonary fibrosis' } } as never)).toBe('interstitial_lung_disease');
    expect(serviceLineOfIntake({ condition: { description: 'a broken wrist' } } as never)).toBe('other');
    expect(serviceLineOfIntake(null)).toBe('other');
  });
});
