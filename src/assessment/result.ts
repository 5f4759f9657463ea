import { z } from 'zod';
import { LOCALES } from '../core/locale.ts';

/** The assessment result: one schema for the API response, the OpenAPI document and the web app. */
const SourceIds = z.array(z.string()).min(1);
export const Reason = z.object({ ruleId: z.string(), text: z.string(), sources: SourceIds });

export const AssessmentResult = z.object({
  knowledgeVersion: z.string(),
  /** The language the texts are in, and those shown in English because no translation is written yet. */
  language: z.enum(LOCALES),
  inEnglish: z.array(z.string()),
  condition: z.object({
    id: z.string().nullable(), label: z.string().nullable(), plain: z.string().nullable(), kind: z.enum(['cancer', 'lung', 'unknown']),
    matchedBy: z.enum(['code', 'text', 'none']), code: z.string().nullable(), codeDisplay: z.string().nullable(), notice: z.string().nullable(),
  }),
  situations: z.array(z.object({ number: z.number().int().min(1).max(5), title: z.string(), score: z.number(), reasons: z.array(Reason) })),
  noneApply: z.object({ text: z.string(), sources: SourceIds }).nullable(),
  urgency: z.object({ level: z.enum(['standard', 'expedited']), reasons: z.array(Reason), reminder: z.object({ text: z.string(), sources: SourceIds }) }),
  reviewers: z.array(z.object({ specialty: z.string(), label: z.string(), plain: z.string(), reasons: z.array(Reason) })),
  specialisedCenter: z.object({
    matters: z.boolean(), reasons: z.array(Reason),
    volumeStandard: z.object({ procedure: z.string(), hospitalMin: z.number(), surgeonMin: z.number(), sources: SourceIds, verify: z.string().nullable() }).nullable(),
  }),
  checklist: z.array(z.object({ id: z.string(), label: z.string(), from: z.string(), why: z.string(), gatheredBy: z.enum(['patient', 'service']), have: z.boolean(), sources: SourceIds, ruleId: z.string() })),
  biomarkers: z.object({
    panels: z.array(z.object({ id: z.string(), label: z.string(), note: z.string().nullable() })),
    stage: z.enum(['advanced', 'early', 'unknown']),
    tests: z.array(z.object({ name: z.string(), status: z.enum(['done', 'missing', 'check_report']), optional: z.boolean(), note: z.string().nullable(), reason: z.string(), sources: SourceIds })),
    missing: z.array(z.string()),
  }).nullable(),
  questions: z.array(z.object({ ruleId: z.string(), text: z.string(), sources: SourceIds })),
  coverage: z.array(z.object({ ruleId: z.string(), text: z.string(), sources: SourceIds })),
  notices: z.array(z.object({ text: z.string(), sources: SourceIds })),
  disclaimer: z.string(),
  sources: z.array(z.object({ id: z.string(), title: z.string(), detail: z.string(), url: z.string().nullable(), verify: z.string().nullable(), reviewedOn: z.string() })),
}).meta({ id: 'AssessmentResult' });

export type AssessmentResult = z.infer<typeof AssessmentResult>;
export type Reason = z.infer<typeof Reason>;
