import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { KNOWLEDGE } from '../assessment/knowledge.ts';

/**
 * What trial matching knows, as data with sources and a review date (data/trials.json): the
 * registry's condition names for each condition we cover, classes of earlier treatment that
 * eligibility lines name, and the kinds of line a reviewer must check. Validated at load, with
 * every condition and source cross-checked, so a bad edit stops the server at start-up.
 */
const Id = z.string().regex(/^[a-z0-9_.-]+$/);
const Words = z.array(z.string().min(2).regex(/^[^A-Z]+$/, 'lower case')).min(1);
const SourceIds = z.array(Id).min(1);
const TrialsKnowledge = z.strictObject({
  version: z.iso.date(),
  sources: z.array(z.strictObject({ id: Id, title: z.string().min(5), detail: z.string().min(5), url: z.url(), reviewedOn: z.iso.date() })).min(1),
  registryTerms: z.array(z.strictObject({ condition: Id, terms: z.array(z.string().min(3)).min(1), aliases: z.array(z.string().min(2)).optional().describe('Other spellings of the condition in studies (abbreviations, inverted names): matched in a study found under the terms, never searched'), sources: SourceIds })),
  ignoredAliases: z.strictObject({ aliases: z.array(z.string().min(2)), why: z.string().min(10), sources: SourceIds }),
  therapyClasses: z.array(z.strictObject({ id: Id, label: z.string().min(3), inCriteria: Words, inHistory: Words, sources: SourceIds })),
  checks: z.array(z.strictObject({ id: Id, inCriteria: Words, note: z.string().min(10), sources: SourceIds })),
  /** The cancer's extent a study is for, by the words its title, conditions and inclusion lines use (the assessment's stages). */
  settings: z.array(z.strictObject({ id: z.enum(['advanced', 'early']), label: z.string().min(5), inStudy: Words, sources: SourceIds })),
});
export type TrialsKnowledge = z.infer<typeof TrialsKnowledge>;

export function loadTrialsKnowledge(file = path.join(import.meta.dirname, 'data', 'trials.json')): TrialsKnowledge {
  const k = TrialsKnowledge.parse(JSON.parse(fs.readFileSync(file, 'utf8')));
  const sources = new Set(k.sources.map((s) => s.id));
  const conditions = new Set(KNOWLEDGE.conditions.map((c) => c.id));
  for (const entry of [...k.registryTerms, k.ignoredAliases, ...k.therapyClasses, ...k.checks, ...k.settings]) {
    for (const s of entry.sources) if (!sources.has(s)) throw new Error(`trials.json: unknown source "${s}"`);
  }
  for (const t of k.registryTerms) if (!conditions.has(t.condition)) throw new Error(`trials.json: unknown condition "${t.condition}"`);
  return k;
}

export const trialsKnowledge = loadTrialsKnowledge();

/** Every registry term the sync asks for, once. */
export const registryTerms = (k: TrialsKnowledge = trialsKnowledge): string[] => [...new Set(k.registryTerms.flatMap((t) => t.terms))];
