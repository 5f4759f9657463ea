import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { aCase, aPatient, aStaff, command, type Person } from '../../test/support/builders.ts';
import { aDicomFile, aFhirBundle, aPdf, aZip, MOLECULAR_LINES, PATHOLOGY_LINES, tusContinue, tusUpload } from '../../test/support/records.ts';
import { objectBackendFor } from '../core/storage.ts';
import { uploadDiscarderFor } from './uploadStore.ts';
import { plainFile } from './received.ts';
import { startTestApp, type TestApp } from '../../test/support/testApp.ts';

let t: TestApp;
let patient: Person;
let caseId: string;
beforeAll(async () => {
  t = await startTestApp({ JOBS_POLL_MS: '60000' });
  patient = await aPatient(t);
  caseId = await aCase(t, patient, { intake: {} });
});
afterAll(() => t.close());

/** The file holding a blob's encrypted bytes (its row names the object). */
const blobFile = async (sha: string) => {
  const [row] = await t.db.query<{ object_key: string }>('SELECT object_key FROM blobs WHERE sha256 = $1', [sha]);
  return path.join(t.config.dataDir, 'blobs', row!.object_key.slice(0, 2), row!.object_key.slice(2, 4), row!.object_key);
};
const docCount = async () => (await t.db.query<{ n: number }>('SELECT count(*)::int AS n FROM documents'))[0]!.n;
const blobFiles = () => {
  const root = path.join(t.config.dataDir, 'blobs');
  return fs.readdirSync(root, { recursive: true }).filter((f) => !String(f).startsWith('tmp') && /[0-9a-f]{32}$/.test(String(f))).length;
};

describe('uploads and documents', () => {
  it('stores a pathology PDF encrypted, extracts its text in the background and classifies it with evidence', async () => {
    const pdf = await aPdf(PATHOLOGY_LINES);
    const r = await tusUpload(patient.client, caseId, 'path-report.pdf', pdf, { chunk: 4096 });
    expect(r.status).toBe(200);
    expect(r.body.document).toMatchObject({ contentType: 'pdf', category: 'document', status: 'processing', size: pdf.length });
    // Encrypted at rest: the stored file does not contain the report's words.
    expect(fs.readFileSync(await blobFile(r.body.document.sha256)).includes(Buffer.from('%PDF'))).toBe(false);

    await t.app.jobs.drain();
    const doc = (await patient.client.get(`/api/cases/${caseId}/documents/${r.body.document.id}`)).body;
    expect(doc).toMatchObject({ status: 'ready', documentType: 'pathology_report', typeSource: 'classifier' });
    expect(doc.typeEvidence).toEqual(expect.arrayContaining(['surgical pathology', 'final diagnosis']));
    expect(doc.typeConfidence).toBeGreaterThan(0.5);

    const content = await fetch(`${t.baseUrl}/api/cases/${caseId}/documents/${doc.id}/content`, { headers: { cookie: patient.client.cookieHeader } });
    expect(Buffer.from(await content.arrayBuffer()).equals(pdf)).toBe(true);
    const [audit] = await t.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM audit_events WHERE action = 'document.download' AND entity_id = $1`, [doc.id]);
    expect(audit!.n).toBe(1);
    // Beside the original, the reviewer reads the text taken from it; the PDF shows inline in our page only.
    const text = await patient.client.get(`/api/cases/${caseId}/documents/${doc.id}/text`);
    expect(text.body.text).toMatch(/FINAL DIAGNOSIS/i);
    const inline = await fetch(`${t.baseUrl}/api/cases/${caseId}/documents/${doc.id}/content?inline=true`, { headers: { cookie: patient.client.cookieHeader } });
    expect(inline.headers.get('content-disposition')).toMatch(/^inline/);
    expect(inline.headers.get('x-frame-options')).toBe('SAMEORIGIN');
    expect(content.headers.get('x-frame-options')).toBe('DENY');
  });

  it('reads the genes a molecular report mentions into the case’s biomarker completeness', async () => {
    const r = await tusUpload(patient.client, caseId, 'ngs.pdf', await aPdf(MOLECULAR_LINES));
    await t.app.jobs.drain();
    const doc = (await patient.client.get(`/api/cases/${caseId}/documents/${r.body.document.id}`)).body;
    expect(doc.documentType).toBe('molecular_report');
    expect(doc.testsReported).toEqual(expect.arrayContaining(['EGFR', 'ALK', 'ROS1', 'PD-L1']));
    const a = (await patient.client.get(`/api/cases/${caseId}/assessment`)).body;
    expect(a.biomarkers.tests.find((x: { name: string }) => x.name === 'ALK').status).toBe('done');
    expect(a.checklist.find((i: { id: string }) => i.id === 'molecular_results').have).toBe(true);
  });

  it('spots a duplicate within the case and keeps one copy', async () => {
    const pdf = await aPdf(['Discharge summary', 'Hospital course: uneventful.']);
    await tusUpload(patient.client, caseId, 'discharge.pdf', pdf);
    const before = await docCount();
    const r = await tusUpload(patient.client, caseId, 'same-again.pdf', pdf);
    expect(r.status).toBe(200);
    expect(r.body.duplicate).toBe(true);
    expect(await docCount()).toBe(before);
  });

  it('takes DICOM files, CD zips and photos by their content, not their names', async () => {
    const dcm = await tusUpload(patient.client, caseId, 'IM000001', aDicomFile(), { relativePath: 'CD/DICOM/IM000001' });
    expect(dcm.body.document).toMatchObject({ contentType: 'dicom', category: 'imaging', relativePath: 'CD/DICOM/IM000001' });
    const zip = await aZip([{ name: 'DICOMDIR', data: aDicomFile() }, { name: 'DICOM/I1', data: aDicomFile() }, { name: 'VIEWER/readme.txt', data: Buffer.from('viewer') }]);
    const z = await tusUpload(patient.client, caseId, 'cd.zip', zip);
    expect(z.body.document).toMatchObject({ contentType: 'zip', category: 'imaging' });
    expect(z.body.document.statusDetail).toMatch(/2 DICOM files with a DICOMDIR/);
    const png = Buffer.from('89504e470d0a1a0a0000000d4948445200000001000000010806000000', 'hex');
    const photo = await tusUpload(patient.client, caseId, 'report-photo.png', png);
    // Tesseract is installed here (.ci/run installs it): a photo is read in the background.
    expect(photo.body.document).toMatchObject({ contentType: 'png', status: 'processing', statusDetail: 'Reading the text' });
    // The status says what happens in the reader's language.
    const read = await patient.client.request('GET', `/api/cases/${caseId}/documents/${photo.body.document.id}`, undefined, { 'accept-language': 'es-MX' });
    expect(read.body.statusDetail).toBe('Leyendo el texto');
    const archive = await patient.client.request('GET', `/api/cases/${caseId}/documents/${z.body.document.id}`, undefined, { 'accept-language': 'es' });
    expect(archive.body.statusDetail).toBe('Archivo de imágenes: 2 archivos DICOM con un DICOMDIR.');
  });

  it('imports a FHIR bundle into treatment history and labs, and flags a bundle for another patient', async () => {
    const mine = await tusUpload(patient.client, caseId, 'records.json', Buffer.from(JSON.stringify(aFhirBundle())));
    // Who added it, by id: the patient's screen shows the file's name under their own uploads only.
    expect(mine.body.document).toMatchObject({ contentType: 'fhir_json', category: 'structured', status: 'ready', flags: [], uploadedById: patient.id });
    const labs = (await patient.client.get(`/api/cases/${caseId}/clinical?kind=observation`)).body;
    expect(labs[0]).toMatchObject({ display: 'Hemoglobin [Mass/volume] in Blood', value: '13.2', unit: 'g/dL', effective: '2026-10-01' });
    const meds = (await patient.client.get(`/api/cases/${caseId}/clinical?kind=medication`)).body;
    expect(meds[0].display).toBe('Metformin 500 mg');
    const other = await tusUpload(patient.client, caseId, 'other.json', Buffer.from(JSON.stringify(aFhirBundle({ given: 'Someone', family: 'Else', birthDate: '1990-01-01' }))));
    expect(other.body.document.status).toBe('needs_review');
    expect(other.body.document.flags[0]).toMatchObject({ kind: 'patient_mismatch' });
    // Read back, the patient's side learns it may be someone else's without that person's name;
    // the flag kept for staff still names them (staff reading it is tested with imaging).
    const back = (await patient.client.get(`/api/cases/${caseId}/documents/${other.body.document.id}`)).body;
    expect(back.flags[0].message).toMatch(/^The name or birth date on this record does not match/);
    expect(JSON.stringify(back)).not.toMatch(/Someone|1990-01-01/);
    const listed = (await patient.client.get(`/api/cases/${caseId}/documents`)).body.items.find((d: { id: string }) => d.id === other.body.document.id);
    expect(listed.flags).toEqual(back.flags);
    const [kept] = await t.db.query<{ flags: { message: string }[] }>('SELECT flags FROM documents WHERE id = $1', [other.body.document.id]);
    expect(kept!.flags[0]!.message).toMatch(/Someone Else.*born 1990-01-01/);
  });

  it('imports a real C-CDA sample (and flags that its patient is not ours)', async () => {
    const xml = fs.readFileSync(path.resolve(import.meta.dirname, '../../test/fixtures/ccda/CCD-CCD_1-CCD.XML'));
    const r = await tusUpload(patient.client, caseId, 'ccd.xml', xml);
    expect(r.body.document).toMatchObject({ contentType: 'ccda_xml', category: 'structured' });
    expect(r.body.document.statusDetail).toMatch(/16 entries/);
    expect(r.body.document.flags[0].message).toMatch(/Eve Betterhalf/);
  });
});

describe('bad input changes nothing', () => {
  const refused = async (name: string, data: Buffer, status: number, message: RegExp) => {
    const docs = await docCount();
    const blobs = blobFiles();
    const r = await tusUpload(patient.client, caseId, name, data);
    expect(r.status, JSON.stringify(r.body)).toBe(status);
    expect(JSON.stringify(r.body)).toMatch(message);
    expect(await docCount()).toBe(docs);
    expect(blobFiles()).toBe(blobs);
    expect(fs.readdirSync(path.join(t.config.dataDir, 'uploads')).filter((f) => !f.endsWith('.json'))).toEqual([]);
  };

  it('refuses a zip bomb', async () => refused('bomb.zip', await aZip([{ name: 'zeros.bin', data: Buffer.alloc(30 * 1024 * 1024) }]), 400, /zip bomb/));
  it('refuses path traversal in a zip', async () => {
    const zip = await aZip([{ name: 'xx/xx/evil.txt', data: Buffer.from('hello') }]);
    const evil = Buffer.from(zip.toString('latin1').replaceAll('xx/xx/evil.txt', '../../evil.txt'), 'latin1');
    await refused('evil.zip', evil, 400, /unsafe path/);
  });
  it('refuses a password-protected PDF', async () => refused('locked.pdf', await aPdf(['secret'], { userPassword: 'pw' }), 400, /password-protected/));
  it('refuses a damaged PDF', async () => refused('broken.pdf', Buffer.from('%PDF-1.7\n1 0 obj << /Type /Catalog >>\n%%EOF garbage'), 400, /damaged/));
  it('refuses a file whose name contradicts its content', async () => refused('scan.pdf', Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex'), 415, /named like a PDF but its content is a PNG/));
  it('refuses content it cannot read', async () => refused('thing.bin', Buffer.from([0, 1, 2, 3, 4, 5, 0, 0, 9]), 415, /cannot read/));
  it('refuses a FHIR bundle that fails validation', async () => {
    const bad = { resourceType: 'Bundle', type: 'collection', entry: [{ resource: { resourceType: 'Observation', id: 'x', valueQuantity: { value: 'high' } } }] };
    await refused('bad.json', Buffer.from(JSON.stringify(bad)), 400, /Not valid FHIR R4/);
  });
  it('refuses an XML bomb', async () => {
    const bomb = `<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">]><ClinicalDocument xmlns="urn:hl7-org:v3">&lol2;</ClinicalDocument>`;
    await refused('bomb.xml', Buffer.from(bomb), 400, /DOCTYPE/);
  });
  it('refuses an empty file before anything is sent', async () => {
    const r = await tusUpload(patient.client, caseId, 'empty.pdf', Buffer.alloc(0));
    expect(r.status).toBe(400);
    expect(JSON.stringify(r.body)).toMatch(/empty/);
  });
});

describe('resumable and authorised', () => {
  it('resumes an upload cut mid-way from the offset the server reports', async () => {
    const pdf = await aPdf([...PATHOLOGY_LINES, 'Addendum: margins negative.']);
    const first = await tusUpload(patient.client, caseId, 'resume.pdf', pdf, { chunk: 1000, stopAfter: 2000 });
    expect(first.status).toBe(0);
    const head = await fetch(first.location!, { method: 'HEAD', headers: { 'tus-resumable': '1.0.0', cookie: patient.client.cookieHeader } });
    const offset = Number(head.headers.get('upload-offset'));
    expect(offset).toBe(2000);
    // What is stored so far is encrypted on disk and cannot be read back, even by its sender.
    const [stored] = fs.readdirSync(path.join(t.config.dataDir, 'uploads')).filter((f) => first.location!.endsWith(f));
    expect(fs.readFileSync(path.join(t.config.dataDir, 'uploads', stored!)).includes(Buffer.from('%PDF'))).toBe(false);
    const download = await fetch(first.location!, { headers: { 'tus-resumable': '1.0.0', cookie: patient.client.cookieHeader } });
    expect(download.status).toBe(404);
    const done = await tusContinue(patient.client, first.location!, pdf, offset, { chunk: 1000 });
    expect(done.status).toBe(200);
    expect(done.body.document.size).toBe(pdf.length);
  });

  it('answers 404 to anyone without the grant, on creating and on continuing an upload', async () => {
    const stranger = await aPatient(t);
    const r = await tusUpload(stranger.client, caseId, 'x.pdf', await aPdf(['x']));
    expect(r.status).toBe(404);
    const mine = await tusUpload(patient.client, caseId, 'partial.pdf', await aPdf(PATHOLOGY_LINES), { chunk: 500, stopAfter: 500 });
    const hijack = await fetch(mine.location!, { method: 'HEAD', headers: { 'tus-resumable': '1.0.0', cookie: stranger.client.cookieHeader } });
    expect(hijack.status).toBe(404);
    const anon = await fetch(mine.location!, { method: 'HEAD', headers: { 'tus-resumable': '1.0.0' } });
    expect(anon.status).toBe(401);
    expect((await stranger.client.get(`/api/cases/${caseId}/documents`)).status).toBe(404);
  });
});

describe('checklist gate', () => {
  it('keeps a case from review until each checklist item is on file or waived with a reason', async () => {
    const p = await aPatient(t);
    const id = await aCase(t, p, { submit: true });
    const coordinator = await aStaff(t, 'coordinator');
    await command(coordinator, id, 'startRecordCollection');
    const refused = await coordinator.client.post(`/api/cases/${id}/commands/markReadyForReview`, {});
    expect(refused.status).toBe(422);
    expect(JSON.stringify(refused.body)).toMatch(/Pathology reports/);

    const up = await tusUpload(p.client, id, 'path.pdf', await aPdf(PATHOLOGY_LINES));
    await t.app.jobs.drain();
    let list = (await coordinator.client.get(`/api/cases/${id}/checklist`)).body;
    expect(list.items.find((i: { id: string }) => i.id === 'pathology_report')).toMatchObject({ have: true, documents: [up.body.document.id] });

    expect((await coordinator.client.put(`/api/cases/${id}/checklist/pft/waiver`, { reason: 'no' })).status).toBe(400);
    // Only a coordinator waives; to anyone else the route does not exist for this case.
    expect((await p.client.put(`/api/cases/${id}/checklist/pft/waiver`, { reason: 'Not needed for me' })).status).toBe(404);
    for (const item of list.items.filter((i: { have: boolean }) => !i.have)) {
      const w = await coordinator.client.put(`/api/cases/${id}/checklist/${item.id}/waiver`, { reason: 'Requested from the hospital; the expert agreed to start without it.' });
      expect(w.status).toBe(200);
      list = w.body;
    }
    expect(list.complete).toBe(true);
    const ok = await coordinator.client.post(`/api/cases/${id}/commands/markReadyForReview`, {});
    expect(ok.status).toBe(200);
    const timeline = (await coordinator.client.get(`/api/cases/${id}/timeline`)).body;
    expect(timeline.some((e: { type: string }) => e.type === 'checklist.waive')).toBe(true);

    // The service-level clock starts now; a case that has waited past its due date stands out.
    const fresh = (await coordinator.client.get(`/api/cases/${id}`)).body.sla;
    expect(fresh).toMatchObject({ state: 'on_track' });
    // As if it had become ready twenty days ago (the clock is stamped on the case when it starts).
    await t.db.query(`UPDATE cases SET ready_at = ready_at - interval '20 days', sla_due_at = sla_due_at - interval '20 days' WHERE id = $1`, [id]);
    const queue = (await coordinator.client.get('/api/cases?status=ready_for_review')).body.items.find((c: { id: string }) => c.id === id);
    expect(queue.sla.state).toBe('breached');
    const overdue = (await coordinator.client.get('/api/cases?sla=breached')).body;
    expect(overdue.items.map((c: { id: string }) => c.id)).toContain(id);
    expect(overdue.total).toBe(overdue.items.length);
    expect((await coordinator.client.get('/api/cases?sla=on_track')).body.items.map((c: { id: string }) => c.id)).not.toContain(id);
  });

  it('lets the coordinator correct a document type, audited and on the timeline', async () => {
    const p = await aPatient(t);
    const id = await aCase(t, p, { submit: true });
    const coordinator = await aStaff(t, 'coordinator');
    await command(coordinator, id, 'startRecordCollection');
    const up = await tusUpload(p.client, id, 'notes.txt', Buffer.from('Some notes about my visit.'));
    await t.app.jobs.drain();
    const fixed = await coordinator.client.patch(`/api/cases/${id}/documents/${up.body.document.id}`, { documentType: 'consultation_note' });
    expect(fixed.status).toBe(200);
    expect(fixed.body).toMatchObject({ documentType: 'consultation_note', typeSource: 'coordinator' });
    expect((await p.client.patch(`/api/cases/${id}/documents/${up.body.document.id}`, { documentType: 'other' })).status).toBe(404);
    const [a] = await t.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM audit_events WHERE action = 'document.classify' AND case_id = $1`, [id]);
    expect(a!.n).toBe(1);
  });
});

describe('text recognition (Tesseract)', () => {
  const fixture = (name: string) => fs.readFileSync(path.join(import.meta.dirname, '../../test/fixtures/ocr', name));

  it('reads photos and scanned pages of paper reports and classifies their text', async () => {
    const { recordsService } = await import('./service.ts');
    const { ocrEngineFor } = await import('./ocr.ts');
    const { BlobStore } = await import('../core/blobs.ts');
    const { renderPdf } = await import('../core/pdf.ts');
    const blobs = new BlobStore(objectBackendFor(t.config), [{ id: 'ocr-test', key: Buffer.alloc(32, 7) }]);
    const { engine, languages } = ocrEngineFor('tesseract', ['eng', 'spa'], { maxPages: 3, timeoutMs: 60_000, budgetMs: 120_000 });
    expect(languages).toEqual(['eng', 'spa']);
    const records = recordsService({ db: t.db, config: t.config, now: () => new Date(), blobs, maxUploadBytes: 10 * 1024 ** 2, ocr: engine });
    const actor = { userId: patient.id, role: 'patient' as const, name: patient.name, email: patient.email };
    const meta = { ip: '127.0.0.1', userAgent: 'test' };
    const photo = fixture('pathology-report-photo.png');
    // The same photo printed into a PDF, as a scanner makes one: a page that is a picture, without text.
    const scan = await renderPdf({ content: [{ image: `data:image/png;base64,${photo.toString('base64')}`, width: 450 }] } as never);
    for (const [filename, bytes] of [['photo-of-report.png', photo], ['scanned-report.pdf', scan]] as const) {
      const file = path.join(t.config.dataDir, filename);
      fs.writeFileSync(file, bytes);
      const { document } = await records.ingest(actor, meta, { caseId, content: await plainFile(file), filename });
      expect(document.status).toBe('processing');
      await records.extract(document.id);
      const [row] = await t.db.query<{ status: string; document_type: string; extracted_text: string }>('SELECT status, document_type, extracted_text FROM documents WHERE id = $1', [document.id]);
      expect(row).toMatchObject({ status: 'ready', document_type: 'pathology_report' });
      expect(row!.extracted_text).toMatch(/Invasive adenocarcinoma, acinar predominant/);
    }
  });

  it('says when a long scan was read only in part, so a person reads the rest', async () => {
    const { recordsService } = await import('./service.ts');
    const { tesseractOcr } = await import('./ocr.ts');
    const { BlobStore } = await import('../core/blobs.ts');
    const { renderPdf } = await import('../core/pdf.ts');
    const blobs = new BlobStore(objectBackendFor(t.config), [{ id: 'ocr-test', key: Buffer.alloc(32, 7) }]);
    const records = recordsService({ db: t.db, config: t.config, now: () => new Date(), blobs, maxUploadBytes: 10 * 1024 ** 2, ocr: tesseractOcr({ languages: ['eng'], maxPages: 1, timeoutMs: 60_000, budgetMs: 120_000 }) });
    const page = { image: `data:image/png;base64,${fixture('pathology-report-photo.png').toString('base64')}`, width: 450 };
    const file = path.join(t.config.dataDir, 'long-scan.pdf');
    fs.writeFileSync(file, await renderPdf({ content: [page, { ...page, pageBreak: 'before' }] } as never));
    const { document } = await records.ingest({ userId: patient.id, role: 'patient', name: patient.name, email: patient.email }, { ip: '127.0.0.1', userAgent: 'test' }, { caseId, content: await plainFile(file), filename: 'long-scan.pdf' });
    await records.extract(document.id);
    const [row] = await t.db.query<{ status: string; status_detail: string; document_type: string }>('SELECT status, status_detail, document_type FROM documents WHERE id = $1', [document.id]);
    expect(row).toEqual({ status: 'needs_review', status_detail: 'Only the first 1 of the scanned pages were read: a coordinator will read the rest.', document_type: 'pathology_report' });
  });

  it('lets a photo the engine cannot read wait for a person instead of failing the job', async () => {
    const { recordsService } = await import('./service.ts');
    const { BlobStore } = await import('../core/blobs.ts');
    const blobs = new BlobStore(objectBackendFor(t.config), [{ id: 'ocr-test', key: Buffer.alloc(32, 7) }]);
    const broken = async () => { throw new Error('tesseract was stopped (SIGKILL)'); };
    const records = recordsService({ db: t.db, config: t.config, now: () => new Date(), blobs, maxUploadBytes: 10 * 1024 ** 2, ocr: broken });
    const file = path.join(t.config.dataDir, 'blurred.png');
    fs.writeFileSync(file, fixture('insurance-card-front.png'));
    const { document } = await records.ingest({ userId: patient.id, role: 'patient', name: patient.name, email: patient.email }, { ip: '127.0.0.1', userAgent: 'test' }, { caseId, content: await plainFile(file), filename: 'blurred.png' });
    await records.extract(document.id);
    const [row] = await t.db.query<{ status: string; status_detail: string }>('SELECT status, status_detail FROM documents WHERE id = $1', [document.id]);
    expect(row).toEqual({ status: 'needs_review', status_detail: 'The text of this photo or scan could not be read: a coordinator will read it.' });
  });
});

describe('storage housekeeping', () => {
  it('removes abandoned uploads and files no document holds, and keeps everything else', async () => {
    const { cleanUpStorage } = await import('./cleanup.ts');
    const { BlobStore } = await import('../core/blobs.ts');
    const { Readable } = await import('node:stream');
    const partial = await tusUpload(patient.client, caseId, 'left-half-way.pdf', await aPdf(PATHOLOGY_LINES), { chunk: 500, stopAfter: 500 });
    const uploadId = partial.location!.split('/').pop()!;
    const objects = objectBackendFor(t.config);
    const store = new BlobStore(objects, [{ id: 'cleanup', key: Buffer.alloc(32, 3) }]);
    const orphan = await store.put(t.db, Readable.from([Buffer.from('refused later')]));
    const orphanFile = await blobFile(orphan.sha256);
    // An object written by an upload killed before its row committed: no row names it.
    const stray = await store.stage(Readable.from([Buffer.from('killed before the commit')]));
    const docsBefore = await docCount();
    const later = new Date(Date.now() + 8 * 86_400_000);
    const r = await cleanUpStorage(t.db, { objects, uploads: await uploadDiscarderFor(t.config) }, { now: later });
    expect(r.abandonedUploads).toBeGreaterThanOrEqual(1);
    expect(r.orphanBlobs).toBe(1);
    expect(r.strayObjects).toBe(1);
    expect(fs.existsSync(orphanFile)).toBe(false);
    expect(await objects.exists(stray.objectKey)).toBe(false);
    expect(fs.existsSync(path.join(t.config.dataDir, 'uploads', uploadId))).toBe(false);
    expect((await t.db.query('SELECT 1 FROM blobs WHERE sha256 = $1', [orphan.sha256])).length).toBe(0);
    expect(await docCount()).toBe(docsBefore);
    // Images indexed from uploaded DICOM files keep their own blobs.
    const images = await t.db.query<{ blob_sha256: string }>('SELECT blob_sha256 FROM dicom_instances WHERE case_id = $1', [caseId]);
    expect(images.length).toBeGreaterThan(0);
    for (const i of images) expect(fs.existsSync(await blobFile(i.blob_sha256))).toBe(true);
    // Every document's content is still readable.
    const [doc] = await t.db.query<{ id: string }>('SELECT id FROM documents WHERE case_id = $1 LIMIT 1', [caseId]);
    const res = await fetch(`${t.baseUrl}/api/cases/${caseId}/documents/${doc!.id}/content`, { headers: { cookie: patient.client.cookieHeader } });
    expect(res.status).toBe(200);
    expect((await res.arrayBuffer()).byteLength).toBeGreaterThan(0);
  });
});
