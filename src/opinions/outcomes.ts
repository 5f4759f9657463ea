import { toCsv } from '../core/csv.ts';
import { recordAudit } from '../core/audit.ts';
import { roleAllows } from '../core/auth/roles.ts';
import type { Actor, RequestMeta } from '../core/context.ts';
import type { Deps } from '../core/deps.ts';
import { AppError } from '../core/errors.ts';
import { SITUATIONS } from '../cases/intake.ts';
import { serviceLevelsFor, slaClock } from '../cases/sla.ts';
import type { OutcomesSummary, ReportDocument } from './schemas.ts';

/**
 * Program outcomes for coordinators and admins, in aggregate only: cases by situation, how often
 * expert review changed the diagnosis (to compare with the 10–20 % of DOMAIN.md §4), turnaround
 * from "ready for review" to "opinion signed", and service-level breaches.
 */


const pct = (sorted: number[], p: number) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]! : null);
const round1 = (n: number | null) => (n === null ? null : Math.round(n * 10) / 10);

export function outcomesService(deps: Deps) {
  const { db } = deps;
  const levels = serviceLevelsFor(deps.config);
  return {
    async summary(actor: Actor, meta: RequestMeta): Promise<OutcomesSummary> {
      if (!roleAllows(actor.role, 'outcomes.read')) throw new AppError('FORBIDDEN');
      return db.transaction(async (tx) => {
        const cases = await tx.query<{ id: string; urgency: 'standard' | 'expedited'; intake: { situations?: { situations?: number[] } }; ready_at: Date | null; signed_at: Date | null; delivered_at: Date | null }>(
          `SELECT c.id, c.urgency, c.intake,
                  (SELECT min(at) FROM case_events e WHERE e.case_id = c.id AND e.to_status = 'ready_for_review') AS ready_at,
                  (SELECT min(at) FROM case_events e WHERE e.case_id = c.id AND e.to_status = 'opinion_signed') AS signed_at,
                  (SELECT min(at) FROM case_events e WHERE e.case_id = c.id AND e.to_status = 'delivered') AS delivered_at
           FROM cases c WHERE c.status <> 'draft'`);
        const reports = await tx.query<{ case_id: string; content: ReportDocument }>(
          'SELECT DISTINCT ON (case_id) case_id, content FROM opinion_reports ORDER BY case_id, version DESC');
        const bySituation = SITUATIONS.map((s) => ({ id: s.id, label: s.label, cases: cases.filter((c) => c.intake.situations?.situations?.includes(s.id)).length }));
        const concordance = { concordant: 0, minor_discordance: 0, major_discordance: 0 };
        for (const r of reports) {
          // One verdict per case: the most serious any reviewer recorded.
          const verdicts = r.content.parts.map((p) => p.content.diagnosisReview?.concordance).filter(Boolean) as (keyof typeof concordance)[];
          const worst = verdicts.includes('major_discordance') ? 'major_discordance' : verdicts.includes('minor_discordance') ? 'minor_discordance' : verdicts.length ? 'concordant' : null;
          if (worst) concordance[worst]++;
        }
        const reviewed = concordance.concordant + concordance.minor_discordance + concordance.major_discordance;
        const days = cases.filter((c) => c.ready_at && c.signed_at).map((c) => (new Date(c.signed_at!).getTime() - new Date(c.ready_at!).getTime()) / 86_400_000).sort((a, b) => a - b);
        const clocks = cases.map((c) => slaClock(levels, c.urgency, c.ready_at ? new Date(c.ready_at) : null, c.delivered_at ? new Date(c.delivered_at) : null, deps.now())).filter(Boolean);
        await recordAudit(tx, { actor, meta, action: 'outcomes.read', entityType: 'Outcomes', detail: { cases: cases.length } });
        return {
          cases: cases.length,
          bySituation,
          concordance: { ...concordance, reviewed, changedShare: reviewed ? round1(((concordance.minor_discordance + concordance.major_discordance) / reviewed) * 100) : null, reference: 'Pathology review changes the diagnosis in 10–20 % of cancer cases (patient guide: when to get a second opinion).' },
          turnaroundDays: { signed: days.length, median: round1(pct(days, 50)), p90: round1(pct(days, 90)) },
          sla: { withClock: clocks.length, breached: clocks.filter((c) => c!.state === 'breached').length, met: clocks.filter((c) => c!.state === 'met').length },
        };
      });
    },

    csv(s: OutcomesSummary): string {
      const rows: (string | number | null)[][] = [['metric', 'category', 'value']];
      rows.push(['cases', 'all submitted', s.cases]);
      for (const x of s.bySituation) rows.push(['cases by situation', x.label, x.cases]);
      rows.push(['concordance', 'concordant', s.concordance.concordant], ['concordance', 'minor discordance', s.concordance.minor_discordance], ['concordance', 'major discordance', s.concordance.major_discordance], ['concordance', 'changed diagnosis %', s.concordance.changedShare]);
      rows.push(['turnaround days (ready for review → signed)', 'median', s.turnaroundDays.median], ['turnaround days (ready for review → signed)', '90th percentile', s.turnaroundDays.p90]);
      rows.push(['service level', 'breached', s.sla.breached], ['service level', 'met', s.sla.met]);
      return toCsv(rows);
    },
  };
}

export type OutcomesService = ReturnType<typeof outcomesService>;
