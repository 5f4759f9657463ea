import type { Actor } from '../core/context.ts';
import { caseGrantSql, type CaseRow } from '../core/access.ts';
import type { Queryable } from '../core/db.ts';
import type { CaseRelation, CaseStatus } from './lifecycle.ts';

export async function insertCase(tx: Queryable, createdBy: string): Promise<CaseRow> {
  const [patient] = await tx.query<{ id: string }>('INSERT INTO patients DEFAULT VALUES RETURNING id');
  const [row] = await tx.query<CaseRow>(
    `INSERT INTO cases (reference, status, patient_id, created_by)
     VALUES ('C-' || to_char(now(), 'YYYY') || '-' || lpad(nextval('case_reference_seq')::text, 6, '0'), 'draft', $1, $2) RETURNING *`,
    [patient!.id, createdBy]);
  return row!;
}

export async function addMember(tx: Queryable, caseId: string, userId: string, relation: CaseRelation, addedBy: string, relationship?: string): Promise<void> {
  await tx.query(
    `INSERT INTO case_members (case_id, user_id, relation, added_by, relationship) VALUES ($1,$2,$3,$4,$5)
     ON CONFLICT (case_id, user_id, relation) DO UPDATE SET revoked_at = NULL, added_at = now(), added_by = $4, relationship = $5`,
    [caseId, userId, relation, addedBy, relationship ?? null]);
  // The first expert to join leads the review until the coordinator names another.
  if (relation === 'expert') await tx.query('UPDATE cases SET lead_expert_id = $2 WHERE id = $1 AND lead_expert_id IS NULL', [caseId, userId]);
}

export interface MemberView {
  userId: string;
  name: string;
  email: string;
  relation: CaseRelation;
  relationship: string | null;
  addedAt: string;
}

export async function listMembers(tx: Queryable, caseId: string): Promise<MemberView[]> {
  const rows = await tx.query<{ user_id: string; name: string; email: string; relation: CaseRelation; relationship: string | null; added_at: Date }>(
    `SELECT m.user_id, u.name, u.email, m.relation, m.relationship, m.added_at FROM case_members m JOIN users u ON u.id = m.user_id
     WHERE m.case_id = $1 AND m.revoked_at IS NULL ORDER BY m.added_at`, [caseId]);
  return rows.map((r) => ({ userId: r.user_id, name: r.name, email: r.email, relation: r.relation, relationship: r.relationship, addedAt: new Date(r.added_at).toISOString() }));
}

export interface CaseListFilter {
  status?: CaseStatus[];
  urgency?: 'standard' | 'expedited';
  minAgeDays?: number;
  maxAgeDays?: number;
  q?: string;
  sort: 'oldest' | 'newest' | 'urgency';
  sla?: 'on_track' | 'at_risk' | 'breached';
  page: number;
  pageSize: number;
}

export interface CaseListRow {
  id: string;
  reference: string;
  status: CaseStatus;
  urgency: 'standard' | 'expedited';
  given_name: string | null;
  family_name: string | null;
  condition: string | null;
  icd10: string | null;
  coordinator_name: string | null;
  submitted_at: Date | null;
  status_changed_at: Date;
  created_at: Date;
  ready_at: Date | null;
  delivered_at: Date | null;
}

/** A page of the cases the actor holds a grant on, filtered and sorted. */
export async function queryCases(tx: Queryable, actor: Actor, f: CaseListFilter, now: Date): Promise<{ rows: CaseListRow[]; total: number }> {
  const params: unknown[] = [actor.userId];
  // A deleted draft (cancelled before it was ever sent) is gone from every list.
  const where = [caseGrantSql(actor, 1), `NOT (c.status = 'cancelled' AND c.submitted_at IS NULL)`];
  const bind = (v: unknown) => {
    params.push(v);
    return `$${params.length}`;
  };
  if (f.status?.length) where.push(`c.status = ANY(${bind(f.status)}::text[])`);
  if (f.urgency) where.push(`c.urgency = ${bind(f.urgency)}`);
  // Age is counted from submission (a draft's age from its creation).
  const ageStart = 'coalesce(c.submitted_at, c.created_at)';
  if (f.minAgeDays != null) where.push(`${ageStart} <= ${bind(new Date(now.getTime() - f.minAgeDays * 86_400_000).toISOString())}`);
  if (f.maxAgeDays != null) where.push(`${ageStart} >= ${bind(new Date(now.getTime() - f.maxAgeDays * 86_400_000).toISOString())}`);
  if (f.q) {
    const like = bind(`%${f.q.toLowerCase().replace(/[\\%_]/g, (m) => `\\${m}`)}%`);
    where.push(`(lower(c.reference) LIKE ${like} OR lower(coalesce(p.given_name,'') || ' ' || coalesce(p.family_name,'')) LIKE ${like}
      OR lower(coalesce(c.intake->'condition'->>'description','')) LIKE ${like} OR lower(coalesce(c.intake->'condition'->>'icd10Code','')) LIKE ${like})`);
  }
  const order = { oldest: `${ageStart} ASC, c.id`, newest: `${ageStart} DESC, c.id`, urgency: `(c.urgency = 'expedited') DESC, ${ageStart} ASC, c.id` }[f.sort];
  const from = `FROM cases c JOIN patients p ON p.id = c.patient_id LEFT JOIN users co ON co.id = c.coordinator_id WHERE ${where.join(' AND ')}`;
  const [count] = await tx.query<{ total: number }>(`SELECT count(*)::int AS total ${from}`, params);
  const rows = await tx.query<CaseListRow>(
    `SELECT c.id, c.reference, c.status, c.urgency, p.given_name, p.family_name, c.intake->'condition'->>'description' AS condition,
       c.intake->'condition'->>'icd10Code' AS icd10, co.name AS coordinator_name, c.submitted_at, c.status_changed_at, c.created_at,
       (SELECT max(e.at) FROM case_events e WHERE e.case_id = c.id AND e.to_status = 'ready_for_review') AS ready_at,
       (SELECT max(e.at) FROM case_events e WHERE e.case_id = c.id AND e.to_status = 'delivered') AS delivered_at
     ${from} ORDER BY ${order} LIMIT ${f.pageSize} OFFSET ${(f.page - 1) * f.pageSize}`, params);
  return { rows, total: count?.total ?? 0 };
}
