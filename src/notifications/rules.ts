import type { CaseEventType } from '../events/catalog.ts';

/**
 * Who hears about which event, as data. The dispatcher turns an event into people (by their
 * relation to the case now, never the one who acted), and each person gets an in-app notice and,
 * where `mail` is set, a mail without health data. Wording lives in `templates.ts`, per locale.
 */
export type Audience =
  /** The patient, their caregivers and the referring physician. */
  | 'patientSide'
  /** The patient and their caregivers, not the referring physician: the patient's own money matters. */
  | 'patientAndCarers'
  /** The case's coordinator; while nobody has taken the case, every active coordinator. */
  | 'coordinator'
  /** The experts (and board chair) assigned to the case. */
  | 'experts'
  /** The expert the event names (`detail.expertId`): offered or assigned. */
  | 'namedExpert'
  /** Whoever is on the other side of the one who acted: staff for the patient side, and back. */
  | 'otherSide';

export type NoticeKind =
  | 'case.submitted' | 'case.status' | 'case.recordsNeeded' | 'case.assigned' | 'offer.received' | 'offer.answered'
  | 'opinion.issued' | 'opinion.delivered' | 'opinion.updated' | 'followup.posted' | 'sla.atRisk' | 'sla.breached'
  | 'records.added' | 'proxy.accepted' | 'case.lead' | 'case.received' | 'board.requested' | 'board.discussed' | 'message.posted'
  | 'glass.requested' | 'material.received' | 'opinion.translated' | 'invoice.issued' | 'invoice.help' | 'invoice.refund' | 'invoice.helpDecided';

export interface NoticeRule {
  notice: NoticeKind;
  to: readonly Audience[];
  mail: boolean;
  /** Several events of this kind on one case fold into one unread notice with a count (mailed once). */
  coalesce?: boolean;
  /** Only when the one who acted is on this side (system events have no side). */
  actorSide?: 'patient' | 'staff';
  /** Only once the opinion has reached the patient side (delivered or closed since). */
  afterDelivery?: boolean;
  /** A confirmation: the one who acted hears of it too (nobody else is told of their own acts). */
  confirmsToActor?: boolean;
  /** Only when the one who acted has this role (a reviewer asking, not the coordinator tracking). */
  actorRole?: 'expert';
  /** Only when the event moves tracked material (slides, blocks) to this step. */
  materialTo?: 'received';
}

const status = (mail = false): NoticeRule => ({ notice: 'case.status', to: ['patientSide'], mail });

const opinionUpdated: readonly NoticeRule[] = [
  { notice: 'opinion.updated', to: ['patientSide'], mail: true, afterDelivery: true },
  { notice: 'opinion.updated', to: ['coordinator'], mail: true },
];

export const NOTIFICATION_RULES: Partial<Record<CaseEventType, readonly NoticeRule[]>> = {
  'case.submit': [{ notice: 'case.submitted', to: ['coordinator'], mail: true }, { notice: 'case.received', to: ['patientSide'], mail: true, confirmsToActor: true }],
  'case.lead': [{ notice: 'case.lead', to: ['namedExpert'], mail: true }],
  'case.startRecordCollection': [{ notice: 'case.recordsNeeded', to: ['patientSide'], mail: true }],
  'case.markReadyForReview': [status()],
  'case.assignExpert': [{ notice: 'case.assigned', to: ['namedExpert'], mail: true }, status()],
  'case.acceptAssignment': [status()],
  'case.startReview': [status()],
  'case.referToBoard': [status()],
  'case.returnFromBoard': [status()],
  'case.hold': [status(true), { notice: 'case.status', to: ['experts'], mail: false }],
  // Told by mail that it goes on, as they were told it paused.
  'case.resume': [status(true), { notice: 'case.status', to: ['experts'], mail: false }],
  'case.cancel': [status(true), { notice: 'case.status', to: ['coordinator', 'experts'], mail: false }],
  'case.close': [status()],
  'case.closeAfterFollowup': [status()],
  'case.deliver': [{ notice: 'opinion.delivered', to: ['patientSide'], mail: true }],
  'offer.create': [{ notice: 'offer.received', to: ['namedExpert'], mail: true }],
  'offer.accept': [{ notice: 'offer.answered', to: ['coordinator'], mail: true }],
  'offer.decline': [{ notice: 'offer.answered', to: ['coordinator'], mail: true }],
  'offer.expire': [{ notice: 'offer.answered', to: ['coordinator'], mail: true }],
  'opinion.original': [{ notice: 'opinion.issued', to: ['coordinator'], mail: true }],
  'opinion.addendum': opinionUpdated,
  'opinion.amendment': opinionUpdated,
  // A translation attached (or corrected) after delivery: the patient side is told it is there to read.
  'opinion.translate': [{ notice: 'opinion.translated', to: ['patientSide'], mail: true, afterDelivery: true }],
  // A bill reaches the patient side; their request for help with it reaches the coordinator (the mail names the request only).
  'invoice.issue': [{ notice: 'invoice.issued', to: ['patientSide'], mail: true }],
  'invoice.hardship': [{ notice: 'invoice.help', to: ['coordinator'], mail: true }],
  'invoice.assistance': [{ notice: 'invoice.helpDecided', to: ['patientAndCarers'], mail: true }],
  'invoice.overpaid': [{ notice: 'invoice.refund', to: ['coordinator'], mail: true }],
  // The patient side all read one thread: a caregiver's question reaches the patient too.
  // Messages fold into one unread notice (and one mail) per thread until it is read.
  'opinion.followup': [{ notice: 'followup.posted', to: ['otherSide', 'patientSide'], mail: true, coalesce: true }],
  'sla.atRisk': [{ notice: 'sla.atRisk', to: ['coordinator', 'experts'], mail: true }],
  'sla.breached': [{ notice: 'sla.breached', to: ['coordinator', 'experts'], mail: true }],
  'document.add': [{ notice: 'records.added', to: ['coordinator'], mail: false, coalesce: true, actorSide: 'patient' }],
  'proxy.accept': [{ notice: 'proxy.accepted', to: ['patientSide'], mail: false }],
  // The other side hears of a message (and the coordinator, whoever wrote); several fold into one notice.
  'message.post': [{ notice: 'message.posted', to: ['otherSide', 'coordinator'], mail: true, coalesce: true }],
  'board.request': [{ notice: 'board.requested', to: ['coordinator'], mail: true }],
  'board.discuss': [{ notice: 'board.discussed', to: ['patientSide', 'experts', 'coordinator'], mail: true }],
  // The glass-slide handoff: a reviewer's request reaches the coordinator, who has the laboratory
  // ship them; the reviewers hear when material has arrived.
  'specimen.request': [{ notice: 'glass.requested', to: ['coordinator'], mail: true, actorRole: 'expert' }],
  'specimen.step': [{ notice: 'material.received', to: ['experts'], mail: true, materialTo: 'received' }],
};

/** The page a notice opens (the web app's address, without the host). */
export const NOTICE_PAGES: Record<NoticeKind, (caseId: string) => string> = {
  'case.submitted': (id) => `/cases/${id}`,
  'case.received': (id) => `/cases/${id}`,
  'case.status': (id) => `/cases/${id}`,
  'case.recordsNeeded': (id) => `/cases/${id}?tab=records`,
  'case.assigned': (id) => `/cases/${id}`,
  'case.lead': (id) => `/cases/${id}?tab=opinion`,
  'offer.received': () => '/inbox',
  'offer.answered': (id) => `/cases/${id}?tab=experts`,
  'opinion.issued': (id) => `/cases/${id}?tab=opinion`,
  'opinion.delivered': (id) => `/cases/${id}?tab=opinion`,
  'opinion.updated': (id) => `/cases/${id}?tab=opinion`,
  'opinion.translated': (id) => `/cases/${id}?tab=opinion`,
  'invoice.issued': (id) => `/cases/${id}?tab=intake&part=bills`,
  'invoice.help': (id) => `/cases/${id}?tab=intake&part=bills`,
  'invoice.refund': (id) => `/cases/${id}?tab=intake&part=bills`,
  'invoice.helpDecided': (id) => `/cases/${id}?tab=intake&part=bills`,
  'followup.posted': (id) => `/cases/${id}?tab=opinion`,
  'sla.atRisk': (id) => `/cases/${id}`,
  'sla.breached': (id) => `/cases/${id}`,
  'records.added': (id) => `/cases/${id}?tab=records`,
  'proxy.accepted': (id) => `/cases/${id}?tab=people`,
  'board.requested': (id) => `/cases/${id}?tab=board`,
  'message.posted': (id) => `/cases/${id}?tab=messages`,
  'board.discussed': (id) => `/cases/${id}?tab=board`,
  'glass.requested': (id) => `/cases/${id}?tab=records`,
  'material.received': (id) => `/cases/${id}?tab=records`,
};

/**
 * Events that change what an open page of the case shows but are news to nobody (no notice, no
 * mail): the open pages of everyone on the case refresh, so a slide made ready while its list is
 * open appears without a reload.
 */
const CASE_TEAM: readonly Audience[] = ['patientSide', 'experts', 'coordinator'];
export const REFRESH_ONLY: Partial<Record<CaseEventType, readonly Audience[]>> = {
  'pathology.slide.ready': CASE_TEAM,
  'pathology.slide.failed': CASE_TEAM,
};
