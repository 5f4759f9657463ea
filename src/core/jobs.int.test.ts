import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { freshDb, type TestDb } from '../../test/support/testApp.ts';
import { enqueueJob } from '../jobs.ts';
import { openDb } from './db.ts';
import { drainJobs, enqueueRawJob, longKinds, type JobTable } from './jobs.ts';

let t: TestDb;
beforeAll(async () => {
  t = await freshDb();
});
afterAll(() => t.drop());

describe('typed jobs', () => {
  it('runs a job with its checked payload, and refuses one whose payload is not of its kind', async () => {
    const seen: string[] = [];
    const table: JobTable = { 'offer.expire': { payload: z.object({ offerId: z.uuid() }), run: async (p: { offerId: string }) => void seen.push(p.offerId) } as JobTable[string] };
    const id = crypto.randomUUID();
    await enqueueJob(t.db, 'offer.expire', { offerId: id });
    await enqueueRawJob(t.db, 'offer.expire', { offerId: 42 });
    await drainJobs(t.db, table);
    expect(seen).toEqual([id]);
    const [bad] = await t.db.query<{ last_error: string; done_at: Date | null }>(`SELECT last_error, done_at FROM jobs WHERE payload->>'offerId' = '42'`);
    expect(bad!.done_at).toBeNull();
    expect(bad!.last_error).toMatch(/not valid: offerId/);
    expect(() => enqueueJob(t.db, 'offer.expire', { offerId: 'not-a-uuid' })).toThrow();
  });
});

describe('long jobs', () => {
  it('keep their own lease and lane: a long job does not hold up the short ones, and is not taken over while it runs', async () => {
    const order: string[] = [];
    let finishLong!: () => void;
    const longRunning = new Promise<void>((r) => (finishLong = r));
    const table: JobTable = {
      'test.long': { payload: z.object({}), leaseMinutes: 75, run: async () => { order.push('long started'); await longRunning; order.push('long done'); } } as JobTable[string],
      'test.short': { payload: z.object({}), run: async () => void order.push('short') } as JobTable[string],
    };
    await enqueueRawJob(t.db, 'test.long', {});
    await enqueueRawJob(t.db, 'test.short', {});
    expect(longKinds(table)).toEqual(['test.long']);
    const longLane = drainJobs(t.db, table, undefined, 'a', { only: longKinds(table) });
    await expect.poll(() => order).toEqual(['long started']);
    const [lease] = await t.db.query<{ minutes: number }>(`SELECT round(extract(epoch FROM locked_until - now()) / 60)::int AS minutes FROM jobs WHERE kind = 'test.long'`);
    expect(lease!.minutes).toBeGreaterThan(70);
    // The short lane runs meanwhile, and nobody else takes the long job while its lease runs.
    expect(await drainJobs(t.db, table, undefined, 'b', { except: longKinds(table) })).toBe(1);
    expect(await drainJobs(t.db, table, undefined, 'c')).toBe(0);
    expect(order).toEqual(['long started', 'short']);
    finishLong();
    await longLane;
    expect(order).toEqual(['long started', 'short', 'long done']);
  });
});

describe('several workers', () => {
  it('share the queue: each job runs once, and every worker takes some while the others are busy', async () => {
    // Two workers as two instances would have them: on PostgreSQL, each with its own connections.
    const other = t.url ? await openDb({ databaseUrl: t.url }) : t.db;
    try {
      const runs: string[] = [];
      let started = 0;
      let bothBusy!: () => void;
      const busy = new Promise<void>((r) => (bothBusy = r));
      const table: JobTable = {
        'test.shared': {
          payload: z.object({ n: z.number() }),
          // The first job of each worker waits until the other worker holds one too: neither can
          // take everything, whatever the timing.
          run: async (p: { n: number }) => {
            started++;
            if (started === 2) bothBusy();
            if (started <= 2) await busy;
            runs.push(String(p.n));
          },
        } as JobTable[string],
      };
      for (let n = 0; n < 12; n++) await enqueueRawJob(t.db, 'test.shared', { n });
      await Promise.all([drainJobs(t.db, table, undefined, 'one'), drainJobs(other, table, undefined, 'two')]);
      expect(runs.sort()).toEqual(Array.from({ length: 12 }, (_, n) => String(n)).sort());
      const rows = await t.db.query<{ claimed_by: string; attempts: number }>(`SELECT claimed_by, attempts FROM jobs WHERE kind = 'test.shared'`);
      expect(rows.every((r) => r.attempts === 1)).toBe(true);
      expect(new Set(rows.map((r) => r.claimed_by))).toEqual(new Set(['one', 'two']));
    } finally {
      if (other !== t.db) await other.close();
    }
  });
});
