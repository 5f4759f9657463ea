import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client } from '../../test/support/client.ts';
import { aCase, aPatient, aStaff, command, type Person } from '../../test/support/builders.ts';
import { startTestApp, type TestApp } from '../../test/support/testApp.ts';

/** The edges an attacker tries first: forwarded headers, other origins, hostile text, built-in names. */
let t: TestApp;
let patient: Person;
let coordinator: Person;
let admin: Person;
let caseId: string;
beforeAll(async () => {
  t = await startTestApp();
  patient = await aPatient(t);
  coordinator = await aStaff(t, 'coordinator');
  admin = await aStaff(t, 'admin');
  caseId = await aCase(t, patient, { submit: true });
  await command(coordinator, caseId, 'startRecordCollection');
});
afterAll(() => t.close());

const lastAudit = async (action: string) => (await t.db.query<{ ip: string | null; case_id: string | null }>('SELECT ip, case_id FROM audit_events WHERE action = $1 ORDER BY seq DESC LIMIT 1', [action]))[0];

describe('proxies and hosts', () => {
  it('believes no X-Forwarded-For by default: the audit trail records the real peer', async () => {
    await patient.client.request('GET', `/api/cases/${caseId}`, undefined, { 'x-forwarded-for': '203.0.113.77' });
    expect((await lastAudit('case.read'))?.ip).toBe('127.0.0.1');
  });

  it('believes a configured proxy, and only that one', async () => {
    const behind = await startTestApp({ TRUSTED_PROXIES: '127.0.0.1/32' });
    try {
      const p = await aPatient(behind);
      await p.client.request('GET', '/api/cases', undefined, { 'x-forwarded-for': '198.51.100.9' });
      const [row] = await behind.db.query<{ ip: string }>(`SELECT ip FROM audit_events WHERE action = 'case.list' ORDER BY seq DESC LIMIT 1`);
      expect(row?.ip).toBe('198.51.100.9');
    } finally {
      await behind.close();
    }
  });

  it('builds absolute URLs from PUBLIC_URL and an upload’s address as a path, never from Host or X-Forwarded-Host', async () => {
    const evil = { 'x-forwarded-host': 'evil.example', 'x-forwarded-proto': 'https' };
    const fhir = await patient.client.request('GET', '/fhir/R4/ServiceRequest', undefined, evil);
    expect(fhir.text).not.toContain('evil.example');
    expect(fhir.body.link[0].url.startsWith(t.config.publicUrl)).toBe(true);
    const upload = await patient.client.request('POST', '/api/uploads', undefined, {
      ...evil, 'tus-resumable': '1.0.0', 'upload-length': '12',
      'upload-metadata': `caseId ${Buffer.from(caseId).toString('base64')},filename ${Buffer.from('letter.txt').toString('base64')}`,
    });
    expect(upload.status).toBe(201);
    // A path: the client resumes on the host it came to, whatever a header claims.
    expect(upload.headers.get('location')).toMatch(/^\/api\/uploads\/[0-9a-f]{32}$/);
  });
});

describe('requests from other sites', () => {
  it('refuses a state change whose Origin or Sec-Fetch-Site is foreign, and runs it from our own page', async () => {
    const body = { questions: ['Is surgery needed?'] };
    const foreign = await patient.client.request('PUT', `/api/cases/${caseId}/intake/questions`, body, { origin: 'https://evil.example' });
    expect(foreign.status).toBe(403);
    const crossSite = await patient.client.request('PUT', `/api/cases/${caseId}/intake/questions`, body, { 'sec-fetch-site': 'cross-site' });
    expect(crossSite.status).toBe(403);
    const own = await patient.client.request('PUT', `/api/cases/${caseId}/intake/questions`, body, { origin: t.config.publicUrl, 'sec-fetch-site': 'same-origin' });
    expect(own.status).not.toBe(403);
  });

  it('reads no text/plain body, so a foreign form cannot run the expert import or the audit check', async () => {
    const before = await t.db.query('SELECT 1 FROM expert_profiles');
    const imp = await admin.client.request('POST', '/api/admin/experts/import', 'email,name\nx@example.test,X', { 'content-type': 'text/plain' });
    expect(imp.status).toBe(415);
    expect(imp.headers.get('content-type')).toMatch(/problem\+json/);
    expect(await t.db.query('SELECT 1 FROM expert_profiles')).toHaveLength(before.length);
    expect((await admin.client.request('POST', '/api/admin/audit/verify', '{}', { 'content-type': 'text/plain' })).status).toBe(415);
  });

  it('sends the security headers: a strict CSP, no framing, no referrer, no powerful features', async () => {
    const res = await patient.client.get('/api/auth/me');
    const csp = res.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("script-src 'self' 'wasm-unsafe-eval'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).toContain("object-src 'none'");
    expect(csp).not.toContain("'unsafe-eval'");
    // A data answer has no inline style to allow (the page gets a fresh nonce: webAssets test).
    expect(csp).toContain("style-src 'self';");
    expect(res.headers.get('x-frame-options')).toBe('DENY');
    expect(res.headers.get('referrer-policy')).toBe('no-referrer');
    expect(res.headers.get('permissions-policy')).toContain('camera=(self), microphone=(self), geolocation=()');
    expect(res.headers.get('strict-transport-security')).toBeNull();
  });

  it('sends HSTS in production', async () => {
    const prod = await startTestApp({ NODE_ENV: 'production', BLOB_KEYS: `k1:${Buffer.alloc(32, 7).toString('base64')}` });
    try {
      expect((await fetch(`${prod.baseUrl}/healthz`)).headers.get('strict-transport-security')).toMatch(/max-age=31536000/);
    } finally {
      await prod.close();
    }
  });
});

describe('hostile input answers 4xx and changes nothing', () => {
  it('refuses NUL and lone surrogates in JSON, query strings and paths', async () => {
    const anon = new Client(t.baseUrl);
    expect((await anon.post('/api/auth/login', { email: 'a\u0000@example.test', password: 'x' })).status).toBe(400);
    expect((await anon.request('POST', '/api/auth/register', '{"email":"a@example.test","name":"\\ud800","password":"walnut ferry lantern"}', { 'content-type': 'application/json' })).status).toBe(400);
    expect((await patient.client.put(`/api/cases/${caseId}/intake/questions`, { questions: ['Is it \u0000 bad?'] })).status).toBe(400);
    expect((await coordinator.client.get('/api/cases?q=%00')).status).toBe(400);
    expect((await admin.client.get('/api/experts?q=%00')).status).toBe(400);
    expect((await patient.client.get('/fhir/R4/Patient?name=Ok%00')).status).toBe(400);
    expect((await patient.client.get('/fhir/R4/ServiceRequest/Ok%00')).status).toBe(400);
    expect((await patient.client.get(`/dicomweb/cases/${caseId}/studies?PatientName=a%00`)).status).toBe(400);
    const upload = await patient.client.request('POST', '/api/uploads', undefined, {
      'tus-resumable': '1.0.0', 'upload-length': '12',
      'upload-metadata': `caseId ${Buffer.from(caseId).toString('base64')},filename ${Buffer.from('a\u0000.pdf').toString('base64')}`,
    });
    expect(upload.status).toBe(400);
    expect(upload.headers.get('content-type')).toMatch(/problem\+json/);
  });

  it('treats every tus POST as a new upload: one aimed at an existing upload is refused, not half-checked', async () => {
    const meta = `caseId ${Buffer.from(caseId).toString('base64')},filename ${Buffer.from('note.txt').toString('base64')}`;
    const created = await patient.client.request('POST', '/api/uploads', undefined, { 'tus-resumable': '1.0.0', 'upload-length': '12', 'upload-metadata': meta });
    const id = created.headers.get('location')!.split('/').pop();
    const again = await patient.client.request('POST', `/api/uploads/${id}`, undefined, { 'tus-resumable': '1.0.0', 'upload-length': '12', 'upload-metadata': `caseId ${Buffer.from('not-a-case').toString('base64')},filename ${Buffer.from('x\u0000').toString('base64')}` });
    expect(again.status).toBe(404);
    expect(again.headers.get('content-type')).toMatch(/problem\+json/);
  });

  it('refuses JSON nested absurdly deep', async () => {
    const deep = `${'{"a":'.repeat(200)}1${'}'.repeat(200)}`;
    expect((await patient.client.request('PUT', `/api/cases/${caseId}/intake/questions`, deep, { 'content-type': 'application/json' })).status).toBe(400);
  });

  it('looks DICOM keywords up as keywords: object built-ins are unknown attributes', async () => {
    for (const q of ['constructor=1', '__proto__=1', 'includefield=toString', 'hasOwnProperty=x']) {
      const res = await patient.client.get(`/dicomweb/cases/${caseId}/studies?${q}`);
      expect(res.status, q).toBe(400);
      expect(res.headers.get('content-type')).toMatch(/problem\+json/);
    }
  });

  it('bounds FHIR paging and dates before they reach SQL', async () => {
    for (const offset of ['1e21', 'Infinity', '-1', '1.5']) {
      expect((await patient.client.get(`/fhir/R4/ServiceRequest?_offset=${offset}`)).status, offset).toBe(400);
      expect((await patient.client.get(`/fhir/R4/DiagnosticReport?_offset=${offset}`)).status, offset).toBe(400);
    }
    expect((await patient.client.get('/fhir/R4/Consent?date=9999-12-31')).status).toBe(200);
    expect((await patient.client.get('/fhir/R4/Consent?date=0000')).status).toBe(200);
    expect((await patient.client.get('/fhir/R4/Consent?date=2026-02-30')).status).toBe(400);
  });

  it('answers DICOMweb without a case for a role that reads no images with an empty result, not an error', async () => {
    for (const path of ['/dicomweb/studies', '/dicomweb/series', '/dicomweb/instances']) {
      const res = await admin.client.get(path);
      expect(res.status, path).toBeLessThan(300);
    }
  });

  it('answers tus protocol errors as problem details', async () => {
    const res = await patient.client.request('POST', '/api/uploads', undefined, { 'upload-length': '10', 'upload-metadata': `caseId ${Buffer.from(caseId).toString('base64')},filename ${Buffer.from('a.txt').toString('base64')}` });
    expect(res.status).toBe(412);
    expect(res.headers.get('content-type')).toMatch(/problem\+json/);
    expect(res.body.detail).toMatch(/Tus-Resumable/);
  });

  it('keeps a malformed URL or an oversized request line in problem details', async () => {
    const bad = await fetch(`${t.baseUrl}/fhir/R4/Patient/%ED%A0%80`);
    expect(bad.status).toBe(400);
    expect(bad.headers.get('content-type')).toMatch(/fhir\+json/);
    const huge = await fetch(`${t.baseUrl}/api/cases?q=${'a'.repeat(70_000)}`);
    expect(huge.status).toBe(431);
    expect(huge.headers.get('content-type')).toMatch(/problem\+json/);
  });
});

describe('the audit trail is complete and clean', () => {
  it('records a FHIR search as one event per case touched, shown in that patient’s access log', async () => {
    await patient.client.get('/fhir/R4/Patient');
    const rows = await t.db.query<{ case_id: string }>(`SELECT case_id FROM audit_events WHERE action = 'fhir.Patient.search' AND actor_id = $1`, [patient.id]);
    expect(rows.map((r) => r.case_id)).toEqual([caseId]);
    const log = await patient.client.get(`/api/cases/${caseId}/access-log?pageSize=100`);
    expect(log.body.items.map((i: { action: string }) => i.action)).toContain('fhir.Patient.search');
  });

  it('audits the offers of a case and the expert inbox per case', async () => {
    await coordinator.client.get(`/api/cases/${caseId}/offers`);
    expect((await lastAudit('offer.list'))?.case_id).toBe(caseId);
    const expert = await aStaff(t, 'expert');
    await expert.client.get('/api/experts/me/inbox');
    expect(await t.db.query(`SELECT 1 FROM audit_events WHERE action = 'expert.inbox.read' AND actor_id = $1`, [expert.id])).toHaveLength(1);
  });

  it('shows patients no staff addresses in FHIR AuditEvent, as in the REST access log', async () => {
    const res = await patient.client.get(`/fhir/R4/AuditEvent?entity=ServiceRequest/${caseId}&_count=100`);
    expect(res.status).toBe(200);
    expect(res.body.entry.length).toBeGreaterThan(0);
    expect(res.text).not.toContain('"network"');
    const asAdmin = await admin.client.get(`/fhir/R4/AuditEvent?entity=ServiceRequest/${caseId}&_count=100`);
    expect(asAdmin.text).toContain('"network"');
  });
});
