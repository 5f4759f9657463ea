import { DEFAULT_LOCALE, entryIn, LOCALES, type Locale } from '../core/locale.ts';
import type { AssessmentAnswers } from './answers.ts';
import { assess } from './engine.ts';
import { KNOWLEDGE, type Knowledge } from './knowledge.ts';
import type { AssessmentResult } from './result.ts';

/**
 * The knowledge in another language. Each entry of the knowledge files carries its translations
 * beside the English, under the language's code (`"es": { "text": "…" }`), so a translation
 * shares the entry's id, sources and review date, and a clinical edit shows in the same diff as
 * the words that must follow it. The engine runs unchanged on the translated copy.
 */

/** The fields people read. Everything else (ids, predicates, codes, sources) is the same in every language. */
export const READ_FIELDS = ['text', 'label', 'from', 'why', 'plain', 'note', 'procedure'] as const;
const READ = new Set<string>(READ_FIELDS);
/** Names read where a translation gives them, kept as they are otherwise: a gene's name (ALK, RET) is the same in every language. */
const NAMES = new Set(['name']);
/** Fields a translation adds to rather than replaces: Spanish words a reader may type, beside the English ones. */
const ADDED = new Set(['keywords']);
/** Maps of texts (the situation titles by number): each value is read. */
const READ_MAPS = new Set(['situationTitles']);
const TRANSLATIONS = new Set<string>(LOCALES.filter((l) => l !== DEFAULT_LOCALE));

export interface LocalizedKnowledge {
  knowledge: Knowledge;
  /** Where a text had no translation and is shown in English: `conditions/3/plain`, say. */
  missing: string[];
  /** The English texts shown in place of a missing translation, so a page can mark them. */
  inEnglish: Set<string>;
}

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

function translate(value: Json, locale: Locale, path: string, out: LocalizedKnowledge): Json {
  if (Array.isArray(value)) return value.map((v, i) => translate(v, locale, `${path}/${i}`, out));
  if (!value || typeof value !== 'object') return value;
  const words = (value[locale] ?? {}) as Record<string, Json>;
  const copy: Record<string, Json> = {};
  for (const [key, v] of Object.entries(value)) {
    if (TRANSLATIONS.has(key)) continue;
    const at = `${path}/${key}`;
    if (READ.has(key) && typeof v === 'string') copy[key] = pick(v, words[key], at, out);
    else if (NAMES.has(key) && typeof v === 'string') copy[key] = typeof words[key] === 'string' && words[key].trim() ? words[key] : v;
    else if (ADDED.has(key) && Array.isArray(v)) copy[key] = [...v, ...(Array.isArray(words[key]) ? words[key] : [])];
    else if (READ_MAPS.has(key) && v && typeof v === 'object' && !Array.isArray(v)) {
      const mapWords = (words[key] ?? {}) as Record<string, Json>;
      copy[key] = Object.fromEntries(Object.entries(v).map(([n, text]) => [n, typeof text === 'string' ? pick(text, mapWords[n], `${at}/${n}`, out) : text]));
    } else copy[key] = translate(v, locale, at, out);
  }
  return copy;
}

function pick(english: string, translated: Json | undefined, at: string, out: LocalizedKnowledge): string {
  if (typeof translated === 'string' && translated.trim()) return translated;
  out.missing.push(at);
  out.inEnglish.add(english);
  return english;
}

const cache = new Map<string, LocalizedKnowledge>();

/**
 * The knowledge with its texts in `locale`, English where a translation is missing (listed, so a
 * check can name them and a page can say the text is in English). Sources stay as cited: they
 * name published documents by their own titles.
 */
export function knowledgeIn(locale: Locale, base: Knowledge = KNOWLEDGE): LocalizedKnowledge {
  if (locale === DEFAULT_LOCALE) return { knowledge: base, missing: [], inEnglish: new Set() };
  const key = `${locale}:${base.version}`;
  const hit = base === KNOWLEDGE ? cache.get(key) : undefined;
  if (hit) return hit;
  const out: LocalizedKnowledge = { knowledge: base, missing: [], inEnglish: new Set() };
  const { sources, ...rest } = base;
  // Our own names for a source (a section of the patient guide) are translated; a published
  // document keeps its own title.
  out.knowledge = { ...(translate(rest as unknown as Json, locale, '', out) as unknown as Omit<Knowledge, 'sources'>), sources: sources.map((s) => entryIn(s, locale)), locale };
  if (base === KNOWLEDGE) cache.set(key, out);
  return out;
}

/** The texts of an answer that are shown in English for want of a translation. */
export function textsInEnglish(answer: unknown, inEnglish: Set<string>): string[] {
  if (!inEnglish.size) return [];
  const found = new Set<string>();
  const walk = (v: unknown) => {
    if (typeof v === 'string') inEnglish.has(v) && found.add(v);
    else if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === 'object') Object.values(v).forEach(walk);
  };
  walk(answer);
  return [...found];
}

/** The assessment in the reader's language, naming the texts still only in English. */
export function assessIn(answers: AssessmentAnswers, locale: Locale): AssessmentResult {
  const { knowledge, inEnglish } = knowledgeIn(locale);
  const result = assess(answers, knowledge);
  return { ...result, inEnglish: textsInEnglish(result, inEnglish) };
}

/**
 * A kind of specialist named inside a sentence ("thoracic surgery", "cirugía torácica"): English
 * writes the specialty's id in words; another language takes the knowledge files' name.
 */
export function specialtyName(id: string, locale: Locale): string {
  const named = knowledgeIn(locale).knowledge.specialties.find((s) => s.id === id)?.label;
  return locale === 'en' || !named ? id.replaceAll('_', ' ') : named.toLowerCase();
}
