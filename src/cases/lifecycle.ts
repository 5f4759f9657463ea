import { wordsIn, type Words } from '../core/i18n.ts';
import type { Locale } from '../core/locale.ts';
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
  /** The words of the reader the unmet conditions are written for (English when absent), and their language. */
  words?: Words;
  locale?: Locale;
  /** A bill the program's policy wants paid before review (its number), when one is open and no request for help awaits a decision. */
  unpaidBill?: string | null;
  /** The follow-up period after delivery has ended. */
  followupEnded?: boolean;
  /** Judging a command before it is given: what it asks for then (a reason, an expert) is not yet missing. */
  preview?: boolean;
}

/** The reader's words for what is missing (English when the facts bring none). */
const w = (f: GuardFacts): Words => f.words ?? english;
const needsReport = (f: GuardFacts) => (f.reportIssued ? [] : [w(f)('lifecycle:guard.report')]);
// A patient is not sent a summary they cannot read: the coordinator attaches a reviewed translation first.
const needsTranslation = (f: GuardFacts) => (f.summaryTranslationMissing ? [w(f)('lifecycle:guard.translation', { language: languageName(f.summaryTranslationMissing, f.locale ?? 'en') })] : []);

interface CommandDef {
  label: string;
  from: readonly CaseStatus[];
  /** The target state; `null` means "the state before the hold". */
  to: CaseStatus | null;
  roles: readonly (Role | 'system')[];
  /** Returns the unmet conditions, in plain words (empty: the command may run). */
  guard: (f: GuardFacts) => string[];
}

const needsReason = (f: GuardFacts) => (f.preview || (f.reason && f.reason.trim().length >= 3) ? [] : [w(f)('lifecycle:guard.reason')]);
const mustBeCaseCoordinator = (f: GuardFacts) => (f.actorIsCoordinator ? [] : [w(f)('lifecycle:guard.coordinatorFirst')]);
const mustBePatientSide = (f: GuardFacts) =>
  f.actorRelations.some((r) => r === 'patient' || r === 'proxy' || r === 'referring') ? [] : [w(f)('lifecycle:guard.patientSideOnly')];
const mustBeAssignedExpert = (f: GuardFacts) => (f.actorRelations.includes('expert') ? [] : [w(f)('lifecycle:guard.assignedExpertOnly')]);

export const CASE_COMMANDS = {
  submit: {
    label: english('lifecycle:command.submit'), from: ['draft'], to: 'submitted', roles: ['patient', 'referring_physician'],
    guard: (f) => [
      ...mustBePatientSide(f),
      ...f.missingIntakeSections.map((s) => w(f)('lifecycle:guard.intakeStep', { step: w(f)(`events:step.${s}`, { keySeparator: false }) })),
      ...f.unsignedConsents.map((d) => w(f)('lifecycle:guard.sign', { document: w(f)(`lifecycle:consent.${d}`) })),
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
      ...mustBeCaseCoordinator(f), ...f.checklistOutstanding.map((item) => w(f)('lifecycle:guard.checklist', { item })),
      ...(f.unpaidBill ? [w(f)('lifecycle:guard.unpaidBill', { number: f.unpaidBill })] : []),
    ],
  },
  acceptAssignment: {
    label: english('lifecycle:command.acceptAssignment'), from: ['ready_for_review'], to: 'assigned', roles: ['expert'],
    guard: (f) => (f.offerPending ? [] : [w(f)('lifecycle:guard.offeredOnly')]),
  },
  assignExpert: {
    label: english('lifecycle:command.assignExpert'), from: ['ready_for_review'], to: 'assigned', roles: ['coordinator'],
    guard: (f) => {
      const c = f.expertCandidate;
      if (!c?.exists) return f.preview ? mustBeCaseCoordinator(f) : [w(f)('lifecycle:guard.chooseExpert')];
      return [
        ...mustBeCaseCoordinator(f),
        ...(c.isExpert ? [] : [w(f)('lifecycle:guard.notExpert')]),
        ...(c.active ? [] : [w(f)('lifecycle:guard.expertDisabled')]),
        ...(c.isPatientSide ? [w(f)('lifecycle:guard.conflict')] : []),
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
    guard: (f) => (f.actorRole === 'coordinator' ? mustBeCaseCoordinator(f) : f.actorRelations.includes('board_chair') ? [] : [w(f)('lifecycle:guard.chairOnly')]),
  },
  signOpinion: { label: english('lifecycle:command.signOpinion'), from: ['in_review', 'board'], to: 'opinion_signed', roles: ['expert'], guard: (f) => [...mustBeAssignedExpert(f), ...needsReport(f)] },
  deliver: { label: english('lifecycle:command.deliver'), from: ['opinion_signed'], to: 'delivered', roles: ['coordinator'], guard: (f) => [...mustBeCaseCoordinator(f), ...needsReport(f), ...needsTranslation(f)] },
  close: { label: english('lifecycle:command.close'), from: ['delivered'], to: 'closed', roles: ['coordinator'], guard: mustBeCaseCoordinator },
  closeAfterFollowup: {
    label: english('lifecycle:command.closeAfterFollowup'), from: ['delivered'], to: 'closed', roles: ['system'],
    guard: (f) => (f.followupEnded ? [] : [w(f)('lifecycle:guard.followup')]),
  },
  hold: {
    label: english('lifecycle:command.hold'), from: OPEN_STATUSES.filter((s) => s !== 'on_hold' && s !== 'draft'), to: 'on_hold', roles: ['coordinator'],
    guard: (f) => [...mustBeCaseCoordinator(f), ...needsReason(f)],
  },
  resume: {
    label: english('lifecycle:command.resume'), from: ['on_hold'], to: null, roles: ['coordinator'],
    guard: (f) => [...mustBeCaseCoordinator(f), ...(f.statusBeforeHold ? [] : [w(f)('lifecycle:guard.holdUnknown')])],
  },
  cancel: {
    label: english('lifecycle:command.cancel'), from: OPEN_STATUSES.filter((s) => s !== 'delivered' && s !== 'draft'), to: 'cancelled', roles: ['coordinator', 'patient', 'referring_physician'],
    guard: (f) => {
      if (f.actorRole === 'coordinator') return [...mustBeCaseCoordinator(f), ...needsReason(f)];
      const early = f.status === 'submitted';
      return [...mustBePatientSide(f), ...(early ? [] : [w(f)('lifecycle:guard.askCoordinator')]), ...needsReason(f)];
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
  const t = w(f);
  if (!def.roles.includes(f.actorRole)) return { ok: false, code: 'FORBIDDEN', unmet: [t('lifecycle:guard.role', { role: t(`lifecycle:role.${f.actorRole}`), action: t(`lifecycle:command.${command}`) })] };
  if (!def.from.includes(f.status)) return { ok: false, code: 'ILLEGAL_TRANSITION', unmet: [t('lifecycle:guard.state', { command: t(`lifecycle:command.${command}`), status: t(`lifecycle:status.${f.status}`) })] };
  const unmet = def.guard(f);
  if (unmet.length) return { ok: false, code: 'GUARD_FAILED', unmet };
  const to = def.to ?? f.statusBeforeHold;
  return to ? { ok: true, to } : { ok: false, code: 'GUARD_FAILED', unmet: [t('lifecycle:guard.holdUnknown')] };
}

/** The commands the actor could issue from this state (guards aside), for the UI's buttons. */
export function availableCommands(status: CaseStatus, role: Role): CaseCommand[] {
  return CASE_COMMAND_NAMES.filter((c) => {
    const def: CommandDef = CASE_COMMANDS[c];
    return def.roles.includes(role) && def.from.includes(status);
  });
}
