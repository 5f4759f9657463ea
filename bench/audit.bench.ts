import { recordAudit, startAuditSealer } from '../src/core/audit.ts';
import { SYSTEM_META } from '../src/core/context.ts';
import type { Db } from '../src/core/db.ts';
import { freshDb } from '../test/support/testApp.ts';
import type { BenchResult } from './harness.ts';

/**
 * Audited writes per second with 1, 4 and 16 concurrent writers on PostgreSQL: each writer runs
 * transactions that record one audit event (the trail's own cost, nothing else). The reference
 * is the same transactions inserting the same row into a plain table with no chain: the ratio is
 * the share of throughput the tamper evidence leaves (sealing included: the clock stops once
 * every event is linked).
 */
export async function auditBenchmark(seconds: number): Promise<BenchResult[]> {
  const d = await freshDb('postgres');
  try {
    await d.db.exec(`CREATE TABLE plain_events (LIKE audit_events INCLUDING DEFAULTS)`);
    const results: BenchResult[] = [];
    for (const writers of [1, 4, 16]) {
      // The sealer runs beside the writers, as in the server, and has caught up before the clock stops.
      const ours = await withSealer(d.db, () => writesPerSecond(d.db, writers, seconds, (tx, i) =>
        recordAudit(tx, { actor: null, meta: SYSTEM_META, action: 'bench.write', entityType: 'Bench', detail: { count: i } })));
      const reference = await writesPerSecond(d.db, writers, seconds, (tx, i) =>
        tx.query(`INSERT INTO plain_events (id, at, action, entity_type, outcome, detail) VALUES (gen_random_uuid(), now(), 'bench.write', 'Bench', 'success', $1)`,
          [JSON.stringify({ count: i })]));
      results.push({ name: `audited writes, ${writers} concurrent writer${writers > 1 ? 's' : ''}`, backend: 'postgres', unit: 'tx/s', ours, reference, referenceName: 'same insert, no chain', ratio: ours / reference });
    }
    return results;
  } finally {
    await d.drop();
  }
}

async function withSealer(db: Db, run: () => Promise<number>): Promise<number> {
  const stop = startAuditSealer(db, (err) => console.error(err), 100);
  const started = Date.now();
  const perSecond = await run();
  const measured = (Date.now() - started) / 1000;
  await stop();
  // The writes per second over the time it took to write them and link them all.
  return (perSecond * measured) / ((Date.now() - started) / 1000);
}

async function writesPerSecond(db: Db, writers: number, seconds: number, write: (tx: Parameters<Parameters<Db['transaction']>[0]>[0], i: number) => Promise<unknown>): Promise<number> {
  const until = Date.now() + seconds * 1000;
  let done = 0;
  await Promise.all(Array.from({ length: writers }, async () => {
    while (Date.now() < until) {
      await db.transaction((tx) => write(tx, done));
      done++;
    }
  }));
  return done / seconds;
}
