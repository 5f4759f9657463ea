import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { freshDb, type TestDb } from '../../test/support/testApp.ts';
import { enqueueJob } from '../jobs.ts';
import { drainJobs, enqueueRawJob, type JobTable } from './jobs.ts';

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
