import type { Db, Queryable } from '../core/db.ts';
import { enqueueJob } from '../jobs.ts';
import { emit } from '../events/emit.ts';
import { REVIEW_SETTLED_STATES, type CaseStatus } from './lifecycle.ts';
import { addBusinessDays, type ServiceLevels } from './sla.ts';

/**
 * Service-level reminders: when a case becomes ready for review, two jobs are scheduled, one at
 * the moment it becomes at risk and one at its due time. Each records an event that notifies the
 * coordinator and the assigned experts, unless the opinion was delivered (or the case restarted
 * its clock) first.
 */

export async function scheduleSlaReminders(tx: Queryable, levels: ServiceLevels, caseId: string, urgency: 'standard' | 'expedited', readyAt: Date) {
  const holidays = new Set(levels.holidays.dates);
  const days = levels.businessDays[urgency];
  const atRisk = addBusinessDays(readyAt, Math.max(0, days - levels.atRiskWithinBusinessDays), holidays);
  const due = addBusinessDays(readyAt, days, holidays);
  await enqueueJob(tx, 'sla.remind', { caseId, kind: 'at_risk', readyAt: readyAt.toISOString(), dueAt: due.toISOString() }, atRisk);
  await enqueueJob(tx, 'sla.remind', { caseId, kind: 'breached', readyAt: readyAt.toISOString(), dueAt: due.toISOString() }, due);
}

export async function sendSlaReminder(db: Db, p: { caseId: string; kind: 'at_risk' | 'breached'; readyAt: string; dueAt: string }) {
  await db.transaction(async (tx) => {
    const [c] = await tx.query<{ reference: string; status: CaseStatus; coordinator_id: string | null; ready_at: Date | null }>(
      `SELECT c.reference, c.status, c.coordinator_id, (SELECT max(at) FROM case_events e WHERE e.case_id = c.id AND e.to_status = 'ready_for_review') AS ready_at FROM cases c WHERE c.id = $1`, [p.caseId]);
    if (!c || REVIEW_SETTLED_STATES.includes(c.status)) return;
    // A case sent back and made ready again has a new clock with its own reminders.
    if (c.ready_at && Math.abs(new Date(c.ready_at).getTime() - new Date(p.readyAt).getTime()) > 1000) return;
    await emit(tx, { caseId: p.caseId, actorId: null, type: p.kind === 'at_risk' ? 'sla.atRisk' : 'sla.breached', detail: { dueAt: p.dueAt } });
  });
}
