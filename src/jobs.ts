import { z } from 'zod';
import type { Queryable } from './core/db.ts';
import { enqueueRawJob, type JobDefinition, type JobTable } from './core/jobs.ts';

/**
 * Every kind of background job and the shape of its payload. `enqueueJob` only takes a known kind
 * with its payload; the worker checks the payload again when the job runs.
 */
export const JOB_PAYLOADS = {
  'document.extract': z.object({ documentId: z.uuid() }),
  'imaging.index': z.object({ documentId: z.uuid() }),
  // A slide's id (jobs queued before slides had their own id name the document, whose id it took).
  'pathology.slide': z.union([z.object({ slideId: z.uuid() }), z.object({ documentId: z.uuid() })]),
  'offer.expire': z.object({ offerId: z.uuid() }),
  'case.autoAssign': z.object({ caseId: z.uuid() }),
  'sla.remind': z.object({ caseId: z.uuid(), kind: z.enum(['at_risk', 'breached']), readyAt: z.iso.datetime(), dueAt: z.iso.datetime() }),
  'opinion.closeAfterFollowup': z.object({ caseId: z.uuid() }),
  'event.dispatch': z.object({ eventId: z.string().regex(/^[0-9]{1,19}$/) }),
  'board.agendaMail': z.object({ sessionId: z.uuid(), changedAt: z.iso.datetime() }),
  'visit.remind': z.object({ visitId: z.uuid(), startsAt: z.iso.datetime() }),
  // `requested`: an administrator's one refresh; without it, the scheduled run that books the next.
  'trials.sync': z.object({ requested: z.boolean().optional() }),
  // The member ID and group number read from a photo of an insurance card (the photo named by its content).
  'coverage.readCard': z.object({ caseId: z.uuid(), side: z.enum(['front', 'back']), sha256: z.string().regex(/^[0-9a-f]{64}$/) }),
  // A settled bill's payment page, closed at the payment provider (retried if the provider does not answer).
  'billing.closePaymentPage': z.object({ sessionId: z.string().min(1).max(255) }),
} as const;

export type JobName = keyof typeof JOB_PAYLOADS;

/**
 * Kinds that may run long, with the time their worker keeps them before another may take over:
 * building a slide's tiles runs OpenSlide/libvips for up to an hour on a very large slide, and a
 * DICOM slide's tiles are first joined into one image, which can take as long again.
 */
const JOB_LEASE_MINUTES: Partial<Record<JobName, number>> = { 'pathology.slide': 150, 'trials.sync': 60 };
export type JobPayload<K extends JobName> = z.infer<(typeof JOB_PAYLOADS)[K]>;

export function enqueueJob<K extends JobName>(tx: Queryable, kind: K, payload: JobPayload<K>, runAt?: Date): Promise<void> {
  return enqueueRawJob(tx, kind, JOB_PAYLOADS[kind].parse(payload), runAt);
}

export type JobHandlers = { [K in JobName]: (payload: JobPayload<K>) => Promise<void> };

/**
 * The worker's table from the jobs each capability runs: one handler per kind, each typed by its
 * payload. A kind nobody runs, or two capabilities claiming one kind, stops the server at start-up.
 */
export function jobTable(parts: Partial<JobHandlers>[]): JobTable {
  const table: JobTable = {};
  for (const kind of Object.keys(JOB_PAYLOADS) as JobName[]) {
    const handlers = parts.map((p) => p[kind]).filter((h) => h !== undefined);
    if (handlers.length !== 1) throw new Error(`Job "${kind}" needs exactly one handler; ${handlers.length} capabilities run it`);
    table[kind] = { payload: JOB_PAYLOADS[kind], run: handlers[0], leaseMinutes: JOB_LEASE_MINUTES[kind] } as JobDefinition;
  }
  return table;
}
