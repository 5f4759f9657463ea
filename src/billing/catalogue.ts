import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import type { Billing, ServiceCatalogue } from './estimate.ts';

/**
 * The billing codes a service may map to (`data/code-set.json`, from DOMAIN.md §8), and the
 * catalogue as administrators edit it: each service's name, description, what it includes and
 * its codes, in English and Spanish, kept with each version of the fees. The file's entries are
 * the starting texts; a version's texts replace them from then on (fees stay per request).
 */
const CodeSetFile = z.object({
  reviewedOn: z.iso.date(), note: z.string(), system: z.string(),
  sources: z.array(z.object({ id: z.string(), title: z.string(), url: z.string() })).min(1),
  codes: z.array(z.object({ code: z.string().regex(/^\d{4}[0-9A-Z]$/), display: z.string() })).min(1),
});
export type CodeSet = z.infer<typeof CodeSetFile>;
export type BillingCode = { system: string; code: string; display: string };

export function loadCodeSet(file = path.join(import.meta.dirname, 'data', 'code-set.json')): CodeSet {
  const set = CodeSetFile.parse(JSON.parse(fs.readFileSync(file, 'utf8')));
  if (new Set(set.codes.map((c) => c.code)).size !== set.codes.length) throw new Error('code-set.json lists a code twice');
  return set;
}

export const codeOf = (set: CodeSet, code: string): BillingCode | null => {
  const c = set.codes.find((x) => x.code === code);
  return c ? { system: set.system, code: c.code, display: c.display } : null;
};

const words = (max: number) => z.string().trim().min(2).max(max);
/** One service's texts and codes as an administrator sets them. */
export const ServiceText = z.strictObject({
  name: words(120), description: words(400), includes: z.string().trim().max(300).nullable(),
  codes: z.array(z.string().regex(/^\d{4}[0-9A-Z]$/)).max(5),
  es: z.strictObject({ name: words(120), description: words(400), includes: z.string().trim().max(300).nullable() }),
});
export type ServiceText = z.infer<typeof ServiceText>;

/** A service's texts as the catalogue file gives them, in the shape an administrator edits. */
export function textsOf(catalogue: ServiceCatalogue): Record<string, ServiceText> {
  return Object.fromEntries(catalogue.services.map((s) => [s.id, {
    name: s.name, description: s.description, includes: s.includes ?? null, codes: s.codes.map((c) => c.code),
    es: { name: s.es?.name ?? s.name, description: s.es?.description ?? s.description, includes: s.es?.includes ?? s.includes ?? null },
  }]));
}

/**
 * The texts to edit today: the version's for the services the catalogue has now, the file's for
 * a service added since, and only codes the code set still has (so a save is never refused for
 * what changed in a release).
 */
export function textsToEdit(catalogue: ServiceCatalogue, set: CodeSet, saved: Record<string, ServiceText> | null | undefined): Record<string, ServiceText> {
  const file = textsOf(catalogue);
  return Object.fromEntries(catalogue.services.map((s) => {
    const t = saved?.[s.id] ?? file[s.id]!;
    return [s.id, { ...t, codes: t.codes.filter((c) => codeOf(set, c)) }];
  }));
}

/** The codes of `texts` the code set does not have (a version is refused with them). */
export const unknownCodes = (set: CodeSet, texts: Record<string, ServiceText>) =>
  Object.entries(texts).flatMap(([id, t]) => t.codes.filter((c) => !codeOf(set, c)).map((code) => ({ id, code })));

/** The file's Spanish words without what the service includes: a version that clears it clears it in both languages. */
const withoutIncludes = (es: Record<string, string | undefined> | undefined) => {
  const { includes: _dropped, ...rest } = es ?? {};
  return rest;
};

/**
 * The catalogue with a version's texts in place of the file's. A service the version does not
 * name keeps the file's texts; codes come from the code set. `why`, `when` and the sources stay
 * the file's: they are the rules of the estimate, not words to edit.
 */
export function withTexts(billing: Billing, set: CodeSet, texts: Record<string, ServiceText> | null | undefined): Billing {
  if (!texts || Object.keys(texts).length === 0) return billing;
  const services = billing.catalogue.services.map((s) => {
    const t = texts[s.id];
    if (!t) return s;
    const { includes: _i, codeNote, ...rest } = s;
    return {
      ...rest,
      name: t.name, description: t.description, ...(t.includes ? { includes: t.includes } : {}),
      codes: t.codes.flatMap((c) => codeOf(set, c) ?? []),
      // A code set by the program says what the service is billed as; the file's note was about having none.
      ...(t.codes.length || codeNote === undefined ? {} : { codeNote }),
      es: { ...withoutIncludes(s.es), name: t.es.name, description: t.es.description, ...(t.es.includes ? { includes: t.es.includes } : {}) },
    };
  });
  return { ...billing, catalogue: { ...billing.catalogue, services } };
}
