import path from 'node:path';
import type { OcrEngine, OcrResult } from './ocr.ts';
import { note, noteColumns, noteIn, type StatusNote } from './statusNote.ts';
import type { Locale } from '../core/locale.ts';
import { recordAudit } from '../core/audit.ts';
import { openCase, withCaseTx, type CaseRow } from '../core/access.ts';
import type { BlobStore } from '../core/blobs.ts';
import { isPatientSide, OPEN_FOR_RECORDS } from '../cases/lifecycle.ts';
import { wordsIn } from '../core/i18n.ts';
import type { Actor, RequestMeta } from '../core/context.ts';
import type { Queryable } from '../core/db.ts';
import type { Deps } from '../core/deps.ts';
import { AppError, msg } from '../core/errors.ts';
import { enqueueJob } from '../jobs.ts';
import { emit } from '../events/emit.ts';
import { importCcda } from './ccdaImport.ts';
import { caseChecklist } from './checklist.ts';
import { classifyText, DOCUMENT_TYPE_IDS, documentTypeLabel, testsReported } from './classify.ts';
import { importFhirBundle } from './fhirImport.ts';
import type { ClinicalEntry, ImportResult } from './importTypes.ts';
import { extractPdfText, pdfBudgetMs, PdfUnreadable } from './pdfText.ts';
import { DicomRejected, parseInstance } from '../imaging/part10.ts';
import { contradiction, describeContent, sniff, SNIFF_BYTES, type Sniffed } from './sniff.ts';
import { isPhilipsSlide } from './tiffSlide.ts';
import type { ReceivedFile } from './received.ts';
import { miraxLayout } from './miraxZip.ts';
import { checkZip, DEFAULT_ZIP_LIMITS, ZipRejected, type ZipLimits } from './zipCheck.ts';


/** Records (documents and images) may be added until the opinion is signed. */
export function assertOpenForRecords(row: CaseRow): void {
  if (!OPEN_FOR_RECORDS.includes(row.status)) throw new AppError('CONFLICT', 'Records can no longer be added: the opinion has been signed or the case is closed.');
}
const MAX_STRUCTURED_BYTES = 50 * 1024 * 1024;
const MAX_READABLE_PDF_BYTES = 150 * 1024 * 1024;
const MAX_CHECKED_DICOM_BYTES = 512 * 1024 * 1024;

export interface IncomingFile {
  caseId: string;
  content: ReceivedFile;
  filename: string;
  relativePath?: string | null;
}

interface DocumentRow {
  id: string;
  case_id: string;
  blob_sha256: string;
  filename: string;
  relative_path: string | null;
  size: string | number;
  content_type: string;
  category: string;
  document_type: string | null;
  type_confidence: number | null;
  type_evidence: string[];
  type_source: string | null;
  status: string;
  status_detail: string | null;
  status_note: StatusNote | null;
  tests_reported: string[];
  flags: { kind: string; message: string }[];
  uploaded_by: string;
  uploader_name?: string;
  created_at: Date;
}

/** Who reads a document: the patient's side, or staff. */
export interface DocumentReader { userId: string; patientSide: boolean }

/**
 * A document as the API shows it. The patient's side reads a "not the same patient" flag without
 * the other person's name and birth date that the staff's wording quotes from the file: those are
 * someone else's health data. It reads the file's name and folder only of its own uploads: a
 * hospital's or a scanner's file name may carry an accession number or a name (the web app names
 * the others by their kind and date).
 */
export function documentView(r: DocumentRow, locale: Locale | undefined, reader: DocumentReader) {
  const patientSide = reader.patientSide;
  const named = !patientSide || r.uploaded_by === reader.userId;
  const flags = (r.flags ?? []).map((f) => (patientSide && f.kind === 'patient_mismatch' ? { kind: f.kind, message: otherPatientNote(r.category === 'imaging' ? 'images' : 'record', locale) } : f));
  return {
    id: r.id, caseId: r.case_id, filename: named ? r.filename : null, relativePath: named ? r.relative_path : null, size: Number(r.size), sha256: r.blob_sha256,
    contentType: r.content_type, contentLabel: describeContent(r.content_type as Sniffed['contentType']), category: r.category,
    documentType: r.document_type, documentTypeLabel: documentTypeLabel(r.document_type), typeConfidence: r.type_confidence,
    typeEvidence: r.type_evidence ?? [], typeSource: r.type_source, status: r.status, statusDetail: r.status_note ? noteIn(r.status_note, locale) : r.status_detail,
    testsReported: r.tests_reported ?? [], flags, uploadedBy: r.uploader_name ?? null, uploadedById: r.uploaded_by, createdAt: new Date(r.created_at).toISOString(),
  };
}
export type DocumentView = ReturnType<typeof documentView>;

/** What the patient's side reads where records may be someone else's (the staff's flag names that person). */
export function otherPatientNote(what: 'images' | 'record', locale?: Locale | null): string {
  const words = wordsIn(locale);
  return what === 'images' ? words('records:otherPatient.images') : words('records:otherPatient.record');
}


const norm = (s: string | null | undefined) => (s ?? '').toLowerCase().replace(/[^a-z]/g, '');

/** Flags an imported record whose patient is not the case's patient (shown, never merged). */
async function patientFlags(tx: Queryable, row: CaseRow, entries: ClinicalEntry[]) {
  const p = entries.find((e) => e.kind === 'patient');
  if (!p) return [];
  const [pt] = await tx.query<{ given_name: string | null; family_name: string | null; birth_date: Date | string | null }>('SELECT given_name, family_name, birth_date FROM patients WHERE id = $1', [row.patient_id]);
  if (!pt?.family_name) return [];
  const born = pt.birth_date ? new Date(pt.birth_date).toISOString().slice(0, 10) : null;
  const nameMatches = norm(p.display).includes(norm(pt.family_name));
  const birthMatches = !born || !p.effective || p.effective.slice(0, 10) === born;
  if (nameMatches && birthMatches) return [];
  return [{ kind: 'patient_mismatch', message: `This record is for “${p.display ?? 'an unnamed patient'}”${p.effective ? `, born ${p.effective.slice(0, 10)}` : ''}, which does not match the case's patient. It was kept apart for a coordinator to check.` }];
}

/**
 * Records of a case: ingesting uploaded files (type from content, validation, encrypted
 * storage, duplicates), background text extraction and classification, coordinator corrections,
 * the checklist gate and its waivers, and the clinical data imported from FHIR and C-CDA.
 */
// Photos and scanned pages are read by an OCR engine (Tesseract, see ocr.ts) when one is installed; without one they wait for a person.

export function recordsService(deps: Deps & { blobs: BlobStore; zipLimits?: ZipLimits; maxUploadBytes: number; ocr?: OcrEngine }) {
  const { db, blobs } = deps;
  const zipLimits = deps.zipLimits ?? DEFAULT_ZIP_LIMITS;

  /** Checks a file fully before anything is stored; throws a problem with a plain message. */
  async function inspect(file: IncomingFile): Promise<{ sniffed: Sniffed; imported?: Extract<ImportResult, { ok: true }>; zipNote?: string; status: string; detail: StatusNote | null }> {
    const stat = { size: file.content.size };
    const whole = () => file.content.read(0, stat.size);
    if (stat.size === 0) throw new AppError('VALIDATION_FAILED', msg`“${file.filename}” is empty (0 bytes). Please choose the file again.`);
    if (stat.size > deps.maxUploadBytes) throw new AppError('PAYLOAD_TOO_LARGE', msg`“${file.filename}” is larger than the limit of ${Math.round(deps.maxUploadBytes / 1024 ** 2)} MB.`);
    const head = await file.content.read(0, SNIFF_BYTES);
    let sniffed = sniff(head, file.filename);
    // A Philips slide is a plain-looking .tiff whose first directory (far into the file) says what it is.
    if (sniffed?.contentType === 'tiff' && await isPhilipsSlide((at, length) => file.content.read(at, length))) sniffed = { contentType: 'wsi', category: 'digital_slide' };
    if (!sniffed) {
      throw new AppError('UNSUPPORTED_MEDIA_TYPE', msg`We cannot read “${file.filename}”. We accept PDF, DICOM images, zip archives of a CD, JPEG, PNG or TIFF photos, whole-slide images, FHIR records, C-CDA documents and plain text.`);
    }
    const clash = contradiction(file.filename, sniffed.contentType);
    if (clash) throw new AppError('UNSUPPORTED_MEDIA_TYPE', clash);
    switch (sniffed.contentType) {
      case 'pdf': {
        // Very large PDFs (whole scanned charts) are not read in memory: a person reviews them.
        if (stat.size > MAX_READABLE_PDF_BYTES) return { sniffed, status: 'needs_review', detail: note('veryLargePdf') };
        // Open it now, so a locked or broken PDF is refused before anything is kept.
        try {
          const bytes = new Uint8Array(await whole());
          await extractPdfText(bytes, pdfBudgetMs(bytes.byteLength, deps.config.pdfReadBaseMs));
        } catch (err) {
          if (err instanceof PdfUnreadable) throw new AppError('VALIDATION_FAILED', msg`“${file.filename}”: ${err.message}`);
          throw err;
        }
        return { sniffed, status: 'processing', detail: note('reading') };
      }
      case 'zip': {
        try {
          const z = await checkZip(file.content, zipLimits);
          // A zip with a .mrxs file is a MIRAX slide (or refused as an incomplete one), never a CD.
          const mirax = miraxLayout(z.files, file.filename);
          if (mirax && 'refused' in mirax) throw new AppError('VALIDATION_FAILED', mirax.refused);
          if (mirax) return { sniffed: { contentType: 'wsi', category: 'digital_slide' }, status: 'ready', detail: null };
          if (z.dicomEntries > 0 || z.hasDicomdir) return { sniffed: { ...sniffed, category: 'imaging' }, status: 'ready', detail: note(z.hasDicomdir ? 'imagingArchiveDicomdir' : 'imagingArchive', { count: z.dicomEntries }) };
          return { sniffed, status: 'needs_review', detail: note('zipNoImaging', { count: z.entries }) };
        } catch (err) {
          if (err instanceof ZipRejected) throw new AppError('VALIDATION_FAILED', msg`“${file.filename}”: ${err.message}`);
          throw err;
        }
      }
      case 'fhir_json':
      case 'ccda_xml': {
        if (stat.size > MAX_STRUCTURED_BYTES) throw new AppError('PAYLOAD_TOO_LARGE', msg`“${file.filename}” is too large to import (over 50 MB).`);
        const text = (await whole()).toString('utf8');
        const result = sniffed.contentType === 'fhir_json' ? importFhirBundle(text) : importCcda(text);
        if (!result.ok) throw new AppError('VALIDATION_FAILED', msg`“${file.filename}” could not be imported.`, { errors: result.errors.map((message) => ({ path: `/${file.filename}`, message })) });
        return { sniffed, imported: result, status: 'ready', detail: note('imported', { format: result.format, count: result.entries.length }) };
      }
      case 'dicom': {
        if (sniffed.category !== 'imaging' || stat.size > MAX_CHECKED_DICOM_BYTES) return { sniffed, status: 'ready', detail: null };
        try {
          parseInstance(await whole());
        } catch (err) {
          if (err instanceof DicomRejected) throw new AppError('VALIDATION_FAILED', msg`“${file.filename}”: ${err.message}`);
          throw err;
        }
        return { sniffed, status: 'ready', detail: note('addingImages') };
      }
      case 'text':
        return { sniffed, status: 'processing', detail: note('reading') };
      case 'jpeg':
      case 'png':
      case 'tiff':
        if (deps.ocr) return { sniffed, status: 'processing', detail: note('reading') };
        return { sniffed, status: 'needs_review', detail: note('photoForCoordinator') };
      default:
        return { sniffed, status: 'ready', detail: null };
    }
  }

  /**
   * Stores one uploaded file on a case. Everything is checked first; then blob, document row,
   * imported entries, job, timeline event and audit are written in one transaction.
   */
  async function ingest(actor: Actor, meta: RequestMeta, file: IncomingFile): Promise<{ document: DocumentView; duplicate: boolean }> {
    // Access first, so nobody learns anything about files on a case they cannot see.
    await withCaseTx(db, (tx) => checkWritable(tx, actor, file.caseId, meta));
    const checked = await inspect(file);
    // An upload sealed as it arrived is taken as it is; other files are encrypted on their way in.
    const blob = file.content.sealed ? await blobs.adopt(db, file.content.sealed) : await blobs.put(db, file.content.stream(), deps.maxUploadBytes);
    return withCaseTx(db, async (tx) => {
      const { row, relations } = await openWritable(tx, actor, file.caseId, meta);
      const [existing] = await tx.query<DocumentRow>('SELECT * FROM documents WHERE case_id = $1 AND blob_sha256 = $2', [row.id, blob.sha256]);
      if (existing) {
        await recordAudit(tx, { actor, meta, action: 'document.duplicate', entityType: 'Document', entityId: existing.id, caseId: row.id, });
        // The same bytes someone else added: the patient's side reads them as theirs, unnamed.
        return { document: documentView(existing, meta.locale, { userId: actor.userId, patientSide: isPatientSide(relations) }), duplicate: true };
      }
      const flags = checked.imported ? await patientFlags(tx, row, checked.imported.entries) : [];
      const [detailText, detailNote] = noteColumns(checked.detail);
      const [doc] = await tx.query<DocumentRow>(
        `INSERT INTO documents (case_id, blob_sha256, filename, relative_path, size, content_type, category, status, status_detail, flags, uploaded_by, type_source, status_note)
         VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13) RETURNING *`,
        [row.id, blob.sha256, file.filename.slice(0, 255), file.relativePath?.slice(0, 1000) ?? null, blob.size, checked.sniffed.contentType, checked.sniffed.category,
          flags.length ? 'needs_review' : checked.status, detailText, JSON.stringify(flags), actor.userId, checked.sniffed.category === 'document' ? null : 'content', detailNote]);
      for (const e of checked.imported?.entries ?? []) {
        await tx.query(`INSERT INTO clinical_entries (case_id, document_id, kind, code, code_system, display, value, unit, effective, status, source) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11)`,
          [row.id, doc!.id, e.kind, e.code, e.codeSystem, e.display, e.value, e.unit, e.effective, e.status, JSON.stringify(e.source)]);
      }
      if (checked.status === 'processing') await enqueueJob(tx, 'document.extract', { documentId: doc!.id });
      // A DICOM whole-slide file is indexed like any image; its series then becomes a slide.
      if (checked.sniffed.category === 'imaging' || (checked.sniffed.category === 'digital_slide' && checked.sniffed.contentType === 'dicom')) await enqueueJob(tx, 'imaging.index', { documentId: doc!.id });
      if (checked.sniffed.contentType === 'wsi') {
        // The slide shares its file's id; listed at once as being prepared.
        await tx.query(`INSERT INTO slides (id, document_id, case_id, status) VALUES ($1, $1, $2, 'processing')`, [doc!.id, row.id]);
        await enqueueJob(tx, 'pathology.slide', { slideId: doc!.id });
      }
      await emit(tx, { caseId: row.id, actorId: actor.userId, type: 'document.add', detail: { documentId: doc!.id, filename: file.filename, category: checked.sniffed.category } });
      await recordAudit(tx, { actor, meta, action: 'document.create', entityType: 'Document', entityId: doc!.id, caseId: row.id, detail: { contentType: checked.sniffed.contentType, size: blob.size } });
      // The answer goes to whoever sent the file, who holds what it says: its flag as staff read it.
      return { document: documentView(doc!, meta.locale, { userId: actor.userId, patientSide: false }), duplicate: false };
    });
  }

  async function checkWritable(tx: Queryable, actor: Actor, caseId: string, meta: RequestMeta): Promise<CaseRow> {
    return (await openWritable(tx, actor, caseId, meta)).row;
  }

  async function openWritable(tx: Queryable, actor: Actor, caseId: string, meta: RequestMeta) {
    const opened = await openCase(tx, actor, caseId, 'case.records.write', meta);
    assertOpenForRecords(opened.row);
    return opened;
  }

  /**
   * The engine's text, or null when it failed on this file (a crash, the time limit): the file
   * then waits for a person like any scan, rather than being retried until the job gives up.
   */
  async function recognise(bytes: Buffer, type: 'pdf' | 'jpeg' | 'png' | 'tiff', known?: { pages: number }): Promise<OcrResult | null> {
    try {
      return await deps.ocr!(bytes, type, known);
    } catch {
      return null;
    }
  }

  /** Background work on a PDF or text file: text, type, and the biomarker tests it reports. */
  async function extract(documentId: string): Promise<void> {
    const [doc] = await db.query<DocumentRow>('SELECT * FROM documents WHERE id = $1', [documentId]);
    if (!doc || doc.status !== 'processing') return;
    const bytes = await blobs.read(db, doc.blob_sha256);
    let text: string;
    let status = 'ready';
    let detail: StatusNote | null = null;
    if (doc.content_type === 'pdf') {
      try {
        const pdf = await extractPdfText(new Uint8Array(bytes), pdfBudgetMs(bytes.length, deps.config.pdfReadBaseMs));
        text = pdf.text;
        if (pdf.pagesWithoutText > pdf.pages / 2) {
          const read = deps.ocr ? await recognise(bytes, 'pdf', { pages: pdf.pages }) : null;
          if (read !== null) {
            text = `${text}\n${read.text}`;
            // A long scan is read up to the limits: the rest is a person's to read, and is said so.
            if (!read.complete) {
              status = 'needs_review';
              detail = note('scanPartlyRead', { count: read.pagesRead });
            }
          } else {
            status = 'needs_review';
            detail = note('scannedPages', { count: pdf.pagesWithoutText, pages: pdf.pages });
          }
        }
      } catch (err) {
        if (!(err instanceof PdfUnreadable)) throw err;
        await db.query(`UPDATE documents SET status = 'failed', status_detail = $2, updated_at = now() WHERE id = $1`, [documentId, err.message]);
        return;
      }
    } else if (doc.content_type === 'text') {
      text = bytes.toString('utf8');
    } else if (deps.ocr) {
      const read = await recognise(bytes, doc.content_type as 'jpeg' | 'png' | 'tiff');
      if (read === null) {
        await db.query(`UPDATE documents SET status = 'needs_review', status_detail = $2, status_note = $3, updated_at = now() WHERE id = $1 AND status = 'processing'`, [documentId, ...noteColumns(note('scanUnread'))]);
        return;
      }
      text = read.text;
    } else {
      return;
    }
    const c = classifyText(text);
    const tests = c.documentType === 'molecular_report' ? testsReported(text) : [];
    if (!detail) detail = c.documentType === 'other' ? note('unknownKind') : null;
    if (c.documentType === 'other') status = 'needs_review';
    const [detailText, detailNote] = noteColumns(detail);
    await db.query(
      `UPDATE documents SET status = $2, status_detail = $3, status_note = $9, extracted_text = $4, document_type = $5, type_confidence = $6, type_evidence = $7, type_source = 'classifier', tests_reported = $8, updated_at = now()
       WHERE id = $1 AND status = 'processing'`,
      [documentId, status, detailText, text.slice(0, 2_000_000), c.documentType, c.confidence, JSON.stringify(c.evidence), JSON.stringify(tests), detailNote]);
  }

  async function listDocuments(actor: Actor, caseId: string, meta: RequestMeta, f: { category?: string; except?: string; status?: string; page: number; pageSize: number }) {
    return withCaseTx(db, async (tx) => {
      const { relations } = await openCase(tx, actor, caseId, 'case.records.read', meta, { auditAction: 'document.list' });
      const where = ['d.case_id = $1'];
      const params: unknown[] = [caseId];
      if (f.category) where.push(`d.category = $${params.push(f.category)}`);
      if (f.except) where.push(`d.category <> $${params.push(f.except)}`);
      if (f.status) where.push(`d.status = $${params.push(f.status)}`);
      const [count] = await tx.query<{ n: number }>(`SELECT count(*)::int AS n FROM documents d WHERE ${where.join(' AND ')}`, params);
      const rows = await tx.query<DocumentRow>(
        `SELECT d.*, u.name AS uploader_name FROM documents d JOIN users u ON u.id = d.uploaded_by WHERE ${where.join(' AND ')}
         ORDER BY d.created_at DESC, coalesce(d.relative_path, d.filename), d.id LIMIT ${f.pageSize} OFFSET ${(f.page - 1) * f.pageSize}`, params);
      const reader = { userId: actor.userId, patientSide: isPatientSide(relations) };
      return { items: rows.map((r) => documentView(r, meta.locale, reader)), total: count?.n ?? 0, page: f.page, pageSize: f.pageSize };
    });
  }

  async function openDocument(tx: Queryable, actor: Actor, caseId: string, documentId: string, meta: RequestMeta, action: string) {
    const { relations } = await openCase(tx, actor, caseId, 'case.records.read', meta);
    const [doc] = await tx.query<DocumentRow>('SELECT d.*, u.name AS uploader_name FROM documents d JOIN users u ON u.id = d.uploaded_by WHERE d.id = $1 AND d.case_id = $2', [documentId, caseId]);
    if (!doc) throw new AppError('NOT_FOUND', 'This document was not found on the case.');
    await recordAudit(tx, { actor, meta, action, entityType: 'Document', entityId: doc.id, caseId });
    return { doc, reader: { userId: actor.userId, patientSide: isPatientSide(relations) } };
  }

  return {
    ingest,
    extract,
    /** May this person add files to this case now? (404 when not theirs to touch.) */
    async authoriseUpload(actor: Actor, caseId: string, meta: RequestMeta): Promise<void> {
      await withCaseTx(db, (tx) => checkWritable(tx, actor, caseId, meta));
    },
    listDocuments,

    async getDocument(actor: Actor, caseId: string, documentId: string, meta: RequestMeta) {
      return withCaseTx(db, async (tx) => {
        const { doc, reader } = await openDocument(tx, actor, caseId, documentId, meta, 'document.read');
        return documentView(doc, meta.locale, reader);
      });
    },

    /** The text read from the document, for the reviewer beside the original. */
    async documentText(actor: Actor, caseId: string, documentId: string, meta: RequestMeta) {
      return withCaseTx(db, async (tx) => {
        const { doc } = await openDocument(tx, actor, caseId, documentId, meta, 'document.text.read');
        const [t] = await tx.query<{ extracted_text: string | null }>('SELECT extracted_text FROM documents WHERE id = $1', [doc.id]);
        return { text: t?.extracted_text ?? null, status: doc.status };
      });
    },

    /** The decrypted content, streamed; the read is audited before the first byte leaves. */
    async content(actor: Actor, caseId: string, documentId: string, meta: RequestMeta) {
      const { doc, reader } = await withCaseTx(db, (tx) => openDocument(tx, actor, caseId, documentId, meta, 'document.download'));
      const { stream, size } = await blobs.open(db, doc.blob_sha256);
      // Saved on the patient's side under a plain name (with the file's own type), not the hospital's.
      const filename = documentView(doc, meta.locale, reader).filename ?? `${wordsIn(meta.locale)('records:download.unnamed')}${path.extname(doc.filename).slice(0, 10)}`;
      return { stream, size, filename, contentType: doc.content_type };
    },

    /** A coordinator's correction of the document type; kept, shown as such, and audited. */
    async correctType(actor: Actor, caseId: string, documentId: string, documentType: string, meta: RequestMeta) {
      if (!(DOCUMENT_TYPE_IDS as readonly string[]).includes(documentType)) throw new AppError('VALIDATION_FAILED', 'Choose one of the listed document types.');
      return withCaseTx(db, async (tx) => {
        await openCase(tx, actor, caseId, 'case.records.curate', meta);
        const [before] = await tx.query<DocumentRow>('SELECT * FROM documents WHERE id = $1 AND case_id = $2 FOR UPDATE', [documentId, caseId]);
        if (!before) throw new AppError('NOT_FOUND', 'This document was not found on the case.');
        const [doc] = await tx.query<DocumentRow>(
          `UPDATE documents SET document_type = $2, type_source = 'coordinator', type_confidence = 1, status = CASE WHEN status = 'needs_review' AND flags = '[]'::jsonb THEN 'ready' ELSE status END, updated_at = now() WHERE id = $1 RETURNING *`,
          [documentId, documentType]);
        await emit(tx, { caseId, actorId: actor.userId, type: 'document.classify', detail: { documentId, from: before.document_type, to: documentType } });
        await recordAudit(tx, { actor, meta, action: 'document.classify', entityType: 'Document', entityId: documentId, caseId, detail: { from: before.document_type, to: documentType } });
        return documentView(doc!, meta.locale, { userId: actor.userId, patientSide: false }); // staff only (case.records.curate)
      });
    },

    async checklist(actor: Actor, caseId: string, meta: RequestMeta) {
      return withCaseTx(db, async (tx) => {
        const { row } = await openCase(tx, actor, caseId, 'case.records.read', meta, { auditAction: 'checklist.read' });
        const c = await caseChecklist(tx, row, meta.locale);
        return { items: c.items, outstanding: c.outstanding, complete: c.complete };
      });
    },

    async waive(actor: Actor, caseId: string, itemId: string, reason: string, meta: RequestMeta) {
      return withCaseTx(db, async (tx) => {
        const { row } = await openCase(tx, actor, caseId, 'case.records.curate', meta, { forUpdate: true });
        const c = await caseChecklist(tx, row);
        if (!c.items.some((i) => i.id === itemId)) throw new AppError('NOT_FOUND', 'This item is not on the case’s checklist.');
        await tx.query('INSERT INTO checklist_waivers (case_id, item_id, reason, waived_by) VALUES ($1,$2,$3,$4) ON CONFLICT (case_id, item_id) DO UPDATE SET reason = EXCLUDED.reason, waived_by = EXCLUDED.waived_by, waived_at = now()',
          [caseId, itemId, reason, actor.userId]);
        await emit(tx, { caseId, actorId: actor.userId, type: 'checklist.waive', detail: { itemId, reason } });
        await recordAudit(tx, { actor, meta, action: 'checklist.waive', entityType: 'Case', entityId: caseId, caseId, detail: { itemId } });
        const after = await caseChecklist(tx, row, meta.locale);
        return { items: after.items, outstanding: after.outstanding, complete: after.complete };
      });
    },

    async unwaive(actor: Actor, caseId: string, itemId: string, meta: RequestMeta) {
      return withCaseTx(db, async (tx) => {
        const { row } = await openCase(tx, actor, caseId, 'case.records.curate', meta, { forUpdate: true });
        await tx.query('DELETE FROM checklist_waivers WHERE case_id = $1 AND item_id = $2', [caseId, itemId]);
        await emit(tx, { caseId, actorId: actor.userId, type: 'checklist.unwaive', detail: { itemId } });
        await recordAudit(tx, { actor, meta, action: 'checklist.unwaive', entityType: 'Case', entityId: caseId, caseId, detail: { itemId } });
        const after = await caseChecklist(tx, row, meta.locale);
        return { items: after.items, outstanding: after.outstanding, complete: after.complete };
      });
    },

    /** Imported clinical data: the treatment history and the labs timeline. */
    async clinical(actor: Actor, caseId: string, kind: string | undefined, meta: RequestMeta) {
      return withCaseTx(db, async (tx) => {
        await openCase(tx, actor, caseId, 'case.records.read', meta, { auditAction: 'clinical.read' });
        const rows = await tx.query<{ id: string; document_id: string; kind: string; code: string | null; code_system: string | null; display: string | null; value: string | null; unit: string | null; effective: string | null; status: string | null }>(
          `SELECT id, document_id, kind, code, code_system, display, value, unit, effective, status FROM clinical_entries WHERE case_id = $1 ${kind ? 'AND kind = $2' : ''}
           ORDER BY effective DESC NULLS LAST, display LIMIT 2000`, kind ? [caseId, kind] : [caseId]);
        return rows.map((r) => ({ id: r.id, documentId: r.document_id, kind: r.kind, code: r.code, codeSystem: r.code_system, display: r.display, value: r.value, unit: r.unit, effective: r.effective, status: r.status }));
      });
    },
  };
}

export type RecordsService = ReturnType<typeof recordsService>;
