import fs from 'node:fs';
import { z } from 'zod';
import { recordAudit, recordCaseReads } from '../core/audit.ts';
import { openCase, withCaseTx, type CaseRow } from '../core/access.ts';
import type { Actor, RequestMeta } from '../core/context.ts';
import type { Queryable } from '../core/db.ts';
import type { Deps } from '../core/deps.ts';
import { AppError, msg } from '../core/errors.ts';
import { enqueueJob } from '../jobs.ts';
import { addMember } from '../cases/repository.ts';
import { emit } from '../events/emit.ts';
import type { CasesService } from '../cases/service.ts';
import { serviceLevelsFor, slaClock } from '../cases/sla.ts';
import { loadMatchingConfig } from './matching.ts';
import { teamFor } from './service.ts';

/**
 * Offering a case to an expert. The coordinator offers (one offer per expert and role); the
 * expert sees a summary without health details, then accepts (and only then gains access to the
 * case) or declines with a reason. An offer unanswered by its deadline expires: the coordinator
 * is told by mail and on the timeline, and offers the next candidate.
 */
interface OfferRow {
  id: string;
  case_id: string;
  expert_id: string;
  role: string;
  status: 'offered' | 'accepted' | 'declined' | 'expired' | 'withdrawn';
  reason: string | null;
  offered_at: Date;
  respond_by: Date;
  responded_at: Date | null;
}

const OPEN_FOR_OFFERS = ['ready_for_review', 'assigned', 'in_review', 'board'];

const ServiceLines = z.object({ version: z.string(), note: z.string().optional(), lines: z.array(z.object({ id: z.string(), label: z.string(), es: z.object({ label: z.string() }).optional(), conditions: z.array(z.string()), autoAssign: z.boolean() })) });
export const SERVICE_LINES = ServiceLines.parse(JSON.parse(fs.readFileSync(new URL('./data/service-lines.json', import.meta.url), 'utf8'))).lines;

/** Whether cases of this condition are offered automatically (data, or AUTO_ASSIGN_SERVICE_LINES). */
export function autoAssigns(conditionId: string | null, configured: readonly string[]): boolean {
  const line = SERVICE_LINES.find((l) => conditionId && l.conditions.includes(conditionId));
  return !!line && (line.autoAssign || configured.includes(line.id));
}

export function offersService(deps: Deps & { responseHours: number; cases: CasesService }) {
  const { db, config } = deps;
  const levels = serviceLevelsFor(config);
  const matching = loadMatchingConfig(config.matchingWeightsFile);

  async function createOffer(tx: Queryable, row: CaseRow, expert: { id: string; email: string }, role: string, offeredBy: string) {
    const respondBy = new Date(deps.now().getTime() + deps.responseHours * 3_600_000);
    const [offer] = await tx.query<OfferRow>(
      `INSERT INTO expert_offers (case_id, expert_id, role, status, offered_by, respond_by) VALUES ($1,$2,$3,'offered',$4,$5) RETURNING *`,
      [row.id, expert.id, role, offeredBy, respondBy.toISOString()]);
    await enqueueJob(tx, 'offer.expire', { offerId: offer!.id }, respondBy);
    await emit(tx, { caseId: row.id, actorId: offeredBy, type: 'offer.create', detail: { offerId: offer!.id, expertId: expert.id, role, respondBy: respondBy.toISOString() } });
    return { offer: offer!, respondBy };
  }

  /**
   * Offers a role to the best candidate not yet asked: always when an offer expired unanswered
   * (escalation), and after a decline only for auto-assigned service lines.
   */
  async function offerNext(tx: Queryable, row: CaseRow, role: string, escalation = false): Promise<boolean> {
    if (!row.coordinator_id || !OPEN_FOR_OFFERS.includes(row.status)) return false;
    const team = await teamFor(tx, row, 'records_review', deps.now(), matching);
    if (!escalation && !autoAssigns(team.conditionId, config.autoAssignServiceLines)) return false;
    const asked = new Set((await tx.query<{ expert_id: string }>('SELECT expert_id FROM expert_offers WHERE case_id = $1', [row.id])).map((r) => r.expert_id));
    const next = team.team.find((t) => t.role === role)?.candidates.find((c) => c.eligible && !asked.has(c.userId));
    if (!next) return false;
    const [u] = await tx.query<{ email: string }>('SELECT email FROM users WHERE id = $1', [next.userId]);
    await createOffer(tx, row, { id: next.userId, email: u!.email }, role, row.coordinator_id);
    return true;
  }

  async function lockOffer(tx: Queryable, actor: Actor, offerId: string) {
    const [offer] = await tx.query<OfferRow>('SELECT * FROM expert_offers WHERE id = $1 AND expert_id = $2 FOR UPDATE', [offerId, actor.userId]);
    if (!offer) throw new AppError('NOT_FOUND', 'There is no such offer for you.');
    if (offer.status !== 'offered') throw new AppError('CONFLICT', msg`This offer was already ${offer.status}.`);
    if (new Date(offer.respond_by) < deps.now()) throw new AppError('CONFLICT', 'This offer has expired; the coordinator has been told.');
    return offer;
  }

  return {
    async offer(actor: Actor, caseId: string, input: { expertId: string; role: string }, meta: RequestMeta) {
      return withCaseTx(db, async (tx) => {
        const { row } = await openCase(tx, actor, caseId, 'case.experts.match', meta, { forUpdate: true });
        if (row.coordinator_id !== actor.userId) throw new AppError('GUARD_FAILED', 'Take the case as its coordinator first.');
        if (!OPEN_FOR_OFFERS.includes(row.status)) throw new AppError('ILLEGAL_TRANSITION', 'Experts are offered a case once it is ready for review.');
        const [expert] = await tx.query<{ email: string; role: string; disabled_at: Date | null }>('SELECT email, role, disabled_at FROM users WHERE id = $1', [input.expertId]);
        if (expert?.role !== 'expert' || expert.disabled_at) throw new AppError('VALIDATION_FAILED', 'Choose an active expert.');
        const [already] = await tx.query(`SELECT 1 FROM expert_offers WHERE case_id = $1 AND expert_id = $2 AND status IN ('offered', 'accepted')`, [caseId, input.expertId]);
        if (already) throw new AppError('CONFLICT', 'This expert already has this case, or an open offer for it.');
        const { offer, respondBy } = await createOffer(tx, row, { id: input.expertId, email: expert.email }, input.role, actor.userId);
        await recordAudit(tx, { actor, meta, action: 'offer.create', entityType: 'ExpertOffer', entityId: offer.id, caseId });
        return { id: offer.id, status: offer.status, respondBy: respondBy.toISOString() };
      });
    },

    async accept(actor: Actor, offerId: string, meta: RequestMeta) {
      return db.transaction(async (tx) => {
        const offer = await lockOffer(tx, actor, offerId);
        const [row] = await tx.query<CaseRow>('SELECT * FROM cases WHERE id = $1 FOR UPDATE', [offer.case_id]);
        if (!row || !OPEN_FOR_OFFERS.includes(row.status)) throw new AppError('CONFLICT', 'The case can no longer take an expert.');
        // The open offer is the expert's right to act; the case moves on through the lifecycle.
        const c = deps.cases.entrusted(tx, actor, row, meta);
        if (row.status === 'ready_for_review') await c.transition('acceptAssignment');
        await tx.query(`UPDATE expert_offers SET status = 'accepted', responded_at = now() WHERE id = $1`, [offerId]);
        await addMember(tx, row.id, actor.userId, 'expert', actor.userId);
        await c.emit('offer.accept', { offerId, role: offer.role });
        await c.audit('offer.accept', { entityType: 'ExpertOffer', entityId: offerId });
        return { id: offerId, status: 'accepted', caseId: row.id };
      });
    },

    async decline(actor: Actor, offerId: string, reason: string, meta: RequestMeta) {
      return db.transaction(async (tx) => {
        const offer = await lockOffer(tx, actor, offerId);
        const [row] = await tx.query<CaseRow>('SELECT * FROM cases WHERE id = $1', [offer.case_id]);
        await tx.query(`UPDATE expert_offers SET status = 'declined', reason = $2, responded_at = now() WHERE id = $1`, [offerId, reason]);
        await recordAudit(tx, { actor, meta, action: 'offer.decline', entityType: 'ExpertOffer', entityId: offerId, caseId: offer.case_id });
        const reoffered = await offerNext(tx, row!, offer.role);
        await emit(tx, { caseId: offer.case_id, actorId: actor.userId, type: 'offer.decline', detail: { offerId, role: offer.role, reason, reoffered } });
        return { id: offerId, status: 'declined' };
      });
    },

    /** Job: an offer still open at its deadline expires and goes back to the coordinator. */
    async expire(offerId: string) {
      await db.transaction(async (tx) => {
        const [offer] = await tx.query<OfferRow>(`SELECT * FROM expert_offers WHERE id = $1 AND status = 'offered' FOR UPDATE`, [offerId]);
        if (!offer) return;
        if (new Date(offer.respond_by) > deps.now()) throw new Error('not due yet');
        const [row] = await tx.query<CaseRow>('SELECT * FROM cases WHERE id = $1', [offer.case_id]);
        await tx.query(`UPDATE expert_offers SET status = 'expired', responded_at = now() WHERE id = $1`, [offerId]);
        const reoffered = await offerNext(tx, row!, offer.role, true);
        await emit(tx, { caseId: offer.case_id, actorId: null, type: 'offer.expire', detail: { offerId, role: offer.role, reoffered } });
      });
    },

    /** Job: a case of an auto-assigned service line became ready for review; offer each role. */
    async autoAssign(caseId: string) {
      await db.transaction(async (tx) => {
        const [row] = await tx.query<CaseRow>('SELECT * FROM cases WHERE id = $1 FOR UPDATE', [caseId]);
        if (!row || row.status !== 'ready_for_review') return;
        const team = await teamFor(tx, row, 'records_review', deps.now(), matching);
        if (!autoAssigns(team.conditionId, config.autoAssignServiceLines)) return;
        for (const t of team.team) {
          const [open] = await tx.query(`SELECT 1 FROM expert_offers WHERE case_id = $1 AND role = $2 AND status IN ('offered', 'accepted')`, [caseId, t.role]);
          if (!open) await offerNext(tx, row, t.role);
        }
      });
    },

    async caseOffers(actor: Actor, caseId: string, meta: RequestMeta) {
      return withCaseTx(db, async (tx) => {
        await openCase(tx, actor, caseId, 'case.experts.match', meta, { auditAction: 'offer.list' });
        const rows = await tx.query<OfferRow & { name: string }>('SELECT o.*, u.name FROM expert_offers o JOIN users u ON u.id = o.expert_id WHERE o.case_id = $1 ORDER BY o.offered_at', [caseId]);
        return rows.map((o) => ({ id: o.id, expertId: o.expert_id, expertName: o.name, role: o.role, status: o.status, reason: o.reason, offeredAt: new Date(o.offered_at).toISOString(), respondBy: new Date(o.respond_by).toISOString() }));
      });
    },

    /** The expert's inbox: open offers (a summary, no health details), and accepted cases by due date. */
    async inbox(actor: Actor, meta: RequestMeta) {
      if (actor.role !== 'expert') throw new AppError('FORBIDDEN', 'The inbox is for experts.');
      return db.reading((tx) => inboxIn(tx, actor, meta));
    },
  };

  async function inboxIn(tx: Queryable, actor: Actor, meta: RequestMeta) {
      const offers = await tx.query<OfferRow & { reference: string; urgency: 'standard' | 'expedited' }>(
        `SELECT o.*, c.reference, c.urgency FROM expert_offers o JOIN cases c ON c.id = o.case_id WHERE o.expert_id = $1 AND o.status = 'offered' ORDER BY o.respond_by`, [actor.userId]);
      const cases = await tx.query<{ id: string; reference: string; urgency: 'standard' | 'expedited'; status: string; ready_at: Date | null; delivered_at: Date | null; sla_due_at: Date | null; condition: string | null; question_waiting: boolean | null }>(
        `SELECT c.id, c.reference, c.urgency, c.status, c.intake->'condition'->>'description' AS condition,
           -- The thread's last word is the patient side's: a follow-up question waits for an answer.
           (SELECT u.role IN ('patient', 'referring_physician') FROM case_messages f JOIN case_threads t ON t.id = f.thread_id AND t.kind = 'followup' JOIN users u ON u.id = f.author_id
             WHERE f.case_id = c.id ORDER BY f.created_at DESC LIMIT 1) AS question_waiting,
           c.ready_at, c.delivered_at, c.sla_due_at
         FROM cases c JOIN case_members m ON m.case_id = c.id WHERE m.user_id = $1 AND m.relation = 'expert' AND m.revoked_at IS NULL AND c.status NOT IN ('closed', 'cancelled')`, [actor.userId]);
      const now = deps.now();
      const accepted = cases.map((c) => ({ id: c.id, reference: c.reference, urgency: c.urgency, status: c.status, condition: c.condition, questionWaiting: c.question_waiting === true, sla: slaClock(levels, c.urgency, c.ready_at ? new Date(c.ready_at) : null, c.delivered_at ? new Date(c.delivered_at) : null, now, c.sla_due_at ? new Date(c.sla_due_at) : null) }))
        .sort((a, b) => Number(b.questionWaiting) - Number(a.questionWaiting) || (a.sla?.dueAt ?? '9').localeCompare(b.sla?.dueAt ?? '9'));
      await recordCaseReads(tx, { actor, meta, action: 'expert.inbox.read', entityType: 'Case' }, [...offers.map((o) => o.case_id), ...cases.map((c) => c.id)]);
      return {
        offered: offers.map((o) => ({ id: o.id, caseReference: o.reference, urgency: o.urgency, role: o.role, respondBy: new Date(o.respond_by).toISOString() })),
        accepted,
        dueSoon: accepted.filter((c) => c.sla?.state === 'at_risk').map((c) => c.id),
        overdue: accepted.filter((c) => c.sla?.state === 'breached').map((c) => c.id),
      };
  }
}

export type OffersService = ReturnType<typeof offersService>;
