import { describe, expect, it } from 'vitest';
import { assistanceCents, incomeBands, loadAssistancePolicy, povertyLineCents, suggestedAssistance } from './assistance.ts';

const policy = loadAssistancePolicy();

describe('the financial-assistance policy', () => {
  it('measures a household’s income bands against the 2025 poverty guideline for its size', () => {
    // HHS 2025, 48 contiguous states and DC: $15,650 for one person, $5,500 for each more ($32,150 for four).
    expect(povertyLineCents(policy, 1)).toBe(1_565_000);
    expect(povertyLineCents(policy, 4)).toBe(3_215_000);
    expect(incomeBands(policy, 4)).toEqual([
      { id: 'up_to_200', upToCents: 6_430_000, assistancePercent: 100 },
      { id: 'up_to_400', upToCents: 12_860_000, assistancePercent: 50 },
      { id: 'above', upToCents: null, assistancePercent: 0 },
    ]);
  });

  it('suggests the band’s share, and nothing for a household size or band it does not know', () => {
    expect(suggestedAssistance(policy, 3, 'up_to_400')?.percent).toBe(50);
    expect(suggestedAssistance(policy, 0, 'up_to_200')).toBeNull();
    expect(suggestedAssistance(policy, 21, 'up_to_200')).toBeNull();
    expect(suggestedAssistance(policy, 2, 'rich')).toBeNull();
  });

  it('never waives more than is owed, in whole cents', () => {
    expect(assistanceCents(115_001, 50)).toBe(57_500);
    expect(assistanceCents(115_000, 100)).toBe(115_000);
    expect(assistanceCents(115_000, 130)).toBe(115_000);
    expect(assistanceCents(115_000, 0)).toBe(0);
  });

  it('refuses a policy whose bands do not rise or end open', async () => {
    const fs = await import('node:fs');
    const os = await import('node:os');
    const path = await import('node:path');
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'policy-')), 'assistance.json');
    const bad = structuredClone(policy);
    bad.bands = [{ id: 'a', upToPercent: 300, assistancePercent: 100 }, { id: 'b', upToPercent: 200, assistancePercent: 50 }, { id: 'c', upToPercent: null, assistancePercent: 0 }];
    fs.writeFileSync(file, JSON.stringify(bad));
    expect(() => loadAssistancePolicy(file)).toThrow(/bands must rise/);
  });
});
