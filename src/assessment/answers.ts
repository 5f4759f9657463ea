import { z } from 'zod';
import { entryIn, type Locale } from '../core/locale.ts';
import { PRIORITIES } from '../cases/intake.ts';
import { KNOWLEDGE } from './knowledge.ts';

/**
 * What a person answers in the "Should I get a second opinion?" questionnaire. Every field is
 * optional: a partial answer still gets a result (the unanswered parts take the "not sure"
 * path), so the same schema serves the finished questionnaire and the live preview.
 */
const YesNoUnsure = z.enum(['yes', 'no', 'not_sure']);

export const TREATMENT_KINDS = [
  { id: 'surgery', label: 'Surgery', es: { label: 'Cirugía' } },
  { id: 'chemotherapy', label: 'Chemotherapy', es: { label: 'Quimioterapia' } },
  { id: 'radiation', label: 'Radiation', es: { label: 'Radioterapia' } },
  { id: 'immunotherapy', label: 'Immunotherapy', es: { label: 'Inmunoterapia' } },
  { id: 'targeted_therapy', label: 'Targeted therapy (pills or drips aimed at a gene change)', es: { label: 'Terapia dirigida (pastillas o sueros contra un cambio en un gen)' } },
  { id: 'hormone_therapy', label: 'Hormone therapy', es: { label: 'Terapia hormonal' } },
  { id: 'antifibrotic', label: 'Anti-scarring drugs for the lungs', es: { label: 'Medicinas contra la cicatrización de los pulmones' } },
  { id: 'inhalers', label: 'Inhalers', es: { label: 'Inhaladores' } },
  { id: 'oxygen', label: 'Oxygen', es: { label: 'Oxígeno' } },
  { id: 'steroids_immunosuppressants', label: 'Steroids or drugs that calm the immune system', es: { label: 'Esteroides o medicinas que calman el sistema inmunitario' } },
  { id: 'other', label: 'Something else', es: { label: 'Otra cosa' } },
] as const;

export const TIMING_CHOICES = [
  { id: 'within_2_weeks', label: 'Within the next two weeks', es: { label: 'En las próximas dos semanas' } },
  { id: 'within_2_months', label: 'In two weeks to two months', es: { label: 'Entre dos semanas y dos meses' } },
  { id: 'later', label: 'Later than that', es: { label: 'Más adelante' } },
  { id: 'not_scheduled', label: 'Nothing is scheduled', es: { label: 'No hay nada programado' } },
  { id: 'not_sure', label: 'I am not sure', es: { label: 'No estoy seguro' } },
] as const;

/** A list of choices as a reader of `locale` sees them: the label in their language (each choice carries it beside the English). */
export function choicesIn(choices: readonly { id: string; label: string; es?: { label: string } }[], locale: Locale): { id: string; label: string }[] {
  return choices.map((c) => ({ id: c.id, label: entryIn(c, locale).label }));
}

const ids = <T extends { id: string }>(xs: readonly T[]) => xs.map((x) => x.id) as [T['id'], ...T['id'][]];
const OperationId = z.enum(ids(KNOWLEDGE.operations));
const RecordId = z.enum(ids(KNOWLEDGE.rules.checklist));

export const AssessmentAnswers = z.strictObject({
  diagnosis: z.strictObject({
    code: z.string().trim().max(10, 'An ICD-10-CM code has at most 8 characters, like C34.11.').optional(),
    text: z.string().trim().max(300, 'Keep the diagnosis under 300 characters.').optional(),
    /** The plain name picked in the search ("Non-small cell lung cancer"); the code says the rest. */
    name: z.string().trim().max(120, 'Keep the name under 120 characters.').optional(),
    notSure: z.boolean().optional(),
  }).optional(),
  diagnosisStatus: z.enum(['new', 'established', 'not_sure']).optional(),
  spread: YesNoUnsure.optional(),
  surgery: z.strictObject({
    recommended: YesNoUnsure,
    operation: OperationId.optional(),
    approach: z.enum(['open', 'minimally_invasive', 'robotic', 'not_sure']).optional(),
  }).optional(),
  /** Lung function before surgery, as % of predicted, when the patient knows it (a lung function report gives it). */
  lungFunction: z.strictObject({
    fev1Percent: z.number().min(5, 'FEV1 is given as a percentage of the predicted value, between 5 and 200.').max(200, 'FEV1 is given as a percentage of the predicted value, between 5 and 200.').optional(),
    dlcoPercent: z.number().min(5, 'DLCO is given as a percentage of the predicted value, between 5 and 200.').max(200, 'DLCO is given as a percentage of the predicted value, between 5 and 200.').optional(),
  }).optional(),
  treatment: z.strictObject({
    received: z.array(z.enum(ids(TREATMENT_KINDS))).max(TREATMENT_KINDS.length).optional(),
    working: z.enum(['yes', 'no', 'not_sure', 'too_early']).optional(),
    sideEffectsIntolerable: z.boolean().optional(),
  }).optional(),
  course: z.strictObject({
    progressing: z.boolean().optional(),
    rapidDecline: z.boolean().optional(),
    /** A doctor called the disease aggressive or fast-growing. */
    toldAggressive: z.boolean().optional(),
  }).optional(),
  timing: z.enum(ids(TIMING_CHOICES)).optional(),
  records: z.strictObject({
    have: z.array(RecordId).max(KNOWLEDGE.rules.checklist.length).optional(),
    molecularTestsDone: z.array(z.string().trim().min(1).max(80)).max(60).optional(),
  }).optional(),
  feelings: z.strictObject({
    explainedWell: YesNoUnsure.optional(),
    alternativesDiscussed: YesNoUnsure.optional(),
    fitsPriorities: YesNoUnsure.optional(),
    wantsConfirmation: z.boolean().optional(),
  }).optional(),
  priorities: z.array(z.enum(ids(PRIORITIES))).max(PRIORITIES.length).optional(),
}).meta({ id: 'AssessmentAnswers' });

export type AssessmentAnswers = z.infer<typeof AssessmentAnswers>;
