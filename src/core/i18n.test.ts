import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { baseKey, catalogue, keyUses, parse, type KeyUse } from '../../web/src/messages/scan.ts';
import { inflesz } from './readability.ts';
import { LOCALES_DIR, wordsIn } from './i18n.ts';
import { LOCALES } from './locale.ts';

/**
 * The server's catalogue is held to the web catalogue's rules by the same reader: every key the
 * code asks for is there, nothing unused, every language has every text with the same
 * placeholders and its own plural forms, and the Spanish patients read is plain.
 */
const SRC = path.resolve(import.meta.dirname, '..');
/**
 * Namespaces keyed by the English the code writes (problem details: the error's wording is the
 * key, as in gettext): English needs no file of its own, and src/core/problemLanguage.test.ts
 * checks that every key is still a wording of the code.
 */
const KEYED_BY_SOURCE = ['problems'];
const english = catalogue('en', LOCALES_DIR);
/** The names the server gives its catalogue function where it asks for a key. */
const CALLERS = ['t', 'w', 'english', 'wordsIn'];
const sources = (fs.readdirSync(SRC, { recursive: true }) as string[])
  .filter((f) => /\.ts$/.test(f) && !/\.test\.ts$|\.d\.ts$/.test(f))
  .map((f) => path.join(SRC, f));
const uses: KeyUse[] = sources.flatMap((f) => keyUses(parse(f), CALLERS)).filter((u) => u.key.includes(':'));
const PLURALS: Record<string, readonly string[]> = { en: ['one', 'other'], es: ['one', 'many', 'other'] };
const pluralBase = (k: string) => k.replace(/_(zero|one|two|few|many|other)$/, '');
const placeholders = (v: string) => [...v.matchAll(/\{\{\s*(\w+)[^}]*\}\}/g)].map((m) => m[1]).sort();

describe('the server catalogue', () => {
  it('is read by the code', () => {
    expect(uses.length).toBeGreaterThan(20);
  });

  it('has every key the code asks for', () => {
    const bases = new Set([...english.keys()].map(baseKey));
    const keys = [...english.keys()];
    const missing = uses.filter((u) => (u.prefix ? !keys.some((k) => k.startsWith(u.key)) : !bases.has(u.key)));
    expect(missing.map((u) => `${u.where} ${u.key}${u.prefix ? '…' : ''}`)).toEqual([]);
  });

  it('has no text the code never asks for', () => {
    const exact = new Set(uses.filter((u) => !u.prefix).map((u) => u.key));
    const prefixes = uses.filter((u) => u.prefix).map((u) => u.key);
    expect([...english.keys()].filter((k) => !exact.has(baseKey(k)) && !prefixes.some((p) => k.startsWith(p)))).toEqual([]);
  });

  it('writes placeholders the i18next way', () => {
    expect([...english].filter(([, v]) => /(^|[^{])\{\w+\}(?!\})/.test(v)).map(([k]) => k)).toEqual([]);
  });

  it('falls back to English for a language it does not have', () => {
    expect(wordsIn('xx')('lifecycle:status.delivered')).toBe('Delivered');
  });
});

describe.each(LOCALES.filter((l) => l !== 'en'))('the server’s %s catalogue', (language) => {
  const all = catalogue(language, LOCALES_DIR);
  const sourceKeyed = [...all].filter(([k]) => KEYED_BY_SOURCE.includes(k.slice(0, k.indexOf(':'))));
  const words = new Map([...all].filter(([k]) => !KEYED_BY_SOURCE.includes(k.slice(0, k.indexOf(':')))));

  it('keeps the values of a text keyed by its English wording (a {0} there is {{0}} here)', () => {
    const values = (text: string) => [...text.matchAll(/\{\{?(\w+)\}\}?/g)].map((m) => m[1]).sort().join();
    const differ = sourceKeyed.filter(([k, v]) => !/:(title|thing)\./.test(k) && values(k.slice(k.indexOf(':') + 1)) !== values(v));
    expect(differ.map(([k]) => k)).toEqual([]);
    expect(sourceKeyed.filter(([, v]) => /(^|[^{])\{\d+\}(?!\})/.test(v)).map(([k]) => k)).toEqual([]);
  });
  const englishPlurals = new Set([...english.keys()].filter((k) => /_(one|other)$/.test(k)).map(pluralBase));

  it('has every text the English one has, and every plural form of the language', () => {
    const wanted = [...english.keys()].flatMap((k) => (englishPlurals.has(pluralBase(k)) ? PLURALS[language]!.map((f) => `${pluralBase(k)}_${f}`) : [k]));
    expect([...new Set(wanted)].filter((k) => !words.has(k))).toEqual([]);
    expect([...words.keys()].filter((k) => !english.has(k) && !englishPlurals.has(pluralBase(k)))).toEqual([]);
  });

  it('keeps each text’s placeholders', () => {
    const differ = [...words].filter(([k, v]) => placeholders(english.get(k) ?? english.get(`${pluralBase(k)}_other`) ?? '').join() !== placeholders(v).join());
    expect(differ.map(([k]) => k)).toEqual([]);
  });

  it('is translated, not copied', () => {
    expect([...words].filter(([k, v]) => english.get(k) === v && /\p{L}{4,}\s+\p{L}{4,}/u.test(v)).map(([k]) => k)).toEqual([]);
  });
});

// Plain Spanish for what patients read (INFLESZ 55 or more, as the web catalogue); the namespaces
// written for clinicians and staff are left out.
const FOR_CLINICIANS = new Set(['report', 'superbill']);
describe('the server’s Spanish reads at a plain level', () => {
  const spanish = [...catalogue('es', LOCALES_DIR)].filter(([k]) => !FOR_CLINICIANS.has(k.slice(0, k.indexOf(':'))));
  const asRead = (text: string) => text.replace(/\{\{\w+\}\}/g, '20');
  // Sentences, not labels: a word or two ("tableta") has no reading level.
  const prose = spanish.filter(([, v]) => v.split(/\s+/).length >= 5);
  it.each([...new Set(prose.map(([k]) => k.slice(0, k.indexOf(':'))))])('%s', (ns) => {
    expect(inflesz(prose.filter(([k]) => k.startsWith(`${ns}:`)).map(([, v]) => asRead(v)))).toBeGreaterThanOrEqual(55);
  });
});
