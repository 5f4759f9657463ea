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
