import { z } from 'zod';
import { BOARD_TYPE_IDS } from './rules.ts';

/**
 * What the board API takes and answers. The minutes use the opinion's own vocabulary for the
 * treatment stance, surgery and trials, so a board's consensus reads like a reviewer's part.
 */
const text = (max = 4000) => z.string().trim().max(max);
const Uid = z.string().regex(/^[0-9.]{1,64}$/, 'a DICOM UID');
export const BoardTypeId = z.enum(BOARD_TYPE_IDS);

export const SessionInput = z.strictObject({
  boardType: BoardTypeId,
  title: text(120).min(3).optional(),
  /** The wall-clock start in the session's time zone, e.g. 2026-12-03T17:00. */
  startsAtLocal: z.string().regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$/, 'a date and time like 2026-12-03T17:00'),
  timeZone: z.string().min(2).max(64),
  durationMinutes: z.number().int().min(15).max(480),
  repeat: z.strictObject({ every: z.enum(['week', 'two_weeks', 'four_weeks']), count: z.number().int().min(2).max(26) }).optional(),
});
export type SessionInput = z.infer<typeof SessionInput>;

/** A session moved or renamed; in a series, this one or this and the following ones. */
export const SessionChange = z.strictObject({
  title: text(120).min(3).optional(),
  startsAtLocal: SessionInput.shape.startsAtLocal,
  timeZone: SessionInput.shape.timeZone,
  durationMinutes: SessionInput.shape.durationMinutes,
  scope: z.enum(['this', 'following']).default('this'),
});
export type SessionChange = z.infer<typeof SessionChange>;
export const SessionCancel = z.strictObject({ scope: z.enum(['this', 'following']).default('this') });

export const AgendaAdd = z.strictObject({ caseId: z.uuid(), minutes: z.number().int().min(1).max(240).default(15) });
export const AgendaOrder = z.strictObject({ caseIds: z.array(z.uuid()).min(1).max(100) });
export const AgendaMinutes = z.strictObject({ minutes: z.number().int().min(1).max(240) });
export const MemberInvite = z.strictObject({ userId: z.uuid(), seat: text(60).optional() });
export const Attendance = z.strictObject({ attended: z.boolean() });
export const BoardRequest = z.strictObject({ note: text(1000).min(3, 'Say in a few words why the board should discuss it.') });
export const ProposalConfirm = z.strictObject({ boardType: BoardTypeId });
export const ProposalDecline = z.strictObject({ reason: text(500).min(3, 'Give a reason.') });

/** What the presenter shows: ids and positions only, never the health data itself. */
export const PresentationState = z.strictObject({
  caseId: z.uuid().nullable(),
  section: z.enum(['summary', 'documents', 'images', 'minutes']),
  documentId: z.uuid().optional(),
  page: z.number().int().min(1).max(100_000).optional(),
  viewer: z.strictObject({
    studyUid: Uid, seriesUid: Uid, index: z.number().int().min(0).max(100_000),
    voi: z.strictObject({ lower: z.number().min(-100_000).max(100_000), upper: z.number().min(-100_000).max(100_000) }).optional(),
    /** Bumped when the presenter saves a measurement, so followers reload the list. */
    measurementsVersion: z.number().int().min(0).max(1_000_000).optional(),
  }).optional(),
}).meta({ id: 'BoardPresentationState' });
export type PresentationState = z.infer<typeof PresentationState>;

const TreatmentOption = z.strictObject({ option: text(500).min(1), rationale: text().optional() });
const Trial = z.strictObject({ identifier: z.string().trim().regex(/^[A-Za-z0-9-]{4,30}$/, 'a registry identifier such as NCT01234567'), why: text(1000) });
const ACTION_KINDS = ['rebiopsy', 'extra_testing', 'imaging', 'trial_screening', 'referral', 'other'] as const;
export const ACTION_LABELS: Record<(typeof ACTION_KINDS)[number], string> = {
  rebiopsy: 'Re-biopsy', extra_testing: 'Extra testing', imaging: 'More imaging', trial_screening: 'Trial screening', referral: 'Referral', other: 'Other',
};

/** The minutes of one case as they are written during the discussion: anything may still be missing. */
export const MinutesDraft = z.strictObject({
  consensus: z.strictObject({
    treatmentStance: z.enum(['agree', 'modify', 'alternative']).optional(),
    options: z.array(TreatmentOption).max(10).optional(),
    surgery: z.enum(['yes', 'no', 'uncertain']).optional(),
    trials: z.array(Trial).max(20).optional(),
    recommendation: text().optional(),
  }).optional(),
  rationale: text().optional(),
  dissent: z.array(z.strictObject({ memberId: z.uuid(), text: text(2000).min(1) })).max(30).optional(),
  guideline: z.strictObject({ concordant: z.boolean(), deviationReason: text(2000).optional() }).optional(),
  actions: z.array(z.strictObject({ kind: z.enum(ACTION_KINDS), text: text(500).min(1), ownerId: z.uuid() })).max(30).optional(),
}).meta({ id: 'BoardMinutesDraft' });
export type MinutesDraft = z.infer<typeof MinutesDraft>;

/** What confirming the minutes needs, in words (empty: they can be confirmed). */
export function minutesGaps(m: MinutesDraft): string[] {
  const gaps: string[] = [];
  if (!m.consensus?.recommendation?.trim()) gaps.push('Write the consensus recommendation.');
  if (!m.consensus?.treatmentStance) gaps.push('Say whether the board agrees with the proposed plan, modifies it or proposes an alternative.');
  if (!m.rationale?.trim()) gaps.push('Write the rationale.');
  if (!m.guideline) gaps.push('Say whether the recommendation follows the guidelines.');
  else if (!m.guideline.concordant && !m.guideline.deviationReason?.trim()) gaps.push('Give the reason for deviating from the guidelines.');
  return gaps;
}

const FiredRule = z.object({ id: z.string(), reason: z.string(), reviewedOn: z.string(), sources: z.array(z.object({ id: z.string(), title: z.string(), reviewedOn: z.string() })) });

export const BoardRecommendation = z.object({
  sessionId: z.uuid(), boardType: z.string(), boardLabel: z.string(), discussedAt: z.string(), chairName: z.string(),
  attendees: z.array(z.object({ name: z.string(), seat: z.string().nullable() })),
  minutes: MinutesDraft, dissent: z.array(z.object({ name: z.string(), text: z.string() })),
  actions: z.array(z.object({ kind: z.string(), text: z.string(), owner: z.string() })),
  confirmedAt: z.string(),
}).meta({ id: 'BoardRecommendation' });
export type BoardRecommendation = z.infer<typeof BoardRecommendation>;

export const CaseBoardView = z.object({
  suggestion: z.object({ propose: z.boolean(), boardType: z.string(), boardLabel: z.string(), fired: z.array(FiredRule) }),
  proposal: z.object({
    status: z.enum(['requested', 'confirmed', 'declined', 'discussed']), boardType: z.string(), boardLabel: z.string(),
    reasons: z.array(FiredRule), requestNote: z.string().nullable(), declineReason: z.string().nullable(), confirmedAt: z.string().nullable(),
  }).nullable(),
  sessions: z.array(z.object({ sessionId: z.uuid(), title: z.string(), startsAt: z.string(), timeZone: z.string() })),
  recommendations: z.array(BoardRecommendation),
  can: z.object({ confirm: z.boolean(), request: z.boolean() }),
}).meta({ id: 'CaseBoard' });

export const SessionSummary = z.object({
  id: z.uuid(), boardType: z.string(), boardLabel: z.string(), title: z.string(), startsAt: z.string(), endsAt: z.string(), timeZone: z.string(),
  status: z.enum(['scheduled', 'cancelled']), chairName: z.string(), cases: z.number().int(), members: z.number().int(),
  /** Sessions scheduled together as a repeating series share this id. */
  seriesId: z.uuid().nullable(),
}).meta({ id: 'BoardSessionSummary' });

const QuorumView = z.object({ complete: z.boolean(), basis: z.enum(['invited', 'attending']), seats: z.array(z.object({ seat: z.string(), filledBy: z.array(z.string()) })), missing: z.array(z.string()) });

export const SessionView = SessionSummary.extend({
  chairId: z.uuid(),
  presenterId: z.uuid().nullable(),
  you: z.object({ chair: z.boolean(), presenter: z.boolean(), member: z.boolean() }),
  agenda: z.array(z.object({
    caseId: z.uuid(), reference: z.string(), condition: z.string().nullable(), minutes: z.number().int(), position: z.number().int(),
    reasons: z.array(z.string()), minutesStatus: z.enum(['none', 'draft', 'confirmed']),
  })),
  members: z.array(z.object({ userId: z.uuid(), name: z.string(), seat: z.string().nullable(), specialties: z.array(z.string()), attended: z.boolean() })),
  quorum: QuorumView,
  /** The board's seats in the reader's words, by the seat as the roster and the API name it (the key stays what is sent back). */
  seatLabels: z.record(z.string(), z.string()),
  presentation: PresentationState.nullable(),
  presentationSeq: z.number().int(),
}).meta({ id: 'BoardSession' });

const Linked = z.object({ text: z.string(), documentId: z.uuid().nullable(), documentName: z.string().nullable() });
export const CasePresentation = z.object({
  caseId: z.uuid(), reference: z.string(),
  question: z.array(z.string()),
  history: z.array(Linked),
  pathology: z.array(Linked),
  staging: z.array(z.object({ text: z.string(), by: z.string() })),
  biomarkers: z.array(z.object({ name: z.string(), status: z.string(), by: z.string().nullable() })),
  missing: z.array(z.string()),
  imaging: z.array(z.object({ studyUid: z.string(), seriesUid: z.string().nullable(), description: z.string(), measurements: z.array(z.object({ id: z.uuid(), kind: z.enum(['length', 'angle']), points: z.array(z.array(z.number())), text: z.string(), sopInstanceUid: z.string(), seriesUid: z.string() })) })),
  treatments: z.array(Linked),
  priorities: z.array(z.string()),
  reviewerParts: z.array(z.object({ author: z.string(), role: z.string(), status: z.string(), summary: z.array(z.string()) })),
  documents: z.array(z.object({ id: z.uuid(), name: z.string(), type: z.string().nullable(), pdf: z.boolean() })),
  minutes: MinutesDraft.nullable(),
  minutesConfirmed: z.boolean(),
  minutesMissing: z.array(z.string()),
}).meta({ id: 'BoardCasePresentation' });
