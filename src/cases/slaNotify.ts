import type { Config } from '../core/config.ts';
import type { Db, Queryable } from '../core/db.ts';
import { enqueueJob } from '../jobs.ts';
import { enqueueMail } from '../core/mail.ts';
import { insertEvent } from './repository.ts';
import { addBusinessDays, type ServiceLevels } from './sla.ts';

/**
 * Service-level reminders: when a case becomes ready for review, two jobs are scheduled, one at
 * the moment it becomes at risk and one at its due time. Each mails the coordinator and the
 * assigned experts, unless the opinion was delivered (or the case restarted its clock) first.
 */
const DONE = ['opinion_signed', 'delivered', 'closed', 'cancelled'];

export async function scheduleSlaReminders(tx: Queryable, levels: ServiceLevels, caseId: string, urgency: 'standard' | 'expedited', readyAt: Date) {
  const holidays = new Set(levels.holidays.dates);
  const days = levels.businessDays[urgency];
  const atRisk = addBusinessDays(readyAt, Math.max(0, days - levels.atRiskWithinBusinessDays), holidays);
  const due = addBusinessDays(readyAt, days, holidays);
  await enqueueJob(tx, 'sla.remind', { caseId, kind: 'at_risk', readyAt: readyAt.toISOString(), dueAt: due.toISOString() }, atRisk);
  await enqueueJob(tx, 'sla.remind', { caseId, kind: 'breached', readyAt: readyAt.toISOString(), dueAt: due.toISOString() }, due);
}

export async function sendSlaReminder(db: Db, config: Config, p: { caseId: string; kind: 'at_risk' | 'breached'; readyAt: string; dueAt: string }) {
  await db.transaction(async (tx) => {
    const [c] = await tx.query<{ reference: string; status: string; coordinator_id: string | null; ready_at: Date | null }>(
      `SELECT c.reference, c.status, c.coordinator_id, (SELECT max(at) FROM case_events e WHERE e.case_id = c.id AND e.to_status = 'ready_for_review') AS ready_at FROM cases c WHERE c.id = $1`, [p.caseId]);
    if (!c || DONE.includes(c.status)) return;
    // A case sent back and made ready again has a new clock with its own reminders.
    if (c.ready_at && Math.abs(new Date(c.ready_at).getTime() - new Date(p.readyAt).getTime()) > 1000) return;
    const people = await tx.query<{ email: string }>(
      `SELECT u.email FROM users u WHERE u.id = $1 UNION SELECT u.email FROM case_members m JOIN users u ON u.id = m.user_id WHERE m.case_id = $2 AND m.relation = 'expert' AND m.revoked_at IS NULL`,
      [c.coordinator_id, p.caseId]);
    const due = p.dueAt.slice(0, 16).replace('T', ' ');
    const subject = p.kind === 'at_risk' ? `Opinion due soon: ${c.reference} (by ${due} UTC)` : `Opinion overdue: ${c.reference} (was due ${due} UTC)`;
    for (const person of people) await enqueueMail(tx, { kind: 'sla', to: person.email, subject, text: `${subject}\n\n${config.publicUrl}/cases/${p.caseId}` });
    await insertEvent(tx, { caseId: p.caseId, actorId: null, type: p.kind === 'at_risk' ? 'sla.atRisk' : 'sla.breached', detail: { dueAt: p.dueAt } });
  });
}
