import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { aCase, anIntake, aPatient, aStaff, command, signConsents, waiveOutstanding, type Person } from '../../test/support/builders.ts';
import { freshDb, startTestApp, type TestApp } from '../../test/support/testApp.ts';
import { cheapCount } from '../core/counting.ts';
import { growToScale } from '../../bench/scaleSeed.ts';
import { Client } from '../../test/support/client.ts';
import { DEMO_PASSWORD, seedDemo } from '../demo/seed.ts';
import { refreshSlaDueDates } from './service.ts';
import { loadServiceLevels, onTrackFrom } from './sla.ts';
import { queryCases } from './repository.ts';
import type { Queryable } from '../core/db.ts';

let t: TestApp;
let coordinator: Person;
let patient: Person;
const ids: string[] = [];
beforeAll(async () => {
  t = await startTestApp();
  coordinator = await aStaff(t, 'coordinator');
  patient = await aPatient(t);
  for (let i = 0; i < 7; i++) ids.push(await aCase(t, patient, { submit: true, intake: { patient: { ...anIntake().patient, familyName: `Keyset${i}` } } }));
});
afterAll(() => t.close());

type Item = { id: string; sla: { state: string; dueAt: string } | null };
const list = async (query: string) => {
  const r = await coordinator.client.get(`/api/cases?${query}`);
  expect(r.status).toBe(200);
  return r.body as { items: Item[]; total: number; totalIsEstimate: boolean; nextCursor: string | null };
};

describe('the queue at scale', () => {
  it('pages by cursor through the whole list, in every sort, with nothing missed or repeated', async () => {
    for (const sort of ['oldest', 'newest', 'urgency']) {
      const whole = (await list(`sort=${sort}&pageSize=100`)).items.map((c) => c.id);
      const walked: string[] = [];
      let cursor: string | null = null;
      do {
        const page = await list(`sort=${sort}&pageSize=2${cursor ? `&cursor=${cursor}` : ''}`);
        walked.push(...page.items.map((c) => c.id));
        cursor = page.nextCursor;
      } while (cursor);
      expect(walked).toEqual(whole);
      expect(whole).toEqual(expect.arrayContaining(ids));
    }
    // Several statuses at once: the same cases, in the same order, as the whole list filtered.
    const statusOf = new Map((await t.db.query<{ id: string; status: string }>('SELECT id, status FROM cases')).map((r) => [r.id, r.status]));
    for (const sort of ['oldest', 'newest', 'urgency']) {
      const whole = (await list(`sort=${sort}&pageSize=100`)).items.map((c) => c.id).filter((id) => ['submitted', 'collecting_records'].includes(statusOf.get(id)!));
      const both = await list(`sort=${sort}&pageSize=100&status=submitted&status=collecting_records`);
      expect(both.items.map((c) => c.id)).toEqual(whole);
      expect((await list(`sort=${sort}&pageSize=2&page=2&status=submitted&status=collecting_records`)).items.map((c) => c.id)).toEqual(whole.slice(2, 4));
    }
    // A position from another sort order (or made up) is refused in words, not misread.
    const first = await list('sort=oldest&pageSize=2');
    const wrong = await coordinator.client.get(`/api/cases?sort=newest&cursor=${first.nextCursor}`);
    expect(wrong.status).toBe(400);
    expect(wrong.body.detail).toMatch(/first page/);
    expect((await coordinator.client.get('/api/cases?cursor=not-a-cursor')).status).toBe(400);
  });

  it('finds a case by the patient name after it changes, by reference and by condition code', async () => {
    const id = await aCase(t, patient, { intake: { patient: { ...anIntake().patient, familyName: 'Beforename' }, condition: { ...anIntake().condition, icd10Code: 'C34.12' } } });
    const changed = await patient.client.put(`/api/cases/${id}/intake/patient`, { ...anIntake().patient, familyName: 'Afterwards' });
    expect(changed.status).toBe(200);
    await signConsents(patient, id);
    await command(patient, id, 'submit');
    const [row] = await t.db.query<{ reference: string }>('SELECT reference FROM cases WHERE id = $1', [id]);
    expect((await list('q=afterwards')).items.map((c) => c.id)).toEqual([id]);
    expect((await list('q=beforename')).items).toHaveLength(0);
    expect((await list(`q=${row!.reference.toLowerCase()}`)).items.map((c) => c.id)).toEqual([id]);
    expect((await list('q=c34.12')).items.map((c) => c.id)).toEqual([id]);
    // A wildcard typed into the box is a character to find, not a pattern.
    expect((await list('q=%25')).items).toHaveLength(0);
  });

  it('keeps references whole past the millionth case, and finds them', async () => {
    await t.db.query(`SELECT setval('case_reference_seq', 999999, false)`);
    const ids = [];
    for (let i = 0; i < 2; i++) {
      const id = await aCase(t, patient, { intake: anIntake() });
      await signConsents(patient, id);
      await command(patient, id, 'submit');
      ids.push(id);
    }
    const refs = await t.db.query<{ reference: string }>('SELECT reference FROM cases WHERE id = ANY($1::uuid[]) ORDER BY created_at', [ids]);
    expect(refs.map((r) => r.reference.split('-')[2])).toEqual(['999999', '1000000']);
    for (const [k, r] of refs.entries()) expect((await list(`q=${r.reference}`)).items.map((c) => c.id)).toEqual([ids[k]]);
  });

  it('filters by service level exactly as each case’s own clock reads, and a new urgency moves the due date', async () => {
    const [a, b] = ids;
    for (const id of [a!, b!]) {
      await command(coordinator, id, 'startRecordCollection');
      await waiveOutstanding(coordinator, id);
      await command(coordinator, id, 'markReadyForReview');
    }
    const before = (await list('pageSize=100')).items.find((c) => c.id === a)!.sla!.dueAt;
    const urgent = await coordinator.client.put(`/api/cases/${a}/urgency`, { urgency: 'expedited', reason: 'Surgery date set' });
    expect(urgent.status, urgent.text).toBe(200);
    const after = (await list('pageSize=100')).items.find((c) => c.id === a)!.sla!.dueAt;
    expect(new Date(after).getTime()).toBeLessThan(new Date(before).getTime());

    // Due dates on either side of each boundary; the filters agree with the clocks every time.
    for (const [dueA, dueB] of [['30 days', '1 hour'], ['-1 hour', '2 days'], ['-3 days', '-1 minute']]) {
      await t.db.query(`UPDATE cases SET sla_due_at = now() + $2::interval WHERE id = $1`, [a, dueA]);
      await t.db.query(`UPDATE cases SET sla_due_at = now() + $2::interval WHERE id = $1`, [b, dueB]);
      const all = (await list('pageSize=100')).items;
      for (const state of ['on_track', 'at_risk', 'breached']) {
        const expected = all.filter((c) => c.sla?.state === state).map((c) => c.id).sort();
        expect((await list(`sla=${state}&pageSize=100`)).items.map((c) => c.id).sort()).toEqual(expected);
      }
    }
    expect((await list('sla=breached&pageSize=100')).items.map((c) => c.id)).toEqual(expect.arrayContaining([a, b]));
  });

  it('gives running clocks their due date again when the service-level calendar changes', async () => {
    const levels = loadServiceLevels();
    const longer = { ...levels, businessDays: { ...levels.businessDays, standard: levels.businessDays.standard + 5 } };
    const dueOf = async () => (await t.db.query<{ sla_due_at: Date }>('SELECT sla_due_at FROM cases WHERE id = $1', [ids[1]]))[0]!.sla_due_at;
    const was = new Date(await dueOf()).getTime();
    expect(await refreshSlaDueDates(t.db, longer)).toBeGreaterThanOrEqual(1);
    expect(new Date(await dueOf()).getTime()).toBeGreaterThan(was);
    expect(await refreshSlaDueDates(t.db, longer)).toBe(0);
    await refreshSlaDueDates(t.db, levels);
  });
});

describe('list totals', () => {
  it('counts exactly up to the threshold and estimates above it', async () => {
    const d = await freshDb();
    try {
      await d.db.exec('CREATE TABLE numbers AS SELECT generate_series(1, 50) AS n; ANALYZE numbers');
      expect(await cheapCount(d.db, 'FROM numbers WHERE n <= $1', [10], 20)).toEqual({ total: 10, estimated: false });
      const above = await cheapCount(d.db, 'FROM numbers WHERE n <= $1', [40], 20);
      expect(above.estimated).toBe(true);
      expect(above.total).toBeGreaterThan(20);
      expect(above.total).toBeLessThanOrEqual(60);
    } finally {
      await d.drop();
    }
  });
});

describe('a search that most of a long queue matches', () => {
  let big: TestApp;
  beforeAll(async () => {
    big = await startTestApp({ DEMO: 'true' });
    await seedDemo(big.db, big.config);
    // A young program (a month of requests, most still open): many open cases match the search.
    await growToScale(big.db, { cases: 4000, auditEvents: 0, historyDays: 30 });
  }, 120_000);
  afterAll(() => big?.close());

  it('walks the queue in order (too many matches to count) and lists what a full sort of the matches lists', async () => {
    const c = new Client(big.baseUrl);
    expect((await c.post('/api/auth/login', { email: 'coordinator@demo.consilium.test', password: DEMO_PASSWORD })).status).toBe(200);
    const [me] = await big.db.query<{ id: string }>(`SELECT id FROM users WHERE email = 'coordinator@demo.consilium.test'`);
    const open = ['submitted', 'collecting_records', 'ready_for_review', 'assigned', 'in_review', 'board', 'opinion_signed', 'delivered', 'on_hold'];
    for (const [sort, order] of [['urgency', 'urgency, queued_at, id'], ['newest', 'queued_at DESC, id DESC']] as const) {
      const expected = await big.db.query<{ id: string }>(
        `SELECT id FROM cases WHERE search_text LIKE '%c-20%' AND status = ANY($1::text[]) AND (coordinator_id = $2 OR coordinator_id IS NULL) ORDER BY ${order} LIMIT 40`, [open, me!.id]);
      expect(expected.length).toBe(40);
      const query = `q=C-20&sort=${sort}&pageSize=20&${open.map((s) => `status=${s}`).join('&')}`;
      const first = (await c.get(`/api/cases?${query}`)).body;
      // More matches than are counted: the total is an estimate, so the page came from the walk.
      expect(first.totalIsEstimate).toBe(true);
      const second = (await c.get(`/api/cases?${query}&cursor=${first.nextCursor}`)).body;
      expect([...first.items, ...second.items].map((i: { id: string }) => i.id)).toEqual(expected.map((r) => r.id));
    }
  });

  it('counts a search with few matches in the statement that sorts them, and walks instead when the planner guessed too few', async () => {
    const [me] = await big.db.query<{ id: string }>(`SELECT id FROM users WHERE email = 'coordinator@demo.consilium.test'`);
    const actor = { userId: me!.id, role: 'coordinator' as const, name: 'Coordinator', email: 'coordinator@demo.consilium.test' };
    const now = new Date();
    const clock = { now, onTrackFrom: onTrackFrom(loadServiceLevels(), now) };
    const open = ['submitted', 'collecting_records', 'ready_for_review', 'assigned', 'in_review', 'board', 'opinion_signed', 'delivered', 'on_hold'] as const;
    const statements: string[] = [];
    // The planner's estimate as given (or replaced by `guess`), every statement seen.
    const watched = (guess?: number): Queryable => ({
      exec: (sql: string) => big.db.exec(sql),
      query: async <T>(sql: string, params?: unknown[]) => {
        statements.push(sql);
        if (guess !== undefined && /^EXPLAIN/.test(sql)) return [{ 'QUERY PLAN': [{ Plan: { 'Plan Rows': guess } }] }] as T[];
        return big.db.query<T>(sql, params);
      },
    });
    const truth = async (like: string, order: string) => big.db.query<{ id: string }>(
      `SELECT id FROM cases WHERE search_text LIKE $3 AND status = ANY($1::text[]) AND (coordinator_id = $2 OR coordinator_id IS NULL) ORDER BY ${order}`, [open, me!.id, like]);

    // A rare word: its matches read once, counted exactly and sorted, in one statement after the estimate.
    const [rare] = await big.db.query<{ family_name: string }>(`SELECT p.family_name FROM cases c JOIN patients p ON p.id = c.patient_id WHERE c.status = 'in_review' AND p.family_name IS NOT NULL LIMIT 1`);
    const word = rare!.family_name.toLowerCase();
    const few = await truth(`%${word}%`, 'urgency, queued_at, id');
    expect(few.length).toBeGreaterThan(0);
    const found = await queryCases(watched(), actor, { q: word, status: [...open], sort: 'urgency', page: 1, pageSize: 25 }, clock);
    expect(found.rows.map((r) => r.id)).toEqual(few.slice(0, 25).map((r) => r.id));
    expect({ total: found.total, estimated: found.estimated }).toEqual({ total: few.length, estimated: false });
    expect(statements.filter((sql) => !/^EXPLAIN/.test(sql))).toHaveLength(1);
    // Past the end: no row carries the count, which is taken on its own.
    const beyond = await queryCases(watched(), actor, { q: word, status: [...open], sort: 'urgency', page: 50, pageSize: 25 }, clock);
    expect({ rows: beyond.rows.length, total: beyond.total, estimated: beyond.estimated }).toEqual({ rows: 0, total: few.length, estimated: false });

    // A common word the planner thought rare: over a thousand matches, so the page comes from the
    // walk in sort order, the same page a full sort gives, and the total is an estimate.
    const many = await truth('%c-20%', 'queued_at DESC, id DESC');
    expect(many.length).toBeGreaterThan(1000);
    statements.length = 0;
    const walked = await queryCases(watched(1500), actor, { q: 'C-20', status: [...open], sort: 'newest', page: 2, pageSize: 25 }, clock);
    expect(walked.rows.map((r) => r.id)).toEqual(many.slice(25, 50).map((r) => r.id));
    expect(walked.estimated).toBe(true);
    expect(walked.total).toBeGreaterThan(1000);
    expect(statements.filter((sql) => /MATERIALIZED/.test(sql))).toHaveLength(1);

    // Overdue cases are counted whatever the planner guesses (it cannot weigh a delivery date
    // against a due date), in the statement that reads the page.
    const [overdue] = await big.db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM cases WHERE ready_at IS NOT NULL AND ((delivered_at IS NULL AND sla_due_at < $1) OR delivered_at > sla_due_at) AND (coordinator_id = $2 OR (coordinator_id IS NULL AND status NOT IN ('draft', 'cancelled', 'closed')))`, [now.toISOString(), me!.id]);
    expect(overdue!.n).toBeGreaterThan(0);
    statements.length = 0;
    const late = await queryCases(watched(50_000), actor, { sla: 'breached', sort: 'oldest', page: 1, pageSize: 25 }, clock);
    expect({ total: late.total, estimated: late.estimated }).toEqual({ total: overdue!.n, estimated: false });
    expect(statements.filter((sql) => !/^EXPLAIN/.test(sql))).toHaveLength(1);
  });

  it('walks a coordinator\'s own cases and the unclaimed pool apart when a desk of coordinators shares the queue', async () => {
    const [me] = await big.db.query<{ id: string }>(`SELECT id FROM users WHERE email = 'coordinator@demo.consilium.test'`);
    const actor = { userId: me!.id, role: 'coordinator' as const, name: 'Coordinator', email: 'coordinator@demo.consilium.test' };
    const now = new Date();
    const clock = { now, onTrackFrom: onTrackFrom(loadServiceLevels(), now) };
    const rolledBack = new Error('rolled back');
    // The demo coordinator's cases dealt out to a desk of five, inside a transaction undone after.
    await big.db.transaction(async (tx) => {
      const desk = (await tx.query<{ id: string }>(
        `INSERT INTO users (id, email, name, role) SELECT gen_random_uuid(), 'desk-' || k || '@queue.test', 'Desk ' || k, 'coordinator' FROM generate_series(1, 4) k RETURNING id`)).map((r) => r.id);
      await tx.query(`UPDATE cases SET coordinator_id = ($2::uuid[])[1 + abs(hashtext(id::text)) % 4] WHERE coordinator_id = $1 AND abs(hashtext(id::text)) % 5 <> 0`, [me!.id, desk]);
      const statements: string[] = [];
      const watched: Queryable = { exec: (sql: string) => tx.exec(sql), query: async <T>(sql: string, params?: unknown[]) => {
        statements.push(sql);
        return tx.query<T>(sql, params);
      } };
      for (const [sort, order] of [['urgency', 'urgency, queued_at, id'], ['newest', 'queued_at DESC, id DESC']] as const) {
        const truth = (await tx.query<{ id: string }>(
          `SELECT id FROM cases WHERE (coordinator_id = $1 OR (coordinator_id IS NULL AND status NOT IN ('draft', 'cancelled', 'closed'))) AND NOT (status = 'cancelled' AND submitted_at IS NULL) ORDER BY ${order}`, [me!.id])).map((r) => r.id);
        const pooled = await tx.query<{ n: number }>(`SELECT count(*)::int AS n FROM cases WHERE id = ANY($1::uuid[]) AND coordinator_id IS NULL`, [truth]);
        expect(truth.length).toBeGreaterThan(100);
        expect(pooled[0]!.n).toBeGreaterThan(0);
        statements.length = 0;
        const first = await queryCases(watched, actor, { sort, page: 1, pageSize: 25 }, clock);
        expect(first.rows.map((r) => r.id)).toEqual(truth.slice(0, 25));
        // The page comes from two walks merged: the coordinator's own cases, and the pool.
        const page = statements.find((sql) => /JOIN patients/.test(sql))!;
        expect(page).toMatch(/UNION ALL/);
        expect(page).toMatch(/c\.coordinator_id = \$1 ORDER BY/);
        const deep = await queryCases(watched, actor, { sort, page: 4, pageSize: 25 }, clock);
        expect(deep.rows.map((r) => r.id)).toEqual(truth.slice(75, 100));
        const next = await queryCases(watched, actor, { sort, page: 1, pageSize: 25, cursor: first.nextCursor! }, clock);
        expect(next.rows.map((r) => r.id)).toEqual(truth.slice(25, 50));
        // Expedited only: the same two walks, each on its urgency.
        const expedited = (await tx.query<{ id: string }>(
          `SELECT id FROM cases WHERE urgency = 'expedited' AND (coordinator_id = $1 OR (coordinator_id IS NULL AND status NOT IN ('draft', 'cancelled', 'closed'))) AND NOT (status = 'cancelled' AND submitted_at IS NULL) ORDER BY ${order} LIMIT 25`, [me!.id])).map((r) => r.id);
        expect((await queryCases(watched, actor, { sort, urgency: 'expedited', page: 1, pageSize: 25 }, clock)).rows.map((r) => r.id)).toEqual(expedited);
      }
      throw rolledBack;
    }).catch((err: unknown) => {
      if (err !== rolledBack) throw err;
    });
  });

  it.runIf(process.env.TEST_DB === 'postgres')('keeps one plan for a service-level list, whatever the moment', async () => {
    const [me] = await big.db.query<{ id: string }>(`SELECT id FROM users WHERE email = 'coordinator@demo.consilium.test'`);
    const actor = { userId: me!.id, role: 'coordinator' as const, name: 'Coordinator', email: 'coordinator@demo.consilium.test' };
    const sent: { sql: string; params: unknown[] }[] = [];
    const watched: Queryable = { exec: (sql: string) => big.db.exec(sql), query: async <T>(sql: string, params: unknown[] = []) => {
      sent.push({ sql, params });
      return big.db.query<T>(sql, params);
    } };
    const levels = loadServiceLevels();
    const at = (now: Date) => ({ now, onTrackFrom: onTrackFrom(levels, now) });
    await queryCases(watched, actor, { sla: 'breached', sort: 'oldest', page: 1, pageSize: 25 }, at(new Date()));
    const page = sent.find((s) => /JOIN patients/.test(s.sql))!;
    const moment = page.params.findIndex((p) => typeof p === 'string' && /^\d{4}-\d\d-\d\dT/.test(p));
    expect(moment).toBeGreaterThan(0);
    // As requests come, each with its own moment: after its first few, PostgreSQL keeps a generic
    // plan, one that names no moment, unless the moment changes the plan's cost.
    const session = big.db.session!();
    await session.connect();
    try {
      const withMoment = (ms: number) => page.params.map((p, i) => (i === moment ? new Date(Date.now() - ms).toISOString() : p));
      for (let i = 0; i < 8; i++) await session.query({ name: 'overdue', text: page.sql, values: withMoment(i * 1000) });
      const values = withMoment(9000).map((v) => (v === null ? 'NULL' : `'${String(v)}'`)).join(', ');
      const plan = (await session.query<{ 'QUERY PLAN': string }>(`EXPLAIN (VERBOSE, COSTS OFF) EXECUTE overdue(${values})`)).rows.map((r) => r['QUERY PLAN']).join('\n');
      expect(plan).not.toMatch(/\d{4}-\d\d-\d\d \d\d:\d\d/);
    } finally {
      await session.end();
    }
  });
});
