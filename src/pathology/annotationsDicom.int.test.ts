import dcmjs from 'dcmjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { aCase, aPatient, aStaff, type Person } from '../../test/support/builders.ts';
import { tusUpload } from '../../test/support/records.ts';
import { aSlideFile } from '../../test/support/slides.ts';
import { startTestApp, type TestApp } from '../../test/support/testApp.ts';
import { ANN_SOP_CLASS, uidOfUuid } from './annotationObject.ts';

let t: TestApp;
let patient: Person;
let coordinator: Person;
let caseId: string;
let slideId: string;
beforeAll(async () => {
  t = await startTestApp({ JOBS_POLL_MS: '60000' });
  patient = await aPatient(t, 'Robin Testperson');
  coordinator = await aStaff(t, 'coordinator');
  caseId = await aCase(t, patient, { submit: true });
  const up = await tusUpload(patient.client, caseId, 'biopsy-A1.svs', aSlideFile());
  await t.app.jobs.drain();
  slideId = up.body.document.id;
});
afterAll(() => t.close());

const download = (who: Person, id = caseId, slide = slideId) => fetch(`${t.baseUrl}/api/cases/${id}/slides/${slide}/annotations.dcm`, { headers: { cookie: who.client.cookieHeader } });
type Dataset = Record<string, any>;
const parse = (bytes: ArrayBuffer): Dataset => dcmjs.data.DicomMetaDictionary.naturalizeDataset(dcmjs.data.DicomMessage.readFile(bytes).dict);
const list = <T>(v: T | T[]): T[] => (Array.isArray(v) ? v : [v]);
const floats = (v: ArrayBuffer | ArrayBuffer[]) => Array.from(new Float32Array(list(v)[0]!));

describe('slide measurements as a DICOM Microscopy Bulk Simple Annotations file', () => {
  it('has no file for a slide without measurements', async () => {
    const res = await download(coordinator);
    expect(res.status).toBe(409);
    expect((await res.json()).code).toBe('CONFLICT');
  });

  it('exports a length, an area and an arrow at their pixels, with their µm and µm², audited', async () => {
    const url = `/api/cases/${caseId}/slides/${slideId}/annotations`;
    expect((await coordinator.client.post(url, { kind: 'length', points: [[100, 100], [500, 400]], note: 'Tumour depth' })).status).toBe(201);
    expect((await coordinator.client.post(url, { kind: 'area', points: [[100, 100], [500, 100], [500, 400], [100, 400]], note: 'Tumour bed' })).status).toBe(201);
    expect((await coordinator.client.post(url, { kind: 'arrow', points: [[10, 10], [200, 200]], note: 'Perineural invasion' })).status).toBe(201);

    const res = await download(coordinator);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/dicom');
    expect(res.headers.get('content-disposition')).toBe('attachment; filename="slide-annotations.dcm"');
    const bytes = await res.arrayBuffer();
    const ds = parse(bytes);
    expect(ds).toMatchObject({ SOPClassUID: ANN_SOP_CLASS, Modality: 'ANN', AnnotationCoordinateType: '2D' });
    // An uploaded file's slide: its study is named by its id, the same on every export.
    expect(ds.StudyInstanceUID).toBe(uidOfUuid(slideId));
    const again = parse(await (await download(coordinator)).arrayBuffer());
    expect([again.StudyInstanceUID, again.SeriesInstanceUID, again.FrameOfReferenceUID, again.SOPInstanceUID]).toEqual([ds.StudyInstanceUID, ds.SeriesInstanceUID, ds.FrameOfReferenceUID, ds.SOPInstanceUID]);
    // The patient is named by the case's reference, never by their name.
    const [{ reference }] = await t.db.query<{ reference: string }>('SELECT reference FROM cases WHERE id = $1', [caseId]) as [{ reference: string }];
    expect(ds.PatientID).toBe(reference);
    expect(Buffer.from(bytes).includes('Testperson')).toBe(false);

    const groups = list(ds.AnnotationGroupSequence);
    expect(groups.map((g) => [g.AnnotationGroupLabel, g.GraphicType, g.NumberOfAnnotations])).toEqual([['Lengths', 'POLYLINE', 1], ['Areas', 'POLYGON', 1], ['Arrows', 'POLYLINE', 1]]);
    const [lengths, areas, arrows] = groups;
    expect(floats(lengths.PointCoordinatesData)).toEqual([100, 100, 500, 400]);
    expect(floats(areas.PointCoordinatesData)).toEqual([100, 100, 500, 100, 500, 400, 100, 400]);
    expect(floats(arrows.PointCoordinatesData)).toEqual([10, 10, 200, 200]);
    // 500 px at 0.25 µm per pixel; a 400 × 300 px rectangle is 7,500 µm².
    const values = (g: Dataset) => floats(list(list(g.MeasurementsSequence)[0].MeasurementValuesSequence)[0].FloatingPointValues);
    expect(values(lengths)[0]).toBeCloseTo(125, 4);
    expect(values(areas)[0]).toBeCloseTo(7500, 2);
    expect(arrows.AnnotationGroupDescription).toContain('Perineural invasion');

    const audits = await t.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM audit_events WHERE action = 'pathology.annotations.exportDicom' AND entity_id = $1 AND actor_id = $2`, [slideId, coordinator.id]);
    expect(audits[0]!.n).toBe(2);
  });

  it('gives the patient’s side nothing before the opinion is delivered, and the file after', async () => {
    const before = await download(patient);
    expect(before.status).toBe(409);
    expect(await before.json()).toMatchObject({ code: 'CONFLICT', detail: 'There are no measurements on this slide to export.' });
    await t.db.query(`UPDATE cases SET status = 'delivered' WHERE id = $1`, [caseId]);
    try {
      const after = await download(patient);
      expect(after.status).toBe(200);
      expect(list(parse(await after.arrayBuffer()).AnnotationGroupSequence)).toHaveLength(3);
    } finally {
      await t.db.query(`UPDATE cases SET status = 'submitted' WHERE id = $1`, [caseId]);
    }
  });

  it('answers 404 for a slide of another case, and for a case the person has no part in', async () => {
    const other = await aCase(t, patient, { submit: true });
    const res = await download(coordinator, other, slideId);
    expect(res.status).toBe(404);
    const stranger = await aPatient(t, 'Stranger Patient');
    expect((await download(stranger)).status).toBe(404);
    expect(Buffer.from(await (await download(stranger)).arrayBuffer()).includes('Tumour')).toBe(false);
  });
});
