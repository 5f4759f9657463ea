import dcmjs from 'dcmjs';
import jpeg from 'jpeg-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { aCase, aPatient, aStaff, type Person } from '../../test/support/builders.ts';
import { multipartParts, stowBody } from '../../test/support/dicom.ts';
import { tusUpload } from '../../test/support/records.ts';
import { aDicomSlide } from '../../test/support/slides.ts';
import { startTestApp, type TestApp } from '../../test/support/testApp.ts';

let t: TestApp;
let patient: Person;
let coordinator: Person;
let caseId: string;
beforeAll(async () => {
  t = await startTestApp({ JOBS_POLL_MS: '60000', DICOM_SLIDE_SETTLE_SECONDS: '0' });
  patient = await aPatient(t, 'Robin Testperson');
  coordinator = await aStaff(t, 'coordinator');
  caseId = await aCase(t, patient, { submit: true });
});
afterAll(() => t.close());

const stow = (who: Person, files: Uint8Array[]) => {
  const { body, contentType } = stowBody(files);
  return fetch(`${t.baseUrl}/dicomweb/cases/${caseId}/studies`, { method: 'POST', body: new Uint8Array(body), headers: { 'content-type': contentType, accept: 'application/dicom+json', cookie: who.client.cookieHeader } });
};
const get = (who: Person, path: string, accept = '*/*') => fetch(`${t.baseUrl}${path}`, { headers: { accept, cookie: who.client.cookieHeader } });

describe('DICOM whole-slide images', () => {
  it('makes a viewable slide of a DICOM whole-slide series sent by STOW-RS, with its scale, objective and label', async () => {
    const wsi = aDicomSlide({ width: 1024, height: 768, label: 'A3 H&E' });
    // The levels and the label arrive in two requests, as scanners often send them.
    expect((await stow(coordinator, wsi.files.slice(0, 1))).status).toBe(200);
    expect((await stow(coordinator, wsi.files.slice(1))).status).toBe(200);
    const waiting = (await coordinator.client.get(`/api/cases/${caseId}/slides`)).body;
    expect(waiting).toEqual([expect.objectContaining({ status: 'processing', name: 'H&E 20x', tiles: null })]);
    await t.app.jobs.drain();

    const [slide] = (await coordinator.client.get(`/api/cases/${caseId}/slides`)).body;
    expect(slide).toMatchObject({ status: 'ready', vendor: 'dicom', width: 1024, height: 768, objectivePower: 20, levels: 2, pictures: ['label'], labelMayShowName: true, tiles: { size: 254, overlap: 1 } });
    expect(slide.micronsPerPixel).toBeCloseTo(0.25, 6);
    // Tiles at full resolution (Deep Zoom level 10 for 1024 px), made from the DICOM tiles.
    const tile = await get(coordinator, `/api/cases/${caseId}/slides/${slide.id}/tiles/10/0_0.jpeg`);
    expect(tile.status).toBe(200);
    const image = jpeg.decode(Buffer.from(await tile.arrayBuffer()));
    expect([image.width, image.height]).toEqual([255, 255]);
    const label = await get(coordinator, `/api/cases/${caseId}/slides/${slide.id}/pictures/label.jpeg`);
    expect(jpeg.decode(Buffer.from(await label.arrayBuffer())).width).toBe(400);
    // Measured in the slide's own scale, like an uploaded one.
    const length = await coordinator.client.post(`/api/cases/${caseId}/slides/${slide.id}/annotations`, { kind: 'length', points: [[0, 0], [400, 0]] });
    expect(length.body.value).toBeCloseTo(100, 6);
    // Exported as DICOM annotations, they join the slide's study and point at its full-resolution level.
    const ann = await get(coordinator, `/api/cases/${caseId}/slides/${slide.id}/annotations.dcm`);
    expect(ann.status).toBe(200);
    const ds = dcmjs.data.DicomMetaDictionary.naturalizeDataset(dcmjs.data.DicomMessage.readFile(await ann.arrayBuffer()).dict) as Record<string, any>;
    const [full] = await t.db.query<{ sop_instance_uid: string }>(`SELECT sop_instance_uid FROM dicom_instances WHERE number_of_frames = 12`);
    expect(ds.StudyInstanceUID).toBe(wsi.studyUid);
    expect(ds.SeriesInstanceUID).not.toBe(wsi.seriesUid);
    expect(ds.FrameOfReferenceUID).toBe(`${wsi.studyUid}.1`);
    expect([ds.ReferencedImageSequence].flat()[0]).toMatchObject({ ReferencedSOPInstanceUID: full!.sop_instance_uid, ReferencedSOPClassUID: '1.2.840.10008.5.1.4.1.1.77.1.6' });
    expect([ds.ReferencedSeriesSequence].flat()[0].SeriesInstanceUID).toBe(wsi.seriesUid);
    // The scanner's patient name stays behind: the case's reference stands for the patient.
    const [{ reference }] = await t.db.query<{ reference: string }>('SELECT reference FROM cases WHERE id = $1', [caseId]) as [{ reference: string }];
    expect(ds.PatientName).toEqual([{ Alphabetic: reference }]);
    expect(JSON.stringify(ds)).not.toMatch(/Testperson/);
    // It counts as the slides the checklist asks for, and not as a scan.
    const checklist = (await coordinator.client.get(`/api/cases/${caseId}/checklist`)).body.items as { id: string; have: boolean }[];
    expect(checklist.find((i) => i.id === 'pathology_slides')?.have).toBe(true);
    expect(checklist.find((i) => i.id === 'imaging_files')?.have ?? false).toBe(false);
    // The patient's side sees it listed too, without the series description staff know it by
    // (a scanner may write the accession number there).
    expect(slide).toMatchObject({ filename: 'H&E 20x', name: 'H&E 20x' });
    const theirs = (await patient.client.get(`/api/cases/${caseId}/slides`)).body;
    expect(theirs.map((s: { id: string }) => s.id)).toEqual([slide.id]);
    expect(theirs[0]).not.toHaveProperty('filename');
    expect(theirs[0]).not.toHaveProperty('name');

    // And DICOMweb clients get the same slide's tiles as WADO-RS frames, as stored.
    const [level0] = await t.db.query<{ sop_instance_uid: string }>(`SELECT sop_instance_uid FROM dicom_instances WHERE number_of_frames = 12`);
    const frames = await multipartParts(await get(coordinator, `/dicomweb/studies/${wsi.studyUid}/series/${wsi.seriesUid}/instances/${level0!.sop_instance_uid}/frames/1,12`, 'multipart/related; type="image/jpeg"'));
    expect(frames).toHaveLength(2);
    expect([...frames[0]!.bytes.subarray(0, 2)]).toEqual([0xff, 0xd8]);
    expect(jpeg.decode(frames[1]!.bytes).width).toBe(256);
  });

  it('makes a slide of DICOM whole-slide files uploaded under Records too', async () => {
    const wsi = aDicomSlide({ width: 512, height: 512 });
    for (const [i, f] of wsi.files.entries()) expect((await tusUpload(coordinator.client, caseId, `WSI${i}.dcm`, f)).status).toBe(200);
    await t.app.jobs.drain(); // indexing, which makes the slide
    await t.app.jobs.drain(); // its tiles
    const slides = (await coordinator.client.get(`/api/cases/${caseId}/slides`)).body as { status: string; width: number }[];
    expect(slides.filter((s) => s.status === 'ready')).toHaveLength(2);
  });

  it('waits while a series is still receiving instances, and makes the slide once it is quiet', async () => {
    const slow = await startTestApp({ JOBS_POLL_MS: '60000', DICOM_SLIDE_SETTLE_SECONDS: '3600' });
    try {
      const owner = await aPatient(slow);
      const id = await aCase(slow, owner, { submit: true });
      const { body, contentType } = stowBody(aDicomSlide({ width: 512, height: 512 }).files);
      expect((await fetch(`${slow.baseUrl}/dicomweb/cases/${id}/studies`, { method: 'POST', body: new Uint8Array(body), headers: { 'content-type': contentType, cookie: owner.client.cookieHeader } })).status).toBe(200);
      // The job is due in an hour; run now, it finds the series still settling and leaves it waiting.
      const [job] = await slow.db.query<{ payload: { slideId: string } }>(`SELECT payload FROM jobs WHERE kind = 'pathology.slide'`);
      await slow.db.query(`UPDATE jobs SET run_at = now() WHERE kind = 'pathology.slide'`);
      await slow.app.jobs.drain();
      expect((await owner.client.get(`/api/cases/${id}/slides`)).body).toEqual([expect.objectContaining({ status: 'processing' })]);
      // The job of the series' last batch, once the series has been quiet long enough, makes the tiles.
      await slow.db.query(`UPDATE slides SET instances_at = now() - interval '2 hours'`);
      await slow.db.query(`INSERT INTO jobs (kind, payload) VALUES ('pathology.slide', $1)`, [JSON.stringify(job!.payload)]);
      await slow.app.jobs.drain();
      expect((await owner.client.get(`/api/cases/${id}/slides`)).body).toEqual([expect.objectContaining({ status: 'ready', vendor: 'dicom' })]);
    } finally {
      await slow.close();
    }
  });

  it('makes slides of DICOM whole-slide images tiled sparsely, in JPEG 2000 and in native pixels, leaving missing tiles white', async () => {
    const brightness = (bytes: Buffer, x0: number, x1: number) => {
      const { data, width, height } = jpeg.decode(bytes, { useTArray: true });
      let sum = 0;
      let n = 0;
      for (let y = 0; y < height; y++) for (let x = x0; x < Math.min(x1, width); x++, n++) sum += data[(y * width + x) * 4]!;
      return sum / n;
    };
    const slideOf = async (studyUid: string) => {
      await t.app.jobs.drain();
      const slides = (await coordinator.client.get(`/api/cases/${caseId}/slides`)).body as { id: string; status: string }[];
      const [row] = await t.db.query<{ id: string }>(`SELECT s.id FROM slides s JOIN dicom_series ds ON ds.id = s.series_id JOIN dicom_studies st ON st.id = ds.study_id WHERE st.study_uid = $1`, [studyUid]);
      return slides.find((s) => s.id === row!.id)!;
    };
    const tile = async (slideId: string, name: string) => Buffer.from(await (await get(coordinator, `/api/cases/${caseId}/slides/${slideId}/tiles/${name}`)).arrayBuffer());

    // Sparse, frames out of order, the top right tile never scanned: it shows as empty glass.
    const sparse = aDicomSlide({ width: 512, height: 512, layout: 'sparse', missing: [1] });
    expect((await stow(coordinator, sparse.files)).status).toBe(200);
    const a = await slideOf(sparse.studyUid);
    expect(a).toMatchObject({ status: 'ready', width: 512, height: 512 });
    // Deep Zoom level 9 is full resolution for 512 px; tile 1_0 is mostly the missing tile, 0_1 a scanned one.
    expect(brightness(await tile(a.id, '9/1_0.jpeg'), 10, 250)).toBeGreaterThan(250);
    expect(brightness(await tile(a.id, '9/0_1.jpeg'), 0, 250)).toBeLessThan(200);
    expect(brightness(await tile(a.id, '9/0_0.jpeg'), 0, 250)).toBeLessThan(200);

    for (const coding of ['jpeg2000', 'native'] as const) {
      const wsi = aDicomSlide({ width: 512, height: 384, coding });
      expect((await stow(coordinator, wsi.files)).status).toBe(200);
      const slide = await slideOf(wsi.studyUid);
      expect(slide, coding).toMatchObject({ status: 'ready', width: 512, height: 512 });
      const light = brightness(await tile(slide.id, '9/0_0.jpeg'), 0, 250);
      // The synthetic slide is noise around 160 of 255, whatever the coding it travelled in.
      expect(light, coding).toBeGreaterThan(130);
      expect(light, coding).toBeLessThan(190);
    }
  });

  it('marks a DICOM slide in a layout it does not know as unreadable, in plain words, and keeps its frames', async () => {
    const sparse = aDicomSlide({ width: 512, height: 512 });
    const { parseInstance } = await import('../imaging/part10.ts');
    // An organisation DICOM does not define: only the attribute changes, so the frames stay readable by DICOMweb.
    const file = Buffer.from(sparse.files[0]!);
    const at = file.indexOf('TILED_FULL');
    file.write('TILED_SPRS', at, 'latin1');
    expect(parseInstance(file).metadata['00209311']).toBeDefined();
    expect((await stow(coordinator, [file])).status).toBe(200);
    await t.app.jobs.drain();
    const failed = (await coordinator.client.get(`/api/cases/${caseId}/slides`)).body.find((s: { status: string }) => s.status === 'failed');
    expect(failed).toMatchObject({ failure: 'unreadable', tiles: null });
    const timeline = JSON.stringify((await coordinator.client.get(`/api/cases/${caseId}/timeline`)).body);
    expect(timeline).toMatch(/A digital slide could not be read/);
    const sop = parseInstance(file).sopInstanceUid;
    const frame = await get(coordinator, `/dicomweb/studies/${sparse.studyUid}/series/${sparse.seriesUid}/instances/${sop}/frames/1`, 'multipart/related; type="image/jpeg"');
    expect(frame.status).toBe(200);
  });
});
