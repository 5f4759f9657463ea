import { spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { aCase, aPatient, aStaff } from '../../test/support/builders.ts';
import { freshDb, startTestApp, type TestApp, type TestDb } from '../../test/support/testApp.ts';
import { recordAudit, recordCaseReads, sealAuditTrail, verifyAuditChain } from './audit.ts';
import { SYSTEM_META } from './context.ts';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(() => t.close());

describe('the audit trail', () => {
  it('records every read and write of a case with actor, role, IP and user agent', async () => {
    const p = await aPatient(t);
    const id = await aCase(t, p, { submit: true });
    await p.client.get(`/api/cases/${id}`);
    const rows = await t.db.query<{ action: string; actor_id: string; actor_role: string; ip: string; user_agent: string; outcome: string }>(
      'SELECT action, actor_id, actor_role, ip, user_agent, outcome FROM audit_events WHERE case_id = $1 ORDER BY seq', [id]);
    expect(rows.map((r) => r.action)).toEqual(expect.arrayContaining(['case.create', 'case.intake.write', 'case.consent.sign', 'case.submit', 'case.read']));
    // Notices sent by the dispatcher are the system's own acts (no actor, no IP) and may land at any point.
    const byPeople = rows.filter((r) => r.action !== 'notification.send');
    for (const r of byPeople) expect(r).toMatchObject({ actor_id: p.id, actor_role: 'patient', ip: '127.0.0.1', outcome: 'success' });
    for (const r of rows.filter((r) => r.action === 'notification.send')) expect(r).toMatchObject({ actor_id: null, ip: null });
    expect(byPeople[0]!.user_agent).toBeTruthy();
  });

  it('records denied attempts on cases outside the grant', async () => {
    const p = await aPatient(t);
    const id = await aCase(t, p);
    const stranger = await aPatient(t);
    expect((await stranger.client.get(`/api/cases/${id}`)).status).toBe(404);
    const [denied] = await t.db.query<{ actor_id: string; outcome: string }>(`SELECT actor_id, outcome FROM audit_events WHERE case_id = $1 AND outcome = 'denied'`, [id]);
    expect(denied).toMatchObject({ actor_id: stranger.id, outcome: 'denied' });
  });

  it('takes no lock for writers: a slow transaction does not stall others, and the sealer links both once', async () => {
    const event = (action: string) => ({ actor: null, meta: SYSTEM_META, action, entityType: 'Test' });
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    const slow = t.db.transaction(async (tx) => {
      await recordAudit(tx, event('test.slow'));
      await held; // the rest of a long request
    });
    const started = Date.now();
    if (t.db.kind === 'postgres') {
      // PGlite runs one transaction at a time by design; PostgreSQL shows the point.
      await t.db.transaction((tx) => recordAudit(tx, event('test.quick')));
      expect(Date.now() - started).toBeLessThan(1000);
      // Sealing now links what has committed; the slow event waits for its own commit.
      await sealAuditTrail(t.db);
    }
    release();
    await slow;
    await Promise.all([sealAuditTrail(t.db), sealAuditTrail(t.db)]);
    // The sealer takes only what is below the oldest transaction still running anywhere on the
    // server (other databases' too, e.g. test files running beside this one): it may need a
    // few rounds, and must then have linked each event exactly once.
    const linked = () => t.db.query<{ action: string; links: number }>(
      `SELECT e.action, (SELECT count(*) FROM audit_links l WHERE l.event_seq = e.seq)::int AS links FROM audit_events e WHERE action IN ('test.slow', 'test.quick') ORDER BY e.seq`);
    await expect.poll(async () => {
      await Promise.all([sealAuditTrail(t.db), sealAuditTrail(t.db)]);
      return linked();
    }, { timeout: 20_000 }).toEqual(t.db.kind === 'postgres' ? [{ action: 'test.quick', links: 1 }, { action: 'test.slow', links: 1 }] : [{ action: 'test.slow', links: 1 }]);
    expect(await verifyAuditChain(t.db)).toMatchObject({ ok: true });
  });

  it('keeps the chain valid under many concurrent writers', async () => {
    await Promise.all(Array.from({ length: 40 }, (_, i) => t.db.transaction((tx) => recordAudit(tx, { actor: null, meta: SYSTEM_META, action: `test.many`, entityType: 'Test', detail: { count: i } }))));
    const result = await verifyAuditChain(t.db);
    // The app's own worker may write an event while the check runs; the writers' events are all sealed (below).
    expect(result).toMatchObject({ ok: true });
    // Only the writers' own events: the app's job worker may add a notice's event after the check.
    const [n] = await t.db.query<{ events: number; links: number }>(
      `SELECT count(*)::int AS events, count(l.event_seq)::int AS links FROM audit_events e LEFT JOIN audit_links l ON l.event_seq = e.seq WHERE e.action = 'test.many'`);
    expect(n).toEqual({ events: 40, links: 40 });
  });

  it('is append-only: the database refuses UPDATE, DELETE and TRUNCATE', async () => {
    await expect(t.db.query(`UPDATE audit_events SET action = 'x'`)).rejects.toThrow(/append-only/);
    await expect(t.db.query('DELETE FROM audit_events')).rejects.toThrow(/append-only/);
    await expect(t.db.query('TRUNCATE audit_events')).rejects.toThrow(/append-only/);
    await expect(t.db.query(`UPDATE audit_links SET hash = 'x'`)).rejects.toThrow(/append-only/);
    await expect(t.db.query('DELETE FROM audit_links')).rejects.toThrow(/append-only/);
  });

  it('admins browse it with filters; others may not', async () => {
    const admin = await aStaff(t, 'admin');
    const p = await aPatient(t);
    const id = await aCase(t, p);
    for (let i = 0; i < 2; i++) await p.client.get(`/api/cases/${id}`);
    const page = await admin.client.get(`/api/admin/audit?caseId=${id}&action=case.&pageSize=5`);
    expect(page.status).toBe(200);
    // A prefix no recorded action starts with finds nothing (it once failed the query).
    for (const none of ['%20', 'no.such.action']) {
      const empty = await admin.client.get(`/api/admin/audit?action=${none}`);
      expect(empty.status).toBe(200);
      expect(empty.body.items).toEqual([]);
    }
    expect(page.body.items.every((e: { caseId: string }) => e.caseId === id)).toBe(true);
    expect(page.body.items[0].actorName).toBe(p.name);
    // The actions a prefix names, merged newest first across pages, as the whole trail lists them.
    const all = (await admin.client.get(`/api/admin/audit?caseId=${id}&pageSize=200`)).body.items as { seq: number; action: string }[];
    const wanted = all.filter((e) => e.action.startsWith('case.')).map((e) => e.seq);
    expect(new Set(all.filter((e) => e.action.startsWith('case.')).map((e) => e.action)).size).toBeGreaterThan(1);
    const paged = [1, 2].map((n) => admin.client.get(`/api/admin/audit?caseId=${id}&action=case.&pageSize=2&page=${n}`));
    expect((await Promise.all(paged)).flatMap((r) => r.body.items.map((e: { seq: number }) => e.seq))).toEqual(wanted.slice(0, 4));
    // By cursor: each page starts where the last ended, to the end, with nothing missed or repeated.
    const walked: number[] = [];
    let before: string | null = null;
    do {
      const r = await admin.client.get(`/api/admin/audit?caseId=${id}&action=case.&pageSize=2${before ? `&before=${before}` : ''}`);
      walked.push(...r.body.items.map((e: { seq: number }) => e.seq));
      before = r.body.nextCursor;
    } while (before);
    expect(walked).toEqual(wanted);
    // Found by the reference people see, and said in words.
    const reference = page.body.items[0].caseReference as string;
    expect(reference).toMatch(/^C-\d{4}-\d+$/);
    const byReference = await admin.client.get(`/api/admin/audit?caseReference=${reference.toLowerCase()}&pageSize=5`);
    expect(byReference.body.items.every((e: { caseId: string }) => e.caseId === id)).toBe(true);
    expect(byReference.body.items.some((e: { what: string }) => e.what === 'Started the request')).toBe(true);
    expect((await p.client.get('/api/admin/audit')).status).toBe(403);
    const verify = await admin.client.post('/api/admin/audit/verify');
    expect(verify.body.ok).toBe(true);
  });
});

describe('what an event may carry', () => {
  let d: TestDb;
  beforeAll(async () => {
    d = await freshDb();
  });
  afterAll(() => d.drop());

  it('refuses a detail with free text, a file name or an unknown key, and writes nothing', async () => {
    const write = (detail: Record<string, unknown>) => d.db.transaction((tx) => recordAudit(tx, { actor: null, meta: SYSTEM_META, action: 'document.duplicate', entityType: 'Document', detail }));
    await expect(write({ filename: 'lung-adenocarcinoma-biopsy.pdf' })).rejects.toThrow(/filename/);
    await expect(write({ reason: 'patient says the tumour grew' })).rejects.toThrow(/reason/);
    await expect(write({ count: 'many' })).rejects.toThrow(/count/);
    expect(await d.db.query('SELECT 1 FROM audit_events')).toHaveLength(0);
    await write({ count: 2, status: 'ready_for_review', reason: 'followup_period_ended' });
    expect(await d.db.query('SELECT 1 FROM audit_events')).toHaveLength(1);
  });

  it('records a read of several cases as one event per case', async () => {
    const ids = [crypto.randomUUID(), crypto.randomUUID()];
    await d.db.transaction((tx) => recordCaseReads(tx, { actor: null, meta: SYSTEM_META, action: 'case.list', entityType: 'Case' }, [...ids, ids[0]!]));
    const rows = await d.db.query<{ case_id: string }>(`SELECT case_id FROM audit_events WHERE action = 'case.list' ORDER BY seq`);
    expect(rows.map((r) => r.case_id)).toEqual(ids);
    expect(await verifyAuditChain(d.db)).toMatchObject({ ok: true });
  });
});

describe('tamper detection', () => {
  let d: TestDb;
  beforeAll(async () => {
    d = await freshDb();
  });
  afterAll(() => d.drop());

  it('finds the first altered event, and the CLI exits non-zero', async () => {
    for (let i = 0; i < 5; i++) await d.db.transaction((tx) => recordAudit(tx, { actor: null, meta: SYSTEM_META, action: `test.${i}`, entityType: 'Test', detail: { count: i, status: 'submitted', retainLongitudinal: true } }));
    expect(await verifyAuditChain(d.db)).toEqual({ ok: true, checked: 5, unsealed: 0 });
    if (d.url) {
      const ok = runCli(['audit-verify'], d.url);
      expect(ok.status).toBe(0);
      expect(ok.stdout).toMatch(/intact: 5 events/);
    }
    // Someone with superuser rights switches the guard off and edits history.
    await d.db.query('ALTER TABLE audit_events DISABLE TRIGGER audit_events_no_update_delete');
    await d.db.query(`UPDATE audit_events SET detail = '{"count": 99}' WHERE action = 'test.2'`);
    const broken = await verifyAuditChain(d.db);
    expect(broken.ok).toBe(false);
    expect(broken.checked).toBe(2);
    if (d.url) {
      const bad = runCli(['audit-verify'], d.url);
      expect(bad.status).toBe(1);
      expect(bad.stderr).toMatch(/BROKEN at event #3/);
    }
    await d.db.query(`DELETE FROM audit_events WHERE action = 'test.1'`);
    expect(await verifyAuditChain(d.db)).toMatchObject({ ok: false, firstBrokenSeq: 2, reason: expect.stringMatching(/missing/) });
  });

  it('finds an event slipped in outside the chain, and reordered links', async () => {
    const e = await freshDb();
    try {
      for (let i = 0; i < 3; i++) await e.db.transaction((tx) => recordAudit(tx, { actor: null, meta: SYSTEM_META, action: `test.${i}`, entityType: 'Test' }));
      expect(await verifyAuditChain(e.db)).toMatchObject({ ok: true, checked: 3 });
      // Written straight into the table with an old transaction id, behind the sealer's mark: never to be linked.
      await e.db.query(`INSERT INTO audit_events (id, at, action, entity_type, outcome, tx) VALUES (gen_random_uuid(), now(), 'test.forged', 'Test', 'success', '3'::xid8)`);
      expect(await verifyAuditChain(e.db)).toMatchObject({ ok: false, firstBrokenSeq: 4, reason: expect.stringMatching(/outside the chain/) });
      // Two links swapped: each still names a real event, but the chain no longer holds.
      await e.db.query('ALTER TABLE audit_links DISABLE TRIGGER audit_links_no_update_delete');
      for (const [from, to] of [[1, -1], [2, 1], [-1, 2]]) await e.db.query('UPDATE audit_links SET event_seq = $2 WHERE event_seq = $1', [from, to]);
      expect((await verifyAuditChain(e.db)).ok).toBe(false);
    } finally {
      await e.drop();
    }
  });
});

function runCli(args: string[], databaseUrl: string) {
  const bin = path.resolve(import.meta.dirname, '../../bin/consilium.mjs');
  return spawnSync(process.execPath, [bin, ...args], { env: { ...process.env, DATABASE_URL: databaseUrl }, encoding: 'utf8' });
}
