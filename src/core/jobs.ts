import type { FastifyBaseLogger } from 'fastify';
import type { z } from 'zod';
import type { Db, Queryable } from './db.ts';

/**
 * A small job queue in PostgreSQL. Jobs are enqueued in the transaction that creates the work
 * (so a job exists if and only if its cause committed), claimed with SKIP LOCKED so several
 * workers never run one job twice, retried with backoff, and kept for the record when done.
 */
/** A kind of job: the shape of its payload (checked when it runs) and what it does. */
export interface JobDefinition<P = unknown> {
  payload: z.ZodType<P>;
  /**
   * How long a claimed job is left to its worker before another may take it over (default 10
   * minutes); and a kind with a long lease runs in a lane of its own, so it never holds up the
   * short jobs (mail, reminders) behind it.
   */
  leaseMinutes?: number;
  // Method syntax on purpose: a table of definitions with different payloads stays assignable.
  run(payload: P): Promise<void>;
}
export type JobTable = Record<string, JobDefinition>;

/** Puts a job in the queue; use the typed `enqueueJob` of `src/jobs.ts`, which knows every kind. */
export async function enqueueRawJob(tx: Queryable, kind: string, payload: unknown, runAt?: Date): Promise<void> {
  await tx.query('INSERT INTO jobs (kind, payload, run_at) VALUES ($1, $2, coalesce($3::timestamptz, now()))', [kind, JSON.stringify(payload), runAt?.toISOString() ?? null]);
}

interface JobRow {
  id: string;
  kind: string;
  payload: Record<string, unknown>;
  attempts: number;
  max_attempts: number;
}

const DEFAULT_LEASE_MINUTES = 10;

/** Which kinds a worker takes: all of them, only these, or all but these. */
export type JobLane = { only?: string[]; except?: string[] };

/** The kinds with a lease of their own: they run in a lane apart (see JobDefinition.leaseMinutes). */
export const longKinds = (handlers: JobTable) => Object.keys(handlers).filter((k) => (handlers[k]!.leaseMinutes ?? DEFAULT_LEASE_MINUTES) > DEFAULT_LEASE_MINUTES);

/** Claims and runs one due job; returns false when none is due. */
export async function runOneJob(db: Db, handlers: JobTable, log?: FastifyBaseLogger, worker: string | null = null, lane: JobLane = {}): Promise<boolean> {
  const leases = Object.fromEntries(Object.entries(handlers).flatMap(([k, h]) => (h.leaseMinutes ? [[k, h.leaseMinutes]] : [])));
  const [job] = await db.query<JobRow>(
    `UPDATE jobs SET locked_until = now() + make_interval(mins => coalesce(($2::jsonb ->> kind)::int, ${DEFAULT_LEASE_MINUTES})), attempts = attempts + 1, claimed_by = $1
     WHERE id = (SELECT id FROM jobs WHERE done_at IS NULL AND run_at <= now() AND attempts < max_attempts
                 AND (locked_until IS NULL OR locked_until < now())
                 AND ($3::text[] IS NULL OR kind = ANY($3::text[])) AND ($4::text[] IS NULL OR NOT (kind = ANY($4::text[])))
                 ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED)
     RETURNING id, kind, payload, attempts, max_attempts`, [worker, JSON.stringify(leases), lane.only ?? null, lane.except ?? null]);
  if (!job) return false;
  const handler = handlers[job.kind];
  try {
    if (!handler) throw new Error(`No handler for job kind "${job.kind}"`);
    const payload = handler.payload.safeParse(job.payload);
    if (!payload.success) throw new Error(`The payload of a "${job.kind}" job is not valid: ${payload.error.issues.map((i) => i.path.join('.')).join(', ')}`);
    await handler.run(payload.data);
    await db.query('UPDATE jobs SET done_at = now(), locked_until = NULL, last_error = NULL WHERE id = $1', [job.id]);
  } catch (err) {
    const message = String((err as Error).message).slice(0, 500);
    log?.warn({ jobId: job.id, kind: job.kind, attempt: job.attempts, err: message }, 'job failed');
    const delaySeconds = Math.min(3600, 2 ** job.attempts * 5);
    await db.query(`UPDATE jobs SET last_error = $2, locked_until = NULL, run_at = now() + make_interval(secs => $3) WHERE id = $1`, [job.id, message, delaySeconds]);
  }
  return true;
}

/** Runs due jobs until none is left (tests, the CLI, and the worker's inner loop). */
export async function drainJobs(db: Db, handlers: JobTable, log?: FastifyBaseLogger, worker: string | null = null, lane: JobLane = {}): Promise<number> {
  let n = 0;
  while (await runOneJob(db, handlers, log, worker, lane)) n++;
  return n;
}

/**
 * Runs due jobs until none is left to run anywhere: jobs another worker holds (the app's own
 * poller, another instance) are waited for, and whatever they enqueue is run too, for at most
 * `withinMs`. For tests and the CLI, where "drained" must mean the work is done.
 */
export async function drainUntilSettled(db: Db, handlers: JobTable, log?: FastifyBaseLogger, worker: string | null = null, withinMs = 15_000): Promise<number> {
  const until = Date.now() + withinMs;
  let n = await drainJobs(db, handlers, log, worker);
  for (;;) {
    const [left] = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM jobs WHERE done_at IS NULL AND run_at <= now() AND attempts < max_attempts');
    if (!left?.n || Date.now() > until) return n;
    await new Promise((r) => setTimeout(r, 25));
    n += await drainJobs(db, handlers, log, worker);
  }
}

/** Polls for due jobs; returns a stop function that waits for the running job to finish. */
export function startJobWorker(db: Db, handlers: JobTable, log: FastifyBaseLogger, intervalMs = 500, worker: string | null = null): () => Promise<void> {
  const long = longKinds(handlers);
  const stops = [pollEvery(() => drainJobs(db, handlers, log, worker, long.length ? { except: long } : {}), intervalMs, (err) => log.error({ err: err.message }, 'job worker failed'))];
  if (long.length) stops.push(pollEvery(() => drainJobs(db, handlers, log, worker, { only: long }), intervalMs, (err) => log.error({ err: err.message }, 'job worker (long jobs) failed')));
  return async () => {
    await Promise.all(stops.map((stop) => stop()));
  };
}

/**
 * Runs `work` every `intervalMs` after the last run ended (never two at once); returns a stop
 * function that waits for a run in progress to end.
 */
export function pollEvery(work: () => Promise<unknown>, intervalMs: number, onError: (err: Error) => void): () => Promise<void> {
  let stopped = false;
  let running: Promise<unknown> = Promise.resolve();
  const tick = () => {
    if (stopped) return;
    running = work()
      .catch(onError)
      .finally(() => {
        if (!stopped) timer = setTimeout(tick, intervalMs);
      });
  };
  let timer = setTimeout(tick, intervalMs);
  return async () => {
    stopped = true;
    clearTimeout(timer);
    await running;
  };
}
