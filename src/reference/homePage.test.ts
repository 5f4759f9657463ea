import { describe, expect, it } from 'vitest';
import { loadConfig } from '../core/config.ts';
import { inflesz, readingGrade } from '../core/readability.ts';
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

  it('speaks Spanish to a Spanish reader: service lines, illnesses, kinds of specialists and cost notes, readable (INFLESZ 55 or more)', () => {
    const es = serviceInfo(loadConfig({}), 'es');
    const en = serviceInfo(loadConfig({}));
    expect(es.serviceLines.map((l) => l.label)).toContain('Cánceres de la sangre');
    for (const [i, line] of es.serviceLines.entries()) expect(line.label).not.toBe(en.serviceLines[i]!.label);
    for (const [i, s] of es.specialists.entries()) expect(s.plain).not.toBe(en.specialists[i]!.plain);
    for (const [i, n] of es.costNotes.entries()) expect(n.text).not.toBe(en.costNotes[i]!.text);
    expect(inflesz([...es.costNotes.map((n) => n.text), ...es.specialists.map((s) => s.plain)])).toBeGreaterThanOrEqual(55);
  });
});
