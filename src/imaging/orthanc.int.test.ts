import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { aCase, aPatient, type Person } from '../../test/support/builders.ts';
import { aCtSeries, aDicomInstance, multipartParts, stowBody, TS } from '../../test/support/dicom.ts';
import { startOrthanc, type RunningOrthanc } from '../../test/support/orthanc.ts';
import { startTestApp, type TestApp } from '../../test/support/testApp.ts';

/**
 * Conformance against Orthanc (Debian's `orthanc` + `orthanc-dicomweb`), a DICOMweb server we
 * did not write: a study travels from our store to Orthanc and back unchanged, and Orthanc can
 * serve as the image store behind our API ("external PACS").
 */

let orthanc: RunningOrthanc;
beforeAll(async () => {
  orthanc = await startOrthanc();
});
afterAll(() => orthanc?.close());

const ANY_DICOM = 'multipart/related; type="application/dicom"; transfer-syntax=*';

async function stowTo(url: string, files: Uint8Array[], headers: Record<string, string> = {}) {
  const { body, contentType } = stowBody(files);
  return fetch(url, { method: 'POST', body: new Uint8Array(body), headers: { 'content-type': contentType, accept: 'application/dicom+json', ...headers } });
}

async function retrieve(url: string, headers: Record<string, string> = {}): Promise<Buffer[]> {
  const res = await fetch(url, { headers: { accept: ANY_DICOM, ...headers } });
  expect(res.status).toBe(200);
  return (await multipartParts(res)).map((p) => p.bytes);
}

const sortBytes = (list: Buffer[]) => list.map((b) => b.toString('base64')).sort();

describe('a study sent to Orthanc and back', () => {
  let t: TestApp;
  let patient: Person;
  beforeAll(async () => {
    t = await startTestApp({ JOBS_POLL_MS: '60000' });
    patient = await aPatient(t, 'Robin Testperson');
  });
  afterAll(() => t.close());

  it('comes out byte-identical, in every transfer syntax', async () => {
    const first = await aCase(t, patient, { submit: true });
    const series = aCtSeries(5);
    const others = [TS.implicit, TS.deflated, TS.jpegBaseline, TS.jpegLs, TS.jpeg2000, TS.rle].map((ts, i) => aDicomInstance({ studyUid: series.studyUid, transferSyntax: ts, seriesNumber: 10 + i }));
    const original = [...series.files, ...others];
    const cookie = { cookie: patient.client.cookieHeader };
    expect((await stowTo(`${t.baseUrl}/dicomweb/cases/${first}/studies`, original, cookie)).status).toBe(200);

    const fromUs = await retrieve(`${t.baseUrl}/dicomweb/studies/${series.studyUid}`, cookie);
    expect(sortBytes(fromUs)).toEqual(sortBytes(original));
    const toOrthanc = await stowTo(`${orthanc.dicomweb}/studies`, fromUs);
    expect(toOrthanc.status).toBe(200);
    const fromOrthanc = await retrieve(`${orthanc.dicomweb}/studies/${series.studyUid}`);
    expect(fromOrthanc).toHaveLength(original.length);

    const second = await aCase(t, patient, { submit: true });
    expect((await stowTo(`${t.baseUrl}/dicomweb/cases/${second}/studies`, fromOrthanc, cookie)).status).toBe(200);
    const back = await retrieve(`${t.baseUrl}/dicomweb/cases/${second}/studies/${series.studyUid}`, cookie);
    expect(sortBytes(back)).toEqual(sortBytes(original));
  });

  it('answers QIDO with the same counts and attributes as Orthanc', async () => {
    const c = await aCase(t, patient, { submit: true });
    const s = aCtSeries(3, { accession: 'CONF-1', studyDate: '20240202' });
    await stowTo(`${t.baseUrl}/dicomweb/cases/${c}/studies`, s.files, { cookie: patient.client.cookieHeader });
    await stowTo(`${orthanc.dicomweb}/studies`, s.files);
    const ours = await (await fetch(`${t.baseUrl}/dicomweb/studies?AccessionNumber=CONF-1&StudyDate=20240101-20240301`, { headers: { cookie: patient.client.cookieHeader, accept: 'application/dicom+json' } })).json();
    const theirs = await (await fetch(`${orthanc.dicomweb}/studies?AccessionNumber=CONF-1&StudyDate=20240101-20240301`, { headers: { accept: 'application/dicom+json' } })).json();
    expect(ours).toHaveLength(1);
    expect(theirs).toHaveLength(1);
    for (const tag of ['0020000D', '00080020', '00080050', '00100020', '00201206', '00201208', '00080061']) {
      expect(ours[0][tag]?.Value?.map(String), tag).toEqual(theirs[0][tag]?.Value?.map(String));
    }
  });
});

describe('external PACS mode', () => {
  let t: TestApp;
  let patient: Person;
  beforeAll(async () => {
    t = await startTestApp({ JOBS_POLL_MS: '60000', DICOMWEB_UPSTREAM_URL: orthanc.dicomweb });
    patient = await aPatient(t, 'Robin Testperson');
  });
  afterAll(() => t.close());

  it('keeps images in the site’s PACS, behind our index, access check and audit', async () => {
    const caseId = await aCase(t, patient, { submit: true });
    const s = aCtSeries(2, { accession: 'UPSTREAM-1' });
    const cookie = { cookie: patient.client.cookieHeader };
    expect((await stowTo(`${t.baseUrl}/dicomweb/cases/${caseId}/studies`, s.files, cookie)).status).toBe(200);
    const rows = await t.db.query<{ location: string; blob_sha256: string | null }>('SELECT location, blob_sha256 FROM dicom_instances WHERE case_id = $1', [caseId]);
    expect(rows).toEqual([{ location: 'upstream', blob_sha256: null }, { location: 'upstream', blob_sha256: null }]);
    const inOrthanc = await (await fetch(`${orthanc.dicomweb}/studies?AccessionNumber=UPSTREAM-1`, { headers: { accept: 'application/dicom+json' } })).json();
    expect(inOrthanc).toHaveLength(1);
    const back = await retrieve(`${t.baseUrl}/dicomweb/studies/${s.studyUid}`, cookie);
    expect(sortBytes(back)).toEqual(sortBytes(s.files));
    const stranger = await aPatient(t);
    const denied = await fetch(`${t.baseUrl}/dicomweb/studies/${s.studyUid}`, { headers: { accept: ANY_DICOM, cookie: stranger.client.cookieHeader } });
    expect(denied.status).toBe(404);
  });
});
