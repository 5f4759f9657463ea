import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waiveOutstanding, aCase, aPatient, aStaff, command, lastMailToken, type Person } from './support/builders.ts';
import { startTestApp, type TestApp } from './support/testApp.ts';

/**
 * Every case route × every role × own case / someone else's case. "Own" means the actor holds
 * the grant its role can hold on case A; case B belongs to another patient and nobody above
 * holds a grant on it. Outside the grant the answer is always 404, and nothing changes.
 */
let t: TestApp;
const actors: Record<string, Person> = {};
let caseA: string;
let caseB: string;
let patientA: string;
let patientB: string;

beforeAll(async () => {
  t = await startTestApp();
  actors.patient = await aPatient(t, 'Owner Patient');
  actors.proxy = await aPatient(t, 'Proxy Carer');
  actors.strangerPatient = await aPatient(t, 'Stranger Patient');
  actors.coordinator = await aStaff(t, 'coordinator');
  actors.otherCoordinator = await aStaff(t, 'coordinator');
  actors.expert = await aStaff(t, 'expert');
  actors.otherExpert = await aStaff(t, 'expert');
  actors.boardChair = await aStaff(t, 'board_chair');
  actors.referring = await aStaff(t, 'referring_physician');
  actors.admin = await aStaff(t, 'admin');

  caseA = await aCase(t, actors.patient!, { intake: {} });
  await actors.patient!.client.post(`/api/cases/${caseA}/proxies`, { email: actors.proxy!.email, relationship: 'Son' });
  await actors.proxy!.client.post(`/api/invitations/${await lastMailToken(t.db, actors.proxy!.email)}/accept`);
  caseA = caseA;
  const owner = await aPatient(t, 'Other Owner');
  caseB = await aCase(t, owner, { submit: true });
  await command(actors.otherCoordinator!, caseB, 'startRecordCollection');
  patientA = (await actors.patient!.client.get(`/api/cases/${caseA}`)).body.patientId;
  patientB = (await owner.client.get(`/api/cases/${caseB}`)).body.patientId;
});
afterAll(() => t.close());

type Route = { name: string; method: string; path: (c: string, p: string) => string; body?: unknown; readOnly?: boolean; headers?: (c: string) => Record<string, string> };
const b64 = (s: string) => Buffer.from(s).toString('base64');
const ROUTES: Route[] = [
  { name: 'read case', method: 'GET', path: (c) => `/api/cases/${c}`, readOnly: true },
  { name: 'timeline', method: 'GET', path: (c) => `/api/cases/${c}/timeline`, readOnly: true },
  { name: 'access log', method: 'GET', path: (c) => `/api/cases/${c}/access-log`, readOnly: true },
  { name: 'documents', method: 'GET', path: (c) => `/api/cases/${c}/documents`, readOnly: true },
  { name: 'checklist', method: 'GET', path: (c) => `/api/cases/${c}/checklist`, readOnly: true },
  { name: 'clinical data', method: 'GET', path: (c) => `/api/cases/${c}/clinical`, readOnly: true },
  { name: 'waive checklist item', method: 'PUT', path: (c) => `/api/cases/${c}/checklist/pathology_report/waiver`, body: { reason: 'matrix test reason' } },
  { name: 'start upload', method: 'POST', path: () => '/api/uploads', headers: (c) => ({ 'tus-resumable': '1.0.0', 'upload-length': '10', 'upload-metadata': `caseId ${b64(c)},filename ${b64('m.pdf')}` }) },
  { name: 'expert matches', method: 'GET', path: (c) => `/api/cases/${c}/matches`, readOnly: true },
  { name: 'case assessment', method: 'GET', path: (c) => `/api/cases/${c}/assessment`, readOnly: true },
  { name: 'save intake', method: 'PUT', path: (c) => `/api/cases/${c}/intake/questions`, body: { questions: ['Matrix question?'] } },
  { name: 'sign consent', method: 'POST', path: (c) => `/api/cases/${c}/consents`, body: { document: 'service_consent', version: '2026-11', typedName: 'x' } },
  { name: 'invite proxy', method: 'POST', path: (c) => `/api/cases/${c}/proxies`, body: { email: 'matrix@example.test', relationship: 'Friend' } },
  { name: 'command hold', method: 'POST', path: (c) => `/api/cases/${c}/commands/hold`, body: { reason: 'matrix' } },
  { name: 'command cancel', method: 'POST', path: (c) => `/api/cases/${c}/commands/cancel`, body: {} },
  { name: 'set urgency', method: 'PUT', path: (c) => `/api/cases/${c}/urgency`, body: { urgency: 'expedited', reason: 'matrix' } },
  { name: 'imaging studies', method: 'GET', path: (c) => `/api/cases/${c}/imaging/studies`, readOnly: true },
  { name: 'imaging measurements', method: 'GET', path: (c) => `/api/cases/${c}/imaging/measurements`, readOnly: true },
  { name: 'save measurement', method: 'POST', path: (c) => `/api/cases/${c}/imaging/measurements`, body: { studyUid: '1.2.3', seriesUid: '1.2.4', sopInstanceUid: '1.2.5', kind: 'length', points: [[0, 0], [1, 1]], value: 1, unit: 'mm' } },
  { name: 'de-identified export', method: 'GET', path: (c) => `/api/cases/${c}/imaging/studies/1.2.3/export`, readOnly: true },
  { name: 'DICOMweb QIDO', method: 'GET', path: (c) => `/dicomweb/cases/${c}/studies`, readOnly: true },
  { name: 'DICOMweb STOW', method: 'POST', path: (c) => `/dicomweb/cases/${c}/studies`, body: '--m--\r\n', headers: () => ({ 'content-type': 'multipart/related; type="application/dicom"; boundary=m' }) },
  { name: 'opinion workspace', method: 'GET', path: (c) => `/api/cases/${c}/opinion`, readOnly: true },
  { name: 'save opinion draft', method: 'PUT', path: (c) => `/api/cases/${c}/opinion/draft`, body: { patientSummary: 'Matrix.' } },
  { name: 'sign opinion part', method: 'POST', path: (c) => `/api/cases/${c}/opinion/sign`, body: { password: 'x', code: '000000' } },
  { name: 'issue report', method: 'POST', path: (c) => `/api/cases/${c}/opinion/report`, body: { password: 'x', code: '000000' } },
  { name: 'report PDF', method: 'GET', path: (c) => `/api/cases/${c}/opinion/report/1/pdf`, readOnly: true },
  { name: 'deliver opinion', method: 'POST', path: (c) => `/api/cases/${c}/opinion/deliver` },
  { name: 'follow-ups', method: 'GET', path: (c) => `/api/cases/${c}/followups`, readOnly: true },
  { name: 'post follow-up', method: 'POST', path: (c) => `/api/cases/${c}/followups`, body: { body: 'Matrix question?' } },
  { name: 'survey', method: 'POST', path: (c) => `/api/cases/${c}/survey`, body: { clear: 3, changed: 'neither', wouldRecommend: true } },
  { name: 'FHIR ServiceRequest', method: 'GET', path: (c) => `/fhir/R4/ServiceRequest/${c}`, readOnly: true },
  { name: 'FHIR Patient', method: 'GET', path: (_c, p) => `/fhir/R4/Patient/${p}`, readOnly: true },
];

// Who reaches case A (a draft) for each route: any other answer than 404/403 means "reached".
const REACHES_A: Record<string, string[]> = {
  'read case': ['patient', 'proxy'],
  timeline: ['patient', 'proxy'],
  'access log': ['patient', 'proxy'],
  'case assessment': ['patient', 'proxy'],
  'expert matches': [],
  documents: ['patient', 'proxy'],
  checklist: ['patient', 'proxy'],
  'clinical data': ['patient', 'proxy'],
  'waive checklist item': [],
  'start upload': ['patient', 'proxy'],
  'save intake': ['patient', 'proxy'],
  'sign consent': ['patient', 'proxy'],
  'invite proxy': ['patient'],
  'command hold': [],
  'command cancel': ['patient', 'proxy'],
  'set urgency': [],
  'imaging studies': ['patient', 'proxy'],
  'imaging measurements': ['patient', 'proxy'],
  'save measurement': [],
  'de-identified export': [],
  'DICOMweb QIDO': ['patient', 'proxy'],
  'DICOMweb STOW': ['patient', 'proxy'],
  'opinion workspace': ['patient', 'proxy'],
  'save opinion draft': [],
  'sign opinion part': [],
  'issue report': [],
  'report PDF': [],
  'deliver opinion': [],
  'follow-ups': ['patient', 'proxy'],
  'post follow-up': ['patient', 'proxy'],
  survey: ['patient', 'proxy'],
  'FHIR ServiceRequest': ['patient', 'proxy'],
  'FHIR Patient': ['patient', 'proxy'],
};

const snapshot = async () => JSON.stringify(await t.db.query(
  `SELECT c.status, c.intake, c.urgency, c.coordinator_id, (SELECT count(*)::int FROM case_events e WHERE e.case_id = c.id) AS events,
     (SELECT count(*)::int FROM case_members m WHERE m.case_id = c.id) AS members, (SELECT count(*)::int FROM consent_signatures s WHERE s.case_id = c.id) AS consents
   FROM cases c WHERE c.id = $1`, [caseB]));

describe('access-control matrix', () => {
  it('answers 404 for every route on a case outside the grant, for every role, and changes nothing', async () => {
    const before = await snapshot();
    const failures: string[] = [];
    for (const [who, actor] of Object.entries(actors)) {
      if (who === 'otherCoordinator') continue; // holds case B
      for (const r of ROUTES) {
        const res = await actor.client.request(r.method, r.path(caseB, patientB), r.body, r.headers?.(caseB));
        if (res.status !== 404) failures.push(`${who} ${r.name}: ${res.status} ${res.text}`);
      }
    }
    expect(failures).toEqual([]);
    expect(await snapshot()).toBe(before);
  });

  it('lets exactly the grant holders reach their own draft case', async () => {
    const outcome: string[] = [];
    const expected: string[] = [];
    for (const r of ROUTES) {
      for (const [who, actor] of Object.entries(actors)) {
        const res = await actor.client.request(r.method, r.path(caseA, patientA), r.body, r.headers?.(caseA));
        const reached = res.status !== 404 && res.status !== 403 && res.status !== 401;
        if (reached) outcome.push(`${r.name}: ${who}`);
        if ((REACHES_A[r.name] ?? []).includes(who)) expected.push(`${r.name}: ${who}`);
      }
    }
    expect(outcome.sort()).toEqual(expected.sort());
  });

  it('staff reach the case only once it is theirs: coordinator after submission, expert after assignment', async () => {
    const { coordinator, expert, otherExpert, patient } = actors as Required<typeof actors>;
    const id = await aCase(t, patient!, { submit: true });
    expect((await coordinator!.client.get(`/api/cases/${id}`)).status).toBe(200);
    expect((await actors.otherCoordinator!.client.get(`/api/cases/${id}`)).status).toBe(200);
    await command(coordinator!, id, 'startRecordCollection');
    expect((await actors.otherCoordinator!.client.get(`/api/cases/${id}`)).status).toBe(404);
    await waiveOutstanding(coordinator!, id);
    await command(coordinator!, id, 'markReadyForReview');
    expect((await expert!.client.get(`/api/cases/${id}`)).status).toBe(404);
    await command(coordinator!, id, 'assignExpert', { expertId: expert!.id });
    expect((await expert!.client.get(`/api/cases/${id}`)).status).toBe(200);
    expect((await otherExpert!.client.get(`/api/cases/${id}`)).status).toBe(404);
    expect((await actors.boardChair!.client.get(`/api/cases/${id}`)).status).toBe(404);
    expect((await actors.admin!.client.get(`/api/cases/${id}`)).status).toBe(404);
    expect((await actors.referring!.client.get(`/api/cases/${id}`)).status).toBe(404);
  });

  it('lists only granted cases in every role’s queue', async () => {
    for (const [who, actor] of Object.entries(actors)) {
      const res = await actor.client.get('/api/cases?pageSize=100');
      if (who === 'admin') {
        expect(res.status).toBe(403);
        continue;
      }
      const ids = res.body.items.map((c: { id: string }) => c.id);
      expect(ids.includes(caseB), `${who} sees case B`).toBe(who === 'otherCoordinator');
      expect(ids.includes(caseA), `${who} sees case A`).toBe(who === 'patient' || who === 'proxy');
    }
  });

  it('admin-only routes refuse every other role', async () => {
    for (const [who, actor] of Object.entries(actors)) {
      for (const path of ['/api/admin/users', '/api/admin/audit', '/api/admin/outbox']) {
        const res = await actor.client.get(path);
        expect(res.status, `${who} ${path}`).toBe(who === 'admin' ? 200 : 403);
      }
    }
  });

  it('signed-out callers get 401 on every protected route', async () => {
    const res = await fetch(`${t.baseUrl}/api/cases/${caseA}`);
    expect(res.status).toBe(401);
    expect((await fetch(`${t.baseUrl}/api/cases`)).status).toBe(401);
  });
});
