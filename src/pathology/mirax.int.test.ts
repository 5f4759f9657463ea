import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import jpeg from 'jpeg-js';
import { aCase, aPatient, aStaff, type Person } from '../../test/support/builders.ts';
import { tusUpload } from '../../test/support/records.ts';
import { aMiraxZip } from '../../test/support/slides.ts';
import { startTestApp, type TestApp } from '../../test/support/testApp.ts';

let t: TestApp;
let patient: Person;
let coordinator: Person;
let caseId: string;
beforeAll(async () => {
  t = await startTestApp({ JOBS_POLL_MS: '60000' });
  patient = await aPatient(t, 'Robin Testperson');
  coordinator = await aStaff(t, 'coordinator');
  caseId = await aCase(t, patient, { submit: true });
});
afterAll(() => t.close());

const count = async (table: 'documents' | 'slides') => (await t.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table} WHERE case_id = $1`, [caseId]))[0]!.n;
const leftUploads = () => fs.readdirSync(path.join(t.config.dataDir, 'uploads')).filter((f) => !f.endsWith('.json'));
const blobFiles = () => (fs.readdirSync(path.join(t.config.dataDir, 'blobs'), { recursive: true }) as string[]).filter((f) => !f.startsWith('tmp') && /[0-9a-f]{32}$/.test(f)).length;

describe('3DHISTECH MIRAX slides, sent as a zip of the .mrxs file and its folder', () => {
  it('takes the zip as a slide, unpacks it for OpenSlide and makes tiles at the scale Slidedat.ini gives', async () => {
    const zip = await aMiraxZip({ name: 'S24-1234 A1', top: 'export', width: 2048, height: 1536, micronsPerPixel: 0.243, label: 'S24-1234 A1' });
    const up = await tusUpload(patient.client, caseId, 'S24-1234 A1.zip', zip);
    expect(up.status, JSON.stringify(up.body)).toBe(200);
    // A slide, not a CD of images nor an archive for a coordinator to open.
    expect(up.body.document).toMatchObject({ contentType: 'wsi', category: 'digital_slide', status: 'ready' });
    await t.app.jobs.drain();
    const slide = (await coordinator.client.get(`/api/cases/${caseId}/slides/${up.body.document.id}`)).body;
    expect(slide).toMatchObject({ status: 'ready', vendor: 'mirax', width: 2048, height: 1536, objectivePower: 20, levels: 4, tiles: { size: 254, overlap: 1, format: 'jpeg' } });
    expect(slide.micronsPerPixel).toBeCloseTo(0.243, 6);
    // The barcode label is OpenSlide's "label", the whole glass its "macro": both kept, and flagged.
    expect(slide).toMatchObject({ labelMayShowName: true, pictures: ['label', 'macro'] });
    const label = await fetch(`${t.baseUrl}/api/cases/${caseId}/slides/${slide.id}/pictures/label.jpeg`, { headers: { cookie: coordinator.client.cookieHeader } });
    expect(label.status).toBe(200);
    const photo = jpeg.decode(Buffer.from(await label.arrayBuffer()));
    expect([photo.width, photo.height]).toEqual([400, 200]);

    const tile = (p: string) => fetch(`${t.baseUrl}/api/cases/${caseId}/slides/${slide.id}/tiles/${p}`, { headers: { cookie: coordinator.client.cookieHeader } });
    const full = await tile('11/3_2.jpeg');
    expect(full.status).toBe(200);
    const image = jpeg.decode(Buffer.from(await full.arrayBuffer()));
    expect([image.width, image.height]).toEqual([256, 256]);
    // The noise of the scan, not the fill colour of missing pictures.
    const mean = image.data.filter((_, i) => i % 4 === 0).reduce((a, b) => a + b, 0) / (256 * 256);
    expect(mean).toBeGreaterThan(140);
    expect(mean).toBeLessThan(180);
    expect((await tile('11/8_6.jpeg')).status).toBe(200);
    expect((await tile('11/9_6.jpeg')).status).toBe(404);
    // The original comes back as the zip it was sent as.
    const original = await fetch(`${t.baseUrl}/api/cases/${caseId}/documents/${up.body.document.id}/content`, { headers: { cookie: patient.client.cookieHeader } });
    expect(original.headers.get('content-type')).toBe('application/zip');
    expect(Buffer.from(await original.arrayBuffer()).equals(zip)).toBe(true);
    // The unpacked slide is gone with the work folder.
    expect(fs.readdirSync(path.join(t.config.dataDir, 'slide-work'))).toEqual([]);
  });

  it('refuses, in plain words and changing nothing, a zip with the .mrxs file but not its folder', async () => {
    const [docs, slides, blobs] = [await count('documents'), await count('slides'), blobFiles()];
    const r = await tusUpload(patient.client, caseId, 'biopsy.zip', await aMiraxZip({ width: 512, height: 512, withoutFolder: true }));
    expect(r.status).toBe(400);
    expect(r.body.detail).toBe('“biopsy.zip” holds the MIRAX slide “biopsy.mrxs” but not its folder “biopsy” with Slidedat.ini. A MIRAX slide is the .mrxs file and the folder of the same name: please zip both together.');
    expect([await count('documents'), await count('slides'), blobFiles()]).toEqual([docs, slides, blobs]);
    expect(leftUploads()).toEqual([]);
  });

  it('refuses a slide zip with a path climbing out of the archive, and one with other files beside the slide', async () => {
    const [docs, slides, blobs] = [await count('documents'), await count('slides'), blobFiles()];
    const zip = await aMiraxZip({ width: 512, height: 512, extra: [{ name: 'xx/xx/evil.txt', data: Buffer.from('hello') }] });
    const evil = Buffer.from(zip.toString('latin1').replaceAll('xx/xx/evil.txt', '../../evil.txt'), 'latin1');
    const r = await tusUpload(patient.client, caseId, 'biopsy.zip', evil);
    expect(r.status).toBe(400);
    expect(r.body.detail).toMatch(/unsafe path.*may not point outside the archive/);
    const mixed = await tusUpload(patient.client, caseId, 'biopsy.zip', await aMiraxZip({ width: 512, height: 512, extra: [{ name: 'report.txt', data: Buffer.from('hello') }] }));
    expect(mixed.status).toBe(400);
    expect(mixed.body.detail).toMatch(/holds other files \(“report\.txt”\) beside the MIRAX slide/);
    expect([await count('documents'), await count('slides'), blobFiles()]).toEqual([docs, slides, blobs]);
    expect(leftUploads()).toEqual([]);
  });
});
