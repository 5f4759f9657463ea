import { describe, expect, it } from 'vitest';
import { inflesz } from '../core/readability.ts';
import { VISITS } from '../visits/rules.ts';
import { billingIn, loadBilling } from './estimate.ts';

/** Every text of the cost and visit data a patient reads has its Spanish beside it (a missing one is named). */
const billing = loadBilling();
const missing = (entries: { id: string; es?: Record<string, unknown> }[], fields: string[]) =>
  entries.flatMap((e) => fields.filter((f) => typeof (e as Record<string, unknown>)[f] === 'string' && !e.es?.[f]).map((f) => `${e.id}.${f}`));

describe('costs and visits in Spanish', () => {
  it('has a translation of every text people read', () => {
    expect(missing(billing.catalogue.services, ['name', 'description', 'includes', 'why', 'whyNotYet', 'whyOptional'])).toEqual([]);
    expect(missing(billing.coverage.rules, ['text', 'ask', 'why', 'limits'])).toEqual([]);
    expect(missing(VISITS.types, ['label', 'offered'])).toEqual([]);
  });

  it('keeps fees, codes and sources, and the placeholders and numbers of each text', () => {
    const es = billingIn(billing, 'es');
    const numbers = (s: string) => (s.match(/\d+/g) ?? []).sort().join();
    es.catalogue.services.forEach((s, i) => {
      const en = billing.catalogue.services[i]!;
      expect([s.feeCents, s.codes, s.sources, s.when]).toEqual([en.feeCents, en.codes, en.sources, en.when]);
      expect([s.includes?.match(/\{\{\w+\}\}/g), numbers(s.description)]).toEqual([en.includes?.match(/\{\{\w+\}\}/g), numbers(en.description)]);
    });
    es.coverage.rules.forEach((r, i) => expect(numbers(r.text), r.id).toBe(numbers(billing.coverage.rules[i]!.text)));
  });

  it('reads at a plain level (INFLESZ 55 or more)', () => {
    const es = billingIn(billing, 'es');
    expect(inflesz(es.coverage.rules.flatMap((r) => [r.text, r.ask, r.why, r.limits]))).toBeGreaterThanOrEqual(55);
    expect(inflesz(es.catalogue.services.flatMap((s) => [s.name, s.description, s.why]))).toBeGreaterThanOrEqual(55);
  });
});
