import { z } from 'zod';
import { findIcd10 } from '../catalog/icd10.ts';
import { PLAN_TYPES } from '../billing/estimate.ts';

/**
 * The intake a patient (or caregiver, or referring physician) fills in before submitting. Each
 * wizard step is one section with its own schema, saved on its own, so the wizard can be left
 * and resumed; `CompleteIntake` is what submission requires.
 */

/** The five situations of DOMAIN.md §1 (seed article), in the patient's words. */
export const SITUATIONS = [
  { id: 1, label: 'A serious or life-threatening diagnosis', es: { label: 'Un diagnóstico grave o que pone en riesgo la vida' }, source: 'seed §1; DOMAIN.md §1' },
  { id: 2, label: 'Major surgery has been recommended', es: { label: 'Le recomendaron una cirugía mayor' }, source: 'seed §2; DOMAIN.md §1' },
  { id: 3, label: 'The treatment is not working', es: { label: 'El tratamiento no está funcionando' }, source: 'seed §3; DOMAIN.md §1' },
  { id: 4, label: 'A rare, complex or aggressive condition', es: { label: 'Una enfermedad rara, compleja o agresiva' }, source: 'seed §4; DOMAIN.md §1' },
  { id: 5, label: 'Unsure or uncomfortable with the plan', es: { label: 'Tiene dudas o no se siente cómodo con el plan' }, source: 'seed §5; DOMAIN.md §1' },
] as const;

/** What matters most, as ranked priorities (DOMAIN.md §6). */
export const PRIORITIES = [
  { id: 'longevity', label: 'Living as long as possible', es: { label: 'Vivir el mayor tiempo posible' } },
  { id: 'function', label: 'Keeping function and independence', es: { label: 'Seguir valiéndose por sí mismo' } },
  { id: 'comfort', label: 'Comfort and the fewest side effects', es: { label: 'Estar cómodo y tener los menores efectos secundarios' } },
  { id: 'time_at_home', label: 'Time at home', es: { label: 'Pasar tiempo en casa' } },
  { id: 'cost', label: 'Cost', es: { label: 'El costo' } },
  { id: 'personal_goals', label: 'Fertility or other personal goals', es: { label: 'Poder tener hijos u otras metas personales' } },
] as const;

const PriorityId = z.enum(PRIORITIES.map((p) => p.id) as [string, ...string[]]);
const Text = (max: number) => z.string().trim().min(1).max(max);
const PastDate = z.iso.date().refine((d) => d <= new Date().toISOString().slice(0, 10), 'The date cannot be in the future.');

export const PatientSection = z.strictObject({
  givenName: Text(100),
  familyName: Text(100),
  birthDate: PastDate.refine((d) => d >= '1900-01-01', 'Check the year of birth.'),
  sex: z.enum(['female', 'male', 'other', 'unknown']),
  country: z.string().regex(/^[A-Z]{2}$/, 'Use the two-letter country code, e.g. US.'),
  state: z.string().trim().max(100).optional(),
  preferredLanguage: z.string().regex(/^[a-z]{2,3}(-[A-Z]{2})?$/, 'Use a language code such as en or es.'),
  phone: z.string().regex(/^\+?[0-9 ()-]{7,20}$/, 'Check the phone number.').optional(),
  /** The health plan, so experts in its network can be preferred. */
  insurancePlan: z.string().trim().max(100).optional(),
  /** The kind of coverage, for the cost estimate's guidance (Medicare, Medicaid, a private plan, none, from abroad). */
  planType: z.enum(PLAN_TYPES).optional(),
  /** As printed on the insurance card: the member (subscriber) ID and the group number. */
  insuranceMemberId: z.string().trim().max(40).regex(/^[A-Za-z0-9][A-Za-z0-9 *-]*$/, 'Type the member ID as it is printed on the card: letters and digits.').optional(),
  insuranceGroupNumber: z.string().trim().max(40).regex(/^[A-Za-z0-9][A-Za-z0-9 *-]*$/, 'Type the group number as it is printed on the card: letters and digits.').optional(),
  email: z.email().optional(),
  /** Where the patient lives, to find research-study sites near them (a US ZIP code, or a postal code). */
  postalCode: z.string().trim().regex(/^[A-Za-z0-9][A-Za-z0-9 -]{1,9}$/, 'Check the ZIP or postal code.').optional(),
  /** How far the patient could travel for a research study: miles, or "any" (as far as needed). */
  travelMiles: z.union([z.number().int().positive().max(5000), z.literal('any')]).optional(),
}).refine((p) => p.country !== 'US' || !!p.state, { message: 'Choose the state: experts must be licensed where the patient is.', path: ['state'] })
  .refine((p) => p.country !== 'US' || !p.postalCode || /^\d{5}(-\d{4})?$/.test(p.postalCode), { message: 'A US ZIP code has five digits.', path: ['postalCode'] });

export const ConditionSection = z.strictObject({
  description: Text(500),
  // Optional: a patient who does not know the exact diagnosis describes it; the coordinator can add the code.
  icd10Code: z.string().trim().toUpperCase().refine((c) => !!findIcd10(c), 'Pick a code from the list, or choose the closest one.').optional(),
  diagnosedOn: PastDate.optional(),
  newDiagnosis: z.boolean(),
});

export const SituationsSection = z.strictObject({
  situations: z.array(z.number().int().min(1).max(5)).min(1, 'Choose at least one situation.').max(5)
    .refine((a) => new Set(a).size === a.length, 'Each situation once.'),
});

export const PlanSection = z.strictObject({
  proposedPlan: Text(2000),
  surgeryProposed: z.boolean(),
  surgeryDescription: z.string().trim().max(500).optional(),
  plannedStartDate: z.iso.date().optional(),
  /** Who treats the patient now: an expert from the same place has a conflict of interest. */
  treatingPhysician: z.string().trim().max(200).optional(),
  treatingInstitution: z.string().trim().max(200).optional(),
  treatmentStartsSoon: z.boolean(),
  rapidWorsening: z.boolean(),
}).refine((p) => !p.surgeryProposed || !!p.surgeryDescription, { message: 'Say which operation was proposed.', path: ['surgeryDescription'] });

export const TreatmentSection = z.strictObject({
  treatments: z.array(z.strictObject({
    description: Text(300),
    startedOn: PastDate.optional(),
    endedOn: PastDate.optional(),
    response: z.enum(['working', 'not_working', 'side_effects', 'too_early', 'unknown']),
  })).max(30),
}).refine((t) => t.treatments.every((x) => !x.startedOn || !x.endedOn || x.startedOn <= x.endedOn), 'A treatment cannot end before it starts.');

export const QuestionsSection = z.strictObject({
  questions: z.array(Text(1000)).min(1, 'Write at least one question for the expert.').max(20),
});

export const PrioritiesSection = z.strictObject({
  ranked: z.array(PriorityId).min(1, 'Rank at least one priority.').max(PRIORITIES.length).refine((a) => new Set(a).size === a.length, 'Each priority once.'),
  inOwnWords: z.string().trim().max(2000).optional(),
});

export const INTAKE_SECTIONS = {
  patient: PatientSection,
  condition: ConditionSection,
  situations: SituationsSection,
  plan: PlanSection,
  treatment: TreatmentSection,
  questions: QuestionsSection,
  priorities: PrioritiesSection,
} as const;

export type IntakeSectionName = keyof typeof INTAKE_SECTIONS;
export const INTAKE_SECTION_NAMES = Object.keys(INTAKE_SECTIONS) as IntakeSectionName[];
export type Intake = { [K in IntakeSectionName]?: z.infer<(typeof INTAKE_SECTIONS)[K]> };

export const IntakeSchema = z.object(
  Object.fromEntries(INTAKE_SECTION_NAMES.map((n) => [n, INTAKE_SECTIONS[n].optional()])) as { [K in IntakeSectionName]: z.ZodOptional<(typeof INTAKE_SECTIONS)[K]> },
).meta({ id: 'Intake' });

/** The sections still missing or invalid, in wizard order (empty when the intake can be submitted). */
export function missingIntakeSections(intake: Intake): IntakeSectionName[] {
  return INTAKE_SECTION_NAMES.filter((n) => !INTAKE_SECTIONS[n].safeParse(intake[n]).success);
}

/**
 * The intake as `role` may see it: the health plan and the insurance card's numbers are billing
 * information, for the patient side and the coordinator; reviewers and boards see the rest
 * (minimum necessary).
 */
export function intakeForRole(intake: Intake, canSeeBilling: boolean): Intake {
  if (canSeeBilling || !intake.patient) return intake;
  const { insuranceMemberId: _member, insuranceGroupNumber: _group, insurancePlan: _plan, planType: _kind, ...patient } = intake.patient;
  return { ...intake, patient: patient as Intake['patient'] };
}
