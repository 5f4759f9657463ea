import { caseAccessChanged } from '../core/access.ts';
import type { Queryable } from '../core/db.ts';
import { enqueueJob } from '../jobs.ts';
import { NOTIFICATION_RULES, REFRESH_ONLY } from '../notifications/rules.ts';
import { CASE_EVENTS, type CaseEventInput } from './catalog.ts';

/**
 * Records a domain event in the caller's transaction: it exists if and only if the change it
 * describes committed. Events someone must hear about, or that open pages must show, get a
 * dispatch job in the same transaction, so a notification is never lost to a crash and never sent
 * for a change that rolled back.
 */
export async function emit(tx: Queryable, e: CaseEventInput): Promise<string> {
  caseAccessChanged(tx, e.caseId);
  const detail = CASE_EVENTS[e.type].parse(e.detail);
  const [row] = await tx.query<{ id: string }>(
    'INSERT INTO case_events (case_id, actor_id, type, from_status, to_status, detail) VALUES ($1,$2,$3,$4,$5,$6) RETURNING id',
    [e.caseId, e.actorId, e.type, e.from ?? null, e.to ?? null, JSON.stringify(detail)]);
  if (NOTIFICATION_RULES[e.type]?.length || REFRESH_ONLY[e.type]?.length) await enqueueJob(tx, 'event.dispatch', { eventId: String(row!.id) });
  return String(row!.id);
}
