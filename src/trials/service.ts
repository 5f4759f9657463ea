import type { Actor, RequestMeta } from '../core/context.ts';
import { openCase, withCaseTx } from '../core/access.ts';
import { recordAudit } from '../core/audit.ts';
import { AppError } from '../core/errors.ts';
import type { Db, Queryable } from '../core/db.ts';
import type { Deps } from '../core/deps.ts';
import { KNOWLEDGE } from '../assessment/knowledge.ts';
import type { Intake } from '../cases/intake.ts';
import { enqueueJob } from '../jobs.ts';
import { caseChecklist } from '../records/checklist.ts';
import { registryTerms, trialsKnowledge } from './knowledge.ts';
import { matchTrials, type CaseForTrials, type TrialMatches } from './matching.ts';
import { clinicalTrialsGov, RegistryError, type RegistryTrial, type TrialRegistry } from './registry.ts';

/** At most this many pages (of 100 studies) per condition term in one sync: a runaway paging token stops here. */
const MAX_PAGES_PER_TERM = 50;

export interface TrialSyncState { lastRun: { startedAt: string; finishedAt: string | null; outcome: 'running' | 'done' | 'failed'; studies: number; skipped: number; error: string | null } | null; studiesOnFile: number; syncEveryHours: number }

/**
 * Clinical trials: a local copy of the registry's recruiting studies for the conditions we cover
 * (refreshed by the `trials.sync` job), and the trials suggested for one case from that copy.
 */
export function trialsService(deps: Deps & { registry?: TrialRegistry }) {
  const { db, config } = deps;
  const registry = deps.registry ?? clinicalTrialsGov({ baseUrl: config.trialsRegistryUrl });

  async function upsert(tx: Queryable, trial: RegistryTrial, term: string, runStart: Date) {
    // Found under several terms in one run: it keeps them all; from an earlier run: only this one.
    await tx.query(
      `INSERT INTO trials (nct_id, record, title, status, terms, last_update, synced_at) VALUES ($1, $2, $3, $4, ARRAY[$5], $6, now())
       ON CONFLICT (nct_id) DO UPDATE SET record = EXCLUDED.record, title = EXCLUDED.title, status = EXCLUDED.status, last_update = EXCLUDED.last_update, synced_at = now(),
         terms = CASE WHEN trials.synced_at >= $7 THEN array(SELECT DISTINCT unnest(trials.terms || EXCLUDED.terms)) ELSE EXCLUDED.terms END`,
      [trial.nctId, JSON.stringify(trial), trial.title, trial.status, term, /^\d{4}-\d{2}(-\d{2})?$/.test(trial.lastUpdate ?? '') ? (trial.lastUpdate!.length === 7 ? `${trial.lastUpdate}-01` : trial.lastUpdate) : null, runStart.toISOString()]);
  }

  return {
    /**
     * Refreshes the local copy from the registry: every page of every condition term, then
     * studies no longer listed as recruiting are dropped. A failure keeps the copy as it was.
     */
    async sync(): Promise<{ studies: number; skipped: number }> {
      const [run] = await db.query<{ id: string; started_at: Date }>(`INSERT INTO trial_syncs DEFAULT VALUES RETURNING id, started_at`);
      let studies = 0;
      let skipped = 0;
      try {
        for (const term of registryTerms()) {
          let pageToken: string | null = null;
          for (let page = 0; page < MAX_PAGES_PER_TERM; page++) {
            const got = await registry.recruiting({ condition: term, pageToken });
            await db.transaction(async (tx) => {
              for (const t of got.trials) await upsert(tx, t, term, run!.started_at);
            });
            studies += got.trials.length;
            skipped += got.skipped;
            pageToken = got.nextPageToken;
            if (!pageToken) break;
          }
        }
        await db.transaction(async (tx) => {
          await tx.query(`DELETE FROM trials WHERE synced_at < $1`, [run!.started_at.toISOString()]);
          await tx.query(`UPDATE trial_syncs SET finished_at = now(), outcome = 'done', studies = $2, skipped = $3 WHERE id = $1`, [run!.id, studies, skipped]);
        });
        return { studies, skipped };
      } catch (err) {
        const message = err instanceof RegistryError ? err.message : 'The sync stopped on an error of this server; see its log.';
        await db.query(`UPDATE trial_syncs SET finished_at = now(), outcome = 'failed', studies = $2, skipped = $3, error = $4 WHERE id = $1`, [run!.id, studies, skipped, message.slice(0, 500)]);
        throw err;
      }
    },

    /**
     * The scheduled job: syncs, then books the next run whether this one worked or not. A failed
     * run is not retried at once (the registry may be out of reach for long, or for good on an
     * off-line install): it is recorded in trial_syncs, which administrators see.
     */
    async scheduledSync(): Promise<void> {
      try {
        await this.sync();
      } catch {
        // Recorded by sync(); the next run is booked below.
      } finally {
        if (config.trialsSyncHours > 0) await enqueueJob(db, 'trials.sync', {}, new Date(deps.now().getTime() + config.trialsSyncHours * 3_600_000));
      }
    },

    /** At start-up: books a sync now unless one is already booked (another instance, an earlier start). */
    async bookSync(): Promise<void> {
      if (config.trialsSyncHours <= 0) return;
      const [pending] = await db.query(`SELECT 1 FROM jobs WHERE kind = 'trials.sync' AND done_at IS NULL LIMIT 1`);
      if (!pending) await enqueueJob(db, 'trials.sync', {});
    },

    /** How fresh the local copy is (no health data: an administrator's view). */
    async state(): Promise<TrialSyncState> {
      const [last] = await db.query<{ started_at: Date; finished_at: Date | null; outcome: 'running' | 'done' | 'failed'; studies: number; skipped: number; error: string | null }>(
        `SELECT started_at, finished_at, outcome, studies, skipped, error FROM trial_syncs ORDER BY id DESC LIMIT 1`);
      const [{ n }] = (await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM trials`)) as [{ n: number }];
      return {
        lastRun: last ? { startedAt: last.started_at.toISOString(), finishedAt: last.finished_at?.toISOString() ?? null, outcome: last.outcome, studies: last.studies, skipped: last.skipped, error: last.error } : null,
        studiesOnFile: n, syncEveryHours: config.trialsSyncHours,
      };
    },

    /** An administrator's "refresh now". */
    async syncNow(admin: Actor, meta: RequestMeta): Promise<TrialSyncState> {
      try {
        await this.sync();
      } catch (err) {
        if (err instanceof RegistryError) throw new AppError('UNAVAILABLE', `${err.message} The trials on file are kept.`);
        throw err;
      } finally {
        await recordAudit(db, { actor: admin, meta, action: 'trials.sync.run', entityType: 'TrialRegistry', entityId: 'clinicaltrials.gov' });
      }
      return this.state();
    },

    /** The trials suggested for a case, with why and what to check; read from the local copy. */
    async forCase(actor: Actor, meta: RequestMeta, caseId: string): Promise<TrialMatches & { syncedAt: string | null }> {
      return withCaseTx(db, async (tx) => {
        const { row } = await openCase(tx, actor, caseId, 'case.trials.read', meta, { auditAction: 'trials.candidates.read' });
        const facts = await caseFacts(tx, row, deps.now());
        const terms = trialsKnowledge.registryTerms.find((t) => t.condition === facts.conditionId)?.terms ?? [];
        const rows = terms.length ? await tx.query<{ record: RegistryTrial }>(`SELECT record FROM trials WHERE terms && $1::text[]`, [terms]) : [];
        const [synced] = await tx.query<{ at: Date | null }>(`SELECT max(finished_at) AS at FROM trial_syncs WHERE outcome = 'done'`);
        return { ...matchTrials(facts, rows.map((r) => r.record), trialsKnowledge), syncedAt: synced?.at?.toISOString() ?? null };
      });
    },
  };
}
export type TrialsService = ReturnType<typeof trialsService>;

/**
 * Stores studies read elsewhere than from the live registry (the demo's synthetic registry
 * answers) as a sync would: each under the registry terms its conditions or title name.
 */
export async function storeTrialCopy(db: Db, trials: RegistryTrial[]): Promise<void> {
  const terms = registryTerms();
  await db.transaction(async (tx) => {
    for (const t of trials) {
      const text = [...t.conditions, ...t.keywords, t.title].join(' \n ').toLowerCase();
      const found = terms.filter((term) => text.includes(term.toLowerCase()));
      await tx.query(`INSERT INTO trials (nct_id, record, title, status, terms, last_update) VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (nct_id) DO NOTHING`,
        [t.nctId, JSON.stringify(t), t.title, t.status, found, t.lastUpdate]);
    }
    await tx.query(`INSERT INTO trial_syncs (finished_at, outcome, studies) VALUES (now(), 'done', $1)`, [trials.length]);
  });
}

/** What matching needs of a case, from its intake and its assessment (biomarkers tested or not). */
async function caseFacts(tx: Queryable, row: Parameters<typeof caseChecklist>[1], now: Date): Promise<CaseForTrials> {
  const intake = row.intake as Partial<Intake>;
  const { assessment } = await caseChecklist(tx, row);
  const born = intake.patient?.birthDate ? new Date(intake.patient.birthDate) : null;
  const ageYears = born ? Math.floor((now.getTime() - born.getTime()) / (365.2425 * 86_400_000)) : null;
  const tests = assessment.biomarkers?.tests ?? [];
  const aliases = new Map(KNOWLEDGE.panels.flatMap((p) => p.tests.map((t) => [t.name, t.aliases] as const)));
  return {
    conditionId: assessment.condition.id,
    ageYears,
    sex: intake.patient?.sex ?? null,
    country: intake.patient?.country ?? null,
    state: intake.patient?.state ?? null,
    biomarkers: tests.map((t) => ({ name: t.name, aliases: aliases.get(t.name) ?? [t.name.toLowerCase()], done: t.status === 'done' })),
    treatments: (intake.treatment?.treatments ?? []).map((t) => t.description),
  };
}

