import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PNG } from 'pngjs';
import { buildApp } from '../app.ts';
import { CASE_STATUSES } from '../cases/lifecycle.ts';
import { loadConfig } from '../core/config.ts';
import { Client } from '../../test/support/client.ts';
import { startTestApp, type TestApp } from '../../test/support/testApp.ts';
import { DEMO_PASSWORD, DEMO_SIGNING_CODE, DEMO_USERS, seedDemo, seedDemoSlide } from './seed.ts';

/**
 * The demo data, seeded through the services on a fresh database, seen over HTTP by each demo
 * account as the README's table says: every state of the lifecycle, a delivered opinion with its
 * PDF, uploaded reports and a CT series, an offer and a review for the pathologist, the board
 * case for the chair, the referrer's request; and signing with any code only in demo mode.
 */
let t: TestApp;
let seedMs = 0;
const as: Record<string, Client> = {};

type CaseItem = { id: string; status: string; condition: string | null; reference: string };
const cases = async (who: string): Promise<CaseItem[]> => {
  const r = await as[who]!.get('/api/cases?pageSize=100');
  expect(r.status).toBe(200);
  return r.body.items;
};

beforeAll(async () => {
  t = await startTestApp({ DEMO: 'true' });
  const started = performance.now();
  const result = await seedDemo(t.db, t.config);
  seedMs = performance.now() - started;
  expect(result.created).toBe(true);
  for (const u of DEMO_USERS) {
    const c = new Client(t.baseUrl, u.key);
    const login = await c.post('/api/auth/login', { email: u.email, password: DEMO_PASSWORD });
    expect(login.status, `${u.email}: ${login.text}`).toBe(200);
    // Demo mode: no authenticator is needed to sign in, staff included.
    expect(login.body.mfaState, u.email).toBe('ok');
    as[u.key] = c;
  }
}, 120_000);
afterAll(() => t.close());

describe('demo data', () => {
  it('is seeded in under 20 seconds', () => {
    console.info(`demo seeded in ${Math.round(seedMs)} ms`);
    expect(seedMs).toBeLessThan(20_000);
  });

  it('holds a copy of the trial registry (synthetic studies), so reviewers see trial suggestions off-line', async () => {
    const [{ n }] = await t.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM trials WHERE nct_id LIKE 'NCT099000%'`) as [{ n: number }];
    expect(n).toBe(4);
  });

  it('has a request in every state of the lifecycle', async () => {
    const rows = await t.db.query<{ status: string }>('SELECT DISTINCT status FROM cases');
    expect(rows.map((r) => r.status).sort()).toEqual([...CASE_STATUSES].sort());
  });

  it('the patient sees a delivered opinion with its report PDF, the uploaded reports and the CT images, and a draft', async () => {
    const mine = await cases('patient');
    expect(mine.map((c) => c.status).sort()).toEqual(['delivered', 'draft']);
    const delivered = mine.find((c) => c.status === 'delivered')!;
    const opinion = await as.patient!.get(`/api/cases/${delivered.id}/opinion`);
    expect(opinion.body.reports).toHaveLength(1);
    expect(opinion.body.reports[0].document.parts.map((p: { reviewerRole: string }) => p.reviewerRole).sort()).toEqual(['Medical oncologist', 'Pathologist']);
    const pdf = await as.patient!.get(`/api/cases/${delivered.id}/opinion/report/1/pdf`);
    expect(pdf.status).toBe(200);
    expect(pdf.headers.get('content-type')).toContain('application/pdf');
    expect(pdf.text.startsWith('%PDF-')).toBe(true);

    const docs = (await as.patient!.get(`/api/cases/${delivered.id}/documents`)).body.items as { contentType: string; documentType: string | null; status: string; category: string }[];
    expect(docs.filter((d) => d.contentType === 'pdf').map((d) => d.documentType).sort()).toEqual(['molecular_report', 'pathology_report', 'pulmonary_function_report', 'radiology_report']);
    // Its lung function report is read for the reviewer's workspace, as the numbers the opinion used.
    expect((await as.patient!.get(`/api/cases/${delivered.id}/opinion`)).body.lungFunctionOnFile.map((v: { measure: string; percentPredicted: number }) => [v.measure, v.percentPredicted])).toEqual([['fev1', 78], ['dlco', 72]]);
    expect(docs.find((d) => d.category === 'imaging')?.status).toBe('ready');
    const followups = (await as.patient!.get(`/api/cases/${delivered.id}/followups`)).body;
    expect(followups.open).toBe(true);
    expect(followups.messages).toHaveLength(2);
  });

  it('an image of the patient’s CT is retrievable', async () => {
    const delivered = (await cases('patient')).find((c) => c.status === 'delivered')!;
    const studies = (await as.patient!.get(`/api/cases/${delivered.id}/imaging/studies`)).body;
    expect(studies).toHaveLength(1);
    expect(studies[0].identityFlag).toBeNull();
    const series = studies[0].series[0];
    expect(series.instances).toBe(24);
    const res = await fetch(`${t.baseUrl}/dicomweb/cases/${delivered.id}/studies/${studies[0].studyUid}/series/${series.seriesUid}/instances/${series.thumbnailInstance}/rendered`,
      { headers: { cookie: as.patient!.cookieHeader, accept: 'image/png' } });
    expect(res.status).toBe(200);
    const png = PNG.sync.read(Buffer.from(await res.arrayBuffer()));
    expect([png.width, png.height]).toEqual([256, 256]);
  });

  it('the caregiver sees the patient’s delivered opinion', async () => {
    const theirs = await cases('caregiver');
    expect(theirs.map((c) => c.status)).toEqual(['delivered']);
    expect((await as.caregiver!.get(`/api/cases/${theirs[0]!.id}/opinion/report/1/pdf`)).status).toBe(200);
  });

  it('the pathologist has an offer to answer and a case in review, with its images', async () => {
    const inbox = (await as.pathologist!.get('/api/experts/me/inbox')).body;
    expect(inbox.offered).toHaveLength(1);
    const statuses = inbox.accepted.map((c: { status: string }) => c.status).sort();
    expect(statuses).toEqual(['delivered', 'in_review']);
    const review = inbox.accepted.find((c: { status: string }) => c.status === 'in_review');
    const ws = (await as.pathologist!.get(`/api/cases/${review.id}/opinion`)).body;
    expect(ws.isReviewer).toBe(true);
    expect(ws.isLead).toBe(true);
    expect(ws.myPart.status).toBe('draft');
    expect((await as.pathologist!.get(`/api/cases/${review.id}/imaging/studies`)).body).toHaveLength(1);
  });

  it('the oncologist has an assigned case, the board case and opinions signed, delivered and closed', async () => {
    const statuses = (await cases('oncologist')).map((c) => c.status).sort();
    expect(statuses).toEqual(['assigned', 'board', 'closed', 'delivered', 'opinion_signed']);
  });

  it('the board chair sees the case at the tumor board', async () => {
    const theirs = await cases('chair');
    expect(theirs.map((c) => c.status)).toEqual(['board']);
    expect((await as.chair!.get(`/api/cases/${theirs[0]!.id}/opinion`)).status).toBe(200);
  });

  it('the referring physician follows the request they sent in, with their upload and the records request', async () => {
    const theirs = await cases('referrer');
    expect(theirs).toHaveLength(1);
    expect(theirs[0]!.status).toBe('collecting_records');
    const docs = (await as.referrer!.get(`/api/cases/${theirs[0]!.id}/documents`)).body.items;
    expect(docs.map((d: { documentType: string }) => d.documentType)).toEqual(['pathology_report']);
    expect((await as.referrer!.get(`/api/cases/${theirs[0]!.id}/roi-requests`)).body).toHaveLength(1);
    const timeline = (await as.referrer!.get(`/api/cases/${theirs[0]!.id}/timeline`)).body as { type: string; actorRole: string | null }[];
    expect(timeline.find((e) => e.type === 'case.submit')?.actorRole).toBe('referring_physician');
  });

  it('the coordinator has the queue: the requests they coordinate and the ones not yet taken', async () => {
    const statuses = new Set((await cases('coordinator')).map((c) => c.status));
    for (const s of ['submitted', 'collecting_records', 'ready_for_review', 'assigned', 'in_review', 'board', 'opinion_signed', 'delivered', 'closed', 'on_hold']) expect(statuses.has(s), s).toBe(true);
  });

  it('seeding again changes nothing', async () => {
    const count = async () => (await t.db.query<{ users: number; cases: number; documents: number; reports: number }>(
      'SELECT (SELECT count(*)::int FROM users) AS users, (SELECT count(*)::int FROM cases) AS cases, (SELECT count(*)::int FROM documents) AS documents, (SELECT count(*)::int FROM opinion_reports) AS reports'))[0];
    const before = await count();
    expect((await seedDemo(t.db, t.config)).created).toBe(false);
    expect(await count()).toEqual(before);
  });

  it('is refused in production', async () => {
    await expect(seedDemo(t.db, { ...t.config, env: 'production' })).rejects.toThrow(/production/);
  });
});

describe('signing in demo mode', () => {
  it('takes the password and any six digits as the code, because demo accounts have no authenticator', async () => {
    const review = (await as.pathologist!.get('/api/experts/me/inbox')).body.accepted.find((c: { status: string }) => c.status === 'in_review');
    const wrongPassword = await as.pathologist!.post(`/api/cases/${review.id}/opinion/sign`, { password: 'not-the-password', code: DEMO_SIGNING_CODE });
    expect(wrongPassword.status).toBe(401);
    const signed = await as.pathologist!.post(`/api/cases/${review.id}/opinion/sign`, { password: DEMO_PASSWORD, code: '482913' });
    expect(signed.status, signed.text).toBe(200);
    expect(signed.body.status).toBe('signed');
  });

  it('outside demo mode the same accounts must set up an authenticator before they can sign', async () => {
    const config = loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent', DATA_DIR: t.config.dataDir, WEB_DIST: t.config.webDist }, { jobsPollMs: 0 });
    expect(config.demo).toBe(false);
    const app = await buildApp({ config, db: t.db });
    try {
      const login = await app.inject({ method: 'POST', url: '/api/auth/login', payload: { email: 'oncologist@demo.consilium.test', password: DEMO_PASSWORD } });
      expect(login.json().mfaState).toBe('enroll_required');
      const cookie = login.headers['set-cookie'];
      const drew = (await cases('oncologist')).find((c) => c.status === 'board')!;
      const sign = await app.inject({ method: 'POST', url: `/api/cases/${drew.id}/opinion/sign`, headers: { cookie: String(Array.isArray(cookie) ? cookie[0] : cookie).split(';')[0]! }, payload: { password: DEMO_PASSWORD, code: DEMO_SIGNING_CODE } });
      expect(sign.statusCode).toBe(401);
      expect(sign.json()).toMatchObject({ code: 'MFA_REQUIRED', mfaState: 'enroll_required' });
      const [part] = await t.db.query<{ status: string }>(`SELECT p.status FROM opinion_parts p JOIN users u ON u.id = p.author_id WHERE p.case_id = $1 AND u.email = 'oncologist@demo.consilium.test'`, [drew.id]);
      expect(part?.status).toBe('draft');
    } finally {
      await app.close();
    }
  });

  it('adds a synthetic slide to the pathologist’s case in review once, after start, and it becomes viewable', async () => {
    expect(await seedDemoSlide(t.db, t.config)).toBe(true);
    expect(await seedDemoSlide(t.db, t.config)).toBe(false);
    const mine = (await cases('pathologist')).find((c) => c.condition === 'Lung cancer, treatment not working')!;
    await t.app.jobs.drain();
    await expect.poll(async () => (await as.pathologist!.get(`/api/cases/${mine.id}/slides`)).body.map((x: { status: string; name: string }) => `${x.name}: ${x.status}`), { timeout: 60_000 })
      .toEqual(['biopsy-slide-A1.svs: ready']);
  }, 120_000);
});
