import { describe, expect, it } from 'vitest';
import { loadConfig } from '../core/config.ts';
import { readingGrade } from '../core/readability.ts';
import { catalogue } from '../../web/src/messages/scan.ts';
import { serviceInfo } from './serviceInfo.ts';

// The home page is the first thing a frightened patient reads: grade 8 or below (DOMAIN.md §6).
const MAX_GRADE = 8;
const home = [...catalogue('en')].filter(([k]) => k.startsWith('home:'));
const fill = (text: string, values: Record<string, number>) => text.replace(/\{\{(\w+)\}\}/g, (m, k: string) => (k in values ? String(values[k]) : m));

describe('the public home page', () => {
  it('reads at grade 8 or below with the server’s texts filled in (costs, kinds of specialists)', () => {
    const info = serviceInfo(loadConfig({}));
    const numbers = { standard: info.turnaround.standardBusinessDays, expedited: info.turnaround.expeditedBusinessDays, days: info.followupDays };
    const page = [...home.map(([, v]) => fill(v, numbers)), ...info.costNotes.map((n) => n.text), ...info.specialists.map((s) => s.plain)];
    expect(readingGrade(page)).toBeLessThanOrEqual(MAX_GRADE);
  });

  it('states no number of its own: turnaround and follow-up come from the configuration', () => {
    expect(home.filter(([, v]) => /\d/.test(v))).toEqual([]);
    expect(fill(home.find(([k]) => k === 'home:time.standard')![1], { standard: 9 })).toContain('within 9 business days');
  });
});
