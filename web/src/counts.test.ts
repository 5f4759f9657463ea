import { describe, expect, it } from 'vitest';
import i18n from './i18n.ts';
import { shownTotal } from './counts.ts';

describe('list totals in words', () => {
  it('gives an exact total as it is, and an estimate rounded to two figures', () => {
    expect(shownTotal(1234, false)).toBe(1234);
    expect(shownTotal(98_412, true)).toBe(98_000);
    expect(shownTotal(1_004, true)).toBe(1_000);
  });

  it('says an estimate is one, with the reader’s number format', async () => {
    const t = i18n.getFixedT('en');
    expect(t('common:count.cases', { count: 1 })).toBe('1 case');
    expect(t('common:count.cases', { count: shownTotal(1234, false) })).toBe('1,234 cases');
    expect(t('common:count.casesAbout', { count: shownTotal(98_412, true) })).toBe('About 98,000 cases');
    expect(i18n.getFixedT('es')('common:count.casesAbout', { count: shownTotal(98_412, true) })).toBe('Unos 98.000 casos');
  });
});
