import fs from 'node:fs';
import { z } from 'zod';

const CatalogSchema = z.object({
  source: z.string().min(1),
  reviewedOn: z.iso.date(),
  note: z.string(),
  codes: z.array(z.object({ code: z.string().regex(/^[A-Z][0-9][0-9A-Z](\.[0-9A-Z]{1,4})?$/), display: z.string().min(3), group: z.string().min(1) })).min(1),
});

export type Icd10Entry = z.infer<typeof CatalogSchema>['codes'][number];

/** The bundled ICD-10-CM subset, validated when the module loads so a bad edit stops start-up. */
export const ICD10_CATALOG = CatalogSchema.parse(JSON.parse(fs.readFileSync(new URL('./icd10cm.json', import.meta.url), 'utf8')));

const byCode = new Map(ICD10_CATALOG.codes.map((c) => [c.code, c]));
if (byCode.size !== ICD10_CATALOG.codes.length) throw new Error('icd10cm.json lists a code twice');

/** The catalogue entry for a code (exact, case-insensitive), or undefined. */
export function findIcd10(code: string): Icd10Entry | undefined {
  return byCode.get(code.trim().toUpperCase());
}

/**
 * Searches by code prefix or by words of the description; all words must match. Code matches
 * rank first, so typing "C34" lists lung cancer codes before anything that mentions them.
 */
export function searchIcd10(query: string, limit = 20): Icd10Entry[] {
  const q = query.trim().toLowerCase();
  if (!q) return ICD10_CATALOG.codes.slice(0, limit);
  const words = q.split(/\s+/);
  const byPrefix = ICD10_CATALOG.codes.filter((c) => c.code.toLowerCase().startsWith(q));
  const byWords = ICD10_CATALOG.codes.filter((c) => !byPrefix.includes(c) && words.every((w) => c.display.toLowerCase().includes(w) || c.code.toLowerCase().startsWith(w)));
  return [...byPrefix, ...byWords].slice(0, limit);
}
