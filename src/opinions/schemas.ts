import { z } from 'zod';
import { LOBE_SEGMENTS, TOTAL_SEGMENTS } from './lungFunction.ts';

/**
 * The structured opinion, one part per reviewer. Every section is optional (a pathologist does
 * not write the surgery section); the sections and their choices follow DOMAIN.md §4–6.
 */
const text = (max = 4000) => z.string().trim().max(max);

export const Concordance = z.enum(['concordant', 'minor_discordance', 'major_discordance']);
export const CONCORDANCE_LABELS: Record<z.infer<typeof Concordance>, string> = {
  concordant: 'Concordant (no change)',
  minor_discordance: 'Minor discordance (no effect on management or prognosis)',
  major_discordance: 'Major discordance (changes management or prognosis)',
};

export const OpinionContent = z.strictObject({
  reviewerRole: text(80).optional(),
  diagnosisReview: z.strictObject({ originalDiagnosis: text(500), reviewedDiagnosis: text(500), concordance: Concordance, rationale: text() }).optional(),
  staging: z.strictObject({ basis: z.enum(['clinical', 'pathological']), t: text(10), n: text(10), m: text(10), grade: text(40).optional(), edition: text(40) }).optional(),
  biomarkers: z.array(z.strictObject({ name: text(60), status: z.enum(['done', 'missing', 'recommended']), note: text(500).optional() })).max(60).optional(),
  treatment: z.strictObject({ stance: z.enum(['agree', 'modify', 'alternative']), options: z.array(z.strictObject({ option: text(500), rationale: text() })).max(10), comment: text().optional() }).optional(),
  surgery: z.strictObject({
    necessary: z.enum(['yes', 'no', 'uncertain']), neoadjuvantFirst: z.boolean(), approach: z.enum(['open', 'vats', 'robotic', 'not_applicable']),
    highVolumeAdvice: text(), rationale: text().optional(),
  }).optional(),
  lungFunction: z.strictObject({
    input: z.strictObject({
      fev1Percent: z.number().min(1).max(200), dlcoPercent: z.number().min(1).max(200),
      resected: z.array(z.enum(['rightUpper', 'rightMiddle', 'rightLower', 'leftUpper', 'lingula', 'leftLower'])).min(1),
      obstructedInResected: z.number().int().min(0).max(19).optional(), obstructedElsewhere: z.number().int().min(0).max(19).optional(),
      stairClimbMeters: z.number().min(0).max(200).nullish(), shuttleWalkMeters: z.number().min(0).max(2000).nullish(),
      vo2peakMlKgMin: z.number().min(0).max(100).nullish(), vo2peakPercent: z.number().min(0).max(200).nullish(),
    }).refine((i) => (i.obstructedInResected ?? 0) <= i.resected.reduce((n, l) => n + LOBE_SEGMENTS[l], 0), { path: ['obstructedInResected'], message: 'More segments are obstructed than the resected lobes have.' })
      .refine((i) => (i.obstructedInResected ?? 0) + (i.obstructedElsewhere ?? 0) < TOTAL_SEGMENTS, { path: ['obstructedElsewhere'], message: `At least one of the ${TOTAL_SEGMENTS} segments must be functional.` }),
    comment: text().optional(),
  }).optional(),
  trials: z.array(z.strictObject({ identifier: z.string().trim().regex(/^[A-Za-z0-9-]{4,30}$/, 'a registry identifier such as NCT01234567'), why: text(1000) })).max(20).optional(),
  answers: z.array(z.strictObject({ question: text(1000), answer: text() })).max(50).optional(),
  priorities: z.strictObject({ fit: z.enum(['fits', 'partly', 'does_not_fit']), explanation: text() }).optional(),
  patientSummary: text(8000).optional(),
  physicianSection: text(8000).optional(),
});
export type OpinionContent = z.infer<typeof OpinionContent>;
