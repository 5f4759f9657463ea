import { describe, expect, it } from 'vitest';
import { estimateCost, loadBilling, type CostFacts } from './estimate.ts';

const billing = loadBilling();
const facts = (f: Partial<CostFacts> = {}): CostFacts => ({ conditionCode: null, surgeryProposed: false, planType: null, expedited: false, imagingStudies: 0, atBoard: false, visitBooked: false, conditionWords: true, followupDays: 30, sent: false, ...f });
const fee = (id: string) => billing.catalogue.services.find((s) => s.id === id)!.feeCents;

describe('the cost estimate', () => {
  it('itemises what a cancer request includes, what scans would add and what the patient may choose', () => {
    const e = estimateCost(facts({ conditionCode: 'C34.11' }), billing);
    const parts = Object.fromEntries(e.lines.map((l) => [l.serviceId, l.part]));
    expect(parts).toEqual({ written_opinion: 'included', pathology_review: 'included', radiology_review: 'possible', video_visit: 'optional', tumor_board: 'optional' });
    expect(e.totalCents).toBe(fee('written_opinion') + fee('pathology_review'));
    expect(e.upToCents).toBe(e.totalCents + fee('radiology_review'));
    expect(e.lines[0]!.includes).toBe('Follow-up questions in writing for 30 days after the opinion.');
    expect(e.lines.find((l) => l.serviceId === 'pathology_review')!.codes).toEqual([expect.objectContaining({ code: '88321' })]);
  });

  it('adds the radiology review once scans are on file and expedited handling when urgent; no slide review for a lung disease that is not cancer', () => {
    const e = estimateCost(facts({ conditionCode: 'J84.112', imagingStudies: 2, expedited: true }), billing);
    expect(e.lines.filter((l) => l.part === 'included').map((l) => l.serviceId)).toEqual(['written_opinion', 'radiology_review', 'expedited']);
    expect(e.totalCents).toBe(e.upToCents);
    expect(estimateCost(facts({ conditionCode: 'D05.10' }), billing).lines.map((l) => l.serviceId)).toContain('pathology_review');
  });

  it('counts a slide review as possible while the diagnosis is only in the patient\'s words, and a board or visit once under way', () => {
    const words = estimateCost(facts({ conditionCode: null }), billing);
    expect(words.lines.find((l) => l.serviceId === 'pathology_review')).toMatchObject({ part: 'possible', why: expect.stringMatching(/^If your diagnosis is a cancer/) });
    expect(words.upToCents).toBe(fee('written_opinion') + fee('pathology_review') + fee('radiology_review'));
    const underWay = estimateCost(facts({ conditionCode: 'C34.11', atBoard: true, visitBooked: true }), billing);
    expect(underWay.lines.filter((l) => l.part === 'optional')).toEqual([]);
    expect(underWay.totalCents).toBe(fee('written_opinion') + fee('pathology_review') + fee('tumor_board') + fee('video_visit'));
  });

  it('gives coverage guidance for the plan type, with the reason it applies and its sources', () => {
    const before = estimateCost(facts({ planType: 'medicare', surgeryProposed: true }), billing).guidance;
    expect(before).toEqual([expect.objectContaining({ id: 'medicare-before-surgery', why: 'You have Medicare and surgery has been proposed.' })]);
    expect(before[0]!.text).toMatch(/20% of the Medicare-approved amount/);
    expect(before[0]!.sources.map((s) => s.url)).toContain('https://www.medicare.gov/coverage/second-surgical-opinions');
    expect(estimateCost(facts({ planType: 'medicare' }), billing).guidance[0]!.id).toBe('medicare-no-surgery');
    expect(estimateCost(facts({ planType: 'commercial', conditionCode: 'C50.911' }), billing).guidance[0]).toMatchObject({ id: 'commercial', ask: expect.stringMatching(/number on your insurance card/) });
    // Cancer wording only for a cancer.
    expect(estimateCost(facts({ planType: 'commercial', conditionCode: 'J84.112' }), billing).guidance[0]!.text).not.toMatch(/cancer/);
    expect(estimateCost(facts({ planType: 'none' }), billing).guidance[0]).toMatchObject({ id: 'self-pay', limits: 'The final bill follows the services you receive.' });
    // Not knowing the kind of coverage: choose it while writing the request; once it is sent, tell the coordinator.
    expect(estimateCost(facts({ planType: null }), billing).guidance[0]!.ask).toBe('Choose your kind of coverage in the first step of your request.');
    expect(estimateCost(facts({ planType: null, sent: true }), billing).guidance[0]!.ask).toBe('Tell your coordinator in Messages what kind of coverage you have.');
    expect(estimateCost(facts({ planType: 'international' }), billing).guidance[0]!.id).toBe('international');
    expect(estimateCost(facts(), billing).guidance[0]!.id).toBe('unknown');
  });

  it('has guidance for every plan type, and every service and rule is dated and sourced', () => {
    for (const planType of ['medicare', 'medicaid', 'commercial', 'none', 'international', null] as const) {
      for (const surgeryProposed of [true, false]) {
        for (const conditionCode of ['C34.11', 'J44.9', null]) expect(estimateCost(facts({ planType, surgeryProposed, conditionCode }), billing).guidance).toHaveLength(1);
      }
    }
    for (const e of [...billing.catalogue.services, ...billing.coverage.rules]) {
      expect(e.reviewedOn).toMatch(/^\d{4}-\d{2}-\d{2}$/);
      expect(e.sources.length).toBeGreaterThan(0);
    }
  });

  it('adds what the program knows of the request: the experts’ networks and the insurer’s answer, each with its source', () => {
    const ids = (f: Partial<CostFacts>) => estimateCost(facts({ planType: 'commercial', conditionCode: 'C34.11', ...f }), billing).guidance.map((g) => g.id);
    expect(ids({})).toEqual(['commercial']);
    expect(ids({ network: 'in' })).toEqual(['commercial', 'network-in']);
    expect(ids({ network: 'out', authorizationNeeded: true })).toEqual(['commercial', 'network-out', 'prior-authorization']);
    const auth = estimateCost(facts({ planType: 'commercial', authorizationNeeded: true }), billing).guidance.find((g) => g.id === 'prior-authorization')!;
    expect(auth.sources.map((s) => s.id)).toEqual(['insurer-call']);
  });

  it('matches a plan to an expert’s networks by its words, not by chance', async () => {
    const { listsPlan } = await import('./service.ts');
    expect(listsPlan(['Aetna'], 'Aetna Choice PPO')).toBe(true);
    expect(listsPlan(['Synthetic Health PPO', 'Medicare'], 'synthetic health ppo')).toBe(true);
    expect(listsPlan(['Aetna'], 'Cigna')).toBe(false);
    expect(listsPlan(['Blue Cross'], 'Blue Shield')).toBe(false);
    expect(listsPlan([], 'Aetna')).toBe(false);
  });
});

