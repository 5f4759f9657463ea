import path from 'node:path';
import { getDocument } from 'pdfjs-dist/legacy/build/pdf.mjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { aCase, aPatient, aStaff, command, type Person } from '../../test/support/builders.ts';
import { startTestApp, type TestApp } from '../../test/support/testApp.ts';

let t: TestApp;
let patient: Person;
let coordinator: Person;
let caseId: string;
beforeAll(async () => {
  t = await startTestApp();
  patient = await aPatient(t);
  coordinator = await aStaff(t, 'coordinator');
  caseId = await aCase(t, patient, { submit: true });
  await command(coordinator, caseId, 'startRecordCollection');
});
afterAll(() => t.close());

async function pdfText(res: Response) {
  const doc = await getDocument({ data: new Uint8Array(await res.arrayBuffer()), standardFontDataUrl: `${path.resolve('node_modules/pdfjs-dist/standard_fonts')}/` }).promise;
  const page = await doc.getPage(1);
  return (await page.getTextContent()).items.map((x) => ('str' in x ? x.str : '')).join(' ');
}
const get = (p: Person, url: string) => fetch(`${t.baseUrl}${url}`, { headers: { cookie: p.client.cookieHeader } });

describe('slides and blocks', () => {
  it('tracks glass slides from request to return; received slides complete the checklist item', async () => {
    const created = await coordinator.client.post(`/api/cases/${caseId}/specimens`, { kind: 'slides', label: 'S26-0417 A1-A6', expectedCount: 6, sourceFacility: 'Synthetic General Hospital' });
    expect(created.status).toBe(201);
    const id = created.body.id;
    expect(created.body.barcode).toMatch(/^CSL-[0-9A-F]{10}$/);

    const noTracking = await coordinator.client.post(`/api/cases/${caseId}/specimens/${id}/steps`, { to: 'shipped', carrier: 'UPS' });
    expect(noTracking.status).toBe(422);
    expect(noTracking.body.detail).toMatch(/tracking number/);
    expect((await coordinator.client.post(`/api/cases/${caseId}/specimens/${id}/steps`, { to: 'shipped', carrier: 'UPS', trackingNumber: '1Z999AA10123456784' })).status).toBe(200);
    const short = await coordinator.client.post(`/api/cases/${caseId}/specimens/${id}/steps`, { to: 'received', receivedCount: 5, condition: 'intact' });
    expect(short.body.detail).toMatch(/6 were expected and 5 arrived/);
    const received = await coordinator.client.post(`/api/cases/${caseId}/specimens/${id}/steps`, { to: 'received', receivedCount: 5, condition: 'incomplete', note: 'A4 missing; asked the hospital.' });
    expect(received.body).toMatchObject({ status: 'received', receivedCount: 5, conditionNote: 'incomplete: A4 missing; asked the hospital.' });

    const checklist = (await coordinator.client.get(`/api/cases/${caseId}/checklist`)).body;
    expect(checklist.items.find((i: { id: string }) => i.id === 'pathology_slides').have).toBe(true);
    await coordinator.client.post(`/api/cases/${caseId}/specimens/${id}/steps`, { to: 'with_reviewer' });
    const back = await coordinator.client.post(`/api/cases/${caseId}/specimens/${id}/steps`, { to: 'returned', carrier: 'FedEx', trackingNumber: '7489' });
    expect(back.body).toMatchObject({ status: 'returned', returnTrackingNumber: '7489' });
    const list = (await patient.client.get(`/api/cases/${caseId}/specimens`)).body;
    expect(list[0].history.map((h: { status: string }) => h.status)).toEqual(['requested', 'shipped', 'received', 'with_reviewer', 'returned']);

    const label = await get(coordinator, `/api/cases/${caseId}/specimens/${id}/label.pdf`);
    expect(label.headers.get('content-type')).toBe('application/pdf');
    expect(await pdfText(label)).toContain('S26-0417 A1-A6');
  });

  it('lets only the coordinator move material, and no one outside the case see it', async () => {
    const created = await coordinator.client.post(`/api/cases/${caseId}/specimens`, { kind: 'blocks', label: 'S26-0417 A2', expectedCount: 1, sourceFacility: 'Synthetic General Hospital' });
    expect((await patient.client.post(`/api/cases/${caseId}/specimens/${created.body.id}/steps`, { to: 'shipped', carrier: 'x', trackingNumber: 'y' })).status).toBe(404);
    const stranger = await aPatient(t);
    expect((await stranger.client.get(`/api/cases/${caseId}/specimens`)).status).toBe(404);
  });
});

describe('release-of-information requests', () => {
  it('writes a letter with the items and the patient’s signed HIPAA authorization, and tracks its status', async () => {
    const r = await coordinator.client.post(`/api/cases/${caseId}/roi-requests`, { facilityName: 'Synthetic General Hospital, Pathology', facilityAddress: '1 Example Way, Springfield, OH', items: ['pathology_slides', 'pathology_blocks', 'imaging_files', 'pathology_report'] });
    expect(r.status).toBe(201);
    const letter = await pdfText(await get(coordinator, `/api/cases/${caseId}/roi-requests/${r.body.id}/letter.pdf`));
    expect(letter).toContain('Synthetic General Hospital, Pathology');
    expect(letter).toMatch(/paraffin tissue blocks/);
    expect(letter).toMatch(/DICOM files/);
    expect(letter).toMatch(new RegExp(`HIPAA authorization version .* signed electronically by typing the name “${patient.name}”`));
    const sent = await coordinator.client.put(`/api/cases/${caseId}/roi-requests/${r.body.id}/status`, { status: 'sent' });
    expect(sent.body.sentAt).toBeTruthy();
    expect((await coordinator.client.put(`/api/cases/${caseId}/roi-requests/${r.body.id}/status`, { status: 'partially_received' })).body.status).toBe('partially_received');
  });

  it('refuses a request that asks for nothing, and lets no patient write one', async () => {
    expect((await coordinator.client.post(`/api/cases/${caseId}/roi-requests`, { facilityName: 'X', facilityAddress: 'Y', items: [] })).status).toBe(400);
    expect((await patient.client.post(`/api/cases/${caseId}/roi-requests`, { facilityName: 'X', facilityAddress: 'Y', items: ['pathology_report'] })).status).toBe(404);
  });
});
