/**
 * Roles and what each may do. This table is the role half of every access decision; the other
 * half is the grant on the case (see `core/access.ts`). Both must allow an action.
 */
export const ROLES = ['patient', 'referring_physician', 'coordinator', 'expert', 'board_chair', 'admin', 'interpreter'] as const;
export type Role = (typeof ROLES)[number];

/** Every role but the patient's works with other people's health data, so MFA is required. */
export const STAFF_ROLES: readonly Role[] = ['referring_physician', 'coordinator', 'expert', 'board_chair', 'admin', 'interpreter'];
export const isStaff = (role: Role) => STAFF_ROLES.includes(role);

export const ROLE_LABELS: Record<Role, string> = {
  patient: 'Patient or caregiver',
  referring_physician: 'Referring physician',
  coordinator: 'Coordinator',
  expert: 'Expert reviewer',
  board_chair: 'Board chair',
  admin: 'Administrator',
  interpreter: 'Medical interpreter',
};

const PERMISSIONS = {
  'case.create': ['patient', 'referring_physician'],
  'case.list': ['patient', 'referring_physician', 'coordinator', 'expert', 'board_chair'],
  'case.read': ['patient', 'referring_physician', 'coordinator', 'expert', 'board_chair'],
  'case.intake.write': ['patient', 'referring_physician'],
  'case.consent.sign': ['patient'],
  'case.proxy.manage': ['patient'],
  'case.accessLog.read': ['patient', 'coordinator'],
  'case.transition': ['patient', 'referring_physician', 'coordinator', 'expert', 'board_chair'],
  'case.urgency.set': ['coordinator'],
  'case.records.read': ['patient', 'referring_physician', 'coordinator', 'expert', 'board_chair'],
  'case.records.write': ['patient', 'referring_physician', 'coordinator'],
  'case.records.curate': ['coordinator'],
  'case.imaging.annotate': ['coordinator', 'expert', 'board_chair'],
  'case.imaging.export': ['coordinator', 'expert', 'board_chair'],
  'case.opinion.write': ['expert'],
  'case.trials.read': ['coordinator', 'expert', 'board_chair'],
  'trials.manage': ['admin'],
  'knowledge.review': ['admin'],
  'fees.manage': ['admin'],
  /** Billed, paid, waived and outstanding in aggregate, per month and service line. */
  'billing.report': ['admin'],
  // Costs, coverage and what the insurer said: the patient side and the coordinator, not the reviewers.
  'case.billing.read': ['patient', 'referring_physician', 'coordinator'],
  /** Draft, issue, void and write off invoices, record payments. */
  'case.billing.manage': ['coordinator'],
  /** Ask for help with a bill (a hardship waiver). */
  'case.billing.hardship': ['patient'],
  /** Add or remove photos of the insurance card (read with case.billing.read). */
  'case.billing.card': ['patient', 'referring_physician', 'coordinator'],
  /** Pay a bill online (when the program takes payments online). */
  'case.billing.pay': ['patient'],
  'case.opinion.read': ['patient', 'referring_physician', 'coordinator', 'expert', 'board_chair'],
  /** Attach a reviewed translation of the patient summary to an issued report. */
  'case.opinion.translate': ['coordinator'],
  'case.followup.write': ['patient', 'expert'],
  'case.survey.write': ['patient'],
  'outcomes.read': ['coordinator', 'admin'],
  'experts.list': ['coordinator', 'admin', 'board_chair'],
  'experts.manage': ['admin'],
  'experts.own': ['expert'],
  'case.experts.match': ['coordinator'],
  'case.board.confirm': ['coordinator'],
  /** Schedule board sessions, build agendas from confirmed proposals, invite members. */
  'board.manage': ['board_chair'],
  /** Sit on board sessions one is invited to. */
  'board.sit': ['expert', 'board_chair'],
  /** Join the video visits one is booked into as interpreter (no case records). */
  'visits.interpret': ['interpreter'],
  /** Book an interpreter into a visit: find interpreters by language. */
  'interpreters.list': ['coordinator', 'admin'],
  'audit.read': ['admin'],
  'users.manage': ['admin'],
  'mail.read': ['admin'],
} as const satisfies Record<string, readonly Role[]>;

export type Permission = keyof typeof PERMISSIONS;

/** True when the role may perform the action at all (before any case grant is considered). */
export function roleAllows(role: Role, permission: Permission): boolean {
  return (PERMISSIONS[permission] as readonly Role[]).includes(role);
}

export const PERMISSION_TABLE: Readonly<Record<Permission, readonly Role[]>> = PERMISSIONS;
