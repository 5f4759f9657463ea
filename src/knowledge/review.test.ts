import { describe, expect, it } from 'vitest';
import fs from 'node:fs';
import path from 'node:path';
import { datedEntries, knowledgeReview, KNOWLEDGE_FILES, NOT_KNOWLEDGE } from './review.ts';

describe('the knowledge review', () => {
  it('finds every dated entry, says where it sits and what it says', () => {
    const entries = datedEntries('Example', {
      reviewedOn: '2026-01-01', source: 'A catalogue',
      rules: { urgency: { rules: [{ id: 'fast', text: 'Moves fast.', sources: ['s1'], reviewedOn: '2025-06-01' }] } },
      sources: [{ id: 's1', title: 'A guideline', reviewedOn: '2024-01-01' }],
    });
    expect(entries).toEqual([
      { area: 'Example', kind: 'file', id: 'file', label: 'A catalogue', reviewedOn: '2026-01-01', sources: [] },
      { area: 'Example', kind: 'rules.urgency.rules', id: 'fast', label: 'Moves fast.', reviewedOn: '2025-06-01', sources: ['s1'] },
      { area: 'Example', kind: 'sources', id: 's1', label: 'A guideline', reviewedOn: '2024-01-01', sources: [] },
    ]);
  });

  it('covers every data file of the product, and says which record no review at all', () => {
    const dataFiles = fs.globSync('**/data/*.json', { cwd: path.join(import.meta.dirname, '..') }).sort();
    expect([...KNOWLEDGE_FILES.map((f) => f.file), ...NOT_KNOWLEDGE].filter((f) => f.includes('/data/')).sort()).toEqual(dataFiles);
    const undated = knowledgeReview(new Date('2026-11-30T12:00:00Z')).filter((e) => e.reviewedOn === '');
    expect(undated.length).toBeGreaterThan(0);
    expect(undated.every((e) => e.due && e.label === 'This file records no review date: review it and date it.')).toBe(true);
  });

  it('marks what was not reviewed for a year as due, oldest first', () => {
    const now = new Date('2026-11-30T12:00:00Z');
    const all = knowledgeReview(now);
    expect(all.length).toBeGreaterThan(50);
    expect(new Set(all.map((e) => e.area))).toEqual(new Set(KNOWLEDGE_FILES.map((f) => f.area)));
    for (const e of all) expect(e.due).toBe(e.reviewedOn < '2025-11-30');
    expect(all.map((e) => e.reviewedOn)).toEqual([...all.map((e) => e.reviewedOn)].sort());
    // The same knowledge, a year and a day after its newest review: all of it is due.
    const newest = all.at(-1)!.reviewedOn;
    const later = new Date(new Date(`${newest}T00:00:00Z`).getTime() + 366 * 86_400_000);
    expect(knowledgeReview(later).every((e) => e.due)).toBe(true);
  });
});
