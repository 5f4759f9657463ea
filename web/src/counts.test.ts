import { describe, expect, it } from 'vitest';
import { countLabel } from './counts.ts';

describe('list totals in words', () => {
  it('gives an exact total as it is, and an estimate rounded and said to be one', () => {
    expect(countLabel(1, false, 'case', 'cases')).toBe('1 case');
    expect(countLabel(1234, false, 'case', 'cases')).toBe('1,234 cases');
    expect(countLabel(98_412, true, 'case', 'cases')).toBe('About 98,000 cases');
    expect(countLabel(1_004, true, 'event', 'events')).toBe('About 1,000 events');
  });
});
