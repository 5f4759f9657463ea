import { describe, expect, it } from 'vitest';
import { loadConfig } from '../core/config.ts';
import { readingGrade } from '../core/readability.ts';
import { fill, HOME_COPY } from '../../web/src/pages/homeCopy.ts';
import { serviceInfo } from './serviceInfo.ts';

// The home page is the first thing a frightened patient reads: grade 8 or below (DOMAIN.md §6).
const MAX_GRADE = 8;

describe('the public home page', () => {
  it('reads at grade 8 or below', () => {
    expect(readingGrade(HOME_COPY.all())).toBeLessThanOrEqual(MAX_GRADE);
  });

  it('reads at grade 8 or below with the server’s texts filled in (costs, kinds of specialists)', () => {
    const info = serviceInfo(loadConfig({}));
    const numbers = { standard: info.turnaround.standardBusinessDays, expedited: info.turnaround.expeditedBusinessDays, days: info.followupDays };
    const page = [...HOME_COPY.all().map((t) => fill(t, numbers)), ...info.costNotes.map((n) => n.text), ...info.specialists.map((s) => s.plain)];
    expect(readingGrade(page)).toBeLessThanOrEqual(MAX_GRADE);
  });

  it('states no number of its own: turnaround and follow-up come from the configuration', () => {
    expect(HOME_COPY.all().filter((t) => /\d/.test(t))).toEqual([]);
    expect(fill(HOME_COPY.time.standard, { standard: 9 })).toContain('within 9 business days');
    expect(fill('{unknown} stays', {})).toBe('{unknown} stays');
  });
});
