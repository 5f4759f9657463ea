import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { aCase, aPatient, aStaff, command, type Person } from '../../test/support/builders.ts';
import { tusUpload } from '../../test/support/records.ts';
import { startTestApp, type TestApp } from '../../test/support/testApp.ts';

/**
 * A file's name as the hospital or scanner gave it may carry an accession number or someone's
 * name: the patient's side reads it only on its own uploads, wherever a record is named (the
 * records list, one record, its download, the timeline, a message it is attached to).
 */
let t: TestApp;
let patient: Person;
let coordinator: Person;
let caseId: string;
let hospitalFile: string;
let ownFile: string;
const HOSPITAL_NAME = 'ACC-20931-DOE-JANE.txt';
const HOSPITAL_BYTES = Buffer.from('A synthetic outside report sent by a hospital.\n');

beforeAll(async () => {
  t = await startTestApp({ JOBS_POLL_MS: '100' });
  patient = await aPatient(t);
  coordinator = await aStaff(t, 'coordinator');
  caseId = await aCase(t, patient, { submit: true });
  await command(coordinator, caseId, 'startRecordCollection');
  const sent = await tusUpload(coordinator.client, caseId, HOSPITAL_NAME, HOSPITAL_BYTES, { relativePath: `CD-ACC-20931/${HOSPITAL_NAME}` });
  hospitalFile = sent.body.document.id;
  ownFile = (await tusUpload(patient.client, caseId, 'my-letter.txt', Buffer.from('A synthetic letter of my own.\n'))).body.document.id;
});
afterAll(() => t.close());

const leaks = (body: unknown) => /ACC-20931|DOE-JANE/.test(JSON.stringify(body));

describe('file names on the patient’s side', () => {
  it('lists and reads a file someone else added without its name; the patient’s own keeps it; staff read every name', async () => {
    const mine = (await patient.client.get(`/api/cases/${caseId}/documents`)).body.items;
    expect(mine.find((d: { id: string }) => d.id === hospitalFile)).toMatchObject({ filename: null, relativePath: null });
    expect(mine.find((d: { id: string }) => d.id === ownFile)).toMatchObject({ filename: 'my-letter.txt' });
    expect(leaks(mine)).toBe(false);
    const one = (await patient.client.get(`/api/cases/${caseId}/documents/${hospitalFile}`)).body;
    expect(one.filename).toBeNull();
    expect(leaks(one)).toBe(false);
    const staff = (await coordinator.client.get(`/api/cases/${caseId}/documents/${hospitalFile}`)).body;
    expect(staff).toMatchObject({ filename: HOSPITAL_NAME, relativePath: `CD-ACC-20931/${HOSPITAL_NAME}` });
  });

  it('saves a download under a plain name with the file’s type, and the staff’s under the file’s own', async () => {
    const got = await fetch(`${t.baseUrl}/api/cases/${caseId}/documents/${hospitalFile}/content`, { headers: { cookie: patient.client.cookieHeader } });
    expect(got.headers.get('content-disposition')).toBe('attachment; filename="record.txt"');
    expect(Buffer.from(await got.arrayBuffer()).equals(HOSPITAL_BYTES)).toBe(true);
    const spanish = await fetch(`${t.baseUrl}/api/cases/${caseId}/documents/${hospitalFile}/content`, { headers: { cookie: patient.client.cookieHeader, 'accept-language': 'es' } });
    expect(spanish.headers.get('content-disposition')).toBe('attachment; filename="documento.txt"');
    await spanish.arrayBuffer();
    const own = await fetch(`${t.baseUrl}/api/cases/${caseId}/documents/${ownFile}/content`, { headers: { cookie: patient.client.cookieHeader } });
    expect(own.headers.get('content-disposition')).toBe('attachment; filename="my-letter.txt"');
    await own.arrayBuffer();
    const staff = await fetch(`${t.baseUrl}/api/cases/${caseId}/documents/${hospitalFile}/content`, { headers: { cookie: coordinator.client.cookieHeader } });
    expect(staff.headers.get('content-disposition')).toBe(`attachment; filename="${HOSPITAL_NAME}"`);
    await staff.arrayBuffer();
  });

  it('answers the patient’s upload of the same bytes without the other upload’s name', async () => {
    const again = await tusUpload(patient.client, caseId, 'copy-i-had.txt', HOSPITAL_BYTES);
    expect(again.body).toMatchObject({ duplicate: true, document: { id: hospitalFile, filename: null } });
    expect(leaks(again.body)).toBe(false);
  });

  it('says on the timeline that a record was added, in both languages, naming only the patient’s own', async () => {
    const lines = (await patient.client.get(`/api/cases/${caseId}/timeline`)).body;
    expect(leaks(lines)).toBe(false);
    expect(lines.map((l: { label: string }) => l.label)).toEqual(expect.arrayContaining(['Added a record', 'Added a record: my-letter.txt']));
    const spanish = (await patient.client.request('GET', `/api/cases/${caseId}/timeline`, undefined, { 'accept-language': 'es' })).body;
    expect(spanish.map((l: { label: string }) => l.label)).toContain('Agregó un documento');
    const staff = (await coordinator.client.get(`/api/cases/${caseId}/timeline`)).body;
    expect(staff.map((l: { label: string }) => l.label)).toContain(`Added a record: ${HOSPITAL_NAME}`);
  });

  it('attaches a record to a message without its name for the patient, with it for staff', async () => {
    const started = await coordinator.client.post(`/api/cases/${caseId}/threads`, { subject: 'Your outside report', body: 'We received this from the hospital.', documentId: hospitalFile });
    expect(started.status).toBe(201);
    const read = (await patient.client.get(`/api/cases/${caseId}/threads/${started.body.threadId}`)).body;
    expect(read.messages[0]).toMatchObject({ documentId: hospitalFile, documentName: null });
    expect(leaks(read)).toBe(false);
    const staff = (await coordinator.client.get(`/api/cases/${caseId}/threads/${started.body.threadId}`)).body;
    expect(staff.messages[0]).toMatchObject({ documentName: HOSPITAL_NAME });
  });
});
