import { z } from 'zod';
import { LOCALES } from '../core/locale.ts';
import { BoardRecommendation } from '../boards/schemas.ts';
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

const DiagnosisReview = z.strictObject({ originalDiagnosis: text(500), reviewedDiagnosis: text(500), concordance: Concordance, rationale: text() });
const Staging = z.strictObject({ basis: z.enum(['clinical', 'pathological']), t: text(10), n: text(10), m: text(10), grade: text(40).optional(), edition: text(40) });
/** The choices the report prints in words (each has its words in the catalogue `report:clinical`). */
export const BiomarkerStatus = z.enum(['done', 'missing', 'recommended']);
export const TreatmentStance = z.enum(['agree', 'modify', 'alternative']);
export const SurgeryNecessary = z.enum(['yes', 'no', 'uncertain']);
export const SurgeryApproach = z.enum(['open', 'vats', 'robotic', 'not_applicable']);
export const PriorityFit = z.enum(['fits', 'partly', 'does_not_fit']);
export const LungNextStep = z.enum(['none', 'low_technology_exercise_test', 'cardiopulmonary_exercise_test']);
export const LungRisk = z.enum(['low', 'moderate', 'high']);
const Biomarker = z.strictObject({ name: text(60), status: BiomarkerStatus, note: text(500).optional() });
const TreatmentOption = z.strictObject({ option: text(500), rationale: text() });
const Treatment = z.strictObject({ stance: TreatmentStance, options: z.array(TreatmentOption).max(10), comment: text().optional() });
const Surgery = z.strictObject({
  necessary: SurgeryNecessary, neoadjuvantFirst: z.boolean(), approach: SurgeryApproach,
  highVolumeAdvice: text(), rationale: text().optional(),
});
const LungInput = z.strictObject({
  fev1Percent: z.number().min(1).max(200), dlcoPercent: z.number().min(1).max(200),
  resected: z.array(z.enum(['rightUpper', 'rightMiddle', 'rightLower', 'leftUpper', 'lingula', 'leftLower'])).min(1),
  obstructedInResected: z.number().int().min(0).max(19).optional(), obstructedElsewhere: z.number().int().min(0).max(19).optional(),
  stairClimbMeters: z.number().min(0).max(200).nullish(), shuttleWalkMeters: z.number().min(0).max(2000).nullish(),
  vo2peakMlKgMin: z.number().min(0).max(100).nullish(), vo2peakPercent: z.number().min(0).max(200).nullish(),
});
export const LungInputChecked = LungInput
    .refine((i) => (i.obstructedInResected ?? 0) <= i.resected.reduce((n, l) => n + LOBE_SEGMENTS[l], 0), { path: ['obstructedInResected'], message: 'More segments are obstructed than the resected lobes have.' })
    .refine((i) => (i.obstructedInResected ?? 0) + (i.obstructedElsewhere ?? 0) < TOTAL_SEGMENTS, { path: ['obstructedElsewhere'], message: `At least one of the ${TOTAL_SEGMENTS} segments must be functional.` });
const LungFunction = z.strictObject({ input: LungInputChecked, comment: text().optional() });
/** A trial to consider: the reviewer gives the identifier and why; title, phase, sites and contact are filled from the registry copy. */
const Trial = z.strictObject({
  identifier: z.string().trim().regex(/^[A-Za-z0-9-]{4,30}$/, 'a registry identifier such as NCT01234567'), why: text(1000).min(1, 'say, in plain words, why the patient should ask about it'),
  title: text(500).optional(), phases: z.array(text(40)).max(5).optional(), sites: z.array(text(300)).max(3).optional(), contact: text(300).optional(),
  /** The same contact in parts, as the registry gives it (for FHIR's ContactDetail); absent from opinions signed before it was kept. */
  contactDetails: z.strictObject({ name: text(200).optional(), phone: text(60).optional(), email: text(200).optional() }).optional(),
  /** The registry's recruitment status when the trial was last checked against the copy, and that day. */
  registryStatus: text(40).optional(), checkedOn: z.iso.date().optional(),
});
/**
 * The slides the pathologist looked at, digital or glass, as the report states them. Names and
 * cited measurements are filled in by the server from the case's own records when the draft is
 * saved, so the signed text names what was really on file.
 */
const CitedAnnotation = z.strictObject({ number: z.number().int().min(1), text: text(700) });
/**
 * A digital slide is named by its part/block and stain when given (`name`), else by its place in
 * the case's list of slides (`number`), which the report words in its language ("Slide 2"), as the
 * patient's side numbers it. Parts signed before kept the slide's file name in `name`.
 */
const DigitalSlideReviewed = z.strictObject({ slideId: z.uuid(), name: text(300).optional(), number: z.number().int().min(1).optional(), annotations: z.array(CitedAnnotation).max(50).optional() });
const GlassReviewed = z.strictObject({ specimenId: z.uuid(), name: text(300) });
export const DIGITAL_SUFFICED = ['yes', 'no'] as const;
const SlidesReviewed = z.strictObject({
  digital: z.array(DigitalSlideReviewed).max(200),
  glass: z.array(GlassReviewed).max(100),
  /** Whether the digital slides were enough on their own; asked only when some were reviewed. */
  digitalSufficed: z.enum(DIGITAL_SUFFICED).optional(),
  comment: text(2000).optional(),
});
const SlidesReviewedDraft = z.strictObject({
  digital: z.array(DigitalSlideReviewed.extend({ annotations: z.array(CitedAnnotation.partial({ text: true })).max(50).optional() })).max(200).optional(),
  glass: z.array(GlassReviewed.partial({ name: true })).max(100).optional(),
  digitalSufficed: z.enum(DIGITAL_SUFFICED).optional(),
  comment: text(2000).optional(),
});
export type SlidesReviewedDraft = z.infer<typeof SlidesReviewedDraft>;
const Answer = z.strictObject({ question: text(1000), answer: text() });
const Priorities = z.strictObject({ fit: PriorityFit, explanation: text() });

export const OpinionContent = z.strictObject({
  reviewerRole: text(80).optional(),
  diagnosisReview: DiagnosisReview.optional(),
  staging: Staging.optional(),
  slidesReviewed: SlidesReviewed.optional(),
  biomarkers: z.array(Biomarker).max(60).optional(),
  treatment: Treatment.optional(),
  surgery: Surgery.optional(),
  lungFunction: LungFunction.optional(),
  trials: z.array(Trial).max(20).optional(),
  answers: z.array(Answer).max(50).optional(),
  priorities: Priorities.optional(),
  patientSummary: text(8000).optional(),
  /** The language the summary is written in (English when not said): the patient's, or a reviewed translation follows. */
  patientSummaryLanguage: z.enum(LOCALES).optional(),
  physicianSection: text(8000).optional(),
});
export type OpinionContent = z.infer<typeof OpinionContent>;

/**
 * A part as it is being written: every field of every section may still be missing, so a
 * half-filled section is saved like any other. Lengths and choices are checked as when signed;
 * completeness is checked at signing (see completeness.ts), where what is missing is named.
 */
const LungInputDraft = LungInput.partial().extend({ resected: LungInput.shape.resected.unwrap().array().max(6).optional() });
export const OpinionDraft = z.strictObject({
  reviewerRole: text(80).optional(),
  diagnosisReview: DiagnosisReview.partial().optional(),
  staging: Staging.partial().optional(),
  slidesReviewed: SlidesReviewedDraft.optional(),
  biomarkers: z.array(Biomarker.partial()).max(60).optional(),
  treatment: Treatment.partial().extend({ options: z.array(TreatmentOption.partial()).max(10).optional() }).optional(),
  surgery: Surgery.partial().optional(),
  lungFunction: z.strictObject({ input: LungInputDraft.optional(), comment: text().optional() }).optional(),
  trials: z.array(Trial.partial().extend({ identifier: text(30).optional(), why: text(1000).optional() })).max(20).optional(),
  answers: z.array(Answer.partial()).max(50).optional(),
  priorities: Priorities.partial().optional(),
  patientSummary: text(8000).optional(),
  patientSummaryLanguage: z.enum(LOCALES).optional(),
  physicianSection: text(8000).optional(),
}).meta({ id: 'OpinionDraft' });
export type OpinionDraft = z.infer<typeof OpinionDraft>;
export type OpinionSection = keyof OpinionDraft;
export const OPINION_SECTIONS = Object.keys(OpinionDraft.shape) as OpinionSection[];

/** Sections saved one at a time as the reviewer types: a section given as null is cleared. */
export const OpinionDraftChanges = z.strictObject(
  Object.fromEntries(OPINION_SECTIONS.map((k) => [k, OpinionDraft.shape[k].unwrap().nullable().optional()])) as { [K in OpinionSection]: z.ZodOptional<z.ZodNullable<ReturnType<(typeof OpinionDraft.shape)[K]['unwrap']>>> },
).refine((c) => Object.keys(c).length > 0, 'Name at least one section to save.').meta({ id: 'OpinionDraftChanges' });
export type OpinionDraftChanges = z.infer<typeof OpinionDraftChanges>;

// ---- What the opinion API answers ----

export const LungFunctionResultView = z.object({
  functionalSegmentsRemoved: z.number(), functionalSegmentsTotal: z.number(), ppoFev1Percent: z.number(), ppoDlcoPercent: z.number(),
  nextStep: LungNextStep,
  risk: LungRisk.nullable(), reasons: z.array(z.string()), source: z.string(),
}).meta({ id: 'LungFunctionResult' });

const ReportKind = z.enum(['original', 'addendum', 'amendment']);

/** What a report version contains, stored with it so every version can be shown as issued. */
export const ReportDocument = z.object({
  letterhead: z.string(),
  caseReference: z.string(),
  patient: z.object({ name: z.string(), birthDate: z.string().nullable() }),
  /** The patient's language: the parts written for them are headed in it (reports issued before languages are in English). */
  language: z.enum(LOCALES).optional(),
  condition: z.string().nullable(),
  patientQuestions: z.array(z.string()),
  version: z.number().int(),
  kind: ReportKind,
  reason: z.string().nullable(),
  issuedBy: z.string(),
  issuedAt: z.string(),
  parts: z.array(z.object({
    authorName: z.string(), reviewerRole: z.string(), content: OpinionContent, signedAt: z.string(), contentSha256: z.string(), lungFunction: LungFunctionResultView.nullable(),
    /** The language the reviewer works in (their account's when the report was issued): their clinical sections are headed in it. Reports issued before say none: English. */
    language: z.enum(LOCALES).optional(),
  })),
  disagreements: z.array(z.string()),
  /** Confirmed tumor board recommendations on the case when the report was issued (reports issued before boards existed have none). */
  board: z.array(BoardRecommendation).optional(),
  addenda: z.array(z.object({ version: z.number().int(), kind: z.enum(['addendum', 'amendment']), reason: z.string(), text: z.string(), by: z.string(), at: z.string() })),
}).meta({ id: 'OpinionReportDocument' });
export type ReportDocument = z.infer<typeof ReportDocument>;

export const OpinionPart = z.object({
  summaryGrade: z.number().nullable().meta({ description: 'Reading grade of an English patient summary (aim for 8 or below)' }),
  summaryInflesz: z.number().nullable().meta({ description: 'INFLESZ readability of a Spanish patient summary (aim for 55 or more)' }),
  id: z.uuid(), authorId: z.uuid(), authorName: z.string(), status: z.enum(['draft', 'signed']), content: OpinionDraft,
  missing: z.array(z.string()).meta({ description: 'What signing still needs, in words (empty when the part can be signed)' }),
  contentSha256: z.string().nullable(), signedAt: z.string().nullable(), updatedAt: z.string(),
}).meta({ id: 'OpinionPart' });

export const OpinionReport = z.object({ id: z.uuid(), version: z.number().int(), kind: ReportKind, reason: z.string().nullable(), issuedAt: z.string(), document: ReportDocument }).meta({ id: 'OpinionReport' });
export const ReviewNote = z.object({ id: z.uuid(), body: z.string(), createdAt: z.string() });
export const FollowupThread = z.object({
  openUntil: z.string().nullable(), open: z.boolean(),
  messages: z.array(z.object({ id: z.uuid(), body: z.string(), author: z.string(), authorRole: z.string(), createdAt: z.string() })),
}).meta({ id: 'FollowupThread' });

export const OutcomesSummary = z.object({
  cases: z.number().int(),
  bySituation: z.array(z.object({ id: z.number().int(), label: z.string(), cases: z.number().int() })),
  concordance: z.object({ concordant: z.number().int(), minor_discordance: z.number().int(), major_discordance: z.number().int(), reviewed: z.number().int(), changedShare: z.number().nullable(), reference: z.string() }),
  turnaroundDays: z.object({ signed: z.number().int(), median: z.number().nullable(), p90: z.number().nullable() }),
  sla: z.object({ withClock: z.number().int(), breached: z.number().int(), met: z.number().int() }),
  boards: z.object({
    casesDiscussed: z.number().int(),
    medianDaysProposalToDiscussion: z.number().nullable(),
    changedPlanShare: z.number().nullable().meta({ description: 'Share of discussed cases where the board modified the plan or proposed an alternative (0–1)' }),
  }),
}).meta({ id: 'OutcomesSummary' });
export type OutcomesSummary = z.infer<typeof OutcomesSummary>;

/** A translation of the patient summary, reviewed by a person, attached by the coordinator to a report version. */
export const SummaryTranslationBody = z.strictObject({
  language: z.string().trim().toLowerCase().regex(/^[a-z]{2,3}$/, 'a language code such as es'),
  summary: z.string().trim().min(1, 'Paste the translated summary.').max(12000),
  translatedBy: z.string().trim().min(2, 'Say who translated it.').max(200).describe('Who translated it (a person or a translation service)'),
  reviewedBy: z.string().trim().min(2, 'Say who checked the translation.').max(200).describe('The person who checked the translation against the original'),
});
export const SummaryTranslation = z.object({
  version: z.number().int(), language: z.string(), summary: z.string(), translatedBy: z.string(), reviewedBy: z.string(), attachedBy: z.string(), attachedAt: z.string(),
}).meta({ id: 'OpinionSummaryTranslation' });
/** Whether the patient can read the summary in their language, and the translations attached. */
export const SummaryLanguageView = z.object({
  patientLanguage: z.string().nullable(),
  summaryLanguage: z.string(),
  needed: z.boolean().describe('The latest report\'s summary is not in the patient\'s language and no translation into it is attached'),
  /** The translation the patient reads now: into their language, of the latest summary (newest if corrected). */
  current: SummaryTranslation.nullable(),
  translations: z.array(SummaryTranslation).describe('Every translation attached, newest first (a correction does not replace the earlier one)'),
});
export type SummaryTranslationBody = z.infer<typeof SummaryTranslationBody>;
export type SummaryLanguageView = z.infer<typeof SummaryLanguageView>;
