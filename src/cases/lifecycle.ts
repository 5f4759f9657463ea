import { wordsIn } from '../core/i18n.ts';
import { languageName } from '../core/languages.ts';
import type { Role } from '../core/auth/roles.ts';

/**
 * The case lifecycle of DESIGN.md as data: every state change is a named command with the states
 * it may start from, the state it leads to, who may issue it and what must be true. This module
 * is pure: the service feeds it facts and applies the answer.
 */
export const CASE_STATUSES = ['draft', 'submitted', 'collecting_records', 'ready_for_review', 'assigned', 'in_review', 'board',
  'opinion_signed', 'delivered', 'closed', 'cancelled', 'on_hold'] as const;
export type CaseStatus = (typeof CASE_STATUSES)[number];

const english = wordsIn('en');

export const FINAL_STATUSES: readonly CaseStatus[] = ['closed', 'cancelled'];
export const OPEN_STATUSES: readonly CaseStatus[] = CASE_STATUSES.filter((s) => !FINAL_STATUSES.includes(s));

/** The statuses' names in English (the catalogue's, as every language's are). */
export const STATUS_LABELS = Object.fromEntries(CASE_STATUSES.map((s) => [s, english(`lifecycle:status.${s}`)])) as Record<CaseStatus, string>;

/** Case states in which records may still be added (until the opinion is signed). */
/** While the experts review: the opinion is written and signed, and a reviewer may ask for more material. */
export const REVIEW_STATES: readonly CaseStatus[] = ['assigned', 'in_review', 'board'];
/** Not yet with the experts: where a payment asked for before review still holds the request. */
export const BEFORE_REVIEW: readonly CaseStatus[] = ['submitted', 'collecting_records'];
export const OPEN_FOR_RECORDS: readonly CaseStatus[] = ['draft', 'submitted', 'collecting_records', 'ready_for_review', 'assigned', 'in_review', 'board', 'on_hold'];

/** `board_member`: invited to a board session that discusses the case, until the session ends. */
export type CaseRelation = 'patient' | 'proxy' | 'referring' | 'expert' | 'board_chair' | 'board_member';
/** The relations of the patient side: the patient, their caregivers, the referring physician. */
export const PATIENT_SIDE_RELATIONS: readonly CaseRelation[] = ['patient', 'proxy', 'referring'];
export const isPatientSide = (relations: readonly CaseRelation[]) => relations.some((r) => PATIENT_SIDE_RELATIONS.includes(r));

/** The opinion has reached the patient side (delivered, or closed since). */
export const DELIVERED_STATES: readonly CaseStatus[] = ['delivered', 'closed'];
/** The opinion is signed or the case is over: the review team and its lead are settled. */
export const REVIEW_SETTLED_STATES: readonly CaseStatus[] = ['opinion_signed', 'delivered', 'closed', 'cancelled'];

/** The facts guards look at, gathered by the service before a command runs. */
export interface GuardFacts {
  status: CaseStatus;
  statusBeforeHold: CaseStatus | null;
  /** `system`: the service itself (background jobs), never a person. */
  actorRole: Role | 'system';
  actorRelations: CaseRelation[];
  actorIsCoordinator: boolean;
  missingIntakeSections: string[];
  unsignedConsents: string[];
  /** Records checklist items neither on file nor waived (labels). */
  checklistOutstanding: string[];
  /** The acting expert holds an open offer for this case. */
  offerPending?: boolean;
  expertCandidate?: { exists: boolean; isExpert: boolean; active: boolean; isPatientSide: boolean };
  /** A signed report exists (the opinion is signed and delivered as a report, not by a bare command). */
  reportIssued?: boolean;
  /** The language the patient reads, when the report's summary is in another and no reviewed translation is attached. */
  summaryTranslationMissing?: string | null;
  reason?: string;
  /** A bill the program's policy wants paid before review (its number), when one is open and no request for help awaits a decision. */
  unpaidBill?: string | null;
  /** The follow-up period after delivery has ended. */
  followupEnded?: boolean;
  /** Judging a command before it is given: what it asks for then (a reason, an expert) is not yet missing. */
  preview?: boolean;
}

const needsReport = (f: GuardFacts) => (f.reportIssued ? [] : ['Write, sign and issue the report in the Opinion tab first.']);
// A patient is not sent a summary they cannot read: the coordinator attaches a reviewed translation first.
const needsTranslation = (f: GuardFacts) => (f.summaryTranslationMissing ? [`The patient reads ${languageName(f.summaryTranslationMissing)}: attach a translation of the summary, checked by a person, in the Opinion tab first.`] : []);

interface CommandDef {
  label: string;
  from: readonly CaseStatus[];
  /** The target state; `null` means "the state before the hold". */
  to: CaseStatus | null;
  roles: readonly (Role | 'system')[];
  /** Returns the unmet conditions, in plain words (empty: the command may run). */
  guard: (f: GuardFacts) => string[];
}

const needsReason = (f: GuardFacts) => (f.preview || (f.reason && f.reason.trim().length >= 3) ? [] : ['Give a reason.']);
const mustBeCaseCoordinator = (f: GuardFacts) => (f.actorIsCoordinator ? [] : ['Take the case as its coordinator first.']);
const mustBePatientSide = (f: GuardFacts) =>
  f.actorRelations.some((r) => r === 'patient' || r === 'proxy' || r === 'referring') ? [] : ['Only the patient, their caregiver or the referring physician can do this.'];
const mustBeAssignedExpert = (f: GuardFacts) => (f.actorRelations.includes('expert') ? [] : ['Only an expert assigned to this case can do this.']);

export const CASE_COMMANDS = {
  submit: {
    label: english('lifecycle:command.submit'), from: ['draft'], to: 'submitted', roles: ['patient', 'referring_physician'],
    guard: (f) => [
      ...mustBePatientSide(f),
      ...f.missingIntakeSections.map((s) => `Complete the “${s}” step of the intake.`),
      ...f.unsignedConsents.map((d) => `Sign the ${d}.`),
    ],
  },
  discard: {
    label: english('lifecycle:command.discard'), from: ['draft'], to: 'cancelled', roles: ['patient', 'referring_physician'],
    guard: mustBePatientSide,
  },
  startRecordCollection: {
    label: english('lifecycle:command.startRecordCollection'), from: ['submitted'], to: 'collecting_records', roles: ['coordinator'],
    guard: () => [],
  },
  markReadyForReview: {
    label: english('lifecycle:command.markReadyForReview'), from: ['collecting_records'], to: 'ready_for_review', roles: ['coordinator'],
    guard: (f) => [
      ...mustBeCaseCoordinator(f), ...f.checklistOutstanding.map((i) => `Records checklist: “${i}” is not on file or waived.`),
      ...(f.unpaidBill ? [`Bill ${f.unpaidBill} is not paid yet, and this program asks for payment before review (a request for help waiting for a decision pauses this; what is left after help must be paid or waived).`] : []),
    ],
  },
  acceptAssignment: {
    label: english('lifecycle:command.acceptAssignment'), from: ['ready_for_review'], to: 'assigned', roles: ['expert'],
    guard: (f) => (f.offerPending ? [] : ['Only an expert who was offered this case can accept it.']),
  },
  assignExpert: {
    label: english('lifecycle:command.assignExpert'), from: ['ready_for_review'], to: 'assigned', roles: ['coordinator'],
    guard: (f) => {
      const c = f.expertCandidate;
      if (!c?.exists) return f.preview ? mustBeCaseCoordinator(f) : ['Choose an expert.'];
      return [
        ...mustBeCaseCoordinator(f),
        ...(c.isExpert ? [] : ['The person chosen is not an expert reviewer.']),
        ...(c.active ? [] : ['The expert’s account is disabled.']),
        ...(c.isPatientSide ? ['The expert is on the patient’s side of this case (conflict of interest).'] : []),
      ];
    },
  },
  startReview: { label: english('lifecycle:command.startReview'), from: ['assigned'], to: 'in_review', roles: ['expert'], guard: mustBeAssignedExpert },
  referToBoard: {
    label: english('lifecycle:command.referToBoard'), from: ['in_review'], to: 'board', roles: ['expert', 'coordinator'],
    guard: (f) => (f.actorRole === 'expert' ? mustBeAssignedExpert(f) : mustBeCaseCoordinator(f)),
  },
  returnFromBoard: {
    label: english('lifecycle:command.returnFromBoard'), from: ['board'], to: 'in_review', roles: ['coordinator', 'board_chair'],
    guard: (f) => (f.actorRole === 'coordinator' ? mustBeCaseCoordinator(f) : f.actorRelations.includes('board_chair') ? [] : ['Only the chair of the board that discusses this case can do this.']),
  },
  signOpinion: { label: english('lifecycle:command.signOpinion'), from: ['in_review', 'board'], to: 'opinion_signed', roles: ['expert'], guard: (f) => [...mustBeAssignedExpert(f), ...needsReport(f)] },
  deliver: { label: english('lifecycle:command.deliver'), from: ['opinion_signed'], to: 'delivered', roles: ['coordinator'], guard: (f) => [...mustBeCaseCoordinator(f), ...needsReport(f), ...needsTranslation(f)] },
  close: { label: english('lifecycle:command.close'), from: ['delivered'], to: 'closed', roles: ['coordinator'], guard: mustBeCaseCoordinator },
  closeAfterFollowup: {
    label: english('lifecycle:command.closeAfterFollowup'), from: ['delivered'], to: 'closed', roles: ['system'],
    guard: (f) => (f.followupEnded ? [] : ['The follow-up period has not ended yet.']),
  },
  hold: {
    label: english('lifecycle:command.hold'), from: OPEN_STATUSES.filter((s) => s !== 'on_hold' && s !== 'draft'), to: 'on_hold', roles: ['coordinator'],
    guard: (f) => [...mustBeCaseCoordinator(f), ...needsReason(f)],
  },
  resume: {
    label: english('lifecycle:command.resume'), from: ['on_hold'], to: null, roles: ['coordinator'],
    guard: (f) => [...mustBeCaseCoordinator(f), ...(f.statusBeforeHold ? [] : ['The state before the hold is unknown.'])],
  },
  cancel: {
    label: english('lifecycle:command.cancel'), from: OPEN_STATUSES.filter((s) => s !== 'delivered' && s !== 'draft'), to: 'cancelled', roles: ['coordinator', 'patient', 'referring_physician'],
    guard: (f) => {
      if (f.actorRole === 'coordinator') return [...mustBeCaseCoordinator(f), ...needsReason(f)];
      const early = f.status === 'submitted';
      return [...mustBePatientSide(f), ...(early ? [] : ['Once records collection has started, ask the coordinator to cancel.']), ...needsReason(f)];
    },
  },
} as const satisfies Record<string, CommandDef>;

export type CaseCommand = keyof typeof CASE_COMMANDS;
export const CASE_COMMAND_NAMES = Object.keys(CASE_COMMANDS) as CaseCommand[];

export type Decision =
  | { ok: true; to: CaseStatus }
  | { ok: false; code: 'FORBIDDEN' | 'ILLEGAL_TRANSITION' | 'GUARD_FAILED'; unmet: string[] };

/** Decides whether a command may run on a case in the given facts, and where it leads. */
export function decide(command: CaseCommand, f: GuardFacts): Decision {
  const def: CommandDef = CASE_COMMANDS[command];
  if (!def.roles.includes(f.actorRole)) return { ok: false, code: 'FORBIDDEN', unmet: [`A ${f.actorRole.replace('_', ' ')} cannot ${def.label.toLowerCase()}.`] };
  if (!def.from.includes(f.status)) return { ok: false, code: 'ILLEGAL_TRANSITION', unmet: [`“${def.label}” is not possible while the case is ${STATUS_LABELS[f.status].toLowerCase()}.`] };
  const unmet = def.guard(f);
  if (unmet.length) return { ok: false, code: 'GUARD_FAILED', unmet };
  const to = def.to ?? f.statusBeforeHold;
  return to ? { ok: true, to } : { ok: false, code: 'GUARD_FAILED', unmet: ['The state before the hold is unknown.'] };
}

/** The commands the actor could issue from this state (guards aside), for the UI's buttons. */
export function availableCommands(status: CaseStatus, role: Role): CaseCommand[] {
  return CASE_COMMAND_NAMES.filter((c) => {
    const def: CommandDef = CASE_COMMANDS[c];
    return def.roles.includes(role) && def.from.includes(status);
  });
}
