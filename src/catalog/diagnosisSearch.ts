import fs from 'node:fs';
import MiniSearch, { type SearchOptions, type SearchResult } from 'minisearch';
import { z } from 'zod';
import { DEFAULT_LOCALE, type Locale } from '../core/locale.ts';
import { findIcd10, ICD10_CATALOG } from './icd10.ts';

const CodeOrRange = z.string().regex(/^[A-Z][0-9][0-9A-Z](\.[0-9A-Z]{0,4})?$/);
const Phrase = z.string().trim().min(2).max(80);

const NamesSchema = z.strictObject({
  source: z.string().min(1),
  reviewedOn: z.iso.date(),
  note: z.string(),
  names: z.array(z.strictObject({
    id: z.string().regex(/^[a-z0-9_]+$/),
    name: Phrase,
    synonyms: z.array(Phrase),
    abbreviations: z.array(z.string().regex(/^[A-Za-z0-9-]{2,10}$/)),
    /** The codes or code ranges (a code's start) the name stands for. */
    codes: z.array(CodeOrRange).min(1),
    /** The code chosen when a person picks the name: the most general one of the range. */
    code: CodeOrRange,
    /** The name and its synonyms in Spanish, beside the English: found whatever the reader's language, shown to Spanish readers. */
    es: z.strictObject({ name: Phrase, synonyms: z.array(Phrase) }).optional(),
  })).min(1),
});

export type DiagnosisName = z.infer<typeof NamesSchema>['names'][number];

/**
 * Checks the names against the catalogue: the chosen code exists, lies inside the name's ranges,
 * and every range holds at least one catalogue code. Returns what is wrong, one line each.
 */
export function checkDiagnosisNames(names: DiagnosisName[]): string[] {
  const problems: string[] = [];
  const seen = new Set<string>();
  for (const n of names) {
    if (seen.has(n.id)) problems.push(`"${n.id}" is listed twice`);
    seen.add(n.id);
    if (!findIcd10(n.code)) problems.push(`${n.id}: code ${n.code} is not in icd10cm.json`);
    if (!n.codes.some((r) => n.code.startsWith(r))) problems.push(`${n.id}: code ${n.code} is outside its ranges ${n.codes.join(', ')}`);
    for (const r of n.codes) if (!ICD10_CATALOG.codes.some((c) => c.code.startsWith(r))) problems.push(`${n.id}: range ${r} holds no code of icd10cm.json`);
  }
  return problems;
}

function loadNames() {
  const file = NamesSchema.parse(JSON.parse(fs.readFileSync(new URL('./diagnosis-names.json', import.meta.url), 'utf8')));
  const problems = checkDiagnosisNames(file.names);
  if (problems.length) throw new Error(`diagnosis-names.json: ${problems.join('; ')}`);
  return file;
}

/** The plain names, validated when the module loads so a bad edit stops start-up. */
export const DIAGNOSIS_NAMES = loadNames();

/** One answer to a search: the words to show, and the code a pick stands for. */
export interface DiagnosisHit {
  /** Unique among the answers: the name's id, or the code for a catalogue description. */
  id: string;
  /** What a person reads: the plain name, or the ICD-10-CM description when no name fits. */
  name: string;
  /** The synonym or abbreviation that was matched, when it is not the name itself. */
  matched: string | null;
  code: string;
  /** The official ICD-10-CM description of the code. */
  display: string;
  group: string;
  kind: 'name' | 'code';
}

const STOP_WORDS = new Set(['of', 'the', 'and', 'or', 'in', 'on', 'with', 'to', 'a', 'an', 'my', 'i', 'have', 'has', 'is',
  'de', 'del', 'el', 'la', 'los', 'las', 'y', 'o', 'en', 'con', 'mi', 'un', 'una', 'por', 'que', 'tengo']);

/** Lower case, no accents, no possessive "'s"; one-letter words and filler words are dropped. */
export function normaliseWord(term: string): string | null {
  const t = term.normalize('NFD').replace(/\p{M}+/gu, '').toLowerCase();
  if (t.length < 2 || STOP_WORDS.has(t)) return null;
  return t;
}

// Words split at anything that is not a letter or digit, so "non-small" and "alpha-1" work.
const tokenize = (text: string) => text.normalize('NFD').replace(/\p{M}+/gu, '').split(/[^\p{L}\p{N}]+/u).filter(Boolean);

/**
 * A typo costs one letter in a word of five or more, two in a word of nine or more; shorter
 * words (abbreviations like COPD, ILD) must be exact, or COPD would find COP.
 */
const fuzzy = (term: string) => (term.length >= 9 ? 2 : term.length >= 5 ? 1 : false);

const SEARCH: SearchOptions = {
  combineWith: 'AND',
  // Only the last word may be unfinished: the person is still typing it.
  prefix: (_term, i, terms) => i === terms.length - 1,
  fuzzy,
  weights: { fuzzy: 0.3, prefix: 0.6 },
};

const nameIndex = new MiniSearch<DiagnosisName & { synonymText: string; abbreviationText: string; spanishName: string; spanishText: string }>({
  fields: ['name', 'synonymText', 'abbreviationText', 'spanishName', 'spanishText'],
  tokenize,
  processTerm: normaliseWord,
  searchOptions: { ...SEARCH, boost: { name: 3, abbreviationText: 3, synonymText: 1.5, spanishName: 3, spanishText: 1.5 } },
});
nameIndex.addAll(DIAGNOSIS_NAMES.names.map((n) => ({
  ...n, synonymText: n.synonyms.join(' | '), abbreviationText: n.abbreviations.join(' '), spanishName: n.es?.name ?? '', spanishText: n.es?.synonyms.join(' | ') ?? '',
})));

const codeIndex = new MiniSearch<{ id: string; display: string }>({ fields: ['display'], tokenize, processTerm: normaliseWord, searchOptions: SEARCH });
codeIndex.addAll(ICD10_CATALOG.codes.map((c) => ({ id: c.code, display: c.display })));

const namesById = new Map(DIAGNOSIS_NAMES.names.map((n) => [n.id, n]));
const words = (s: string) => tokenize(s).map(normaliseWord).filter((w): w is string => !!w);
const phrase = (s: string) => words(s).join(' ');
const phrasesOf = (n: DiagnosisName) => [n.name, ...n.synonyms, ...n.abbreviations, ...(n.es ? [n.es.name, ...n.es.synonyms] : [])];
/** The name as the reader reads it: Spanish where the entry has it. */
const nameIn = (n: DiagnosisName, locale: Locale) => (locale === 'es' && n.es?.name) || n.name;

/** Which of the name's phrases the search matched best; null when it is the name shown. */
function matchedPhrase(n: DiagnosisName, r: SearchResult, query: string, locale: Locale): string | null {
  const q = phrase(query);
  const shown = nameIn(n, locale);
  const phrases = phrasesOf(n);
  const exact = phrases.find((p) => phrase(p) === q);
  if (exact) return exact === shown ? null : exact;
  const hit = new Set(r.terms);
  const score = (p: string) => words(p).filter((w) => hit.has(w)).length;
  const best = phrases.reduce((a, b) => (score(b) > score(a) ? b : a), shown);
  return best === shown ? null : best;
}

function fromName(n: DiagnosisName, matched: string | null, locale: Locale): DiagnosisHit {
  const entry = findIcd10(n.code)!;
  return { id: n.id, name: nameIn(n, locale), matched, code: n.code, display: entry.display, group: entry.group, kind: 'name' };
}

function fromCode(code: string): DiagnosisHit {
  const entry = findIcd10(code)!;
  return { id: entry.code, name: entry.display, matched: null, code: entry.code, display: entry.display, group: entry.group, kind: 'code' };
}

const looksLikeCode = (q: string) => /^[a-z][0-9]/i.test(q);

/**
 * Searches the diagnoses as people name them. A code (or its start, "C34") lists the catalogue
 * codes under it. Otherwise plain names, synonyms and abbreviations come first, then the official
 * ICD-10-CM descriptions: every word must match, in any order, with small typos forgiven, case
 * and accents ignored. An exact name ("COPD") goes to the top. Empty query: the names in order.
 */
export function searchDiagnoses(query: string, limit = 20, locale: Locale = DEFAULT_LOCALE): DiagnosisHit[] {
  const q = query.trim();
  if (!q) return [...DIAGNOSIS_NAMES.names.map((n) => fromName(n, null, locale)), ...ICD10_CATALOG.codes.map((c) => fromCode(c.code))].slice(0, limit);
  if (looksLikeCode(q)) {
    const prefix = q.toUpperCase().replace(/\s+/g, '');
    const byCode = ICD10_CATALOG.codes.filter((c) => c.code.startsWith(prefix));
    if (byCode.length) return byCode.slice(0, limit).map((c) => fromCode(c.code));
  }
  const exact = phrase(q);
  const named = nameIndex.search(q)
    .map((r) => {
      const n = namesById.get(r.id as string)!;
      return { r, n, exact: phrasesOf(n).some((p) => phrase(p) === exact) };
    })
    .sort((a, b) => Number(b.exact) - Number(a.exact) || b.r.score - a.r.score)
    .map(({ r, n }) => fromName(n, matchedPhrase(n, r, q, locale), locale));
  // A code already offered under a plain name is not offered again under its official wording.
  const offered = new Set(named.map((h) => h.code));
  const described = codeIndex.search(q).filter((r) => !offered.has(r.id as string)).map((r) => fromCode(r.id as string));
  return [...named, ...described].slice(0, limit);
}
