import { z } from 'zod';
import { CASE_COMMAND_NAMES, type CaseCommand } from '../cases/lifecycle.ts';

/**
 * Every domain event a case can record, with the shape of its detail. Events are written in the
 * transaction of the change they describe (`emit`), form the case's timeline, and are what
 * notifications (and later live refresh, boards and billing) are derived from.
 */
const Transition = z.object({
  reason: z.string().optional(), expertId: z.uuid().optional(), coordinatorId: z.uuid().optional(),
  /** On submission: business days from complete records to the opinion at the urgency decided (service levels). */
  businessDays: z.number().int().optional(),
});
const Nothing = z.object({});
const OfferAnswer = z.object({ offerId: z.uuid(), role: z.string(), reason: z.string().optional(), reoffered: z.boolean().optional() });

const transitions = Object.fromEntries(CASE_COMMAND_NAMES.map((c) => [`case.${c}`, Transition])) as Record<`case.${CaseCommand}`, typeof Transition>;

export const CASE_EVENTS = {
  ...transitions,
  'case.create': Nothing,
  'case.lead': z.object({ expertId: z.uuid() }),
  'case.urgency': z.object({ from: z.string(), to: z.string(), reason: z.string() }),
  'intake.save': z.object({ section: z.string() }),
  'consent.sign': z.object({ document: z.string(), version: z.union([z.string(), z.number()]), language: z.string().optional() }),
  'proxy.invite': z.object({ relationship: z.string() }),
  'proxy.revoke': Nothing,
  'proxy.invitation.withdraw': Nothing,
  'proxy.accept': z.object({ relationship: z.string().nullable() }),
  'document.add': z.object({ documentId: z.uuid(), filename: z.string(), category: z.string() }),
  'document.classify': z.object({ documentId: z.uuid(), from: z.string().nullable(), to: z.string() }),
  'checklist.waive': z.object({ itemId: z.string(), reason: z.string() }),
  'checklist.unwaive': z.object({ itemId: z.string() }),
  'specimen.request': z.object({ specimenId: z.uuid(), kind: z.string(), label: z.string() }),
  'specimen.step': z.object({ specimenId: z.uuid(), label: z.string(), from: z.string(), to: z.string() }),
  'roi.create': z.object({ roiId: z.uuid(), facility: z.string() }),
  'roi.status': z.object({ roiId: z.uuid(), status: z.string() }),
  'imaging.study': z.object({ studyUid: z.string(), description: z.string().nullable(), flagged: z.boolean() }),
  'pathology.slide.ready': z.object({ slideId: z.uuid() }),
  'pathology.slide.failed': z.object({ slideId: z.uuid(), failure: z.enum(['unreadable', 'tiles', 'too_large', 'missing']) }),
  'offer.create': z.object({ offerId: z.uuid(), expertId: z.uuid(), role: z.string(), respondBy: z.iso.datetime() }),
  'offer.accept': OfferAnswer,
  'offer.decline': OfferAnswer,
  'offer.expire': OfferAnswer,
  'opinion.original': z.object({ version: z.number(), reason: z.string().nullable() }),
  'opinion.addendum': z.object({ version: z.number(), reason: z.string().nullable() }),
  'opinion.amendment': z.object({ version: z.number(), reason: z.string().nullable() }),
  'opinion.part.sign': Nothing,
  'opinion.translate': z.object({ version: z.number(), language: z.string() }),
  // Bills (the patient side and the coordinator see these on the timeline; reviewers do not).
  'invoice.issue': z.object({ invoiceId: z.uuid(), number: z.string() }),
  'invoice.hardship': z.object({ invoiceId: z.uuid(), number: z.string() }),
  'invoice.assistance': z.object({ invoiceId: z.uuid(), number: z.string(), outcome: z.enum(['granted', 'partly_granted', 'declined']) }),
  'invoice.close': z.object({ invoiceId: z.uuid(), number: z.string(), status: z.enum(['paid', 'void', 'written_off']) }),
  'invoice.overpaid': z.object({ invoiceId: z.uuid(), number: z.string() }),
  // A payment that leaves something owed (one that settles the bill is its close).
  'invoice.payment': z.object({ invoiceId: z.uuid(), number: z.string() }),
  // The numbers themselves stay out of the event: the request's coverage holds them.
  'coverage.numbers': z.object({}),
  'opinion.followup': z.object({ messageId: z.uuid() }),
  'board.request': Nothing,
  'board.confirm': z.object({ boardType: z.string() }),
  'board.decline': Nothing,
  'board.schedule': z.object({ sessionId: z.uuid(), startsAt: z.iso.datetime() }),
  'board.discuss': z.object({ sessionId: z.uuid() }),
  'message.post': z.object({ threadId: z.uuid(), messageId: z.uuid() }),
  'visit.book': z.object({ visitId: z.uuid(), startsAt: z.iso.datetime(), visitType: z.string() }),
  'visit.interpreter': z.object({ visitId: z.uuid(), booked: z.boolean() }),
  'visit.move': z.object({ visitId: z.uuid(), startsAt: z.iso.datetime() }),
  'visit.cancel': z.object({ visitId: z.uuid(), reason: z.string().optional() }),
  'visit.end': z.object({ visitId: z.uuid() }),
  'sla.atRisk': z.object({ dueAt: z.iso.datetime() }),
  'sla.breached': z.object({ dueAt: z.iso.datetime() }),
} as const;

export type CaseEventType = keyof typeof CASE_EVENTS;
export type CaseEventDetail<K extends CaseEventType> = z.infer<(typeof CASE_EVENTS)[K]>;
export const CASE_EVENT_TYPES = Object.keys(CASE_EVENTS) as CaseEventType[];

/** One event as `emit` takes it: the type decides the detail's shape. */
export type CaseEventInput = { [K in CaseEventType]: {
  caseId: string;
  /** Null: the service itself (a background job), never a person. */
  actorId: string | null;
  type: K;
  from?: string | null;
  to?: string | null;
  detail: CaseEventDetail<K>;
} }[CaseEventType];
