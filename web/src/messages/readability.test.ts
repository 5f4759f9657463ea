import { describe, expect, it } from 'vitest';
import { readingGrade } from '../../../src/core/readability.ts';
import { catalogue, namespaceOf } from './scan.ts';

// Patient-facing words read at US grade 8 or below (Flesch-Kincaid), DOMAIN.md section 6.
const MAX_GRADE = 8;
/**
 * Texts of the catalogue written for clinicians, not patients: the rules page says it is for
 * doctors who check our work, and the outcomes are for coordinators and administrators.
 */
const FOR_CLINICIANS = ['assess:rules.', 'opinion:outcomes.', 'boards:outcomes.'];

/** A text as read: placeholders stand for a short word or number, markup is not read. */
const asRead = (text: string) => text.replace(/\{\{\w+\}\}/g, '20').replace(/<\/?\w+>/g, '');

const texts = [...catalogue('en')].filter(([k]) => !FOR_CLINICIANS.some((p) => k.startsWith(p)));
const namespaces = [...new Set(texts.map(([k]) => namespaceOf(k)))];

describe('the catalogue reads at grade 8 or below', () => {
  it.each(namespaces)('%s', (ns) => {
    const words = texts.filter(([k]) => namespaceOf(k) === ns).map(([, v]) => asRead(v));
    expect(readingGrade(words)).toBeLessThanOrEqual(MAX_GRADE);
  });

  it('covers every patient namespace', () => {
    expect(namespaces.sort()).toEqual(['account', 'admin', 'assess', 'auth', 'boards', 'cases', 'common', 'experts', 'home', 'intake', 'messages', 'notices', 'opinion', 'queue', 'records', 'review', 'trials', 'visits']);
  });
});
