import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshDb, type TestDb } from '../../test/support/testApp.ts';
import { cheapCount, exactWhenShort, RecentEstimates } from './counting.ts';
import { mergedWalksSql } from './walks.ts';

let t: TestDb;
beforeAll(async () => {
  t = await freshDb();
  // 3,000 rows in three kinds, ordered by rank with ties broken by id, most of one kind.
  await t.db.exec(`CREATE TABLE walk_rows (id int PRIMARY KEY, kind text NOT NULL, rank int NOT NULL);
    CREATE INDEX walk_rows_kind_idx ON walk_rows (kind, rank, id);
    INSERT INTO walk_rows SELECT g, CASE WHEN g % 10 = 0 THEN 'b' WHEN g % 10 = 1 THEN 'c' ELSE 'a' END, (g * 7919) % 500 FROM generate_series(1, 3000) g;
    ANALYZE walk_rows;`);
});
afterAll(() => t.drop());

const ids = async (sql: string, params: unknown[] = []) => (await t.db.query<{ id: number }>(sql, params)).map((r) => r.id);

describe('a page over several conditions, one walk each', () => {
  it('lists the same rows in the same order as one filtered walk, on every page and in both directions', async () => {
    for (const dir of ['ASC', 'DESC']) {
      const orderBy = `w.rank ${dir}, w.id ${dir}`;
      for (const offset of [0, 20, 580]) {
        const plain = await ids(`SELECT w.id FROM walk_rows w WHERE w.kind IN ('b', 'c') AND w.id > 5 ORDER BY ${orderBy} LIMIT 20 OFFSET ${offset}`);
        const merged = await ids(mergedWalksSql({ select: 'w.id, w.rank', from: 'FROM walk_rows w', alias: 'w', where: ['w.id > $1'], branches: [`w.kind = 'b'`, `w.kind = 'c'`], orderBy, limit: 20, offset }), [5]);
        expect(merged).toEqual(plain);
        expect(merged.length).toBe(offset === 580 ? 19 : 20);
      }
    }
  });

  it('is one plain walk for one condition or none', async () => {
    const one = mergedWalksSql({ select: 'w.id', from: 'FROM walk_rows w', alias: 'w', where: [], branches: [`w.kind = 'b'`], orderBy: 'w.id', limit: 5, offset: 0 });
    expect(one).not.toContain('UNION');
    expect(await ids(one)).toEqual([10, 20, 30, 40, 50]);
    expect(await ids(mergedWalksSql({ select: 'w.id', from: 'FROM walk_rows w', alias: 'w', where: [], branches: [], orderBy: 'w.id', limit: 3, offset: 2 }))).toEqual([3, 4, 5]);
  });
});

describe('cheap totals', () => {
  it('counts exactly up to the threshold, estimates far above it without counting, and lets a short page correct an estimate', async () => {
    expect(await cheapCount(t.db, `FROM walk_rows w WHERE w.kind = 'b'`, [], 1000)).toEqual({ total: 300, estimated: false });
    const many = await cheapCount(t.db, `FROM walk_rows w WHERE w.kind = 'a'`, [], 100);
    expect(many.estimated).toBe(true);
    expect(many.total).toBeGreaterThan(1000);
    // Between the threshold and twice it: counted, and said to be more than the threshold.
    const some = await cheapCount(t.db, `FROM walk_rows w WHERE w.kind = 'b'`, [], 250);
    expect(some.estimated).toBe(true);
    expect(some.total).toBeGreaterThan(250);
    expect(exactWhenShort(2400, 7, 25, 50)).toBe(57);
    expect(exactWhenShort(2400, 25, 25, 50)).toBe(2400);
    expect(exactWhenShort(2400, 0, 25, 5000)).toBe(2400);
    expect(exactWhenShort(2400, 0, 25, 0)).toBe(0);
  });
});

describe('estimates kept for a few seconds', () => {
  it('reuses a list\'s estimate within the window, asks again after it, and never keeps an exact total', async () => {
    let now = 0;
    const recent = new RecentEstimates(10_000, () => now);
    await t.db.exec(`CREATE TABLE growing (id int PRIMARY KEY, kind text NOT NULL);
      INSERT INTO growing SELECT g, CASE WHEN g % 100 = 0 THEN 'rare' ELSE 'common' END FROM generate_series(1, 3000) g; ANALYZE growing`);
    const common = () => cheapCount(t.db, `FROM growing g WHERE g.kind = $1`, ['common'], 100, { recent });
    const rare = () => cheapCount(t.db, `FROM growing g WHERE g.kind = $1`, ['rare'], 100, { recent });
    const before = await common();
    expect(before.estimated).toBe(true);
    expect(await rare()).toEqual({ total: 30, estimated: false });
    await t.db.exec(`INSERT INTO growing SELECT g, CASE WHEN g % 100 = 0 THEN 'rare' ELSE 'common' END FROM generate_series(3001, 9000) g; ANALYZE growing`);
    now = 9_000;
    expect(await common()).toEqual(before);
    expect(await rare()).toEqual({ total: 90, estimated: false });
    // A short list's estimate is kept too: within the window it is counted without asking the planner first.
    const sent: string[] = [];
    const watched = { query: <T>(sql: string, params?: unknown[]) => (sent.push(sql), t.db.query<T>(sql, params)), exec: (sql: string) => t.db.exec(sql) };
    expect(await cheapCount(watched, `FROM growing g WHERE g.kind = $1`, ['rare'], 100, { recent })).toEqual({ total: 90, estimated: false });
    expect(sent.map((q) => q.split(' ')[0])).toEqual(['SELECT']);
    now = 10_000;
    expect((await common()).total).toBeGreaterThan(before.total * 2);
    // Under a name of its own, a list whose SQL changes keeps one estimate.
    const named = (at: string) => cheapCount(t.db, `FROM growing g WHERE g.kind = $1 AND $2::text IS NOT NULL`, ['common', at], 100, { recent, key: 'common list' });
    const first = await named('one moment');
    await t.db.exec(`INSERT INTO growing SELECT g, 'common' FROM generate_series(9001, 30000) g; ANALYZE growing`);
    expect(await named('a moment later')).toEqual(first);
  });
});
