import fs from 'node:fs';
import { z } from 'zod';
import { KNOWLEDGE } from '../assessment/knowledge.ts';
import { plainStatements, saysAny } from './statements.ts';

/**
 * Classifies a document by the words in its text, with a confidence and the phrases that
 * decided it, and finds which checklist items and biomarker tests the text speaks to. The
 * evidence is data (data/document-types.json); a coordinator confirms or corrects the result.
 */
const TypesFile = z.strictObject({
  version: z.iso.date(),
  note: z.string(),
  types: z.array(z.strictObject({ id: z.string(), label: z.string(), satisfies: z.array(z.string()), phrases: z.array(z.tuple([z.string().min(2), z.number().positive()])) })),
  itemPhrases: z.record(z.string(), z.array(z.string().min(2))),
  /** Imaging studies that satisfy a named checklist item: by DICOM modality, and (when listed) a word in the body part or descriptions. */
  imagingItems: z.array(z.strictObject({ item: z.string(), modalities: z.array(z.string().regex(/^[A-Z]{2}$/)).min(1), words: z.array(z.string().min(2)) })),
});

export const DOCUMENT_TYPES = TypesFile.parse(JSON.parse(fs.readFileSync(new URL('./data/document-types.json', import.meta.url), 'utf8')));
const checklistIds = new Set(KNOWLEDGE.rules.checklist.map((i) => i.id));
for (const t of DOCUMENT_TYPES.types) for (const s of t.satisfies) if (!checklistIds.has(s)) throw new Error(`document type ${t.id} satisfies unknown checklist item ${s}`);
for (const id of [...Object.keys(DOCUMENT_TYPES.itemPhrases), ...DOCUMENT_TYPES.imagingItems.map((i) => i.item)]) if (!checklistIds.has(id)) throw new Error(`document-types.json names unknown checklist item ${id}`);

export const DOCUMENT_TYPE_IDS = [...DOCUMENT_TYPES.types.map((t) => t.id), 'other'] as const;
export const documentTypeLabel = (id: string | null) => DOCUMENT_TYPES.types.find((t) => t.id === id)?.label ?? (id === 'other' ? 'Other' : 'Not classified');

export interface Classification {
  documentType: string;
  confidence: number;
  evidence: string[];
}

const norm = (s: string) => ` ${s.toLowerCase().replace(/\s+/g, ' ')} `;
const count = (text: string, phrase: string) => {
  let n = 0;
  for (let i = text.indexOf(phrase); i !== -1 && n < 5; i = text.indexOf(phrase, i + phrase.length)) n++;
  return n;
};

/** The best-scoring type; "other" when nothing scores enough to say. */
export function classifyText(text: string): Classification {
  const t = norm(text);
  const scored = DOCUMENT_TYPES.types.map((type) => {
    const hits = type.phrases.filter(([p]) => t.includes(p));
    const score = hits.reduce((s, [p, w]) => s + w * Math.min(3, count(t, p)), 0);
    return { id: type.id, score, evidence: hits.sort((a, b) => b[1] - a[1]).map(([p]) => p) };
  }).sort((a, b) => b.score - a.score);
  const [best, second] = scored;
  if (!best || best.score < 5) return { documentType: 'other', confidence: 0.2, evidence: best?.evidence.slice(0, 5) ?? [] };
  const confidence = Math.round((best.score / (best.score + (second?.score ?? 0) + 4)) * 100) / 100;
  return { documentType: best.id, confidence, evidence: best.evidence.slice(0, 8) };
}

/** Checklist items a document satisfies: by its type, and by phrases in its text. */
export function itemsSatisfied(documentType: string | null, text: string | null): string[] {
  const out = new Set(DOCUMENT_TYPES.types.find((x) => x.id === documentType)?.satisfies ?? []);
  if (text) {
    const t = norm(text);
    for (const [item, phrases] of Object.entries(DOCUMENT_TYPES.itemPhrases)) if (phrases.some((p) => t.includes(p))) out.add(item);
  }
  return [...out];
}

/** Checklist items an imaging study satisfies: its modalities, and the words of its body parts and descriptions. */
export function itemsOfImagingStudy(modalities: string[], words: string): string[] {
  const text = norm(words);
  return ['imaging_files', ...DOCUMENT_TYPES.imagingItems
    .filter((r) => r.modalities.some((m) => modalities.includes(m)) && (r.words.length === 0 || r.words.some((w) => text.includes(w))))
    .map((r) => r.item)];
}

// Gene symbols that are also common English words are not taken as evidence on their own.
export const AMBIGUOUS_GENE_WORDS: ReadonlySet<string> = new Set(['met', 'ret', 'kit', 'grade', 'fish', 'ras', 'cps']);

/** Biomarker test names (from the assessment panels) that a molecular report mentions. */
export function testsReported(text: string): string[] {
  const t = ` ${text.toLowerCase().replace(/[^a-z0-9./-]+/g, ' ')} `;
  const found = new Set<string>();
  let plain: string[] | null = null; // split once, only when a test asks
  for (const panel of KNOWLEDGE.panels) {
    for (const test of panel.tests) {
      const named = (a: string) => a.length >= 3 && !AMBIGUOUS_GENE_WORDS.has(a) && t.includes(` ${a.toLowerCase()} `);
      const mentioned = (test.mentions ?? []).filter(named);
      // A gene named in a report that plainly says which kind of test it is (a hereditary cancer
      // panel, a tumour sample) is that test; a disclaimer ("does not distinguish germline from
      // somatic") says nothing of the kind.
      if (test.aliases.some(named) || (mentioned.length && test.context && saysAny((plain ??= plainStatements(text)), test.context))) found.add(test.aliases[0]!.toUpperCase());
      // Otherwise reported by the gene's own name, which the assessment reads as "check the report".
      else for (const m of mentioned) found.add(m.toUpperCase());
    }
  }
  return [...found].sort();
}
