import { z } from 'zod';
import { KNOWLEDGE } from '../assessment/knowledge.ts';
import { SlaView } from '../cases/schemas.ts';
import { isKnownTaxonomy } from './matching.ts';
import { isValidNpi } from './npi.ts';

const Day = z.iso.date();
const Words = (max: number) => z.string().trim().min(1).max(max);

/** An expert's profile as the expert (or an admin) edits it. */
export const ExpertProfileInput = z.strictObject({
  npi: z.string().trim().refine(isValidNpi, 'This is not a valid NPI (10 digits with a correct check digit).').optional(),
  credentials: z.string().trim().max(200).default(''),
  taxonomyCodes: z.array(z.string().refine(isKnownTaxonomy, 'Unknown NUCC taxonomy code: choose from the list.')).min(1, 'Choose at least one specialty.').max(10),
  focusCodes: z.array(z.string().trim().toUpperCase().regex(/^[A-Z][0-9][0-9A-Z](\.[0-9A-Z]{0,4})?$/, 'Use ICD-10-CM codes or their first characters, like C34 or C34.1.')).max(100).default([]),
  procedures: z.array(z.strictObject({
    operation: z.enum(KNOWLEDGE.operations.map((o) => o.id) as [string, ...string[]]),
    annualVolume: z.number().int().min(0).max(10_000),
    source: Words(200),
  })).max(30).default([]),
  institution: z.strictObject({ name: z.string().trim().max(200), academic: z.boolean(), tumorBoards: z.boolean(), trialsOpen: z.boolean() }),
  licensure: z.array(z.string().regex(/^[A-Z]{2}(-[A-Z]{2})?$/, 'Use US-OH for a US state or a two-letter country code.')).max(60).default([]),
  languages: z.array(z.string().regex(/^[a-z]{2,3}$/)).min(1).max(20),
  consultModes: z.array(z.enum(['records_review', 'video'])).min(1),
  insuranceNetworks: z.array(Words(100)).max(50).default([]),
  feeUsd: z.number().int().min(0).max(100_000).nullable().default(null),
  capacityMax: z.number().int().min(1).max(500),
  acceptingCases: z.boolean().default(true),
  outOfOffice: z.array(z.strictObject({ from: Day, to: Day })).max(50).default([]),
  conflicts: z.array(Words(200)).max(50).default([]),
}).superRefine((p, ctx) => {
  const periods = [...p.outOfOffice].sort((a, b) => a.from.localeCompare(b.from));
  periods.forEach((x, i) => {
    if (x.from > x.to) ctx.addIssue({ code: 'custom', path: ['outOfOffice', i], message: 'A period cannot end before it starts.' });
    const next = periods[i + 1];
    if (next && next.from <= x.to) ctx.addIssue({ code: 'custom', path: ['outOfOffice'], message: `The periods ${x.from}–${x.to} and ${next.from}–${next.to} overlap.` });
  });
});

export type ExpertProfileInput = z.infer<typeof ExpertProfileInput>;

export const ExpertProfileView = z.object({
  userId: z.uuid(), name: z.string(), email: z.string(), active: z.boolean(), npi: z.string().nullable(), credentials: z.string(),
  taxonomy: z.array(z.object({ code: z.string(), display: z.string() })), focusCodes: z.array(z.string()),
  procedures: z.array(z.object({ operation: z.string(), annualVolume: z.number(), source: z.string() })),
  institution: z.object({ name: z.string(), academic: z.boolean(), tumorBoards: z.boolean(), trialsOpen: z.boolean() }),
  licensure: z.array(z.string()), languages: z.array(z.string()), consultModes: z.array(z.string()), insuranceNetworks: z.array(z.string()),
  feeUsd: z.number().nullable(), capacityMax: z.number(), acceptingCases: z.boolean(), openCases: z.number(), outOfOffice: z.array(z.object({ from: z.string(), to: z.string() })),
  conflicts: z.array(z.string()), pastTurnaroundDays: z.number().nullable(),
}).meta({ id: 'ExpertProfile' });

// ---- What the matching and offers API answers ----

const RankedExpert = z.object({
  userId: z.uuid(), name: z.string(), eligible: z.boolean(), excludedBecause: z.array(z.string()), score: z.number(),
  factors: z.array(z.object({ factor: z.string(), value: z.number(), weight: z.number(), reason: z.string() })),
}).meta({ id: 'RankedExpert' });

export const CaseTeamProposal = z.object({
  conditionId: z.string().nullable(),
  needs: z.object({
    roles: z.array(z.string()), icd10Code: z.string().nullable(), patientLocation: z.string().nullable(), consultMode: z.enum(['records_review', 'video']),
    language: z.string().nullable(), insurance: z.string().nullable(), operation: z.object({ id: z.string(), surgeonMin: z.number(), role: z.string() }).nullable(),
    rareOrComplex: z.boolean(), treatingInstitutions: z.array(z.string()), today: z.string(),
  }),
  weights: z.record(z.string(), z.number()),
  team: z.array(z.object({ role: z.string(), roleLabel: z.string(), proposed: RankedExpert.nullable(), candidates: z.array(RankedExpert) })),
}).meta({ id: 'CaseTeamProposal' });

export const CaseOfferView = z.object({
  id: z.uuid(), expertId: z.uuid(), expertName: z.string(), role: z.string(), status: z.string(), reason: z.string().nullable(), offeredAt: z.string(), respondBy: z.string(),
}).meta({ id: 'CaseOffer' });

export const ExpertInbox = z.object({
  offered: z.array(z.object({ id: z.uuid(), caseReference: z.string(), urgency: z.enum(['standard', 'expedited']), role: z.string(), respondBy: z.string() })),
  accepted: z.array(z.object({
    id: z.uuid(), reference: z.string(), urgency: z.enum(['standard', 'expedited']), status: z.string(), condition: z.string().nullable(), sla: SlaView,
    questionWaiting: z.boolean().meta({ description: 'The patient side asked a follow-up question that has no answer yet' }),
  })),
  dueSoon: z.array(z.uuid()),
  overdue: z.array(z.uuid()),
}).meta({ id: 'ExpertInbox' });

