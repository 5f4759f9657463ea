import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import zlib from 'node:zlib';
import yauzl from 'yauzl';
import { PNG } from 'pngjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api } from 'dicomweb-client';
import dcmjs from 'dcmjs';
import { aCase, aPatient, aStaff, type Person } from '../../test/support/builders.ts';
import { aCtSeries, aDicomInstance, aScreenshotInstance, aUid, multipartParts, stowBody, TS } from '../../test/support/dicom.ts';
import { aZip, tusUpload } from '../../test/support/records.ts';
import { startTestApp, type TestApp } from '../../test/support/testApp.ts';
import XHR from 'xhr2';

(globalThis as { XMLHttpRequest?: unknown }).XMLHttpRequest ??= XHR;

let t: TestApp;
let patient: Person;
let caseId: string;
beforeAll(async () => {
  t = await startTestApp({ JOBS_POLL_MS: '60000', DICOM_MAX_INSTANCE_BYTES: String(16 * 1024 * 1024) });
  patient = await aPatient(t, 'Robin Testperson');
  caseId = await aCase(t, patient, { submit: true });
});
afterAll(() => t.close());

const stow = (who: Person, files: Uint8Array[], path = `/dicomweb/cases/${caseId}/studies`) => {
  const { body, contentType } = stowBody(files);
  return fetch(`${t.baseUrl}${path}`, { method: 'POST', body: new Uint8Array(body), headers: { 'content-type': contentType, accept: 'application/dicom+json', cookie: who.client.cookieHeader } });
};
const get = (who: Person, path: string, accept = 'application/dicom+json') => fetch(`${t.baseUrl}${path}`, { headers: { accept, cookie: who.client.cookieHeader } });

const partsOf = multipartParts;

const v = (json: Record<string, { Value?: unknown[] }>, tag: string) => json[tag]?.Value?.[0];

describe('STOW-RS', () => {
  it('stores good instances and refuses bad ones one by one, leaving nothing half-indexed', async () => {
    const series = aCtSeries(3, { patientName: 'Testperson^Robin' });
    const truncated = aDicomInstance().subarray(0, 400);
    const res = await stow(patient, [...series.files, Buffer.from('%PDF-1.4 not an image'), truncated]);
    expect(res.status).toBe(202);
    const body = await res.json();
    expect(body['00081199'].Value).toHaveLength(3);
    const failures = body['00081198'].Value;
    expect(failures).toHaveLength(2);
    for (const f of failures) {
      expect(v(f, '00081197')).toBe(0xc000);
      expect(String(v(f, '00404010'))).toMatch(/DICM|too short|damaged|truncated|longer than the file/);
    }
    const [n] = await t.db.query<{ n: number }>('SELECT count(*)::int AS n FROM dicom_instances WHERE case_id = $1', [caseId]);
    expect(n!.n).toBe(3);
    const [audit] = await t.db.query<{ detail: { stored: number; failed: number } }>(`SELECT detail FROM audit_events WHERE action = 'imaging.store' ORDER BY id DESC LIMIT 1`);
    expect(audit!.detail).toEqual({ stored: 3, failed: 2 });
  });

  it('keeps every transfer syntax exactly as received', async () => {
    const studyUid = aUid();
    const files = Object.values(TS).map((ts, i) => aDicomInstance({ studyUid, transferSyntax: ts, seriesNumber: i + 1, seriesUid: aUid() }));
    const res = await stow(patient, files);
    expect(res.status).toBe(200);
    const back = await partsOf(await get(patient, `/dicomweb/studies/${studyUid}`, 'multipart/related; type="application/dicom"; transfer-syntax=*'));
    expect(back).toHaveLength(files.length);
    const sent = new Set(files.map((f) => f.toString('base64')));
    for (const p of back) expect(sent.has(p.bytes.toString('base64'))).toBe(true);
    const syntaxes = back.map((p) => /transfer-syntax=([0-9.]+)/.exec(p.type ?? '')?.[1]).sort();
    expect(syntaxes).toEqual(Object.values(TS).sort());
  });

  it('accepts the same instance twice, but refuses a different one under the same SOP Instance UID', async () => {
    const sop = aUid();
    const first = aDicomInstance({ sopInstanceUid: sop });
    expect((await stow(patient, [first])).status).toBe(200);
    const again = await stow(patient, [first]);
    expect(again.status).toBe(200);
    const other = await stow(patient, [aDicomInstance({ sopInstanceUid: sop, seriesDescription: 'Changed' })]);
    expect(other.status).toBe(409);
    const body = await other.json();
    expect(v(body['00081198'].Value[0], '00081197')).toBe(0x0111);
  });

  it('refuses absurd lengths and deflate bombs per instance, and keeps serving', async () => {
    const absurd = aDicomInstance();
    absurd.writeUInt16LE(0xfff0, 144 + absurd.readUInt32LE(140) + 6);
    const deflated = aDicomInstance({ transferSyntax: TS.deflated });
    const metaEnd = 144 + deflated.readUInt32LE(140);
    const bomb = Buffer.concat([deflated.subarray(0, metaEnd), zlib.deflateRawSync(Buffer.alloc(40 * 1024 * 1024))]);
    const good = aDicomInstance({ accession: 'AFTER-BAD' });
    const res = await stow(patient, [absurd, bomb, good]);
    expect(res.status).toBe(202);
    const body = await res.json();
    const reasons = body['00081198'].Value.map((f: never) => String(v(f, '00404010')));
    expect(reasons[0]).toMatch(/damaged/);
    expect(reasons[1]).toMatch(/expands beyond/);
    expect(v(body['00081198'].Value[1], '00081197')).toBe(0xa700);
    expect(await (await get(patient, '/dicomweb/studies?AccessionNumber=AFTER-BAD')).json()).toHaveLength(1);
  });

  it('needs a case to store into, and write access to it', async () => {
    const noCase = await stow(patient, [aDicomInstance()], '/dicomweb/studies');
    expect(noCase.status).toBe(400);
    expect((await noCase.json()).detail).toMatch(/cases\/\{caseId\}/);
    const stranger = await aPatient(t);
    const res = await stow(stranger, [aDicomInstance()]);
    expect(res.status).toBe(404);
    expect(res.headers.get('content-type')).toMatch(/problem\+json/);
    const notMultipart = await fetch(`${t.baseUrl}/dicomweb/cases/${caseId}/studies`, { method: 'POST', body: new Uint8Array(aDicomInstance()), headers: { 'content-type': 'application/dicom', cookie: patient.client.cookieHeader } });
    expect(notMultipart.status).toBe(415);
  });

  it('refuses before reading the body without stalling the next request on the same connection', async () => {
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    const send = (method: string, path: string, headers: Record<string, string> = {}, body?: Buffer) => new Promise<number>((resolve, reject) => {
      const req = http.request(`${t.baseUrl}${path}`, { method, agent, headers: { cookie: patient.client.cookieHeader, ...headers }, timeout: 5000 }, (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode!));
      });
      req.on('timeout', () => req.destroy(new Error(`${method} ${path} had no answer in 5 s`)));
      req.on('error', reject);
      req.end(body);
    });
    const big = Buffer.alloc(2 * 1024 * 1024, 0x41);
    try {
      const { contentType } = stowBody([aDicomInstance()]);
      expect(await send('POST', '/dicomweb/studies', { 'content-type': contentType }, big)).toBe(400);
      expect(await send('GET', '/healthz')).toBe(200);
      expect(await send('POST', `/dicomweb/cases/${caseId}/studies`, { 'content-type': 'application/dicom' }, big)).toBe(415);
      expect(await send('GET', '/healthz')).toBe(200);
      // One part over the instance limit: refused while the parser is part-way through the body.
      const oversized = stowBody([Buffer.alloc(17 * 1024 * 1024, 0x42)]);
      expect(await send('POST', `/dicomweb/cases/${caseId}/studies`, { 'content-type': oversized.contentType }, oversized.body)).toBe(413);
      expect(await send('GET', '/healthz')).toBe(200);
    } finally {
      agent.destroy();
    }
  });
});

describe('QIDO-RS and WADO-RS', () => {
  let study: { studyUid: string; seriesUid: string; files: Buffer[] };
  beforeAll(async () => {
    study = aCtSeries(4, { patientName: 'Testperson^Robin', studyDate: '20250615', studyDescription: 'PET CT WHOLE BODY', modality: 'PT', accession: 'QIDO-1' });
    expect((await stow(patient, study.files)).status).toBe(200);
  });

  it('matches single values, wildcards, date ranges, UID lists and modalities, with paging', async () => {
    const q = async (query: string) => (await get(patient, `/dicomweb/studies?${query}`)).json();
    expect((await q('AccessionNumber=QIDO-1')).map((s: never) => v(s, '0020000D'))).toEqual([study.studyUid]);
    expect(await q('StudyDescription=PET*WHOLE*')).toHaveLength(1);
    expect(await q('PatientName=testperson*')).not.toHaveLength(0);
    expect((await q('StudyDate=20250601-20250630')).map((s: never) => v(s, '0020000D'))).toEqual([study.studyUid]);
    expect(await q('StudyDate=-20250614')).toHaveLength(0);
    expect(await q(`StudyInstanceUID=${study.studyUid},1.2.3`)).toHaveLength(1);
    expect(await q('ModalitiesInStudy=PT')).toHaveLength(1);
    const all = await q('');
    expect(all.length).toBeGreaterThan(2);
    const paged = await q('limit=1&offset=1');
    expect(paged).toHaveLength(1);
    expect(v(paged[0], '0020000D')).toBe(v(all[1], '0020000D'));
    const found = (await q('AccessionNumber=QIDO-1'))[0];
    expect(v(found, '00201208')).toBe(4);
    expect(v(found, '00201206')).toBe(1);
    expect(found['00080061'].Value).toEqual(['PT']);
    const bad = await get(patient, '/dicomweb/studies?NotAnAttribute=1');
    expect(bad.status).toBe(400);
  });

  it('lists series and instances, with includefield', async () => {
    const series = await (await get(patient, `/dicomweb/studies/${study.studyUid}/series`)).json();
    expect(series).toHaveLength(1);
    expect(v(series[0], '00201209')).toBe(4);
    const instances = await (await get(patient, `/dicomweb/studies/${study.studyUid}/series/${study.seriesUid}/instances?includefield=PixelSpacing`)).json();
    expect(instances.map((i: never) => v(i, '00200013'))).toEqual([1, 2, 3, 4]);
    expect(instances[0]['00280030'].Value).toEqual([0.78125, 0.78125]);
    const byNumber = await (await get(patient, `/dicomweb/instances?SeriesInstanceUID=${study.seriesUid}&InstanceNumber=3`)).json();
    expect(byNumber).toHaveLength(1);
  });

  it('retrieves metadata, frames and rendered previews', async () => {
    const sop = v(parseDicomJson(study.files[0]!), '00080018') as string;
    const base = `/dicomweb/studies/${study.studyUid}/series/${study.seriesUid}/instances/${sop}`;
    const meta = await (await get(patient, `${base}/metadata`)).json();
    expect(v(meta[0], '00100010')).toEqual({ Alphabetic: 'Testperson^Robin' });
    expect(meta[0]['7FE00010'].BulkDataURI).toMatch(/frames\/1$/);
    const frames = await partsOf(await get(patient, `${base}/frames/1`, 'multipart/related; type="application/octet-stream"'));
    expect(frames).toHaveLength(1);
    expect(frames[0]!.bytes.length).toBe(64 * 64 * 2);
    const png = await get(patient, `${base}/rendered?window=-600,1500`, 'image/png');
    expect(png.headers.get('content-type')).toBe('image/png');
    const image = PNG.sync.read(Buffer.from(await png.arrayBuffer()));
    expect([image.width, image.height]).toEqual([64, 64]);
    const thumb = await get(patient, `/dicomweb/studies/${study.studyUid}/series/${study.seriesUid}/thumbnail?viewport=32,32`, 'image/jpeg');
    expect(thumb.headers.get('content-type')).toBe('image/jpeg');
  });

  it('shows a caller only the studies of cases it may see', async () => {
    const stranger = await aPatient(t);
    expect(await (await get(stranger, '/dicomweb/studies')).json()).toEqual([]);
    expect((await get(stranger, `/dicomweb/studies/${study.studyUid}`, '*/*')).status).toBe(404);
    expect((await get(stranger, `/dicomweb/cases/${caseId}/studies`)).status).toBe(404);
    const [denied] = await t.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM audit_events WHERE actor_id = $1 AND outcome = 'denied'`, [stranger.id]);
    expect(denied!.n).toBeGreaterThan(0);
    const [reads] = await t.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM audit_events WHERE actor_id = $1 AND action = 'imaging.retrieve'`, [patient.id]);
    expect(reads!.n).toBeGreaterThan(0);
    expect((await fetch(`${t.baseUrl}/dicomweb/studies`)).status).toBe(401);
  });

  it('works with the dicomweb-client package', async () => {
    // The client speaks XMLHttpRequest, which Node provides through xhr2; it signs in with a bearer token.
    const token = patient.client.cookieHeader.replace(/^consilium_session=/, '');
    const client = new api.DICOMwebClient({ url: `${t.baseUrl}/dicomweb/cases/${caseId}`, headers: { authorization: `Bearer ${token}` } } as never);
    const extra = aDicomInstance({ patientName: 'Testperson^Robin', studyDescription: 'CLIENT STORED' });
    await client.storeInstances({ datasets: [new Uint8Array(extra).buffer] });
    const found = await client.searchForStudies({ queryParams: { StudyDescription: 'CLIENT*' } }) as Record<string, { Value?: unknown[] }>[];
    expect(found).toHaveLength(1);
    const studyUid = v(found[0]!, '0020000D') as string;
    const metadata = await client.retrieveStudyMetadata({ studyInstanceUID: studyUid } as never) as Record<string, { Value?: unknown[] }>[];
    const seriesUid = v(metadata[0]!, '0020000E') as string;
    const sop = v(metadata[0]!, '00080018') as string;
    const instance = await client.retrieveInstance({ studyInstanceUID: studyUid, seriesInstanceUID: seriesUid, sopInstanceUID: sop } as never) as ArrayBuffer;
    expect(Buffer.from(instance).equals(extra)).toBe(true);
    const frames = await client.retrieveInstanceFrames({ studyInstanceUID: studyUid, seriesInstanceUID: seriesUid, sopInstanceUID: sop, frameNumbers: [1] } as never) as ArrayBuffer[];
    expect(frames[0]!.byteLength).toBe(64 * 64 * 2);
  });
});

describe('DICOM from the records upload', () => {
  it('indexes a CD zip through its DICOMDIR, skipping the viewer program, and flags another patient’s images', async () => {
    const mine = aCtSeries(2, { patientName: 'Testperson^Robin', birthDate: '19620504', accession: 'RAD-2024-0042' });
    const theirs = aDicomInstance({ patientName: 'Otherperson^Sam', birthDate: '19700101' });
    const dicomdir = aDicomdir(['DICOM/IM1', 'DICOM/IM2', 'DICOM/IM3']);
    const zip = await aZip([
      { name: 'DICOMDIR', data: dicomdir },
      { name: 'DICOM/IM1', data: mine.files[0]! }, { name: 'DICOM/IM2', data: mine.files[1]! }, { name: 'DICOM/IM3', data: theirs },
      { name: 'DICOM/NOTLISTED', data: aDicomInstance() },
      { name: 'VIEWER/viewer.exe', data: Buffer.from('MZ fake program') },
    ]);
    const up = await tusUpload(patient.client, caseId, 'cd.zip', zip);
    expect(up.status).toBe(200);
    await t.app.jobs.drain();
    const doc = (await patient.client.get(`/api/cases/${caseId}/documents/${up.body.document.id}`)).body;
    expect(doc.statusDetail).toBe('3 images indexed.');
    expect(doc.status).toBe('needs_review');
    // The staff's flag names whom the images are labelled for; the patient's side reads that
    // they may be someone else's, without that person's name and birth date.
    const coordinator = await aStaff(t, 'coordinator');
    const staffDoc = (await coordinator.client.get(`/api/cases/${caseId}/documents/${up.body.document.id}`)).body;
    expect(staffDoc.flags[0].message).toMatch(/Otherperson Sam.*born 1970-01-01.*does not match/);
    expect(doc.flags[0]).toEqual({ kind: 'patient_mismatch', message: expect.stringMatching(/^The name or birth date on these images does not match/) });
    const listed = (await patient.client.get(`/api/cases/${caseId}/documents?category=imaging`)).body.items;
    expect(JSON.stringify(listed)).not.toMatch(/Otherperson|1970-01-01/);

    type Study = { studyUid: string; identityFlag: string | null; patientName?: string | null; accession?: string | null; series: { instances: number }[] };
    const studies: Study[] = (await patient.client.get(`/api/cases/${caseId}/imaging/studies`)).body;
    const cd = studies.find((s) => s.studyUid === mine.studyUid)!;
    expect(cd.series[0]!.instances).toBe(2);
    expect(cd.identityFlag).toBeNull();
    const flagged = studies.find((s) => s.identityFlag)!;
    expect(flagged.identityFlag).toMatch(/^The name or birth date on these images does not match/);
    // No DICOM patient name or accession number reaches the patient's side, and nothing quotes them.
    for (const s of studies) {
      expect(s).not.toHaveProperty('patientName');
      expect(s).not.toHaveProperty('accession');
    }
    expect(JSON.stringify(studies)).not.toMatch(/Testperson|Otherperson|RAD-2024-0042|ACC0001/);
    // In Spanish too.
    const spanish: Study[] = (await patient.client.request('GET', `/api/cases/${caseId}/imaging/studies`, undefined, { 'accept-language': 'es' })).body;
    expect(spanish.find((s) => s.identityFlag)!.identityFlag).toMatch(/^El nombre o la fecha de nacimiento de estas imágenes/);

    const forStaff: Study[] = (await coordinator.client.get(`/api/cases/${caseId}/imaging/studies`)).body;
    expect(forStaff.find((s) => s.studyUid === mine.studyUid)).toMatchObject({ patientName: 'Testperson^Robin', accession: 'RAD-2024-0042' });
    expect(forStaff.find((s) => s.identityFlag)).toMatchObject({ patientName: 'Otherperson^Sam', identityFlag: expect.stringMatching(/Otherperson Sam.*does not match/) });
  });

  it('refuses a damaged DICOM file at upload with a clear reason', async () => {
    const bad = aDicomInstance();
    bad.writeUInt32LE(0x7ffffff0, 140);
    const r = await tusUpload(patient.client, caseId, 'broken.dcm', bad);
    expect(r.status).toBe(400);
    expect(r.body.detail).toMatch(/broken\.dcm.*truncated or damaged/);
  });
});

describe('measurements', () => {
  it('saves length and angle measurements for reviewers and coordinators, not for patients', async () => {
    const s = aCtSeries(1);
    await stow(patient, s.files);
    const sop = v(parseDicomJson(s.files[0]!), '00080018') as string;
    const coordinator = await aStaff(t, 'coordinator');
    const m = { studyUid: s.studyUid, seriesUid: s.seriesUid, sopInstanceUid: sop, kind: 'length', points: [[1, 2, 0], [21, 2, 0]], value: 15.6, unit: 'mm', label: 'Nodule' };
    expect((await patient.client.post(`/api/cases/${caseId}/imaging/measurements`, m)).status).toBe(404);
    const created = await coordinator.client.post(`/api/cases/${caseId}/imaging/measurements`, m);
    expect(created.status).toBe(201);
    const angle = await coordinator.client.post(`/api/cases/${caseId}/imaging/measurements`, { ...m, kind: 'angle', points: [[0, 0], [1, 0]], unit: 'deg' });
    expect(angle.status).toBe(400);
    const list = (await patient.client.get(`/api/cases/${caseId}/imaging/measurements?studyUid=${s.studyUid}`)).body;
    expect(list).toMatchObject([{ kind: 'length', value: 15.6, label: 'Nodule' }]);
    expect((await coordinator.client.delete(`/api/cases/${caseId}/imaging/measurements/${created.body.id}`)).status).toBe(204);
    expect((await patient.client.get(`/api/cases/${caseId}/imaging/measurements`)).body).toEqual([]);
  });
});

function parseDicomJson(file: Buffer) {
  const d = dcmjs.data.DicomMessage.readFile(file.buffer.slice(file.byteOffset, file.byteOffset + file.length) as ArrayBuffer, { untilTag: '7FE00010' });
  return d.dict as Record<string, { Value?: unknown[] }>;
}

/** A DICOMDIR (PS3.10 Basic Directory) listing the given files as IMAGE records. */
function aDicomdir(files: string[]): Buffer {
  const { DicomDict, DicomMetaDictionary } = dcmjs.data;
  const sop = aUid();
  const dict = new DicomDict(DicomMetaDictionary.denaturalizeDataset({
    FileMetaInformationVersion: new Uint8Array([0, 1]).buffer, MediaStorageSOPClassUID: '1.2.840.10008.1.3.10', MediaStorageSOPInstanceUID: sop,
    TransferSyntaxUID: TS.explicit, ImplementationClassUID: '2.25.1234567890', _vrMap: { FileMetaInformationVersion: 'OB' },
  }));
  dict.dict = DicomMetaDictionary.denaturalizeDataset({
    FileSetID: 'CD1',
    DirectoryRecordSequence: files.map((f) => ({ DirectoryRecordType: 'IMAGE', ReferencedFileID: f.split('/') })),
  });
  return Buffer.from(dict.write());
}

describe('de-identified export', () => {
  it('gives reviewers a PS3.15 zip with a manifest, leaving out burned-in screenshots; patients cannot export', async () => {
    const s = aCtSeries(2, { patientName: 'Testperson^Robin', accession: 'DEID-1' });
    const shot = aScreenshotInstance({ studyUid: s.studyUid, seriesUid: aUid(), patientName: 'Testperson^Robin' });
    await stow(patient, [...s.files, shot]);
    const coordinator = await aStaff(t, 'coordinator');
    const url = `${t.baseUrl}/api/cases/${caseId}/imaging/studies/${s.studyUid}/export?retainLongitudinal=full`;
    const res = await fetch(url, { headers: { cookie: coordinator.client.cookieHeader } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/zip');
    const zipPath = path.join(t.config.dataDir, 'export.zip');
    fs.writeFileSync(zipPath, Buffer.from(await res.arrayBuffer()));
    const entries = await unzip(zipPath);
    const dicom = entries.filter((e) => e.name.startsWith('DICOM/'));
    expect(dicom).toHaveLength(2);
    for (const e of dicom) {
      expect(e.data.includes(Buffer.from('Testperson'))).toBe(false);
      expect(e.data.includes(Buffer.from(s.studyUid))).toBe(false);
      expect(e.data.includes(Buffer.from('20260301'))).toBe(true); // full dates kept
    }
    const manifest = entries.find((e) => e.name === 'MANIFEST.txt')!.data.toString();
    expect(manifest).toMatch(/LEFT OUT: .*burned-in/);
    expect(manifest).toMatch(/Full Dates/);
    expect((await fetch(url, { headers: { cookie: patient.client.cookieHeader } })).status).toBe(404);
    const [audit] = await t.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM audit_events WHERE action = 'imaging.export' AND actor_id = $1`, [coordinator.id]);
    expect(audit!.n).toBe(1);
  });
});

function unzip(file: string): Promise<{ name: string; data: Buffer }[]> {
  return new Promise((resolve, reject) => {
    yauzl.open(file, { lazyEntries: true }, (err, zip) => {
      if (err || !zip) return reject(err);
      const out: { name: string; data: Buffer }[] = [];
      zip.on('entry', (entry: yauzl.Entry) => zip.openReadStream(entry, (e, stream) => {
        if (e || !stream) return reject(e);
        const chunks: Buffer[] = [];
        stream.on('data', (c: Buffer) => chunks.push(c));
        stream.on('end', () => { out.push({ name: entry.fileName, data: Buffer.concat(chunks) }); zip.readEntry(); });
      }));
      zip.on('end', () => resolve(out));
      zip.readEntry();
    });
  });
}

describe('a long STOW stream', () => {
  it('commits each batch with its audit event, and stops storing when the sender loses access mid-stream', async () => {
    const owner = await aPatient(t, 'Stream Owner');
    const id = await aCase(t, owner, { intake: {} });
    const carer = await aPatient(t, 'Stream Carer');
    await owner.client.post(`/api/cases/${id}/proxies`, { email: carer.email, relationship: 'Partner' });
    const { lastMailToken } = await import('../../test/support/builders.ts');
    await carer.client.post(`/api/invitations/${await lastMailToken(t.db, carer.email)}/accept`);
    const files = aCtSeries(80, { rows: 8, columns: 8 }).files;
    const boundary = 'stream-boundary';
    const { body } = stowBody(files, boundary);
    // The first 40 parts go at once (one batch of 32 commits); the rest only after access ends.
    const cut = body.indexOf(Buffer.from(`--${boundary}`), body.length / 2);
    let release!: () => void;
    const released = new Promise<void>((r) => (release = r));
    const stream = new ReadableStream<Uint8Array>({
      async start(controller) {
        controller.enqueue(new Uint8Array(body.subarray(0, cut)));
        await released;
        controller.enqueue(new Uint8Array(body.subarray(cut)));
        controller.close();
      },
    });
    const answer = fetch(`${t.baseUrl}/dicomweb/cases/${id}/studies`, {
      method: 'POST', body: stream, duplex: 'half',
      headers: { 'content-type': `multipart/related; type="application/dicom"; boundary=${boundary}`, accept: 'application/dicom+json', cookie: carer.client.cookieHeader },
    } as RequestInit);
    const count = async () => (await t.db.query<{ n: number }>('SELECT count(*)::int AS n FROM dicom_instances WHERE case_id = $1', [id]))[0]!.n;
    await expect.poll(count, { timeout: 10_000 }).toBe(32);
    const [event] = await t.db.query<{ detail: { stored: number } }>(`SELECT detail FROM audit_events WHERE action = 'imaging.store' AND case_id = $1`, [id]);
    expect(event!.detail.stored).toBe(32);
    expect((await owner.client.delete(`/api/cases/${id}/proxies/${carer.id}`)).status).toBe(200);
    release();
    expect((await answer).status).toBe(404);
    expect(await count()).toBe(32);
    expect(await t.db.query(`SELECT 1 FROM audit_events WHERE action = 'case.records.write' AND outcome = 'denied' AND case_id = $1`, [id])).toHaveLength(1);
  });
});

describe('imaging on the records checklist', () => {
  it('counts a chest CT sent by STOW-RS as the CT of the chest the checklist asks for, and a brain MRI as nothing of the sort', async () => {
    const lung = await aCase(t, patient, { submit: true });
    const item = async (id: string) => ((await patient.client.get(`/api/cases/${lung}/checklist`)).body.items as { id: string; have: boolean }[]).find((i) => i.id === id);
    expect(await item('ct_chest')).toMatchObject({ have: false });
    const mri = aCtSeries(1, { modality: 'MR', bodyPart: 'BRAIN' });
    expect((await stow(patient, mri.files, `/dicomweb/cases/${lung}/studies`)).status).toBe(200);
    expect(await item('ct_chest')).toMatchObject({ have: false });
    expect(await item('imaging_files')).toMatchObject({ have: true });
    const chest = aCtSeries(2, { modality: 'CT', bodyPart: 'CHEST' });
    expect((await stow(patient, chest.files, `/dicomweb/cases/${lung}/studies`)).status).toBe(200);
    expect(await item('ct_chest')).toMatchObject({ have: true });
  });
});
