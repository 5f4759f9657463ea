import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { aCase, aCaseInReview, aPatient, aStaff, type Person } from '../../test/support/builders.ts';
import { startTestApp, type TestApp } from '../../test/support/testApp.ts';
import { objectBackendFor } from '../core/storage.ts';

let t: TestApp;
let patient: Person;
let coordinator: Person;
const card = fs.readFileSync(path.join(import.meta.dirname, '../../test/fixtures/ocr/insurance-card-front.png'));
const report = fs.readFileSync(path.join(import.meta.dirname, '../../test/fixtures/ocr/pathology-report-photo.png'));

beforeAll(async () => {
  t = await startTestApp();
  patient = await aPatient(t, 'Pat Card');
  coordinator = await aStaff(t, 'coordinator', 'Cora Cards');
});
afterAll(() => t.close());

/** Waits until no photo of the request is still being read (the app's own worker may be reading it as the test drains the jobs). */
async function photosRead(who: Person, caseId: string) {
  await expect.poll(async () => {
    await t.app.jobs.drain();
    return ((await who.client.get(`/api/cases/${caseId}/coverage/cards`)).body as { reading: string }[]).some((c) => c.reading === 'waiting');
  }, { timeout: 30_000 }).toBe(false);
}

/** The photo itself as the body, as the web app sends it. */
const putPhoto = (who: Person, caseId: string, side: string, bytes: Buffer | string, type = 'image/png') =>
  fetch(`${who.client.baseUrl}/api/cases/${caseId}/coverage/cards/${side}`, { method: 'PUT', headers: { cookie: who.client.cookieHeader, 'content-type': type }, body: typeof bytes === 'string' ? bytes : new Uint8Array(bytes) });

describe('photos of the insurance card', () => {
  it('reads the member ID and group number from the front, for the patient to confirm, and keeps the photo encrypted', async () => {
    const id = await aCase(t, patient, { intake: {} });
    const put = await putPhoto(patient, id, 'front', card);
    expect(put.status).toBe(200);
    expect(await put.json()).toEqual([expect.objectContaining({ side: 'front', contentType: 'png', size: card.length, reading: 'waiting', memberId: null, uploadedByName: 'Pat Card' })]);
    await photosRead(patient, id);
    const cards = await patient.client.get(`/api/cases/${id}/coverage/cards`);
    expect(cards.body).toEqual([expect.objectContaining({ side: 'front', reading: 'read', memberId: 'XWZ900123456', groupNumber: '0077123' })]);
    // What was read is offered, not written into the request: the intake is unchanged until the patient says so.
    expect((await patient.client.get(`/api/cases/${id}`)).body.intake.patient.insuranceMemberId).toBeUndefined();
    const image = await fetch(`${patient.client.baseUrl}/api/cases/${id}/coverage/cards/front/image`, { headers: { cookie: patient.client.cookieHeader } });
    expect(image.status).toBe(200);
    expect(image.headers.get('content-type')).toBe('image/png');
    expect(image.headers.get('cache-control')).toBe('no-store');
    expect(Buffer.from(await image.arrayBuffer()).equals(card)).toBe(true);
    // Stored like every record: encrypted, so the photo's bytes are nowhere on disk in plain.
    const [row] = await t.db.query<{ blob_sha256: string }>('SELECT blob_sha256 FROM coverage_cards WHERE case_id = $1', [id]);
    const files = fs.readdirSync(t.config.dataDir, { recursive: true, withFileTypes: true }).filter((f) => f.isFile());
    const pngSignature = card.subarray(16, 64);
    expect(files.some((f) => fs.readFileSync(path.join(f.parentPath, f.name)).includes(pngSignature))).toBe(false);
    expect(row!.blob_sha256).toMatch(/^[0-9a-f]{64}$/);
    const audit = await t.db.query<{ action: string; case_id: string; detail: unknown }>(`SELECT action, case_id, detail FROM audit_events WHERE action LIKE 'coverage.card.%' AND case_id = $1 ORDER BY seq`, [id]);
    // One event per look (the test looked at the list while waiting for the reading).
    expect(audit[0]!.action).toBe('coverage.card.upload');
    expect(new Set(audit.map((a) => a.action))).toEqual(new Set(['coverage.card.upload', 'coverage.card.list', 'coverage.card.read']));
    expect(audit.every((a) => JSON.stringify(a.detail) === '{}')).toBe(true);
  });

  it('says when nothing was found, replaces a side, and removes one', async () => {
    const id = await aCase(t, patient, { intake: {} });
    await putPhoto(patient, id, 'back', report);
    await photosRead(patient, id);
    expect((await patient.client.get(`/api/cases/${id}/coverage/cards`)).body).toEqual([expect.objectContaining({ side: 'back', reading: 'nothing_found', memberId: null, groupNumber: null })]);
    const [first] = await t.db.query<{ blob_sha256: string }>('SELECT blob_sha256 FROM coverage_cards WHERE case_id = $1', [id]);
    const replaced = await putPhoto(patient, id, 'back', card);
    expect((await replaced.json())[0]).toMatchObject({ side: 'back', reading: 'waiting' });
    // Storage housekeeping keeps the photo in use and removes the one replaced.
    const { cleanUpStorage } = await import('../records/cleanup.ts');
    const { uploadDiscarderFor } = await import('../records/uploadStore.ts');
    await cleanUpStorage(t.db, { objects: objectBackendFor(t.config), uploads: await uploadDiscarderFor(t.config) }, { now: new Date(Date.now() + 48 * 3_600_000) });
    const [now] = await t.db.query<{ blob_sha256: string }>('SELECT blob_sha256 FROM coverage_cards WHERE case_id = $1', [id]);
    const kept = await t.db.query<{ sha256: string }>('SELECT sha256 FROM blobs WHERE sha256 = ANY($1)', [[first!.blob_sha256, now!.blob_sha256]]);
    expect(kept.map((b) => b.sha256)).toEqual([now!.blob_sha256]);
    await photosRead(patient, id);
    expect((await patient.client.get(`/api/cases/${id}/coverage/cards`)).body[0]).toMatchObject({ reading: 'read', memberId: 'XWZ900123456' });
    const removed = await patient.client.request('DELETE', `/api/cases/${id}/coverage/cards/back`);
    expect(removed.status).toBe(200);
    expect(removed.body).toEqual([]);
    expect((await patient.client.request('DELETE', `/api/cases/${id}/coverage/cards/back`)).status).toBe(404);
  });

  it('refuses what is not a photo, and a photo too large, in plain words, and stores nothing', async () => {
    const id = await aCase(t, patient, { intake: {} });
    const pdf = await putPhoto(patient, id, 'front', '%PDF-1.4 a PDF posing as a photo');
    expect(pdf.status).toBe(400);
    expect((await pdf.json()).detail).toBe('Send a photo of the card as a JPEG or PNG picture.');
    const huge = await putPhoto(patient, id, 'front', Buffer.alloc(16 * 1024 * 1024, 1));
    expect(huge.status).toBe(413);
    expect(huge.headers.get('content-type')).toMatch(/problem\+json/);
    expect((await putPhoto(patient, id, 'side', card)).status).toBe(400);
    // A body that is not the picture itself (JSON, a form) is refused as such, whatever it parses into.
    for (const body of ['-0', '{"photo":"x"}']) {
      const wrong = await putPhoto(patient, id, 'front', body, 'application/json');
      expect(wrong.status, body).toBe(415);
      expect((await wrong.json()).detail).toBe('Send a photo of the card as a JPEG or PNG picture.');
    }
    expect((await putPhoto(patient, id, 'front', 'photo=x', 'application/x-www-form-urlencoded')).status).toBe(415);
    expect((await patient.client.get(`/api/cases/${id}/coverage/cards`)).body).toEqual([]);
  });

  it('puts the numbers read on a sent request when a person says so', async () => {
    const id = await aCase(t, patient, { submit: true });
    expect((await patient.client.post(`/api/cases/${id}/coverage/cards/use`)).status).toBe(409);
    await putPhoto(patient, id, 'front', card);
    await photosRead(patient, id);
    const used = await coordinator.client.post(`/api/cases/${id}/coverage/cards/use`);
    expect(used.status).toBe(200);
    expect(used.body).toEqual({ memberId: 'XWZ900123456', groupNumber: '0077123' });
    expect((await patient.client.get(`/api/cases/${id}`)).body.intake.patient).toMatchObject({ insuranceMemberId: 'XWZ900123456', insuranceGroupNumber: '0077123', givenName: 'Robin' });
    const [audit] = await t.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM audit_events WHERE case_id = $1 AND action = 'coverage.card.apply'`, [id]);
    expect(audit!.n).toBe(1);
  });

  it('is the patient side’s and the coordinator’s: the reviewers never reach it', async () => {
    const expert = await aStaff(t, 'expert', 'Eve Reviewer');
    const id = await aCaseInReview(t, patient, coordinator, expert);
    expect((await putPhoto(patient, id, 'front', card)).status).toBe(200);
    expect((await coordinator.client.get(`/api/cases/${id}/coverage/cards`)).body).toHaveLength(1);
    expect((await putPhoto(coordinator, id, 'back', card)).status).toBe(200);
    // The reviewer reads the case and its records, but not the card: 404, as for anything outside a grant.
    expect((await expert.client.get(`/api/cases/${id}`)).status).toBe(200);
    expect((await expert.client.get(`/api/cases/${id}/coverage/cards`)).status).toBe(404);
    expect((await fetch(`${expert.client.baseUrl}/api/cases/${id}/coverage/cards/front/image`, { headers: { cookie: expert.client.cookieHeader } })).status).toBe(404);
    expect((await putPhoto(expert, id, 'front', card)).status).toBe(404);
    expect((await expert.client.request('DELETE', `/api/cases/${id}/coverage/cards/front`)).status).toBe(404);
    // Nor do the photos show among the case's records.
    const docs = await expert.client.get(`/api/cases/${id}/documents`);
    expect(docs.body.items.some((d: { filename: string }) => /card/i.test(d.filename))).toBe(false);
    const denied = await t.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM audit_events WHERE case_id = $1 AND outcome = 'denied' AND action LIKE 'coverage.card.%'`, [id]);
    expect(denied[0]!.n).toBe(3);
  });
});
