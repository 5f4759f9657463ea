import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { KNOWLEDGE } from '../assessment/knowledge.ts';
import type { Locale } from '../core/locale.ts';

/**
 * What trial matching knows, as data with sources and a review date (data/trials.json): the
 * registry's condition names for each condition we cover, classes of earlier treatment that
 * eligibility lines name, and the kinds of line a reviewer must check. Validated at load, with
 * every condition and source cross-checked, so a bad edit stops the server at start-up. What a
 * reviewer reads carries its translation beside the English, under the language's code
 * (`"es": { "note": "…" }`), as the assessment's knowledge files do.
 */
const Id = z.string().regex(/^[a-z0-9_.-]+$/);
const Words = z.array(z.string().min(2).regex(/^[^A-Z]+$/, 'lower case')).min(1);
const SourceIds = z.array(Id).min(1);
const translated = <S extends z.ZodRawShape>(shape: S) => ({ es: z.strictObject(shape).optional() });
const TrialsKnowledge = z.strictObject({
  version: z.iso.date(),
  sources: z.array(z.strictObject({ id: Id, title: z.string().min(5), detail: z.string().min(5), url: z.url(), reviewedOn: z.iso.date() })).min(1),
  registryTerms: z.array(z.strictObject({
    condition: Id, terms: z.array(z.string().min(3)).min(1),
    aliases: z.array(z.string().min(2)).optional().describe('Other spellings of the condition in studies (abbreviations, inverted names): matched in a study found under the terms, never searched'),
    sources: SourceIds,
    ...translated({ terms: z.array(z.string().min(3)).min(1).describe('Each term in the language, in the same order, as written inside a sentence: what a reader is told the study is of (the registry is still searched in English)') }),
  })),
  ignoredAliases: z.strictObject({ aliases: z.array(z.string().min(2)), why: z.string().min(10), sources: SourceIds }),
  therapyClasses: z.array(z.strictObject({ id: Id, label: z.string().min(3), inCriteria: Words, inHistory: Words, sources: SourceIds, ...translated({ label: z.string().min(3) }) })),
  checks: z.array(z.strictObject({ id: Id, inCriteria: Words, note: z.string().min(10), sources: SourceIds, ...translated({ note: z.string().min(10) }) })),
  /** The cancer's extent a study is for, by the words its title, conditions and inclusion lines use (the assessment's stages). */
  settings: z.array(z.strictObject({ id: z.enum(['advanced', 'early']), label: z.string().min(5), inStudy: Words, sources: SourceIds, ...translated({ label: z.string().min(5) }) })),
});
export type TrialsKnowledge = z.infer<typeof TrialsKnowledge>;

export function loadTrialsKnowledge(file = path.join(import.meta.dirname, 'data', 'trials.json')): TrialsKnowledge {
  const k = TrialsKnowledge.parse(JSON.parse(fs.readFileSync(file, 'utf8')));
  const sources = new Set(k.sources.map((s) => s.id));
  const conditions = new Set(KNOWLEDGE.conditions.map((c) => c.id));
  for (const entry of [...k.registryTerms, k.ignoredAliases, ...k.therapyClasses, ...k.checks, ...k.settings]) {
    for (const s of entry.sources) if (!sources.has(s)) throw new Error(`trials.json: unknown source "${s}"`);
  }
  for (const t of k.registryTerms) {
    if (!conditions.has(t.condition)) throw new Error(`trials.json: unknown condition "${t.condition}"`);
    if (t.es && t.es.terms.length !== t.terms.length) throw new Error(`trials.json: "${t.condition}" has ${t.terms.length} terms and ${t.es.terms.length} in Spanish`);
  }
  return k;
}

type RegistryTermsEntry = TrialsKnowledge['registryTerms'][number];

/** A registry term of an entry as a reader is told it inside a sentence: English in lower case, else the language's name for it. */
export function termIn(entry: RegistryTermsEntry, term: string, locale: Locale): string {
  const translation = locale === 'en' ? undefined : entry[locale]?.terms[entry.terms.indexOf(term)];
  return translation ?? term.toLowerCase();
}

export const trialsKnowledge = loadTrialsKnowledge();

/** Every registry term the sync asks for, once. */
export const registryTerms = (k: TrialsKnowledge = trialsKnowledge): string[] => [...new Set(k.registryTerms.flatMap((t) => t.terms))];
