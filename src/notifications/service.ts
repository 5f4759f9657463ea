import { recordAudit, recordCaseReads } from '../core/audit.ts';
import { caseGrantSql } from '../core/access.ts';
import { roleAllows } from '../core/auth/roles.ts';
import type { Actor, RequestMeta } from '../core/context.ts';
import { SYSTEM_META } from '../core/context.ts';
import type { Queryable } from '../core/db.ts';
import type { Deps } from '../core/deps.ts';
import { enqueueMail } from '../core/mail.ts';
import { DELIVERED_STATES, PATIENT_SIDE_RELATIONS, type CaseRelation, type CaseStatus } from '../cases/lifecycle.ts';
import type { CaseEventType } from '../events/catalog.ts';
import { NOTICE_PAGES, NOTIFICATION_RULES, REFRESH_ONLY, type Audience, type NoticeKind, type NoticeRule } from './rules.ts';
import { announce } from './live.ts';
import { renderNotice, type NoticeParams } from './templates.ts';

interface EventRow {
  id: string;
  case_id: string;
  type: CaseEventType;
  to_status: CaseStatus | null;
  detail: Record<string, unknown>;
  actor_id: string | null;
  actor_role: string | null;
  actor_name: string | null;
  reference: string;
  status: CaseStatus;
  coordinator_id: string | null;
}

interface Recipient {
  id: string;
  email: string;
  locale: string;
}

const PATIENT_SIDE_ROLES = ['patient', 'referring_physician'];

function sideOf(role: string | null): 'patient' | 'staff' | null {
  if (!role) return null;
  return PATIENT_SIDE_ROLES.includes(role) ? 'patient' : 'staff';
}

/** What a notice says beyond its kind, taken from the event (never free text, never health data). */
function paramsOf(e: EventRow): NoticeParams {
  const d = e.detail;
  const p: NoticeParams = {};
  if (e.to_status) p.status = e.to_status;
  if (e.type.startsWith('offer.')) p.outcome = e.type.slice('offer.'.length) as NoticeParams['outcome'];
  if (typeof d.role === 'string') p.role = d.role;
  if (typeof d.respondBy === 'string') p.respondBy = d.respondBy;
  if (typeof d.dueAt === 'string') p.dueAt = d.dueAt;
  if (typeof d.reoffered === 'boolean') p.reoffered = d.reoffered;
  if (typeof d.businessDays === 'number') p.businessDays = d.businessDays;
  return p;
}

const ACTIVE = 'u.disabled_at IS NULL';
const MEMBERS = `SELECT u.id, u.email, u.locale FROM case_members m JOIN users u ON u.id = m.user_id
   WHERE m.case_id = $1 AND m.revoked_at IS NULL AND m.relation = ANY($2::text[]) AND ${ACTIVE}`;
const REVIEWERS: readonly CaseRelation[] = ['expert', 'board_chair'];

async function audience(tx: Queryable, e: EventRow, who: Audience): Promise<Recipient[]> {
  switch (who) {
    case 'patientSide':
      return tx.query<Recipient>(MEMBERS, [e.case_id, PATIENT_SIDE_RELATIONS]);
    case 'patientAndCarers':
      return tx.query<Recipient>(MEMBERS, [e.case_id, ['patient', 'proxy']]);
    case 'experts':
      return tx.query<Recipient>(MEMBERS, [e.case_id, REVIEWERS]);
    case 'coordinator':
      return e.coordinator_id
        ? tx.query<Recipient>(`SELECT u.id, u.email, u.locale FROM users u WHERE u.id = $1 AND ${ACTIVE}`, [e.coordinator_id])
        : tx.query<Recipient>(`SELECT u.id, u.email, u.locale FROM users u WHERE u.role = 'coordinator' AND ${ACTIVE}`);
    case 'namedExpert':
      return typeof e.detail.expertId === 'string'
        ? tx.query<Recipient>(`SELECT u.id, u.email, u.locale FROM users u WHERE u.id = $1 AND ${ACTIVE}`, [e.detail.expertId])
        : [];
    case 'otherSide': {
      const side = sideOf(e.actor_role);
      if (side === 'patient') return [...(await audience(tx, e, 'coordinator')), ...(await audience(tx, e, 'experts'))];
      return side === 'staff' ? audience(tx, e, 'patientSide') : [];
    }
  }
}

function applies(rule: NoticeRule, e: EventRow): boolean {
  if (rule.actorSide && sideOf(e.actor_role) !== rule.actorSide) return false;
  if (rule.afterDelivery && !DELIVERED_STATES.includes(e.status)) return false;
  if (rule.actorRole && e.actor_role !== rule.actorRole) return false;
  if (rule.materialTo && e.detail.to !== rule.materialTo) return false;
  return true;
}

/**
 * Notifications: the dispatcher that turns a case's domain events into notices for people (in
 * the app, and by mail where the rule says so), and each person's list of them.
 */
export function notificationsService(deps: Deps & { followupDays: number }) {
  const { db, config } = deps;
  /** A notice in the reader's words, for one case (the mail's link is the page the notice opens). */
  const wordsFor = (kind: NoticeKind, locale: string, params: NoticeParams, on: { reference: string; caseId: string; actorName: string | null }) =>
    renderNotice(kind, locale, params, { reference: on.reference, url: `${config.publicUrl}${NOTICE_PAGES[kind](on.caseId)}`, followupDays: deps.followupDays, actorName: on.actorName });

  /** Adds one notice; false when this event already produced it (a retried dispatch). */
  async function deliverNotice(tx: Queryable, e: EventRow, rule: NoticeRule, person: Recipient, params: NoticeParams): Promise<boolean> {
    if (rule.coalesce) {
      // The unread notice folds the new event in and moves to the top (it is written anew, so the
      // newest activity comes first); a retried dispatch finds its own event already folded in.
      const [prev] = await tx.query<{ id: string; event_id: string; count: number }>(
        `SELECT id, event_id::text, coalesce((params->>'count')::int, 1) AS count FROM notifications
         WHERE user_id = $1 AND case_id = $2 AND kind = $3 AND read_at IS NULL ORDER BY id DESC LIMIT 1 FOR UPDATE`, [person.id, e.case_id, rule.notice]);
      if (prev && prev.event_id === String(e.id)) return false;
      if (prev) {
        await tx.query('DELETE FROM notifications WHERE id = $1', [prev.id]);
        await tx.query(`INSERT INTO notifications (user_id, case_id, event_id, kind, params) VALUES ($1,$2,$3,$4,$5)`,
          [person.id, e.case_id, e.id, rule.notice, JSON.stringify({ ...params, count: prev.count + 1 })]);
        return false;
      }
    }
    const inserted = await tx.query(
      `INSERT INTO notifications (user_id, case_id, event_id, kind, params) VALUES ($1,$2,$3,$4,$5)
       ON CONFLICT (event_id, user_id, kind) DO NOTHING RETURNING id`, [person.id, e.case_id, e.id, rule.notice, JSON.stringify(params)]);
    return inserted.length > 0;
  }

  return {
    /** Job: the notices one event owes, each person once, in one transaction with their mail. */
    async dispatch(eventId: string): Promise<void> {
      await db.transaction(async (tx) => {
        const [e] = await tx.query<EventRow>(
          `SELECT e.id, e.case_id, e.type, e.to_status, e.detail, e.actor_id, u.role AS actor_role, u.name AS actor_name,
                  c.reference, c.coordinator_id,
                  -- The case's state when the event happened, not when the notice goes out: a
                  -- translation attached before delivery is not news after it.
                  coalesce((SELECT t.to_status FROM case_events t WHERE t.case_id = e.case_id AND t.id <= e.id AND t.to_status IS NOT NULL ORDER BY t.id DESC LIMIT 1), c.status) AS status
           FROM case_events e JOIN cases c ON c.id = e.case_id LEFT JOIN users u ON u.id = e.actor_id WHERE e.id = $1`, [eventId]);
        if (!e) return;
        const params = paramsOf(e);
        let sent = 0;
        for (const rule of NOTIFICATION_RULES[e.type] ?? []) {
          if (!applies(rule, e)) continue;
          const people = new Map<string, Recipient>();
          for (const who of rule.to) for (const p of await audience(tx, e, who)) if (p.id !== e.actor_id || rule.confirmsToActor) people.set(p.id, p);
          for (const person of people.values()) {
            const added = await deliverNotice(tx, e, rule, person, params);
            // Open pages refresh whether the notice is new or folded into an unread one.
            await announce(tx, person.id, { caseId: e.case_id, kind: rule.notice });
            if (!added) continue;
            sent++;
            if (!rule.mail) continue;
            const text = wordsFor(rule.notice, person.locale, params, { reference: e.reference, caseId: e.case_id, actorName: e.actor_name });
            await enqueueMail(tx, { kind: rule.notice, to: person.email, subject: text.subject, text: text.text });
          }
        }
        const refreshed = new Set<string>();
        for (const who of REFRESH_ONLY[e.type] ?? []) {
          for (const p of await audience(tx, e, who)) {
            if (refreshed.has(p.id)) continue;
            refreshed.add(p.id);
            await announce(tx, p.id, { caseId: e.case_id, kind: 'refresh' });
          }
        }
        if (sent) await recordAudit(tx, { actor: null, meta: SYSTEM_META, action: 'notification.send', entityType: 'Case', entityId: e.case_id, caseId: e.case_id, detail: { count: sent } });
      });
    },

    /**
     * A person's notices, newest first, in their language. Notices of cases they can no longer
     * open (a caregiver removed, a case handed to another coordinator) are not shown.
     */
    async list(actor: Actor, meta: RequestMeta, q: { unread?: boolean; before?: number; limit: number }) {
      return db.transaction(async (tx) => {
        const visible = visibleSql(actor);
        const rows = await tx.query<{ id: string; kind: NoticeKind; params: NoticeParams; created_at: Date; read_at: Date | null; case_id: string; reference: string; actor_name: string | null; locale: string }>(
          `SELECT n.id, n.kind, n.params, n.created_at, n.read_at, n.case_id, c.reference, a.name AS actor_name, me.locale
           FROM notifications n JOIN cases c ON c.id = n.case_id JOIN case_events e ON e.id = n.event_id
           LEFT JOIN users a ON a.id = e.actor_id JOIN users me ON me.id = n.user_id
           WHERE n.user_id = $1 AND ${visible} ${q.unread ? 'AND n.read_at IS NULL' : ''} ${q.before ? 'AND n.id < $2' : 'AND $2::bigint IS NULL'}
           ORDER BY n.id DESC LIMIT ${q.limit + 1}`, [actor.userId, q.before ?? null]);
        const page = rows.slice(0, q.limit);
        await recordCaseReads(tx, { actor, meta, action: 'notification.list', entityType: 'Case' }, page.map((r) => r.case_id));
        return {
          items: page.map((r) => {
            const text = wordsFor(r.kind, r.locale, r.params, { reference: r.reference, caseId: r.case_id, actorName: r.actor_name });
            return { id: Number(r.id), kind: r.kind, title: text.title, caseId: r.case_id, caseReference: r.reference, link: NOTICE_PAGES[r.kind](r.case_id), createdAt: new Date(r.created_at).toISOString(), read: r.read_at !== null };
          }),
          unread: await unreadCount(tx, actor),
          nextBefore: rows.length > q.limit ? Number(page.at(-1)!.id) : null,
        };
      });
    },

    unread: (actor: Actor) => unreadCount(db, actor),

    /** Marks some notices (or all) as read; answers how many stay unread. */
    async markRead(actor: Actor, meta: RequestMeta, which: { ids?: number[]; all?: boolean }) {
      return db.transaction(async (tx) => {
        const done = await tx.query(
          `UPDATE notifications SET read_at = now() WHERE user_id = $1 AND read_at IS NULL AND ($2::boolean OR id = ANY($3::bigint[])) RETURNING id`,
          [actor.userId, which.all === true, which.ids ?? []]);
        if (done.length) await recordAudit(tx, { actor, meta, action: 'notification.read', entityType: 'User', entityId: actor.userId, detail: { count: done.length } });
        return { unread: await unreadCount(tx, actor) };
      });
    },
  };
}

/**
 * Only notices of cases the reader may still open, by the same rule as the case list; and an
 * offer's notice while the offer is open (an offered expert holds no grant on the case yet).
 */
function visibleSql(actor: Actor): string {
  const openOffer = `(n.kind = 'offer.received' AND EXISTS (SELECT 1 FROM expert_offers o WHERE o.case_id = n.case_id AND o.expert_id = $1 AND o.status = 'offered'))`;
  return roleAllows(actor.role, 'case.read') ? `(${caseGrantSql(actor, 1)} OR ${openOffer})` : 'false';
}

async function unreadCount(q: Queryable, actor: Actor): Promise<number> {
  const [r] = await q.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM notifications n JOIN cases c ON c.id = n.case_id WHERE n.user_id = $1 AND n.read_at IS NULL AND ${visibleSql(actor)}`, [actor.userId]);
  return r?.n ?? 0;
}

export type NotificationsService = ReturnType<typeof notificationsService>;
