import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshDb, type TestDb } from '../../test/support/testApp.ts';
import { openDb } from './db.ts';

let t: TestDb;
beforeAll(async () => {
  t = await freshDb();
});
afterAll(() => t.drop());

const heard = (got: string[], want: string) => expect.poll(() => got, { timeout: 10_000 }).toContain(want);

describe('listening for notifications', () => {
  it('hears a notify when its transaction commits, never one that rolled back', async () => {
    const got: string[] = [];
    const stop = await t.db.listen('test_channel', (p) => got.push(p));
    await expect(t.db.transaction(async (tx) => {
      await tx.query(`SELECT pg_notify('test_channel', 'rolled back')`);
      throw new Error('no');
    })).rejects.toThrow('no');
    await t.db.transaction((tx) => tx.query(`SELECT pg_notify('test_channel', 'committed')`));
    await heard(got, 'committed');
    expect(got).not.toContain('rolled back');
    await stop();
  });

  it.runIf(process.env.TEST_DB === 'postgres')('listens again by itself when its connection is cut', async () => {
    const got: string[] = [];
    const stop = await t.db.listen('test_reconnect', (p) => got.push(p));
    await t.db.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND query LIKE 'LISTEN%' AND pid <> pg_backend_pid()`);
    // Notify until the new connection is listening (it takes over after a pause).
    await expect.poll(async () => {
      await t.db.query(`SELECT pg_notify('test_reconnect', 'after the cut')`);
      return got;
    }, { timeout: 15_000, interval: 500 }).toContain('after the cut');
    await stop();
  });
});

describe('the connection pool', () => {
  it.runIf(process.env.TEST_DB === 'postgres')('carries on when the server ends its idle connections (a restart, an administrator)', async () => {
    // Several connections open at once, then idle in the pool.
    await Promise.all(Array.from({ length: 4 }, () => t.db.transaction((tx) => tx.query('SELECT pg_sleep(0.05)'))));
    await t.db.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid() AND query NOT LIKE 'LISTEN%'`);
    // The process is still here (an unhandled pool error would have ended it) and queries work.
    await expect.poll(async () => (await t.db.query<{ one: number }>('SELECT 1 AS one'))[0]?.one, { timeout: 10_000 }).toBe(1);
  });
});

describe('a read outside a transaction', () => {
  it('sends each statement on its own and writes what it recorded once it is done, or nothing when it fails', async () => {
    await t.db.exec('CREATE TABLE read_marks (note text NOT NULL)');
    const order: string[] = [];
    const ids = await t.db.reading(async (q) => {
      q.beforeCommit!('mark', async () => {
        order.push('before');
        await q.query(`INSERT INTO read_marks VALUES ('read')`);
      });
      q.afterCommit!('after', () => order.push('after'));
      // A transaction would give both statements one id; here each commits by itself.
      const first = await q.query<{ id: string }>('SELECT pg_current_xact_id()::text AS id');
      const second = await q.query<{ id: string }>('SELECT pg_current_xact_id()::text AS id');
      order.push('read');
      return [first[0]!.id, second[0]!.id];
    });
    expect(ids[0]).not.toBe(ids[1]);
    expect(order).toEqual(['read', 'before', 'after']);
    await expect(t.db.reading(async (q) => {
      q.beforeCommit!('mark', () => q.query(`INSERT INTO read_marks VALUES ('failed read')`).then(() => undefined));
      throw new Error('the read failed');
    })).rejects.toThrow('the read failed');
    expect(await t.db.query('SELECT note FROM read_marks')).toEqual([{ note: 'read' }]);
  });
});

describe.runIf(process.env.TEST_DB === 'postgres')('statements sent again and again', () => {
  it('are prepared once per connection from their third use on, except those returning * or matching a pattern', async () => {
    const one = await openDb({ databaseUrl: t.url!, poolSize: 1 });
    try {
      await one.exec('CREATE TABLE kept_plans (id int PRIMARY KEY, note text)');
      await one.query('INSERT INTO kept_plans VALUES (1, $1)', ['first']);
      const prepared = async () => (await one.query<{ statement: string }>('SELECT statement FROM pg_prepared_statements')).map((r) => r.statement);
      const byId = 'SELECT id, note FROM kept_plans WHERE id = $1';
      for (let i = 0; i < 2; i++) await one.query(byId, [1]);
      expect(await prepared()).not.toContain(byId);
      for (let i = 0; i < 2; i++) expect(await one.query(byId, [1])).toEqual([{ id: 1, note: 'first' }]);
      expect(await prepared()).toContain(byId);
      // In a transaction and in a read, on the same connection, the kept statement serves too.
      expect(await one.transaction((tx) => tx.query(byId, [1]))).toEqual([{ id: 1, note: 'first' }]);
      const everything = 'SELECT * FROM kept_plans WHERE id = $1';
      for (let i = 0; i < 4; i++) await one.query(everything, [1]);
      expect(await prepared()).not.toContain(everything);
      // A search's plan depends on its pattern: planned each time.
      const search = 'SELECT id FROM kept_plans WHERE note LIKE $1';
      for (let i = 0; i < 4; i++) await one.query(search, ['fir%']);
      expect(await prepared()).not.toContain(search);
    } finally {
      await one.close();
    }
  });

  it('go back to being planned each time when a column they return changes type under them', async () => {
    const one = await openDb({ databaseUrl: t.url!, poolSize: 1 });
    try {
      await one.exec(`CREATE TABLE changing_plans (id int PRIMARY KEY, size text); INSERT INTO changing_plans VALUES (1, '42')`);
      const size = 'SELECT size FROM changing_plans WHERE id = $1';
      for (let i = 0; i < 3; i++) await one.query(size, [1]);
      expect(await one.query('SELECT statement FROM pg_prepared_statements')).toEqual([{ statement: size }]);
      // Another instance's migration: the kept plan is refused, and the statement is sent again, planned.
      await t.db.exec('ALTER TABLE changing_plans ALTER COLUMN size TYPE int USING size::int');
      for (let i = 0; i < 4; i++) expect(await one.query(size, [1])).toEqual([{ size: 42 }]);
    } finally {
      await one.close();
    }
  });

  it('are never prepared when keeping plans is turned off', async () => {
    const one = await openDb({ databaseUrl: t.url!, poolSize: 1, keepPlans: false });
    try {
      const byId = 'SELECT 1 AS one WHERE $1::int = 1';
      for (let i = 0; i < 5; i++) await one.query(byId, [1]);
      expect(await one.query('SELECT statement FROM pg_prepared_statements')).toEqual([]);
    } finally {
      await one.close();
    }
  });
});
