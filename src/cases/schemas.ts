import { z } from 'zod';
import { LOCALES } from '../core/locale.ts';
import { Email } from '../accounts/schemas.ts';
import { AssessmentAnswers } from '../assessment/answers.ts';
import { CaseCapabilities } from './capabilities.ts';
import { INTAKE_SECTION_NAMES } from './intake.ts';
import { CASE_COMMAND_NAMES, CASE_STATUSES } from './lifecycle.ts';

export const CaseStatusSchema = z.enum(CASE_STATUSES);
export const Urgency = z.enum(['standard', 'expedited']);
export const CaseIdParams = z.object({ id: z.uuid({ message: 'Case ids are UUIDs.' }) });

export const SlaView = z.object({ startedAt: z.string(), dueAt: z.string(), state: z.enum(['on_track', 'at_risk', 'breached', 'met']), businessDaysLeft: z.number() }).nullable();

export const CaseSummary = z.object({
  id: z.uuid(), reference: z.string(), status: CaseStatusSchema, urgency: Urgency,
  patientName: z.string().nullable(), condition: z.string().nullable(), icd10Code: z.string().nullable(),
  coordinatorName: z.string().nullable(), submittedAt: z.string().nullable(), statusChangedAt: z.string(), createdAt: z.string(),
  sla: SlaView,
  /** Messages others wrote in the case's conversations since the caller last read them (0 where the caller takes no part). */
  unreadMessages: z.number().int(),
  /** The caller is this request's patient (a caregiver or referring physician reads about someone else's). */
  ownRequest: z.boolean(),
}).meta({ id: 'CaseSummary' });

export const CaseListQuery = z.strictObject({
  status: z.union([CaseStatusSchema, z.array(CaseStatusSchema)]).optional().transform((v) => (v == null ? undefined : Array.isArray(v) ? v : [v])),
  urgency: Urgency.optional(),
  minAgeDays: z.coerce.number().int().min(0).max(3650).optional(),
  maxAgeDays: z.coerce.number().int().min(0).max(3650).optional(),
  q: z.string().trim().max(200).optional(),
  sort: z.enum(['oldest', 'newest', 'urgency']).default('oldest'),
  /** Service-level state: at risk, overdue, on track (cases not yet ready for review have none). */
  sla: z.enum(['on_track', 'at_risk', 'breached']).optional(),
  page: z.coerce.number().int().min(1).max(10_000).default(1),
  pageSize: z.coerce.number().int().min(1).max(100).default(25),
  cursor: z.string().max(300).optional().meta({ description: 'Where the previous page ended (its `nextCursor`): the next page, however deep, without counting the ones before' }),
});

const Member = z.object({ userId: z.uuid(), name: z.string(), email: z.string(), relation: z.string(), relationship: z.string().nullable(), addedAt: z.string() });
const Signature = z.object({ document: z.string(), version: z.string(), typedName: z.string(), signedAt: z.string(), signerRelation: z.string(), signerName: z.string() });

export const CaseDetail = z.object({
  id: z.uuid(), reference: z.string(), status: CaseStatusSchema, statusBeforeHold: CaseStatusSchema.nullable(),
  urgency: Urgency, urgencyReason: z.string().nullable(), sla: SlaView,
  // A draft's sections may be prefilled and not yet valid; each saved step is validated on write.
  intake: z.record(z.string(), z.unknown()).meta({ description: 'The intake as saved so far; complete sections follow the Intake schema' }), missingIntakeSections: z.array(z.enum(INTAKE_SECTION_NAMES as [string, ...string[]])),
  patientId: z.uuid(), patientName: z.string().nullable(),
  coordinator: z.object({ id: z.uuid(), name: z.string() }).nullable(),
  leadExpert: z.object({ id: z.uuid(), name: z.string() }).nullable().meta({ description: 'The assigned expert who issues the combined report' }),
  members: z.array(Member), consents: z.array(Signature), unsignedConsents: z.array(z.string()),
  myRelations: z.array(z.string()),
  can: CaseCapabilities.meta({ description: 'What the caller may do on this case now, so clients show only what works' }),
  opinionWithinBusinessDays: z.number().int().meta({ description: 'Business days from complete records to the opinion, for this urgency (service levels)' }),
  commands: z.array(z.object({
    name: z.enum(CASE_COMMAND_NAMES as [string, ...string[]]), label: z.string(),
    blockedBy: z.array(z.string()).meta({ description: 'What stops the command now, in words (empty: it can be given)' }),
  })).meta({ description: 'The commands the caller may give in this state, each with what still blocks it' }),
  submittedAt: z.string().nullable(), statusChangedAt: z.string(), createdAt: z.string(), updatedAt: z.string(),
}).meta({ id: 'Case' });

export const IntakeSectionParams = z.object({ id: z.uuid(), section: z.enum(INTAKE_SECTION_NAMES as [string, ...string[]]) });
export const CommandParams = z.object({ id: z.uuid(), command: z.enum(CASE_COMMAND_NAMES as [string, ...string[]]) });
export const CommandBody = z.strictObject({ reason: z.string().trim().max(1000).optional(), expertId: z.uuid().optional() }).default({});
export const UrgencyBody = z.strictObject({ urgency: Urgency, reason: z.string().trim().min(3).max(1000) });
export const ConsentBody = z.strictObject({
  document: z.enum(['service_consent', 'hipaa_authorization']), version: z.string().max(20), typedName: z.string().trim().min(1).max(200),
  /** The language of the text the signer read (as the documents were given to them); English when not said. */
  language: z.enum(LOCALES).default('en'),
});
export const ProxyInviteBody = z.strictObject({ email: Email, relationship: z.string().trim().min(2).max(100) });

export const TimelineEntry = z.object({
  id: z.number(), at: z.string(), type: z.string(), fromStatus: CaseStatusSchema.nullable(), toStatus: CaseStatusSchema.nullable(),
  detail: z.record(z.string(), z.unknown()), actorName: z.string().nullable(), actorRole: z.string().nullable(),
  label: z.string().meta({ description: 'What happened, in words' }), count: z.number().int().meta({ description: 'How many events of this kind by this person in a row the line stands for' }),
});
export const AccessLogEntry = z.object({ at: z.string(), action: z.string(), what: z.string().meta({ description: 'The action in words' }), outcome: z.string(), actorRole: z.string().nullable(), actorName: z.string().nullable() });

export const CreateCaseBody = z.strictObject({ assessment: AssessmentAnswers.optional() }).optional();
