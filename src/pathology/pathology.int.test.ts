import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import jpeg from 'jpeg-js';
import { aCase, aPatient, aStaff, type Person } from '../../test/support/builders.ts';
import { openLiveStream } from '../../test/support/live.ts';
import { tusUpload } from '../../test/support/records.ts';
import { aSlideFile, writeSlideFile } from '../../test/support/slides.ts';
import { startTestApp, type TestApp } from '../../test/support/testApp.ts';

let t: TestApp;
let patient: Person;
let coordinator: Person;
let caseId: string;
let slideFile: Buffer;
beforeAll(async () => {
  t = await startTestApp({ JOBS_POLL_MS: '60000' });
  patient = await aPatient(t, 'Robin Testperson');
  coordinator = await aStaff(t, 'coordinator');
  caseId = await aCase(t, patient, { submit: true });
  slideFile = aSlideFile();
});
afterAll(() => t.close());

const auditCount = async (action: string, entityId?: string) =>
  (await t.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM audit_events WHERE action = $1 ${entityId ? 'AND entity_id = $2' : ''}`, entityId ? [action, entityId] : [action]))[0]!.n;

describe('whole-slide images', () => {
  let slideId: string;

  it('builds a tile pyramid from an uploaded slide and reads its size and microns per pixel', async () => {
    const up = await tusUpload(patient.client, caseId, 'biopsy-A1.svs', slideFile);
    expect(up.status).toBe(200);
    const before = await coordinator.client.get(`/api/cases/${caseId}/slides`);
    expect(before.status).toBe(200);
    // Listed at once, as being prepared; its tiles are made in the background.
    expect(before.body).toEqual([expect.objectContaining({ id: up.body.document.id, status: 'processing', tiles: null })]);
    const early = await fetch(`${t.baseUrl}/api/cases/${caseId}/slides/${up.body.document.id}/tiles/0/0_0.jpeg`, { headers: { cookie: coordinator.client.cookieHeader } });
    expect(early.status).toBe(409);
    expect((await early.json()).detail).toMatch(/being prepared/);
    await t.app.jobs.drain();
    const list = await coordinator.client.get(`/api/cases/${caseId}/slides`);
    expect(list.body).toHaveLength(1);
    const slide = list.body[0];
    expect(slide).toMatchObject({ status: 'ready', width: 2048, height: 1536, filename: 'biopsy-A1.svs', tiles: { size: 254, overlap: 1, format: 'jpeg' } });
    expect(slide.micronsPerPixel).toBeCloseTo(0.25, 5);
    // A plain tiled TIFF carries no label picture, and says so.
    expect(slide.labelMayShowName).toBe(false);
    slideId = slide.id;
    // The decrypted copy and the work files are gone once the job is done.
    expect(fs.readdirSync(path.join(t.config.dataDir, 'slide-work'))).toEqual([]);
  });

  it('serves tiles at every level, audits the opening once and not each tile', async () => {
    const opened = await coordinator.client.get(`/api/cases/${caseId}/slides/${slideId}`);
    expect(opened.status).toBe(200);
    const base = `${t.baseUrl}/api/cases/${caseId}/slides/${slideId}/tiles`;
    const get = (path: string, who = coordinator) => fetch(`${base}/${path}`, { headers: { cookie: who.client.cookieHeader } });
    // Deep Zoom: level 11 is full resolution for 2048 px (2^11); its first tile is 254 + 1 px overlap.
    const full = await get('11/0_0.jpeg');
    expect(full.status).toBe(200);
    expect(full.headers.get('content-type')).toBe('image/jpeg');
    const image = jpeg.decode(Buffer.from(await full.arrayBuffer()));
    expect([image.width, image.height]).toEqual([255, 255]);
    const corner = jpeg.decode(Buffer.from(await (await get('11/8_6.jpeg')).arrayBuffer()));
    expect([corner.width, corner.height]).toEqual([2048 - 8 * 254 + 1, 1536 - 6 * 254 + 1]);
    const whole = jpeg.decode(Buffer.from(await (await get('0/0_0.jpeg')).arrayBuffer()));
    expect([whole.width, whole.height]).toEqual([1, 1]);
    for (let i = 0; i < 5; i++) expect((await get(`10/${i % 4}_0.jpeg`)).status).toBe(200);
    expect(await auditCount('pathology.slide.open', slideId)).toBe(1);

    const outside = await get('11/9_0.jpeg');
    expect(outside.status).toBe(404);
    expect(outside.headers.get('content-type')).toMatch(/problem\+json/);
    expect((await get('11/..%2F..%2Fslide.dzi')).status).toBe(400);
    expect((await get('99/0_0.jpeg')).status).toBe(400);
  });

  it('leaves the slide file’s name out of what the patient’s side reads; staff read it', async () => {
    // A lab's file name often carries the accession number or the patient's name.
    const caregiver = await aPatient(t);
    await t.db.query(`INSERT INTO case_members (case_id, user_id, relation) VALUES ($1, $2, 'proxy')`, [caseId, caregiver.id]);
    for (const who of [patient, caregiver]) {
      const [listed] = (await who.client.get(`/api/cases/${caseId}/slides`)).body;
      const opened = (await who.client.get(`/api/cases/${caseId}/slides/${slideId}`)).body;
      for (const slide of [listed, opened]) {
        expect(slide).toMatchObject({ id: slideId, status: 'ready', block: null, stain: null });
        expect(slide).not.toHaveProperty('filename');
        expect(slide).not.toHaveProperty('name');
        expect(JSON.stringify(slide)).not.toMatch(/biopsy-A1/);
      }
    }
    const [listed] = (await coordinator.client.get(`/api/cases/${caseId}/slides`)).body;
    const opened = (await coordinator.client.get(`/api/cases/${caseId}/slides/${slideId}`)).body;
    for (const slide of [listed, opened]) expect(slide).toMatchObject({ filename: 'biopsy-A1.svs', name: 'biopsy-A1.svs' });
  });

  it('shows nothing of the slide to someone without access to the request', async () => {
    const stranger = await aPatient(t);
    expect((await stranger.client.get(`/api/cases/${caseId}/slides`)).status).toBe(404);
    expect((await stranger.client.get(`/api/cases/${caseId}/slides/${slideId}`)).status).toBe(404);
    const tile = await fetch(`${t.baseUrl}/api/cases/${caseId}/slides/${slideId}/tiles/11/0_0.jpeg`, { headers: { cookie: stranger.client.cookieHeader } });
    expect(tile.status).toBe(404);
    expect(tile.headers.get('content-type')).toMatch(/problem\+json/);
    const anonymous = await fetch(`${t.baseUrl}/api/cases/${caseId}/slides/${slideId}/tiles/11/0_0.jpeg`);
    expect(anonymous.status).toBe(401);
  });

  it('lets a viewer’s tiles reuse an access check for a few seconds; signing out ends them at once', async () => {
    const caregiver = await aPatient(t);
    await t.db.query(`INSERT INTO case_members (case_id, user_id, relation) VALUES ($1, $2, 'proxy')`, [caseId, caregiver.id]);
    const tile = (who: Person | string) => fetch(`${t.baseUrl}/api/cases/${caseId}/slides/${slideId}/tiles/11/1_1.jpeg`,
      { headers: { cookie: typeof who === 'string' ? who : who.client.cookieHeader } }).then((r) => r.status);
    expect(await tile(caregiver)).toBe(200);
    // Access taken away (by another instance, say): the decision holds for the reuse window only.
    await t.db.query(`UPDATE case_members SET revoked_at = now() WHERE case_id = $1 AND user_id = $2`, [caseId, caregiver.id]);
    expect(await tile(caregiver)).toBe(200);
    t.advance(t.config.viewerAccessReuseMs + 1000);
    expect(await tile(caregiver)).toBe(404);

    // Taken away here, through the request: at once.
    const second = await aPatient(t);
    await t.db.query(`INSERT INTO case_members (case_id, user_id, relation) VALUES ($1, $2, 'proxy')`, [caseId, second.id]);
    expect(await tile(second)).toBe(200);
    expect((await patient.client.request('DELETE', `/api/cases/${caseId}/proxies/${second.id}`)).status).toBeLessThan(300);
    expect(await tile(second)).toBe(404);

    // Signing out here takes effect on the next tile, within the window.
    const reader = await aStaff(t, 'coordinator', 'Tile Reader');
    const cookie = reader.client.cookieHeader;
    expect(await tile(cookie)).toBe(200);
    expect((await reader.client.post('/api/auth/logout', {})).status).toBeLessThan(300);
    expect(await tile(cookie)).toBe(401);
  });

  it('saves lengths in µm from the slide’s own scale, numbered per slide, for reviewers; exports them as GeoJSON', async () => {
    const url = `/api/cases/${caseId}/slides/${slideId}/annotations`;
    // 400 × 300 px at 0.25 µm per pixel: 500 px, 125 µm, whatever the client claims.
    const first = await coordinator.client.post(url, { kind: 'length', points: [[100, 100], [500, 400]], note: 'Tumour depth' });
    expect(first.status).toBe(201);
    expect(first.body).toMatchObject({ number: 1, kind: 'length', unit: 'µm', note: 'Tumour depth' });
    expect(first.body.value).toBeCloseTo(125, 6);
    const second = await coordinator.client.post(url, { kind: 'length', points: [[0, 0], [0, 40]] });
    expect(second.body).toMatchObject({ number: 2, value: 10, note: null });
    expect((await coordinator.client.post(url, { kind: 'length', points: [[0, 0], [5000, 0]] })).status).toBe(400);
    expect((await coordinator.client.post(url, { kind: 'length', points: [[0, 0]] })).status).toBe(400);
    expect((await coordinator.client.post(url, { kind: 'length', points: [[0, 0], [1, 1]], value: 99 })).status).toBe(400);
    // The patient's side sees none before the opinion is delivered (work in progress), and may not make them.
    expect((await patient.client.get(url)).body).toEqual([]);
    expect((await coordinator.client.get(url)).body.map((a: { number: number }) => a.number)).toEqual([1, 2]);
    expect((await patient.client.post(url, { kind: 'length', points: [[0, 0], [1, 1]] })).status).toBe(404);
    expect((await coordinator.client.request('DELETE', `${url}/${second.body.id}`)).status).toBe(204);
    expect((await coordinator.client.post(url, { kind: 'length', points: [[0, 0], [4, 0]] })).body.number).toBe(3);
    const forPatient = await (await fetch(`${t.baseUrl}${url}.geojson`, { headers: { cookie: patient.client.cookieHeader } })).json();
    expect(forPatient.features).toEqual([]);
    // Once delivered, the patient sees them (the case's status is set directly: the opinion's own path is tested elsewhere).
    await t.db.query(`UPDATE cases SET status = 'delivered' WHERE id = $1`, [caseId]);
    expect((await patient.client.get(url)).body.map((a: { number: number }) => a.number)).toEqual([1, 3]);
    await t.db.query(`UPDATE cases SET status = 'submitted' WHERE id = $1`, [caseId]);
    const geo = await fetch(`${t.baseUrl}${url}.geojson`, { headers: { cookie: coordinator.client.cookieHeader } });
    expect(geo.headers.get('content-type')).toMatch(/geo\+json/);
    const collection = await geo.json();
    expect(collection).toMatchObject({ type: 'FeatureCollection', properties: { imageWidth: 2048, imageHeight: 1536 } });
    expect(collection.features.map((f: { id: number; geometry: { type: string } }) => [f.id, f.geometry.type])).toEqual([[1, 'LineString'], [3, 'LineString']]);
    expect(collection.features[0].properties).toMatchObject({ value: 125, unit: 'µm', note: 'Tumour depth' });
    expect(await auditCount('pathology.annotation.create')).toBe(3);
  });

  it('saves areas in µm² from an outline and arrows with a note, and exports them as GeoJSON polygons and lines', async () => {
    const url = `/api/cases/${caseId}/slides/${slideId}/annotations`;
    // A 400 × 300 px rectangle at 0.25 µm per pixel: 100 × 75 µm = 7,500 µm².
    const area = await coordinator.client.post(url, { kind: 'area', points: [[100, 100], [500, 100], [500, 400], [100, 400]], note: 'Tumour bed' });
    expect(area.status).toBe(201);
    expect(area.body).toMatchObject({ kind: 'area', unit: 'µm²', note: 'Tumour bed' });
    expect(area.body.value).toBeCloseTo(7500, 6);
    expect((await coordinator.client.post(url, { kind: 'area', points: [[0, 0], [10, 10]] })).status).toBe(400);
    const flat = await coordinator.client.post(url, { kind: 'area', points: [[0, 0], [10, 10], [20, 20]] });
    expect(flat.status).toBe(400);
    expect(flat.body.detail).toMatch(/encloses something/);
    // An arrow measures nothing and must say what it points at.
    expect((await coordinator.client.post(url, { kind: 'arrow', points: [[10, 10], [200, 200]] })).status).toBe(400);
    const arrow = await coordinator.client.post(url, { kind: 'arrow', points: [[10, 10], [200, 200]], note: 'Perineural invasion' });
    expect(arrow.status).toBe(201);
    expect(arrow.body).toMatchObject({ kind: 'arrow', value: null, unit: null, note: 'Perineural invasion' });
    const collection = await (await fetch(`${t.baseUrl}${url}.geojson`, { headers: { cookie: coordinator.client.cookieHeader } })).json();
    const byNumber = new Map(collection.features.map((f: { id: number }) => [f.id, f]));
    expect((byNumber.get(area.body.number) as { geometry: unknown }).geometry).toEqual({ type: 'Polygon', coordinates: [[[100, 100], [500, 100], [500, 400], [100, 400], [100, 100]]] });
    expect((byNumber.get(arrow.body.number) as { geometry: unknown; properties: unknown }))
      .toMatchObject({ geometry: { type: 'LineString', coordinates: [[10, 10], [200, 200]] }, properties: { kind: 'arrow', value: null } });
  });

  it('refuses a tile whose stored bytes were changed, and keeps no health data in the answer', async () => {
    const [row] = await t.db.query<{ object_key: string }>('SELECT b.object_key FROM slides s JOIN blobs b ON b.sha256 = s.pyramid_sha256 WHERE s.document_id = $1', [slideId]);
    const stored = path.join(t.config.dataDir, 'blobs');
    const file = findFile(stored, row!.object_key);
    const bytes = fs.readFileSync(file);
    const flipped = Buffer.from(bytes);
    // Somewhere in the middle of the pyramid: inside a full-resolution tile's bytes.
    for (let i = Math.floor(bytes.length / 2); i < Math.floor(bytes.length / 2) + 4096; i++) flipped[i] = flipped[i]! ^ 0xff;
    fs.writeFileSync(file, flipped);
    try {
      const codes: number[] = [];
      for (let c = 0; c <= 8; c++) for (let r = 0; r <= 6; r++) {
        codes.push((await fetch(`${t.baseUrl}/api/cases/${caseId}/slides/${slideId}/tiles/11/${c}_${r}.jpeg`, { headers: { cookie: coordinator.client.cookieHeader } })).status);
      }
      expect(codes).toContain(500);
      expect(codes.filter((c) => c !== 200 && c !== 500)).toEqual([]);
    } finally {
      fs.writeFileSync(file, bytes);
    }
  });

  it('marks a slide above the size limit as too large, without making tiles', async () => {
    const small = await startTestApp({ JOBS_POLL_MS: '60000', SLIDE_MAX_MEGAPIXELS: '1' });
    try {
      const owner = await aPatient(small);
      const id = await aCase(small, owner, { intake: {} });
      expect((await tusUpload(owner.client, id, 'big.svs', slideFile)).status).toBe(200);
      await small.app.jobs.drain();
      const [slide] = (await owner.client.get(`/api/cases/${id}/slides`)).body;
      expect(slide).toMatchObject({ status: 'failed', failure: 'too_large', tiles: null });
      expect(await small.db.query('SELECT 1 FROM slides WHERE pyramid_sha256 IS NOT NULL')).toHaveLength(0);
    } finally {
      await small.close();
    }
  });

  it('marks a damaged slide file as unreadable, in plain words, and keeps serving the good one', async () => {
    const damaged = Buffer.concat([slideFile.subarray(0, 4096), Buffer.alloc(4096)]);
    const up = await tusUpload(patient.client, caseId, 'biopsy-B2.svs', damaged);
    expect(up.status).toBe(200);
    await t.app.jobs.drain();
    const list = await coordinator.client.get(`/api/cases/${caseId}/slides`);
    const bad = list.body.find((s: { filename: string }) => s.filename === 'biopsy-B2.svs');
    expect(bad).toMatchObject({ status: 'failed', tiles: null });
    expect(bad.failure).toBe('unreadable');
    // Its record says so too, rather than "ready".
    const doc = (await coordinator.client.get(`/api/cases/${caseId}/documents/${bad.id}`)).body;
    expect(doc).toMatchObject({ status: 'failed', statusDetail: 'This file could not be opened as a slide scan.' });
    // And the case's timeline says so, as it says when one is ready.
    const timeline = JSON.stringify((await coordinator.client.get(`/api/cases/${caseId}/timeline`)).body);
    expect(timeline).toMatch(/A digital slide could not be read/);
    expect(timeline).toMatch(/A digital slide is ready to view/);
    const tile = await fetch(`${t.baseUrl}/api/cases/${caseId}/slides/${bad.id}/tiles/0/0_0.jpeg`, { headers: { cookie: coordinator.client.cookieHeader } });
    expect(tile.status).toBe(409);
    expect((await fetch(`${t.baseUrl}/api/cases/${caseId}/slides/${slideId}/tiles/11/0_0.jpeg`, { headers: { cookie: coordinator.client.cookieHeader } })).status).toBe(200);
  });
});

describe('label and overview photos, block and stain', () => {
  it('keeps the label and macro photos of an Aperio file, serves them audited, and lets staff name the block and stain', async () => {
    const up = await tusUpload(coordinator.client, caseId, 'scan-0042.svs', aSlideFile({ aperioLabel: 'A3 H&E' }));
    expect(up.status).toBe(200);
    await t.app.jobs.drain();
    const slide = (await coordinator.client.get(`/api/cases/${caseId}/slides`)).body.find((s: { id: string }) => s.id === up.body.document.id);
    expect(slide).toMatchObject({ status: 'ready', vendor: 'aperio', objectivePower: 20, pictures: ['label', 'macro'], labelMayShowName: true, name: 'scan-0042.svs', block: null, stain: null });
    const photo = await fetch(`${t.baseUrl}/api/cases/${caseId}/slides/${slide.id}/pictures/label.jpeg`, { headers: { cookie: coordinator.client.cookieHeader } });
    expect(photo.status).toBe(200);
    expect(photo.headers.get('content-type')).toBe('image/jpeg');
    const label = jpeg.decode(Buffer.from(await photo.arrayBuffer()));
    expect([label.width, label.height]).toEqual([400, 200]);
    expect(await auditCount('pathology.slide.picture', slide.id)).toBe(1);
    // A slide without such a photo says so.
    const plain = (await coordinator.client.get(`/api/cases/${caseId}/slides`)).body.find((s: { filename: string }) => s.filename === 'biopsy-A1.svs');
    expect(plain.pictures).toEqual([]);
    const none = await fetch(`${t.baseUrl}/api/cases/${caseId}/slides/${plain.id}/pictures/macro.jpeg`, { headers: { cookie: coordinator.client.cookieHeader } });
    expect(none.status).toBe(404);

    // A Hamamatsu file's photo of the glass (label included) is kept as its macro, and flagged.
    const ndpi = await tusUpload(coordinator.client, caseId, 'scan-0043.ndpi', aSlideFile({ hamamatsuMacro: 'B2 HE' }));
    await t.app.jobs.drain();
    const hamamatsu = (await coordinator.client.get(`/api/cases/${caseId}/slides`)).body.find((s: { id: string }) => s.id === ndpi.body.document.id);
    expect(hamamatsu).toMatchObject({ status: 'ready', pictures: ['macro'], labelMayShowName: true });
    const macro = await fetch(`${t.baseUrl}/api/cases/${caseId}/slides/${hamamatsu.id}/pictures/macro.jpeg`, { headers: { cookie: coordinator.client.cookieHeader } });
    expect(jpeg.decode(Buffer.from(await macro.arrayBuffer())).width).toBe(400);

    const named = await coordinator.client.patch(`/api/cases/${caseId}/slides/${slide.id}`, { block: ' A3 ', stain: 'H&E' });
    expect(named.status).toBe(200);
    expect(named.body).toMatchObject({ block: 'A3', stain: 'H&E', name: 'A3 · H&E (scan-0042.svs)' });
    const cleared = await coordinator.client.patch(`/api/cases/${caseId}/slides/${slide.id}`, { stain: null });
    expect(cleared.body).toMatchObject({ block: 'A3', stain: null, name: 'A3 (scan-0042.svs)' });
    // The patient's side sees the slides, without the photos of the glass, and does not name them.
    const patientView = (await patient.client.get(`/api/cases/${caseId}/slides`)).body.find((s: { id: string }) => s.id === slide.id);
    expect(patientView.pictures).toEqual([]);
    // Its block names it for them; the name staff read carries the file's.
    expect(patientView).toMatchObject({ block: 'A3', stain: null });
    expect(patientView).not.toHaveProperty('name');
    const refused = await fetch(`${t.baseUrl}/api/cases/${caseId}/slides/${slide.id}/pictures/label.jpeg`, { headers: { cookie: patient.client.cookieHeader } });
    expect(refused.status).toBe(404);
    expect((await patient.client.patch(`/api/cases/${caseId}/slides/${slide.id}`, { block: 'B1' })).status).toBe(404);
    // Slides with a block come first, in block order.
    expect((await coordinator.client.get(`/api/cases/${caseId}/slides`)).body[0].id).toBe(slide.id);
  });

  it('refreshes the open pages of everyone on the request when a slide can be viewed, with ids only and no notice', async () => {
    const other = await aCase(t, patient, { submit: true });
    const pages = [await openLiveStream(t.baseUrl, coordinator.client), await openLiveStream(t.baseUrl, patient.client)];
    expect((await tusUpload(patient.client, other, 'biopsy-B2.svs', slideFile)).status).toBe(200);
    await t.app.jobs.drain();
    for (const page of pages) {
      const got = await page.until(/"kind":"refresh"/);
      page.stop();
      expect(got).toContain(`event: notice\ndata: {"caseId":"${other}","kind":"refresh"}`);
      expect(got).not.toMatch(/biopsy|Robin/);
    }
    // News to nobody: the bell stays as it was.
    expect(await t.db.query(`SELECT 1 FROM notifications n JOIN case_events e ON e.id = n.event_id WHERE n.case_id = $1 AND e.type LIKE 'pathology.slide.%'`, [other])).toEqual([]);
  });
});

function findFile(dir: string, name: string): string {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      const found = findFileOrNull(full, name);
      if (found) return found;
    } else if (entry.name === name) return full;
  }
  throw new Error(`no stored object ${name}`);
}
function findFileOrNull(dir: string, name: string): string | null {
  try {
    return findFile(dir, name);
  } catch {
    return null;
  }
}

describe('Philips TIFF slides', () => {
  it('takes a Philips .tiff as a slide, at the scale its XML gives (its resolution tags say otherwise)', async () => {
    const dir = fs.mkdtempSync(path.join(t.config.dataDir, 'philips-'));
    const file = path.join(dir, 'scan.tiff');
    writeSlideFile(file, { width: 1024, height: 768, micronsPerPixel: 0.5, philips: true });
    const up = await tusUpload(patient.client, caseId, 'scan-B2.tiff', fs.readFileSync(file));
    fs.rmSync(dir, { recursive: true, force: true });
    expect(up.status).toBe(200);
    expect(up.body.document).toMatchObject({ contentType: 'wsi', category: 'digital_slide' });
    await t.app.jobs.drain();
    const slide = (await coordinator.client.get(`/api/cases/${caseId}/slides/${up.body.document.id}`)).body;
    expect(slide).toMatchObject({ status: 'ready', vendor: 'philips', width: 1024, height: 768 });
    expect(slide.micronsPerPixel).toBeCloseTo(0.5, 6);
  });
});
