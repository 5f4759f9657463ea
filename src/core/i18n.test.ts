import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { baseKey, catalogue, keyUses, parse, type KeyUse } from '../../web/src/messages/scan.ts';
import { inflesz } from './readability.ts';
import { hasWords, LOCALES_DIR, wordsIn } from './i18n.ts';
import { NOTICE_PAGES, type NoticeKind } from '../notifications/rules.ts';
import { CASE_COMMAND_NAMES, CASE_STATUSES } from '../cases/lifecycle.ts';
import { INTAKE_SECTION_NAMES } from '../cases/intake.ts';
import { SPECIMEN_STATUSES } from '../records/specimens.ts';
import { CASE_EVENT_TYPES } from '../events/catalog.ts';
import { BiomarkerStatus, Concordance, LungNextStep, LungRisk, PriorityFit, SurgeryApproach, SurgeryNecessary, TreatmentStance } from '../opinions/schemas.ts';
import { LOBE_SEGMENTS } from '../opinions/lungFunction.ts';
import { INVOICE_STATUSES, PAYMENT_METHODS } from '../billing/invoice.ts';
import { PLACE_OF_SERVICE } from '../billing/superbill.ts';
import { STATUS_NOTES } from '../records/statusNote.ts';
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
const CALLERS = ['t', 'w', 'english', 'wordsIn', 'words'];
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
const FOR_CLINICIANS = new Set(['report', 'superbill', 'trials']);
describe('the server’s Spanish reads at a plain level', () => {
  const spanish = [...catalogue('es', LOCALES_DIR)].filter(([k]) => !FOR_CLINICIANS.has(k.slice(0, k.indexOf(':'))));
  const asRead = (text: string) => text.replace(/\{\{\w+\}\}/g, '20');
  // Sentences, not labels: a word or two ("tableta") has no reading level.
  const prose = spanish.filter(([, v]) => v.split(/\s+/).length >= 5);
  it.each([...new Set(prose.map(([k]) => k.slice(0, k.indexOf(':'))))])('%s', (ns) => {
    expect(inflesz(prose.filter(([k]) => k.startsWith(`${ns}:`)).map(([, v]) => asRead(v)))).toBeGreaterThanOrEqual(55);
  });
});

/**
 * Keys the code builds from a value (`notices:${kind}.title`, `report:clinical.${stance}`) are
 * used as a family, so the scan above cannot tell a missing member: every value each family is
 * built from has its words here, in every language.
 */
describe('the words of every value the server names', () => {
  const kinds = Object.keys(NOTICE_PAGES) as NoticeKind[];
  const noticeKeys = kinds.flatMap((k) => (k === 'offer.answered' ? ['accept', 'decline', 'expire'].map((o) => `notices:offer.answered.${o}`) : [`notices:${k}`]))
    .flatMap((base) => [`${base}.title`, `${base}.text`]);
  const commands = CASE_COMMAND_NAMES as readonly string[];
  const chosenEvents = ['urgency.standard', 'urgency.expedited', 'step.unknown', ...INTAKE_SECTION_NAMES.map((s) => `step.${s}`), 'imaging.study.described', 'specimen.updated',
    ...['granted', 'partly_granted', 'declined'].map((o) => `invoice.assistance.${o}`), ...['paid', 'void', 'written_off'].map((s) => `invoice.close.${s}`), 'visit.interpreter.booked', 'visit.interpreter.removed'];
  const plainEvents = CASE_EVENT_TYPES.filter((e) => !['case.urgency', 'intake.save', 'specimen.step', 'imaging.study', 'invoice.assistance', 'invoice.close', 'visit.interpreter'].includes(e) && !(e.startsWith('case.') && commands.includes(e.slice(5))));
  const clinical = [...Concordance.options, ...BiomarkerStatus.options, ...TreatmentStance.options, ...SurgeryNecessary.options, ...SurgeryApproach.options, ...Object.keys(LOBE_SEGMENTS), ...LungRisk.options, ...LungNextStep.options.filter((s) => s !== 'none')];
  const families: [string, Record<string, unknown>][] = [
    ...noticeKeys.map((k): [string, Record<string, unknown>] => [k, { count: 1 }]),
    ...CASE_STATUSES.map((s): [string, Record<string, unknown>] => [`lifecycle:status.${s}`, {}]),
    ...commands.map((c): [string, Record<string, unknown>] => [`lifecycle:command.${c}`, {}]),
    ...SPECIMEN_STATUSES.map((s): [string, Record<string, unknown>] => [`lifecycle:specimen.${s}`, {}]),
    ...commands.map((c): [string, Record<string, unknown>] => [`audit:done.${c}`, { keySeparator: false }]),
    ...chosenEvents.map((e): [string, Record<string, unknown>] => [`events:${e}`, { keySeparator: false }]),
    ...plainEvents.map((e): [string, Record<string, unknown>] => [`events:${e}`, { keySeparator: false, count: 1 }]),
    ...clinical.map((c): [string, Record<string, unknown>] => [`report:clinical.${c}`, {}]),
    ...PriorityFit.options.map((f): [string, Record<string, unknown>] => [`report:fit.${f}`, {}]),
    ...TreatmentStance.options.map((s): [string, Record<string, unknown>] => [`report:board.${s}`, {}]),
    ...INVOICE_STATUSES.filter((s) => s !== 'draft').map((s): [string, Record<string, unknown>] => [`bills:invoice.status.${s}`, {}]),
    ...PAYMENT_METHODS.map((m): [string, Record<string, unknown>] => [`bills:invoice.method.${m}`, {}]),
    ...Object.keys(PLACE_OF_SERVICE).map((p): [string, Record<string, unknown>] => [`bills:superbill.place.${p}`, {}]),
    ...['done', 'check_report', 'optional', 'missing'].map((s): [string, Record<string, unknown>] => [`assessment:testStatus.${s}`, {}]),
    ...STATUS_NOTES.map((n): [string, Record<string, unknown>] => [`records:status.${n}`, { count: 1 }]),
  ];

  it.each(LOCALES)('%s', (locale) => {
    expect(families.filter(([key, options]) => !hasWords(locale, key, options)).map(([key]) => key)).toEqual([]);
    expect(families.length).toBeGreaterThan(200);
  });
});
