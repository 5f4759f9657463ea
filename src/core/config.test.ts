import { describe, expect, it } from 'vitest';
import { loadConfig, npiCheckDigitHolds } from './config.ts';

const base = { NODE_ENV: 'test', DATA_DIR: '/tmp/consilium-config-test' };

describe('billing settings', () => {
  it('checks an NPI’s check digit (Luhn over 80840 and the first nine digits)', () => {
    // The example of the CMS standard, and the same number with another last digit.
    expect(npiCheckDigitHolds('1234567893')).toBe(true);
    expect(npiCheckDigitHolds('1234567890')).toBe(false);
    expect(npiCheckDigitHolds('123456789')).toBe(false);
  });

  it('takes who bills when given, and refuses a wrong NPI or tax id with plain words', () => {
    expect(loadConfig({ ...base, BILLING_NPI: '1234567893', BILLING_TAX_ID: '12-3456789', BILLING_ADDRESS: '1 Synthetic Way' }).billingProvider).toEqual({ npi: '1234567893', taxId: '12-3456789', address: '1 Synthetic Way', placeOfService: '10', reviewPlaceOfService: '11' });
    expect(() => loadConfig({ ...base, BILLING_NPI: '1234567890' })).toThrow(/check digit does not hold/);
    expect(() => loadConfig({ ...base, BILLING_TAX_ID: '123456789' })).toThrow(/12-3456789/);
  });

  it('takes payments online only with both Stripe secrets', () => {
    expect(loadConfig(base).stripe).toBeUndefined();
    expect(loadConfig({ ...base, STRIPE_SECRET_KEY: 'sk_test_abc', STRIPE_WEBHOOK_SECRET: 'whsec_abc' }).stripe).toEqual({ secretKey: 'sk_test_abc', webhookSecret: 'whsec_abc', apiUrl: undefined });
    expect(() => loadConfig({ ...base, STRIPE_SECRET_KEY: 'sk_test_abc' })).toThrow(/set both/);
    expect(() => loadConfig({ ...base, STRIPE_SECRET_KEY: 'pk_test_abc', STRIPE_WEBHOOK_SECRET: 'whsec_abc' })).toThrow(/sk_test_/);
  });
});

describe('database settings', () => {
  it('keeps statement plans unless told not to (a pooler in transaction mode)', () => {
    expect(loadConfig(base).databaseKeepPlans).toBe(true);
    expect(loadConfig({ ...base, DATABASE_KEEP_PLANS: 'false' }).databaseKeepPlans).toBe(false);
    expect(() => loadConfig({ ...base, DATABASE_KEEP_PLANS: 'sometimes' })).toThrow(/DATABASE_KEEP_PLANS/);
  });
});
