import type { CaseRelation, CaseStatus } from '../cases/lifecycle.ts';
import { recordAudit, recordAuditNow, type AuditInput } from './audit.ts';
import { roleAllows, type Permission } from './auth/roles.ts';
import type { Actor, RequestMeta } from './context.ts';
import type { Db, Queryable } from './db.ts';
import { AppError, notFound } from './errors.ts';

/**
 * The one access check for health data. A case is reachable only when the actor's role permits
 * the action AND the actor holds a grant on that case. Anything else answers 404 (the case's
 * existence is itself health data) and leaves a "denied" audit event. Every service that touches
 * case data goes through `openCase` or filters lists with `caseGrantSql`, so no route can forget.
 */

export interface CaseRow {
  id: string;
  reference: string;
  status: CaseStatus;
  status_before_hold: CaseStatus | null;
  urgency: 'standard' | 'expedited';
  urgency_reason: string | null;
  patient_id: string;
  created_by: string;
  coordinator_id: string | null;
  /** The assigned expert who issues the combined report. */
  lead_expert_id: string | null;
  intake: Record<string, unknown>;
  /** Answers carried over from the public assessment, when the case started there. */
  assessment_answers: Record<string, unknown> | null;
  submitted_at: Date | null;
  /** The fees the request keeps from when it was sent (null: sent before any were set, or a draft). */
  fee_schedule_version: number | null;
  status_changed_at: Date;
  created_at: Date;
  updated_at: Date;
}

/**
 * The columns of a `CaseRow`, named: a statement that reads `*` is never prepared (a migration
 * adding a column would change a kept plan's result), and this one runs in every request about a
 * case. The type checks that every field of `CaseRow` is read, and nothing else.
 */
const CASE_ROW_COLUMNS = ['id', 'reference', 'status', 'status_before_hold', 'urgency', 'urgency_reason', 'patient_id', 'created_by', 'coordinator_id',
  'lead_expert_id', 'intake', 'assessment_answers', 'submitted_at', 'fee_schedule_version', 'status_changed_at', 'created_at', 'updated_at'] as const satisfies readonly (keyof CaseRow)[];
const everyCaseRowColumn: Exclude<keyof CaseRow, (typeof CASE_ROW_COLUMNS)[number]> extends never ? true : never = true;
const CASE_ROW_SELECT = everyCaseRowColumn && `SELECT ${CASE_ROW_COLUMNS.join(', ')} FROM cases WHERE id = $1`;

export interface OpenedCase {
  row: CaseRow;
  relations: CaseRelation[];
}

const RELATIONS_FOR_ROLE: Record<string, CaseRelation[]> = {
  patient: ['patient', 'proxy'],
  referring_physician: ['referring'],
  expert: ['expert', 'board_member'],
  board_chair: ['board_chair', 'board_member'],
};

/** What a grant as a board member allows: reading the case, its records and its images. */
const BOARD_MEMBER_MAY: readonly Permission[] = ['case.read', 'case.list', 'case.records.read'];

/** A grant in force: not revoked, and not past its end (a board member's lasts until the session ends). */
const GRANT_IN_FORCE = 'm.revoked_at IS NULL AND (m.expires_at IS NULL OR m.expires_at > now())';

/**
 * States of a case no coordinator has taken that are not in the shared pool: not sent yet, or over.
 * The queue's indexes leave these cases out (migrations 045, 048): a change here changes them too.
 */
const OUTSIDE_POOL: readonly CaseStatus[] = ['draft', 'cancelled', 'closed'];

/**
 * Whether an actor holds a grant on a case. Coordinators hold the cases they coordinate, and the
 * shared intake pool: cases sent in, not ended, that no coordinator has taken yet.
 */
export function holdsGrant(actor: Actor, row: Pick<CaseRow, 'status' | 'coordinator_id'>, relations: CaseRelation[]): boolean {
  if (actor.role === 'coordinator') return row.coordinator_id === actor.userId || (row.coordinator_id === null && !OUTSIDE_POOL.includes(row.status));
  const allowed = RELATIONS_FOR_ROLE[actor.role] ?? [];
  return relations.some((r) => allowed.includes(r));
}

/**
 * The same rule as `holdsGrant`, as an SQL condition on `cases c` for list queries. The actor's
 * id is bound as parameter `$n`.
 */
export function caseGrantSql(actor: Actor, n: number): string {
  const parts = grantPartsSql(actor, n);
  if (parts) return `(${parts.join(' OR ')})`;
  const rel = RELATIONS_FOR_ROLE[actor.role];
  if (!rel) return noCaseSql(n);
  return `EXISTS (SELECT 1 FROM case_members m WHERE m.case_id = c.id AND m.user_id = $${n} AND ${GRANT_IN_FORCE} AND m.relation IN (${rel.map((r) => `'${r}'`).join(',')}))`;
}

/**
 * A coordinator's grant in its two disjoint parts, their own cases and the shared pool (each with
 * indexes of its own: migration 048), for lists that walk them apart; null for other roles.
 */
export function grantPartsSql(actor: Actor, n: number): [own: string, pool: string] | null {
  if (actor.role !== 'coordinator') return null;
  return [`c.coordinator_id = $${n}`, `(c.coordinator_id IS NULL AND c.status NOT IN (${OUTSIDE_POOL.map((s) => `'${s}'`).join(', ')}))`];
}

/** A condition that matches no case but still takes the bound id `$n` (PostgreSQL refuses an unused parameter). */
export const noCaseSql = (n: number) => `($${n}::uuid IS NULL)`;

/** Thrown inside a transaction when access is refused; `withCaseTx` records it after rollback. */
export class AccessDenied extends Error {
  readonly audit: AuditInput;
  constructor(audit: AuditInput) {
    super('access denied');
    this.audit = audit;
  }
}

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Loads a case for an action, checking role and grant. With `audit`, records the access in the
 * same transaction (reads name the action, e.g. "case.read").
 */
export async function openCase(
  tx: Queryable, actor: Actor, caseId: string, permission: Permission, meta: RequestMeta,
  opts: { forUpdate?: boolean; auditAction?: string } = {},
): Promise<OpenedCase> {
  const deny = (): never => {
    throw new AccessDenied({ actor, meta, action: opts.auditAction ?? permission, entityType: 'Case', entityId: caseId.slice(0, 64), caseId: UUID_RE.test(caseId) ? caseId : null, outcome: 'denied' });
  };
  if (!UUID_RE.test(caseId)) deny();
  const rows = await tx.query<CaseRow>(`${CASE_ROW_SELECT}${opts.forUpdate ? ' FOR UPDATE' : ''}`, [caseId]);
  const row = rows[0];
  if (!row) deny();
  const relations = (await tx.query<{ relation: CaseRelation }>(
    `SELECT m.relation FROM case_members m WHERE m.case_id = $1 AND m.user_id = $2 AND ${GRANT_IN_FORCE}`, [caseId, actor.userId])).map((r) => r.relation);
  if (!roleAllows(actor.role, permission) || !holdsGrant(actor, row!, relations)) deny();
  // A board member's grant is for looking at the case in the meeting, not for working on it.
  if (relations.length > 0 && relations.every((r) => r === 'board_member') && !BOARD_MEMBER_MAY.includes(permission)) deny();
  if (opts.auditAction) await recordAudit(tx, { actor, meta, action: opts.auditAction, entityType: 'Case', entityId: caseId, caseId });
  return { row: row!, relations };
}

let everyCaseVersion = 0;
const caseVersions = new Map<string, number>();
const bump = (caseId?: string) => {
  if (!caseId) everyCaseVersion++;
  else caseVersions.set(caseId, (caseVersions.get(caseId) ?? 0) + 1);
};

/**
 * Marks that who may see a case (or, without one, any case) may have changed: a membership
 * ended, a state or coordinator changed. Access decisions kept for a viewer's many reads are
 * dropped, at once and again when the transaction commits. Every case event calls it for its
 * case, and so does every grant ended without one.
 */
export function caseAccessChanged(tx?: Queryable, caseId?: string): void {
  bump(caseId);
  tx?.afterCommit?.(`case-access-changed:${caseId ?? '*'}`, () => bump(caseId));
}
/** Changes with every `caseAccessChanged` for this case or for all: a decision kept under another value is stale. */
export const caseAccessVersion = (caseId: string): string => `${everyCaseVersion}:${caseVersions.get(caseId) ?? 0}`;

/**
 * Runs case work in a transaction. A refused access rolls the work back, is recorded as a
 * "denied" audit event, and reaches the caller as a plain 404.
 */
export function withCaseTx<T>(db: Db, fn: (tx: Queryable) => Promise<T>): Promise<T> {
  return deniedAsNotFound(db, () => db.transaction(fn));
}

/**
 * `withCaseTx` for work that only reads (and records its audit events): no transaction, as
 * `Db.reading`; a refused access is recorded and answered the same way.
 */
export function withCaseRead<T>(db: Db, fn: (q: Queryable) => Promise<T>): Promise<T> {
  return deniedAsNotFound(db, () => db.reading(fn));
}

async function deniedAsNotFound<T>(db: Db, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (err) {
    if (err instanceof AccessDenied) {
      await recordAuditNow(db, err.audit);
      throw notFound('This case');
    }
    if (err instanceof AppError && err.extra.auditFailure) {
      await recordAuditNow(db, err.extra.auditFailure as AuditInput);
      delete err.extra.auditFailure;
    }
    throw err;
  }
}
