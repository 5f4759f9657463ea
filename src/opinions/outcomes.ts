import { wordsIn } from '../core/i18n.ts';
import { entryIn } from '../core/locale.ts';
import { toCsv } from '../core/csv.ts';
import { recordAudit } from '../core/audit.ts';
import { roleAllows } from '../core/auth/roles.ts';
import type { Actor, RequestMeta } from '../core/context.ts';
import type { Deps } from '../core/deps.ts';
import { AppError } from '../core/errors.ts';
import { SITUATIONS } from '../cases/intake.ts';
import type { OutcomesSummary } from './schemas.ts';

/**
 * Program outcomes for coordinators and admins, in aggregate only: cases by situation, how often
 * expert review changed the diagnosis (to compare with the 10–20 % of DOMAIN.md §4), turnaround
 * from "ready for review" to "opinion signed", and service-level breaches.
 */


const round1 = (n: number | null) => (n === null ? null : Math.round(n * 10) / 10);

import { boardFigures } from '../boards/recommendations.ts';

export function outcomesService(deps: Deps) {
  const { db } = deps;
  return {
    async summary(actor: Actor, meta: RequestMeta): Promise<OutcomesSummary> {
      if (!roleAllows(actor.role, 'outcomes.read')) throw new AppError('FORBIDDEN');
      return db.transaction(async (tx) => {
        // Aggregated in the database: a program's whole history never travels to the server.
        const [totals] = await tx.query<{ cases: number; with_clock: number; breached: number; met: number }>(
          `SELECT count(*)::int AS cases, count(ready_at)::int AS with_clock,
             count(*) FILTER (WHERE (delivered_at IS NULL AND sla_due_at < $1) OR delivered_at > sla_due_at)::int AS breached,
             count(*) FILTER (WHERE delivered_at <= sla_due_at)::int AS met
           FROM cases WHERE status <> 'draft'`, [deps.now().toISOString()]);
        const situations = await tx.query<{ id: string; cases: number }>(
          `SELECT s.id, count(*)::int AS cases FROM cases c CROSS JOIN LATERAL jsonb_array_elements_text(
             CASE WHEN jsonb_typeof(c.intake->'situations'->'situations') = 'array' THEN c.intake->'situations'->'situations' ELSE '[]'::jsonb END) AS s(id)
           WHERE c.status <> 'draft' GROUP BY s.id`);
        // One verdict per case, from its latest report: the most serious any reviewer recorded.
        const verdicts = await tx.query<{ worst: keyof typeof concordance | null; cases: number }>(
          `SELECT w.worst, count(*)::int AS cases
           FROM (SELECT DISTINCT ON (case_id) case_id, content FROM opinion_reports ORDER BY case_id, version DESC) r
           CROSS JOIN LATERAL (
             SELECT CASE WHEN bool_or(v = 'major_discordance') THEN 'major_discordance' WHEN bool_or(v = 'minor_discordance') THEN 'minor_discordance'
                         WHEN count(v) > 0 THEN 'concordant' END AS worst
             FROM jsonb_array_elements(r.content->'parts') p, LATERAL (SELECT p->'content'->'diagnosisReview'->>'concordance' AS v) x) w
           GROUP BY w.worst`);
        // Nearest-rank percentiles (percentile_disc) of days from first "ready for review" to first "opinion signed".
        const [turnaround] = await tx.query<{ signed: number; median: number | null; p90: number | null }>(
          `SELECT count(*)::int AS signed, percentile_disc(0.5) WITHIN GROUP (ORDER BY d) AS median, percentile_disc(0.9) WITHIN GROUP (ORDER BY d) AS p90
           FROM (SELECT extract(epoch FROM (t.signed - t.ready)) / 86400 AS d
                 FROM (SELECT e.case_id, min(e.at) FILTER (WHERE e.to_status = 'ready_for_review') AS ready, min(e.at) FILTER (WHERE e.to_status = 'opinion_signed') AS signed
                       FROM case_events e WHERE e.to_status IN ('ready_for_review', 'opinion_signed') GROUP BY e.case_id) t
                 JOIN cases c ON c.id = t.case_id WHERE c.status <> 'draft' AND t.ready IS NOT NULL AND t.signed IS NOT NULL) days`);
        const concordance = { concordant: 0, minor_discordance: 0, major_discordance: 0 };
        for (const v of verdicts) if (v.worst) concordance[v.worst] = v.cases;
        const reviewed = concordance.concordant + concordance.minor_discordance + concordance.major_discordance;
        const bySituation = SITUATIONS.map((s) => ({ id: s.id, label: entryIn(s, meta.locale ?? 'en').label, cases: situations.find((x) => Number(x.id) === s.id)?.cases ?? 0 }));
        const boards = await boardFigures(tx);
        await recordAudit(tx, { actor, meta, action: 'outcomes.read', entityType: 'Outcomes', detail: { cases: totals!.cases } });
        const days = (n: number | null) => (n === null ? null : round1(Number(n)));
        return {
          cases: totals!.cases,
          bySituation,
          concordance: { ...concordance, reviewed, changedShare: reviewed ? round1(((concordance.minor_discordance + concordance.major_discordance) / reviewed) * 100) : null, reference: wordsIn(meta.locale)('report:outcomesReference') },
          turnaroundDays: { signed: turnaround!.signed, median: days(turnaround!.median), p90: days(turnaround!.p90) },
          sla: { withClock: totals!.with_clock, breached: totals!.breached, met: totals!.met },
          boards,
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
      rows.push(['tumor boards', 'cases discussed', s.boards.casesDiscussed], ['tumor boards', 'median days from proposal to discussion', s.boards.medianDaysProposalToDiscussion], ['tumor boards', 'share where the board changed the plan', s.boards.changedPlanShare]);
      return toCsv(rows);
    },
  };
}

export type OutcomesService = ReturnType<typeof outcomesService>;
