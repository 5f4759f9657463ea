import type { Actor } from '../core/context.ts';
import { caseGrantSql, grantPartsSql, type CaseRow } from '../core/access.ts';
import { mergedWalksSql } from '../core/walks.ts';
import type { Queryable } from '../core/db.ts';
import type { CaseRelation, CaseStatus } from './lifecycle.ts';
import { cappedCountSql, EXACT_UP_TO, estimatedRows, exactWhenShort, totalOfCount, worthCounting, type ListTotal, type RecentEstimates } from '../core/counting.ts';
import { AppError } from '../core/errors.ts';

/**
 * The reference people see for sequence number `n` (an SQL expression): C-2026-000123, six digits
 * at least and more once there have been a million cases (padding never cuts a number short).
 */
export const referenceOf = (n: string) => `'C-' || to_char(now(), 'YYYY') || '-' || lpad(${n}::text, greatest(6, length(${n}::text)), '0')`;

export async function insertCase(tx: Queryable, createdBy: string): Promise<CaseRow> {
  const [patient] = await tx.query<{ id: string }>('INSERT INTO patients DEFAULT VALUES RETURNING id');
  const [row] = await tx.query<CaseRow>(
    `INSERT INTO cases (reference, status, patient_id, created_by)
     VALUES ((SELECT ${referenceOf('n')} FROM nextval('case_reference_seq') n), 'draft', $1, $2) RETURNING *`,
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
     WHERE m.case_id = $1 AND m.revoked_at IS NULL AND (m.expires_at IS NULL OR m.expires_at > now()) ORDER BY m.added_at`, [caseId]);
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
  /** Where the previous page ended (`nextCursor`); takes the place of `page` when given. */
  cursor?: string;
}

/** The service-level states as moments, so the database filters on the stored due date. */
export interface SlaBounds {
  now: Date;
  /** A due date before this (and not yet passed) is at risk; from it on, on track. */
  onTrackFrom: Date;
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
  sla_due_at: Date | null;
  queued_key: string;
}

// Each sort is an index walk (migration 016); the id breaks ties so that every row has one place.
// 'expedited' sorts before 'standard', so urgency ascending puts expedited cases first.
const ORDERS = {
  oldest: { keys: ['c.queued_at', 'c.id'], desc: false },
  newest: { keys: ['c.queued_at', 'c.id'], desc: true },
  urgency: { keys: ['c.urgency', 'c.queued_at', 'c.id'], desc: false },
} as const;

interface Cursor {
  sort: CaseListFilter['sort'];
  urgency: string;
  queuedAt: string;
  id: string;
}

export const encodeCursor = (c: Cursor) => Buffer.from(JSON.stringify([c.sort, c.urgency, c.queuedAt, c.id])).toString('base64url');

function decodeCursor(token: string, sort: CaseListFilter['sort']): Cursor {
  try {
    const [s, urgency, queuedAt, id] = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as string[];
    if (s === sort && typeof urgency === 'string' && typeof queuedAt === 'string' && /^[0-9a-f-]{36}$/.test(id ?? '')) return { sort, urgency, queuedAt, id: id! };
  } catch {
    // falls through to the error below
  }
  throw new AppError('VALIDATION_FAILED', 'This list position is no longer valid; start again from the first page.');
}

const WHOLE_REFERENCE = /^C-\d{4}-\d{6,}$/i;

/**
 * A status or urgency (a word of a fixed list, checked by the route's schema) written into the
 * SQL rather than bound: each list shape is then one statement whose plan PostgreSQL keeps. Bound,
 * the plan had to be made again for every request, since how many cases a status holds decides it.
 */
function stateWord(word: string): string {
  if (!/^[a-z_]+$/.test(word)) throw new AppError('VALIDATION_FAILED', 'Unknown status or urgency.');
  return `'${word}'`;
}

/**
 * A page of the cases the actor holds a grant on, filtered and sorted, and the size of the whole
 * list (exact up to a thousand, estimated above). The page is found on `cases` alone through an
 * index that matches the sort, then joined for the rows shown.
 */
export async function queryCases(tx: Queryable, actor: Actor, asked: CaseListFilter, sla: SlaBounds, recent?: RecentEstimates): Promise<{ rows: CaseListRow[] } & ListTotal & { nextCursor: string | null }> {
  // The same statuses in any order are one list: one statement, one kept plan, one estimate.
  const f = asked.status ? { ...asked, status: [...new Set(asked.status)].sort() } : asked;
  const params: unknown[] = [actor.userId];
  // A deleted draft (cancelled before it was ever sent) is gone from every list.
  const where = [caseGrantSql(actor, 1), `NOT (c.status = 'cancelled' AND c.submitted_at IS NULL)`];
  const bind = (v: unknown) => {
    params.push(v);
    return `$${params.length}`;
  };
  if (f.status?.length) where.push(f.status.length === 1 ? `c.status = ${stateWord(f.status[0]!)}` : `c.status IN (${f.status.map(stateWord).join(', ')})`);
  if (f.urgency) where.push(`c.urgency = ${stateWord(f.urgency)}`);
  const now = sla.now.getTime();
  if (f.minAgeDays != null) where.push(`c.queued_at <= ${bind(new Date(now - f.minAgeDays * 86_400_000).toISOString())}`);
  if (f.maxAgeDays != null) where.push(`c.queued_at >= ${bind(new Date(now - f.maxAgeDays * 86_400_000).toISOString())}`);
  // A whole reference finds its case by the reference's own index: its trigrams ("c-2", "202", …)
  // are in every case's search text, so the trigram index would read them all.
  if (f.q && WHOLE_REFERENCE.test(f.q.trim())) where.push(`c.reference = ${bind(f.q.trim().toUpperCase())}`);
  else if (f.q) where.push(`c.search_text LIKE ${bind(`%${f.q.toLowerCase().replace(/[\\%_]/g, (m) => `\\${m}`)}%`)}`);
  const clock = clockBounds(sla, bind);
  if (f.sla) where.push(slaCondition(f.sla, clock.now, clock.onTrackFrom));
  // The list's estimate is the same list's whatever the page, sort or moment (its clock moves
  // the service-level bounds by seconds): those are left out of the key.
  const { page: _page, pageSize: _size, cursor: _cursor, sort: _sort, ...list } = f;
  const reuse = recent && { recent, key: JSON.stringify({ user: actor.userId, role: actor.role, list }) };
  const listWhere = [...where];
  const listFromWhere = `FROM cases c WHERE ${listWhere.join(' AND ')}`;
  const paramsOfList = params.length;
  const estimate = await estimatedRows(tx, listFromWhere, params, EXACT_UP_TO, reuse);
  // A short list is counted by the statement that reads its page; a long one is only estimated.
  // A service-level list is always counted, along its walks (see `listCount` below).
  const counting = worthCounting(estimate) || Boolean(f.sla);

  const order = ORDERS[f.sort];
  const dir = order.desc ? 'DESC' : 'ASC';
  let offset = (f.page - 1) * f.pageSize;
  if (f.cursor) {
    const c = decodeCursor(f.cursor, f.sort);
    const values = f.sort === 'urgency' ? [bind(c.urgency), `${bind(c.queuedAt)}::timestamptz`, `${bind(c.id)}::uuid`] : [`${bind(c.queuedAt)}::timestamptz`, `${bind(c.id)}::uuid`];
    where.push(`(${order.keys.join(', ')}) ${order.desc ? '<' : '>'} (${values.join(', ')})`);
    offset = 0;
  }
  const orderBy = order.keys.map((k) => `${k} ${dir}`).join(', ');
  // A service-level list is counted along its walks (running clocks, late deliveries: partial
  // indexes, a thousand entries at most). The planner cannot weigh a delivery date against a due
  // date: it took the late deliveries for a third of the table, so its estimate said "about
  // 31,700" for 361 overdue, and a count as one filter read the whole table (390 ms).
  const listCount = f.sla ? `(SELECT count(*)::int FROM (${walkSql(listWhere, orderBy, walkBranches(f, null, clock), EXACT_UP_TO + 1, 0)}) capped)` : cappedCountSql(listFromWhere);
  const read = async (shape: PageShape) => {
    // The whole list's count: the matches the page was sorted from, when they are the list, else a
    // count of its own. `matched` is read back only to see whether a capped search was cut short.
    const count = shape.matched && !f.cursor ? shape.matched : counting ? listCount : 'NULL::int';
    return tx.query<CaseListRow & { matched: number | null; list_total: number | null }>(
      `${shape.with}SELECT c.id, c.reference, c.status, c.urgency, p.given_name, p.family_name, c.intake->'condition'->>'description' AS condition,
         c.intake->'condition'->>'icd10Code' AS icd10, co.name AS coordinator_name, c.submitted_at, c.status_changed_at, c.created_at,
         c.ready_at, c.delivered_at, c.sla_due_at, c.queued_at::text AS queued_key, ${shape.capped ? shape.matched : 'NULL::int'} AS matched, ${count} AS list_total
       FROM (${shape.ids}) page
       JOIN cases c ON c.id = page.id JOIN patients p ON p.id = c.patient_id LEFT JOIN users co ON co.id = c.coordinator_id
       ORDER BY ${orderBy}`, params);
  };
  const walks = walkBranches(f, grantPartsSql(actor, 1), clock);
  let shape = pageOfIds(f, where, orderBy, offset, walks, counting);
  let found = await read(shape);
  let listed = found[0]?.list_total ?? null;
  if (found.length === 0 && (offset > 0 || f.cursor) && (counting || shape.capped)) {
    // Past the list's end: no row carried the count.
    const [row] = await tx.query<{ n: number }>(`SELECT ${listCount} AS n`, params.slice(0, paramsOfList));
    listed = row!.n;
  }
  if (shape.capped && (found[0]?.matched ?? listed ?? 0) > EXACT_UP_TO) {
    // More matches than a search sorts by itself: the walk in sort order finds the page instead.
    shape = pageOfIds(f, where, orderBy, offset, walks, false);
    found = await read(shape);
  }
  const counted = listed == null ? { total: estimate, estimated: true } : totalOfCount(listed, estimate);
  const rows: CaseListRow[] = found.map(({ matched: _m, list_total: _t, ...row }) => row);
  const last = rows.length === f.pageSize ? rows[rows.length - 1] : undefined;
  const total = f.cursor ? counted.total : exactWhenShort(counted.total, rows.length, f.pageSize, offset);
  return { rows, total, estimated: counted.estimated && total === counted.total, nextCursor: last ? encodeCursor({ sort: f.sort, urgency: last.urgency, queuedAt: last.queued_key, id: last.id }) : null };
}

/**
 * How a page's ids are found: `ids` (SQL) after `with`; `matched`, when the page is sorted from
 * a materialised set of the list's matches, counts them (a search reads at most one past
 * `EXACT_UP_TO` of them: `capped`).
 */
interface PageShape {
  with: string;
  ids: string;
  matched: string | null;
  capped: boolean;
}

/**
 * The ids of one page, by the plan that stays an index walk for the filter at hand: one walk per
 * status asked for and per part of a service-level state (see `mergedWalksSql`), each on an index
 * that holds the sort and the filter's columns, or else the walk in sort order, filtering as it goes.
 */
function pageOfIds(f: CaseListFilter, where: string[], orderBy: string, offset: number, walks: string[], fewMatches: boolean): PageShape {
  // A search expected to match few (the planner's estimate, checked by the count): the matches
  // first (trigram index), counted and sorted in the same statement. A walk in sort order would
  // pass every older case until it met them: most of the table for a rare word. A common word is
  // met early in any order, its matches are too many to fetch and sort, and the walk tests the
  // text in the index (it carries the search text). Due soon, likewise: a window of a few
  // business days' due dates, found through the due-date index, where a walk in queue order would
  // first pass every overdue case.
  const searchFirst = Boolean(f.q && fewMatches && !f.sla);
  if (searchFirst || f.sla === 'at_risk') {
    const matching = `SELECT c.id, c.urgency, c.queued_at FROM cases c WHERE ${where.join(' AND ')}${searchFirst ? ` LIMIT ${EXACT_UP_TO + 1}` : ' ORDER BY c.sla_due_at'}`;
    return {
      with: `WITH matching AS MATERIALIZED (${matching}) `,
      ids: `SELECT c.id FROM matching c ORDER BY ${orderBy} LIMIT ${f.pageSize} OFFSET ${offset}`,
      matched: '(SELECT count(*)::int FROM matching)',
      capped: searchFirst,
    };
  }
  return { with: '', ids: walkSql(where, orderBy, walks, f.pageSize, offset), matched: null, capped: false };
}

/** The list's ids in sort order, from `offset`, at most `limit`: one index walk per branch (see `walkBranches`). */
function walkSql(where: string[], orderBy: string, branches: string[], limit: number, offset: number): string {
  return mergedWalksSql({ select: 'c.id, c.urgency, c.queued_at', from: 'FROM cases c', alias: 'c', where, branches, orderBy, limit, offset });
}

/**
 * The walks a list is read by: one per status asked for and per part of a service-level state;
 * a list of every status (or by urgency, age or words alone) walks a coordinator's own cases and
 * the pool apart (`grantParts`), each on its own index, so a page costs the page and not the other
 * coordinators' cases. A status list keeps its walk by status: few cases, whoever has them.
 */
function walkBranches(f: CaseListFilter, grantParts: readonly string[] | null, clock: ClockBounds): string[] {
  const statuses = (f.status?.length ?? 0) > 1 ? f.status!.map((status) => `c.status = ${stateWord(status)}`) : [''];
  const clocks = f.sla ? slaBranches(f.sla, clock.now, clock.onTrackFrom) : [''];
  const branches = statuses.flatMap((s) => clocks.map((c) => [s, c].filter(Boolean).join(' AND '))).filter(Boolean);
  if (branches.length || f.status?.length || !grantParts) return branches;
  return [...grantParts];
}

interface ClockBounds {
  now: () => string;
  onTrackFrom: () => string;
}

/**
 * The service-level bounds as SQL, each bound once and only when used (PostgreSQL refuses a
 * parameter it cannot place), and read through a one-row subquery: a bare parameter lets the
 * planner see the moment, so it planned the list again for every request (a new moment each
 * time, 0.7 ms of planning for 0.3 ms of work); behind the subquery the plan is the same for any
 * moment and the kept one is used.
 */
function clockBounds(sla: SlaBounds, bind: (v: unknown) => string): ClockBounds {
  const once = (moment: Date) => {
    let sql: string | undefined;
    return () => (sql ??= `(SELECT ${bind(moment.toISOString())}::timestamptz)`);
  };
  return { now: once(sla.now), onTrackFrom: once(sla.onTrackFrom) };
}

/**
 * The clock's states as conditions on the stored due date (see `slaClock` for the same rules on
 * one case), as disjoint parts: a running clock (delivered_at IS NULL, ready_at set: the partial
 * indexes' condition, a program's open caseload however long its history) and, for a missed due
 * date, the cases delivered late. Parameters are bound only when used: PostgreSQL refuses a
 * parameter it cannot place.
 */
function slaBranches(state: NonNullable<CaseListFilter['sla']>, now: () => string, onTrackFrom: () => string): string[] {
  const running = 'c.delivered_at IS NULL AND c.ready_at IS NOT NULL';
  switch (state) {
    case 'breached': return [`${running} AND c.sla_due_at < ${now()}`, 'c.ready_at IS NOT NULL AND c.delivered_at > c.sla_due_at'];
    case 'at_risk': return [`${running} AND c.sla_due_at >= ${now()} AND c.sla_due_at < ${onTrackFrom()}`];
    case 'on_track': return [`${running} AND c.sla_due_at >= ${onTrackFrom()}`];
  }
}

const slaCondition = (...args: Parameters<typeof slaBranches>) => `(${slaBranches(...args).map((b) => `(${b})`).join(' OR ')})`;

/**
 * Stamps the service-level clock when a case changes state: ready for review starts it (and
 * sets the due date on the calendar in force), delivery stops it.
 */
export async function stampClock(tx: Queryable, caseId: string, to: CaseStatus, dueAfter: (readyAt: Date, urgency: 'standard' | 'expedited') => { dueAt: Date; calendar: string }): Promise<void> {
  if (to === 'delivered') await tx.query('UPDATE cases SET delivered_at = now() WHERE id = $1', [caseId]);
  if (to !== 'ready_for_review') return;
  const [row] = await tx.query<{ ready_at: Date; urgency: 'standard' | 'expedited' }>('UPDATE cases SET ready_at = now(), delivered_at = NULL WHERE id = $1 RETURNING ready_at, urgency', [caseId]);
  await setDueDate(tx, caseId, dueAfter(new Date(row!.ready_at), row!.urgency));
}

export async function setDueDate(tx: Queryable, caseId: string, due: { dueAt: Date; calendar: string }): Promise<void> {
  await tx.query('UPDATE cases SET sla_due_at = $2, sla_calendar = $3 WHERE id = $1', [caseId, due.dueAt.toISOString(), due.calendar]);
}
