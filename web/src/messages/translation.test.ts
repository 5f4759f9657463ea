import { describe, expect, it } from 'vitest';
import { inflesz } from '../../../src/core/readability.ts';
import { catalogue, namespaceOf } from './scan.ts';

/**
 * Every language beside English says everything English says, with the same placeholders and
 * markup; a key it lacks would show English words in the middle of its pages. Plural keys carry
 * the language's own forms (Spanish adds "many", for a million and up).
 */
const english = catalogue('en');
const TRANSLATIONS = { es: { plurals: ['one', 'many', 'other'] } } as const;
const placeholders = (v: string) => [...v.matchAll(/\{\{\s*(\w+)[^}]*\}\}/g)].map((m) => m[1]).sort();
const tags = (v: string) => [...v.matchAll(/<\/?(\w+)>/g)].map((m) => m[0]).sort();
const pluralBase = (k: string) => k.replace(/_(zero|one|two|few|many|other)$/, '');

describe.each(Object.entries(TRANSLATIONS))('the %s catalogue', (language, { plurals }) => {
  const words = catalogue(language);

  it('has every text the English catalogue has', () => {
    expect([...english.keys()].filter((k) => !words.has(k))).toEqual([]);
  });

  it('has nothing the English catalogue lacks but plural forms of English plurals', () => {
    const englishBases = new Set([...english.keys()].filter((k) => /_(one|other)$/.test(k)).map(pluralBase));
    expect([...words.keys()].filter((k) => !english.has(k) && !englishBases.has(pluralBase(k)))).toEqual([]);
  });

  it('gives every plural all of its forms', () => {
    const bases = new Set([...english.keys()].filter((k) => /_(one|other)$/.test(k)).map(pluralBase));
    const missing = [...bases].flatMap((b) => plurals.map((form) => `${b}_${form}`)).filter((k) => !words.has(k));
    expect(missing).toEqual([]);
  });

  it('keeps each text’s placeholders and markup', () => {
    const differ = [...words].filter(([k, v]) => {
      const source = english.get(k) ?? english.get(`${pluralBase(k)}_other`) ?? '';
      return placeholders(source).join() !== placeholders(v).join() || tags(source).join() !== tags(v).join();
    });
    expect(differ.map(([k]) => k)).toEqual([]);
  });

  it('is translated, not copied (identical texts are names, codes or formats)', () => {
    const same = [...words].filter(([k, v]) => english.get(k) === v && /\p{L}{4,}\s+\p{L}{4,}/u.test(v)).map(([k]) => k);
    expect(same).toEqual([]);
  });
});

// Plain Spanish for patients: INFLESZ 55 or more ("normal" or easier), the level Spanish health
// leaflets are asked to reach (Barrio-Cantalejo et al., 2008). Clinician pages as in readability.test.ts.
const MIN_INFLESZ = 55;
const FOR_CLINICIANS = ['assess:rules.', 'opinion:outcomes.', 'boards:outcomes.'];
const asRead = (text: string) => text.replace(/\{\{\w+\}\}/g, '20').replace(/<\/?\w+>/g, '');
const spanish = [...catalogue('es')].filter(([k]) => !FOR_CLINICIANS.some((p) => k.startsWith(p)));

describe('the Spanish catalogue reads at a plain level', () => {
  it.each([...new Set(spanish.map(([k]) => namespaceOf(k)))])('%s', (ns) => {
    expect(inflesz(spanish.filter(([k]) => namespaceOf(k) === ns).map(([, v]) => asRead(v)))).toBeGreaterThanOrEqual(MIN_INFLESZ);
  });
});
