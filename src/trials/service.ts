import type { Actor, RequestMeta } from '../core/context.ts';
import { findingFor, TEST_ALIASES, TEST_GENE } from '../records/testResults.ts';
import { openCase, withCaseTx } from '../core/access.ts';
import { recordAudit } from '../core/audit.ts';
import { AppError } from '../core/errors.ts';
import type { Db, Queryable } from '../core/db.ts';
import type { Deps } from '../core/deps.ts';
import type { Intake } from '../cases/intake.ts';
import { KNOWLEDGE } from '../assessment/knowledge.ts';
import { knowledgeIn } from '../assessment/localized.ts';
import type { Locale } from '../core/locale.ts';
import { enqueueJob } from '../jobs.ts';
import { caseChecklist } from '../records/checklist.ts';
import { mentions } from './criteria.ts';
import { registryTerms, trialsKnowledge } from './knowledge.ts';
import { ageOn, matchTrials, MAX_CANDIDATES, type CaseForTrials, type TrialMatches } from './matching.ts';
import { clinicalTrialsGov, RegistryError, wholeTrials, type RegistryTrial, type TrialRegistry } from './registry.ts';

/** Another refresh is under way. */
class SyncUnderWay extends Error {}

/** A run that has not read a page for this long was cut short. */
const HEARTBEAT_STALE_MINUTES = 10;

/** At most this many pages (of 100 studies) per condition term in one sync: a runaway paging token stops here. */
const MAX_PAGES_PER_TERM = 50;

export interface TrialSyncState { refreshRequested: boolean; lastRun: { startedAt: string; finishedAt: string | null; outcome: 'running' | 'done' | 'failed'; studies: number; skipped: number; error: string | null } | null; studiesOnFile: number; syncEveryHours: number }

/**
 * Clinical trials: a local copy of the registry's recruiting studies for the conditions we cover
 * (refreshed by the `trials.sync` job), and the trials suggested for one case from that copy.
 */
export function trialsService(deps: Deps & { registry?: TrialRegistry }) {
  const { db, config } = deps;
  const registry = deps.registry ?? clinicalTrialsGov({ baseUrl: config.trialsRegistryUrl });

  /** Opens a run, unless one is under way (here or on another instance) and not yet stale. */
  async function startRun(): Promise<string> {
    return db.transaction(async (tx) => {
      // One refresh at a time: the table lock orders two starting together.
      await tx.query('LOCK TABLE trial_syncs IN SHARE ROW EXCLUSIVE MODE');
      // A run whose heartbeat stopped was cut short (the server stopped): it is closed as failed.
      await tx.query(`UPDATE trial_syncs SET outcome = 'failed', finished_at = now(), error = 'Stopped before it finished (the server stopped or restarted).'
                      WHERE outcome = 'running' AND heartbeat_at < now() - make_interval(mins => $1)`, [HEARTBEAT_STALE_MINUTES]);
      const [busy] = await tx.query(`SELECT 1 FROM trial_syncs WHERE outcome = 'running'`);
      if (busy) throw new SyncUnderWay();
      const [run] = await tx.query<{ id: string }>(`INSERT INTO trial_syncs DEFAULT VALUES RETURNING id`);
      return run!.id;
    });
  }

  return {
    /**
     * Refreshes the local copy from the registry: every page of every condition term; then, in
     * one transaction, each study gets the terms it was found under and studies no longer listed
     * are dropped. A run that fails, or whose answers look wrong (most studies unreadable, more
     * pages than allowed), changes no study's terms and drops nothing.
     */
    async sync(): Promise<{ studies: number; skipped: number }> {
      const run = await startRun();
      const found = new Map<string, Set<string>>();
      let studies = 0;
      let skipped = 0;
      try {
        for (const term of registryTerms()) {
          let pageToken: string | null = null;
          for (let page = 0; ; page++) {
            if (page === MAX_PAGES_PER_TERM) throw new RegistryError(`The registry has more than ${MAX_PAGES_PER_TERM} pages of studies for "${term}".`);
            const got = await registry.recruiting({ condition: term, pageToken });
            const sent = got.trials.length + got.skipped;
            if (sent === 0 && page === 0 && (got.totalCount ?? 0) > 0) throw new RegistryError(`The registry counts studies for "${term}" but sent none.`);
            await db.transaction(async (tx) => {
              for (const t of got.trials) await storeStudy(tx, t, [term]);
              await tx.query(`UPDATE trial_syncs SET heartbeat_at = now() WHERE id = $1`, [run]);
            });
            for (const t of got.trials) found.set(t.nctId, (found.get(t.nctId) ?? new Set()).add(term));
            studies += got.trials.length;
            skipped += got.skipped;
            pageToken = got.nextPageToken;
            if (!pageToken) break;
          }
        }
        if (skipped > 0 && skipped >= studies) throw new RegistryError(`${skipped} of ${studies + skipped} studies the registry sent could not be read: its answers may have changed shape.`);
        // An answer that would empty (or halve) the copy is more likely a fault than the world's trials ending.
        const [{ held }] = (await db.query<{ held: number }>(`SELECT count(*)::int AS held FROM trials`)) as [{ held: number }];
        if (held > 0 && found.size < held / 2) throw new RegistryError(`The registry listed ${found.size} recruiting studies where the copy holds ${held}; a drop this large is not taken without a person looking.`);
        await db.transaction(async (tx) => {
          const terms = Object.fromEntries([...found].map(([id, set]) => [id, [...set]]));
          await tx.query(`UPDATE trials t SET terms = ARRAY(SELECT jsonb_array_elements_text(v.value)) FROM jsonb_each($1::jsonb) v WHERE t.nct_id = v.key`, [JSON.stringify(terms)]);
          await tx.query(`DELETE FROM trials WHERE NOT (nct_id = ANY($1::text[]))`, [[...found.keys()]]);
          await tx.query(`UPDATE trial_syncs SET finished_at = now(), outcome = 'done', studies = $2, skipped = $3 WHERE id = $1`, [run, found.size, skipped]);
        });
        return { studies, skipped };
      } catch (err) {
        const message = err instanceof RegistryError ? err.message : 'The refresh stopped on an error of this server; see its log.';
        await db.query(`UPDATE trial_syncs SET finished_at = now(), outcome = 'failed', studies = $2, skipped = $3, error = $4 WHERE id = $1`, [run, studies, skipped, message.slice(0, 500)]);
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
        // Recorded by sync() (or another run is under way); the next run is booked below.
      } finally {
        if (config.trialsSyncHours > 0) await enqueueJob(db, 'trials.sync', {}, new Date(deps.now().getTime() + config.trialsSyncHours * 3_600_000));
      }
    },

    /** At start-up: books a sync now unless one is already booked (another instance, an earlier start). */
    async bookSync(): Promise<void> {
      if (config.trialsSyncHours <= 0) return;
      const [pending] = await db.query(`SELECT 1 FROM jobs WHERE kind = 'trials.sync' AND done_at IS NULL AND attempts < max_attempts AND NOT coalesce((payload->>'requested')::boolean, false) LIMIT 1`);
      if (!pending) await enqueueJob(db, 'trials.sync', {});
    },

    /** How fresh the local copy is (no health data: an administrator's view). */
    async state(): Promise<TrialSyncState> {
      const [last] = await db.query<{ started_at: Date; finished_at: Date | null; outcome: 'running' | 'done' | 'failed'; studies: number; skipped: number; error: string | null }>(
        `SELECT started_at, finished_at, outcome, studies, skipped, error FROM trial_syncs ORDER BY id DESC LIMIT 1`);
      const [{ n }] = (await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM trials`)) as [{ n: number }];
      const [requested] = await db.query(`SELECT 1 FROM jobs WHERE kind = 'trials.sync' AND done_at IS NULL AND attempts < max_attempts AND (payload->>'requested')::boolean`);
      return {
        refreshRequested: !!requested,
        lastRun: last ? { startedAt: last.started_at.toISOString(), finishedAt: last.finished_at?.toISOString() ?? null, outcome: last.outcome, studies: last.studies, skipped: last.skipped, error: last.error } : null,
        studiesOnFile: n, syncEveryHours: config.trialsSyncHours,
      };
    },

    /**
     * An administrator's "refresh now": the refresh runs as a background job (reading every page
     * can take minutes); the page follows it through `state()`.
     */
    async requestSync(admin: Actor, meta: RequestMeta): Promise<TrialSyncState> {
      const [running] = await db.query(`SELECT 1 FROM trial_syncs WHERE outcome = 'running' AND heartbeat_at > now() - make_interval(mins => $1)`, [HEARTBEAT_STALE_MINUTES]);
      if (running) throw new AppError('CONFLICT', 'A refresh of the trial registry copy is already under way; this page shows when it ends.');
      await db.transaction(async (tx) => {
        const [queued] = await tx.query(`SELECT 1 FROM jobs WHERE kind = 'trials.sync' AND done_at IS NULL AND attempts < max_attempts AND (payload->>'requested')::boolean AND run_at <= now()`);
        if (!queued) await enqueueJob(tx, 'trials.sync', { requested: true });
        await recordAudit(tx, { actor: admin, meta, action: 'trials.sync.run', entityType: 'TrialRegistry', entityId: 'clinicaltrials.gov' });
      });
      return this.state();
    },

    /** The job an administrator asked for: one refresh, recorded; the schedule is left as it is. */
    async requestedSync(): Promise<void> {
      await this.sync().catch(() => undefined);
    },

    /** The trials suggested for a case, with why and what to check; read from the local copy. */
    async forCase(actor: Actor, meta: RequestMeta, caseId: string): Promise<CaseTrials> {
      return withCaseTx(db, async (tx) => {
        const { row } = await openCase(tx, actor, caseId, 'case.trials.read', meta, { auditAction: 'trials.candidates.read' });
        const locale = meta.locale ?? 'en';
        const facts = await caseFacts(tx, row, deps.now(), locale);
        const terms = trialsKnowledge.registryTerms.find((t) => t.condition === facts.conditionId)?.terms ?? [];
        const rows = terms.length ? await tx.query<{ record: RegistryTrial }>(`SELECT record FROM trials WHERE terms && $1::text[]`, [terms]) : [];
        return { ...matchTrials(facts, wholeTrials(rows.map((r) => r.record)), trialsKnowledge, { locale }), ...(await copyState(tx)) };
      });
    },

    /**
     * The studies of the whole copy that hold the reviewer's words (a drug, a gene, a place in a
     * title; web-search syntax: quotes, "or", a leading minus) or that are the NCT number given,
     * best match first, each read against the case like a suggestion (a study of another condition
     * says so). The words are not kept: the audit event says a search was made, not what for.
     */
    async search(actor: Actor, meta: RequestMeta, caseId: string, words: string): Promise<CaseTrials> {
      return withCaseTx(db, async (tx) => {
        const { row } = await openCase(tx, actor, caseId, 'case.trials.read', meta, { auditAction: 'trials.search' });
        const locale = meta.locale ?? 'en';
        const facts = await caseFacts(tx, row, deps.now(), locale);
        // An NCT number, however quoted or spaced, is looked up as one.
        const nctId = /^[\s"'“”]*(NCT\d{8})[\s"'“”]*$/i.exec(words)?.[1]?.toUpperCase() ?? null;
        const rows = await tx.query<{ record: RegistryTrial }>(
          `SELECT record FROM trials, websearch_to_tsquery('english', $1) AS q
           WHERE nct_id = $3 OR search @@ q
           ORDER BY nct_id = $3 DESC NULLS LAST, ts_rank(search, q) DESC, last_update DESC NULLS LAST, nct_id
           LIMIT $2`, [words, MAX_CANDIDATES, nctId]);
        return { ...matchTrials(facts, wholeTrials(rows.map((r) => r.record)), trialsKnowledge, { search: true, locale }), ...(await copyState(tx)) };
      });
    },
  };
}
export type TrialsService = ReturnType<typeof trialsService>;

/** Trials for a case, and how fresh the copy they come from is. */
export type CaseTrials = TrialMatches & { syncedAt: string | null; lastRefreshFailedAt: string | null };

/** When the copy was last refreshed, and whether the latest refresh failed (the copy was kept). */
async function copyState(tx: Queryable): Promise<{ syncedAt: string | null; lastRefreshFailedAt: string | null }> {
  const [synced] = await tx.query<{ at: Date | null }>(`SELECT max(finished_at) AS at FROM trial_syncs WHERE outcome = 'done'`);
  const [last] = await tx.query<{ outcome: string; finished_at: Date | null }>(`SELECT outcome, finished_at FROM trial_syncs ORDER BY id DESC LIMIT 1`);
  return { syncedAt: synced?.at?.toISOString() ?? null, lastRefreshFailedAt: last?.outcome === 'failed' ? last.finished_at?.toISOString() ?? null : null };
}

/** The registry's last-update date as a day ("2026-10" is the first of that month); null when it is not one. */
const dayOf = (d: string | null) => {
  const day = d && /^\d{4}-\d{2}(-\d{2})?$/.test(d) ? (d.length === 7 ? `${d}-01` : d) : null;
  // A day the calendar has ("2026-02-30" is not one).
  const at = day ? Date.parse(`${day}T00:00:00Z`) : NaN;
  return Number.isFinite(at) && new Date(at).toISOString().slice(0, 10) === day ? day : null;
};

/**
 * Stores one study as read; a new one starts with the terms given, a known one keeps its terms
 * (the run sets them all at its end, once every page has been read).
 */
async function storeStudy(tx: Queryable, t: RegistryTrial, terms: string[]): Promise<void> {
  await tx.query(
    `INSERT INTO trials (nct_id, record, title, status, terms, last_update, synced_at) VALUES ($1, $2, $3, $4, $5, $6, now())
     ON CONFLICT (nct_id) DO UPDATE SET record = EXCLUDED.record, title = EXCLUDED.title, status = EXCLUDED.status, last_update = EXCLUDED.last_update, synced_at = now()`,
    [t.nctId, JSON.stringify(t), t.title, t.status, terms, dayOf(t.lastUpdate)]);
}

/**
 * Stores studies read elsewhere than from the live registry (the demo's synthetic registry
 * answers): each under the registry terms its conditions or title name, as a search would find it.
 */
export async function storeTrialCopy(db: Db, trials: RegistryTrial[]): Promise<void> {
  const terms = registryTerms();
  await db.transaction(async (tx) => {
    for (const t of trials) {
      const text = [...t.conditions, ...t.keywords, t.title].join(' \n ');
      await storeStudy(tx, t, terms.filter((term) => mentions(text, term)));
    }
    await tx.query(`INSERT INTO trial_syncs (finished_at, outcome, studies) VALUES (now(), 'done', $1)`, [trials.length]);
  });
}

/**
 * Each panel test's name in a language, as said inside a sentence: "Mutación de ERBB2 (HER2)" is
 * written "mutación de ERBB2 (HER2)"; a gene's name, and English, stay as written. The assessment
 * names tests in English here, because their aliases are found by that name.
 */
function testNamesIn(locale: Locale): (english: string) => string {
  if (locale === 'en') return (name) => name;
  const panels = knowledgeIn(locale).knowledge.panels;
  const names = new Map(KNOWLEDGE.panels.flatMap((p, i) => p.tests.map((t, j) => [t.name, panels[i]?.tests[j]?.name ?? t.name] as const)));
  // A first word that is an ordinary capitalised word ("Mutación", "Índice"), not a gene or a code ("Ki-67", "BRCA1/2").
  return (name) => (names.get(name) ?? name).replace(/^(\p{Lu})(\p{Ll}+)(?=\s|$)/u, (_, first: string, rest: string) => first.toLowerCase() + rest);
}

/** What matching needs of a case, from its intake, its assessment (biomarkers tested or not) and what its molecular reports state. */
async function caseFacts(tx: Queryable, row: Parameters<typeof caseChecklist>[1], now: Date, locale: Locale): Promise<CaseForTrials> {
  const intake = row.intake as Partial<Intake>;
  const { assessment, testFindings } = await caseChecklist(tx, row);
  const ageYears = intake.patient?.birthDate ? ageOn(intake.patient.birthDate, now) : null;
  const tests = assessment.biomarkers?.tests ?? [];
  const nameIn = testNamesIn(locale);
  return {
    conditionId: assessment.condition.id,
    ageYears,
    sex: intake.patient?.sex ?? null,
    country: intake.patient?.country ?? null,
    state: intake.patient?.state ?? null,
    postalCode: intake.patient?.postalCode ?? null,
    travelMiles: intake.patient?.travelMiles ?? null,
    stage: assessment.biomarkers?.stage ?? 'unknown',
    biomarkers: tests.map((t) => {
      const of = [...(TEST_ALIASES.get(t.name) ?? [t.name.toLowerCase()])];
      return { name: nameIn(t.name), gene: TEST_GENE.get(t.name), aliases: of, done: t.status === 'done', finding: findingFor(testFindings, of) };
    }),
    treatments: (intake.treatment?.treatments ?? []).map((t) => t.description),
  };
}

