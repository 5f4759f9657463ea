import fs from 'node:fs';
import path from 'node:path';

/**
 * Every dated entry of the clinical and service knowledge the product runs on (rules, sources,
 * catalogues, board and visit policies, trial matching), with when a person last reviewed it: an
 * entry not reviewed for a year is due. The files are those the services load and validate; this
 * only reads their dates, so a new file joins by being listed here.
 */
const SRC = path.resolve(import.meta.dirname, '..');
export const KNOWLEDGE_FILES: readonly { area: string; file: string }[] = [
  { area: 'Assessment: sources', file: 'assessment/data/sources.json' },
  { area: 'Assessment: conditions', file: 'assessment/data/conditions.json' },
  { area: 'Assessment: rules', file: 'assessment/data/rules.json' },
  { area: 'Assessment: biomarker panels', file: 'assessment/data/biomarkers.json' },
  { area: 'Assessment: operations', file: 'assessment/data/operations.json' },
  { area: 'Assessment: specialties', file: 'assessment/data/specialties.json' },
  { area: 'Service levels', file: 'cases/data/service-levels.json' },
  { area: 'Expert matching: weights', file: 'experts/data/matching-weights.json' },
  { area: 'Expert matching: service lines', file: 'experts/data/service-lines.json' },
  { area: 'Expert matching: taxonomy', file: 'experts/data/taxonomy.json' },
  { area: 'Records: document types', file: 'records/data/document-types.json' },
  { area: 'Imaging: de-identification profile', file: 'imaging/data/deid-basic-profile.json' },
  { area: 'Tumor boards', file: 'boards/data/boards.json' },
  { area: 'Video visits', file: 'visits/data/visit-types.json' },
  { area: 'Clinical trials', file: 'trials/data/trials.json' },
  { area: 'Costs: services and fees', file: 'billing/data/services.json' },
  { area: 'Costs: coverage guidance', file: 'billing/data/coverage.json' },
  { area: 'Costs: financial assistance', file: 'billing/data/assistance.json' },
  { area: 'Costs: billing codes', file: 'billing/data/code-set.json' },
  { area: 'Diagnosis codes (ICD-10-CM)', file: 'catalog/icd10cm.json' },
  { area: 'Diagnosis names', file: 'catalog/diagnosis-names.json' },
];
/** Data files that are no clinical or service knowledge (a list of refused passwords). */
export const NOT_KNOWLEDGE: readonly string[] = ['core/auth/data/refused-passwords.json'];

export const REVIEW_EVERY_DAYS = 365;

export interface KnowledgeEntry {
  area: string;
  /** Where in the file: the list it sits in ("rules.urgency.rules", "sources"), or "file" for the file as a whole. */
  kind: string;
  id: string;
  /** What the entry says or names, shortened. */
  label: string;
  /** The day of the last review; empty when the file records none. */
  reviewedOn: string;
  sources: string[];
  due: boolean;
}

const shorten = (s: string) => (s.length > 160 ? `${s.slice(0, 157)}…` : s);

/** The dated entries of one parsed file: every object with a `reviewedOn`, where it sits. */
export function datedEntries(area: string, data: unknown): Omit<KnowledgeEntry, 'due'>[] {
  const out: Omit<KnowledgeEntry, 'due'>[] = [];
  const walk = (v: unknown, where: string[]) => {
    if (Array.isArray(v)) return v.forEach((x) => walk(x, where));
    if (!v || typeof v !== 'object') return;
    const o = v as Record<string, unknown>;
    if (typeof o.reviewedOn === 'string') {
      const id = String(o.id ?? o.condition ?? (where.length ? where.join('.') : 'file'));
      const text = o.label ?? o.title ?? o.text ?? o.source ?? o.detail ?? '';
      out.push({ area, kind: where.join('.') || 'file', id, label: shorten(String(text)), reviewedOn: o.reviewedOn, sources: Array.isArray(o.sources) ? o.sources.filter((s): s is string => typeof s === 'string') : [] });
    }
    for (const [k, child] of Object.entries(o)) if (child && typeof child === 'object') walk(child, [...where, k]);
  };
  walk(data, []);
  return out;
}

/** Every dated entry of every knowledge file, the oldest review first, each marked due or not on `today`. */
export function knowledgeReview(today: Date, files = KNOWLEDGE_FILES): KnowledgeEntry[] {
  const cutoff = new Date(today.getTime() - REVIEW_EVERY_DAYS * 86_400_000).toISOString().slice(0, 10);
  return files
    .flatMap(({ area, file }) => {
      const dated = datedEntries(area, JSON.parse(fs.readFileSync(path.join(SRC, file), 'utf8')));
      // A file that records no review at all is due, and says so.
      return dated.length ? dated : [{ area, kind: 'file', id: file.split('/').pop()!, label: 'This file records no review date: review it and date it.', reviewedOn: '', sources: [] }];
    })
    .map((e) => ({ ...e, due: e.reviewedOn < cutoff }))
    .sort((a, b) => a.reviewedOn.localeCompare(b.reviewedOn) || a.area.localeCompare(b.area) || a.id.localeCompare(b.id));
}
