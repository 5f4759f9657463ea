import crypto from 'node:crypto';
import { note as statusNote, noteColumns } from '../records/statusNote.ts';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { Readable } from 'node:stream';
import { caseGrantSql, noCaseSql, openCase, withCaseRead, withCaseTx, type CaseRow } from '../core/access.ts';
import { recordAudit, recordAuditNow, recordCaseReads } from '../core/audit.ts';
import { roleAllows } from '../core/auth/roles.ts';
import type { BlobStore } from '../core/blobs.ts';
import type { Actor, RequestMeta } from '../core/context.ts';
import type { Queryable } from '../core/db.ts';
import type { Deps } from '../core/deps.ts';
import { AppError, notFound } from '../core/errors.ts';
import { emit } from '../events/emit.ts';
import { isPatientSide } from '../cases/lifecycle.ts';
import { assertOpenForRecords, otherPatientNote } from '../records/service.ts';
import { cdFiles } from './cdArchive.ts';
import type { InstanceKey, InstanceStore, StagedInstance } from './instanceStore.ts';
import { DEFAULT_DICOM_LIMITS, DicomRejected, parseInstance, type DicomJson, type DicomLimits, type ParsedInstance } from './part10.ts';
import yazl from 'yazl';
import { deidentifyInstance, newDeidContext, BASIC_PROFILE, type DeidOptions } from './deidentify.ts';
import { buildQidoQuery, INSTANCE_DEFAULT_TAGS, pick, SERIES_TAGS, STUDY_TAGS, type QidoLevel } from './qido.ts';

/**
 * Imaging of a case: storing DICOM instances (from STOW-RS, uploaded files and CD archives),
 * the study/series/instance index behind QIDO-RS, retrieval for WADO-RS, and the reviewer's
 * measurements. Every call checks role and case grant and leaves an audit event.
 */

/** Which cases a DICOMweb call may touch: one case (its own base URL) or every case the caller may see. */
export type Scope = { caseId: string } | { caseId: null };

export interface StoreOutcome {
  ok: boolean;
  sopClassUid: string | null;
  sopInstanceUid: string | null;
  studyUid: string | null;
  seriesUid: string | null;
  /** PS3.18 failure reason (e.g. 0xC000 cannot understand, 0x0111 duplicate SOP instance). */
  reason?: number;
  message?: string;
  /** Already stored with identical content: success, nothing changed. */
  duplicate?: boolean;
}

export interface InstanceRow extends InstanceKey {
  id: string;
  case_id: string;
  sop_class_uid: string;
  instance_number: number | null;
  number_of_frames: number;
  transfer_syntax: string;
  size: string | number;
}
export interface InstanceWithMetadata extends InstanceRow { metadata: DicomJson }

const STAGE_CONCURRENCY = 8;
const STOW_BATCH = 32;
const STOW_BATCH_BYTES = 64 * 1024 * 1024;
const intOrNull = (n: number | null) => (n === null || !Number.isFinite(n) ? null : Math.trunc(n));
const chunks = <T>(list: T[], size: number): T[][] => Array.from({ length: Math.ceil(list.length / size) }, (_, i) => list.slice(i * size, (i + 1) * size));

const norm = (s: string | null | undefined) => (s ?? '').toLowerCase().replace(/[^a-z]/g, '');

/** A DICOM patient identity that is not the case's patient, in plain words; null when it fits. */
export function identityMismatch(casePatient: { family_name: string | null; birth_date: Date | string | null }, dicom: ParsedInstance['patient']): string | null {
  if (!casePatient.family_name || !dicom.name) return null;
  const family = dicom.name.split('^')[0] ?? '';
  const born = casePatient.birth_date ? new Date(casePatient.birth_date).toISOString().slice(0, 10).replaceAll('-', '') : null;
  const nameFits = norm(family) === norm(casePatient.family_name) || norm(dicom.name).includes(norm(casePatient.family_name));
  const birthFits = !born || !dicom.birthDate || dicom.birthDate === born;
  if (nameFits && birthFits) return null;
  const shown = dicom.name.replaceAll('^', ' ').trim();
  return `These images are labelled for “${shown}”${dicom.birthDate ? `, born ${dicom.birthDate.slice(0, 4)}-${dicom.birthDate.slice(4, 6)}-${dicom.birthDate.slice(6, 8)}` : ''}, which does not match the case's patient. A coordinator should check before they are reviewed.`;
}

/** A series that just gained instances, as other capabilities may want to know (digital pathology makes slides of whole-slide series). */
export interface IndexedSeries { id: string; uid: string; sopClassUids: string[]; description: string | null }

export function imagingService(deps: Deps & { blobs: BlobStore; store: InstanceStore; limits?: DicomLimits; maxInstanceBytes: number; afterIndex?: (tx: Queryable, caseId: string, series: IndexedSeries[]) => Promise<void> }) {
  const { db, store } = deps;
  // A deflated data set may not inflate beyond what we would accept uncompressed.
  const limits = deps.limits ?? { ...DEFAULT_DICOM_LIMITS, maxInflatedBytes: deps.maxInstanceBytes };

  async function writableCase(tx: Queryable, actor: Actor, caseId: string, meta: RequestMeta): Promise<CaseRow> {
    const { row } = await openCase(tx, actor, caseId, 'case.records.write', meta);
    assertOpenForRecords(row);
    return row;
  }

  /**
   * Stores instances on a case whose access was already checked; never throws for bad content.
   * Each instance is checked on its own (one bad file does not fail the others); the good ones are
   * written concurrently, then indexed in one transaction with their blobs, so an instance is
   * either fully stored and indexed or not at all.
   */
  async function storeBatch(caseRow: CaseRow, items: { bytes: Uint8Array; documentId: string | null }[], inCommit?: (tx: Queryable, outcomes: StoreOutcome[]) => Promise<void>): Promise<StoreOutcome[]> {
    const outcomes: StoreOutcome[] = new Array(items.length);
    const accepted: { i: number; parsed: ParsedInstance; sha: string; bytes: Uint8Array; documentId: string | null; staged?: StagedInstance }[] = [];
    items.forEach((item, i) => {
      try {
        if (item.bytes.length > deps.maxInstanceBytes) throw new DicomRejected(`The instance is larger than the limit of ${deps.maxInstanceBytes} bytes.`, 0xa700);
        const parsed = parseInstance(item.bytes, limits);
        accepted.push({ i, parsed, sha: crypto.createHash('sha256').update(item.bytes).digest('hex'), bytes: item.bytes, documentId: item.documentId });
      } catch (err) {
        if (!(err instanceof DicomRejected)) throw err;
        outcomes[i] = { ok: false, sopClassUid: null, sopInstanceUid: null, studyUid: null, seriesUid: null, reason: err.reason, message: err.message };
      }
    });
    const idsOf = (p: ParsedInstance) => ({ sopClassUid: p.sopClassUid, sopInstanceUid: p.sopInstanceUid, studyUid: p.studyUid, seriesUid: p.seriesUid });
    const stored = async (q: Queryable) => new Map((await q.query<{ sop_instance_uid: string; content_sha256: string }>(
      'SELECT sop_instance_uid, content_sha256 FROM dicom_instances WHERE case_id = $1 AND sop_instance_uid = ANY($2::text[])', [caseRow.id, accepted.map((a) => a.parsed.sopInstanceUid)])).map((r) => [r.sop_instance_uid, r.content_sha256]));
    const before = await stored(db);
    const toWrite = accepted.filter((a) => {
      const known = before.get(a.parsed.sopInstanceUid);
      if (known) outcomes[a.i] = sameOrConflict(known, a.sha, idsOf(a.parsed));
      return !known;
    });
    for (const group of chunks(toWrite, STAGE_CONCURRENCY)) await Promise.all(group.map(async (a) => { a.staged = await store.stage(a.bytes, a.sha); }));
    const staged = toWrite.flatMap((a) => (a.staged ? [a.staged] : []));
    try {
      await withCaseTx(db, async (tx) => {
        // Serialise writers of one study so its study and series rows are created once.
        const keys = [...new Set(toWrite.map((a) => `study:${caseRow.id}:${a.parsed.studyUid}`))].sort();
        await tx.query('SELECT pg_advisory_xact_lock(hashtext(x)) FROM unnest($1::text[]) WITH ORDINALITY AS t(x, n) ORDER BY n', [keys]);
        const now = await stored(tx);
        const fresh: typeof toWrite = [];
        for (const a of toWrite) {
          const known = now.get(a.parsed.sopInstanceUid);
          if (known) outcomes[a.i] = sameOrConflict(known, a.sha, idsOf(a.parsed));
          else {
            now.set(a.parsed.sopInstanceUid, a.sha); // a second copy within this batch
            fresh.push(a);
          }
        }
        const refs = await store.commit(tx, fresh.map((a) => a.staged!));
        await store.discard(toWrite.filter((a) => !fresh.includes(a)).map((a) => a.staged!));
        const studies = new Map<string, string>();
        const series = new Map<string, string>();
        for (const a of fresh) {
          const p = a.parsed;
          if (!studies.has(p.studyUid)) studies.set(p.studyUid, await upsertStudy(tx, caseRow, p));
          if (!series.has(p.seriesUid)) series.set(p.seriesUid, await upsertSeries(tx, studies.get(p.studyUid)!, p));
        }
        if (fresh.length) {
          // One JSON document for the whole batch: far cheaper to send than sixteen escaped arrays.
          const rows = fresh.map((a, k) => ({
            study_id: studies.get(a.parsed.studyUid), series_id: series.get(a.parsed.seriesUid), sop_instance_uid: a.parsed.sopInstanceUid, sop_class_uid: a.parsed.sopClassUid,
            instance_number: intOrNull(a.parsed.instance.number), number_of_frames: a.parsed.instance.frames, rows: intOrNull(a.parsed.instance.rows), columns: intOrNull(a.parsed.instance.columns),
            transfer_syntax: a.parsed.transferSyntax, location: refs[k]!.location, blob_sha256: refs[k]!.blobSha256, content_sha256: refs[k]!.contentSha256, size: a.bytes.length,
            metadata: a.parsed.metadata, document_id: a.documentId,
          }));
          await tx.query(
            `INSERT INTO dicom_instances (case_id, study_id, series_id, sop_instance_uid, sop_class_uid, instance_number, number_of_frames, rows, columns, transfer_syntax, location, blob_sha256, content_sha256, size, metadata, document_id)
             SELECT $1, study_id, series_id, sop_instance_uid, sop_class_uid, instance_number, number_of_frames, rows, columns, transfer_syntax, location, blob_sha256, content_sha256, size, metadata, document_id
             FROM jsonb_to_recordset($2::jsonb) AS t(study_id uuid, series_id uuid, sop_instance_uid text, sop_class_uid text, instance_number int, number_of_frames int, rows int, columns int,
               transfer_syntax text, location text, blob_sha256 text, content_sha256 text, size bigint, metadata jsonb, document_id uuid)`,
            [caseRow.id, JSON.stringify(rows)]);
        }
        for (const a of fresh) outcomes[a.i] = { ok: true, ...idsOf(a.parsed) };
        if (fresh.length && deps.afterIndex) {
          const touched = [...series].map(([uid, id]) => {
            const of = fresh.filter((a) => a.parsed.seriesUid === uid);
            return { id, uid, sopClassUids: [...new Set(of.map((a) => a.parsed.sopClassUid))], description: of[0]?.parsed.series.description ?? null };
          });
          await deps.afterIndex(tx, caseRow.id, touched);
        }
        await inCommit?.(tx, outcomes);
      });
    } catch (err) {
      await store.discard(staged, db);
      throw err;
    }
    return outcomes;
  }

  const storeInstance = async (caseRow: CaseRow, bytes: Uint8Array, documentId: string | null) => (await storeBatch(caseRow, [{ bytes, documentId }]))[0]!;

  function sameOrConflict(storedSha: string, sha: string, ids: Omit<StoreOutcome, 'ok'>): StoreOutcome {
    if (storedSha === sha) return { ok: true, duplicate: true, ...ids };
    return { ok: false, ...ids, reason: 0x0111, message: 'An instance with this SOP Instance UID but different content is already stored on the case; it was not replaced.' };
  }

  async function upsertStudy(tx: Queryable, caseRow: CaseRow, p: ParsedInstance): Promise<string> {
    const [found] = await tx.query<{ id: string }>('SELECT id FROM dicom_studies WHERE case_id = $1 AND study_uid = $2', [caseRow.id, p.studyUid]);
    if (found) return found.id;
    const [pt] = await tx.query<{ family_name: string | null; birth_date: Date | string | null }>('SELECT family_name, birth_date FROM patients WHERE id = $1', [caseRow.patient_id]);
    const flag = pt ? identityMismatch(pt, p.patient) : null;
    const [row] = await tx.query<{ id: string }>(
      `INSERT INTO dicom_studies (case_id, study_uid, patient_id, patient_name, patient_birth_date, patient_sex, study_date, study_time, accession_number, study_description, study_id, referring_physician, identity_flag, attributes)
       VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14) RETURNING id`,
      [caseRow.id, p.studyUid, p.patient.id, p.patient.name, p.patient.birthDate, p.patient.sex, p.study.date, p.study.time, p.study.accession, p.study.description, p.study.id, p.study.referringPhysician,
        flag, JSON.stringify(pick(p.metadata, STUDY_TAGS))]);
    await emit(tx, { caseId: caseRow.id, actorId: null, type: 'imaging.study', detail: { studyUid: p.studyUid, description: p.study.description, flagged: Boolean(flag) } });
    return row!.id;
  }

  async function upsertSeries(tx: Queryable, studyId: string, p: ParsedInstance): Promise<string> {
    const [found] = await tx.query<{ id: string }>('SELECT id FROM dicom_series WHERE study_id = $1 AND series_uid = $2', [studyId, p.seriesUid]);
    if (found) return found.id;
    const [row] = await tx.query<{ id: string }>(
      `INSERT INTO dicom_series (study_id, series_uid, modality, series_number, series_description, body_part, attributes) VALUES ($1,$2,$3,$4,$5,$6,$7) RETURNING id`,
      [studyId, p.seriesUid, p.series.modality, p.series.number === null ? null : Math.trunc(p.series.number), p.series.description, p.series.bodyPart, JSON.stringify(pick(p.metadata, SERIES_TAGS))]);
    return row!.id;
  }

  /** The cases a scope covers, as an SQL condition on `c` (parameter $1 is the actor's id). */
  function scopeSql(actor: Actor, scope: Scope, params: unknown[]): string {
    if (!roleAllows(actor.role, 'case.records.read')) return noCaseSql(1);
    const grant = caseGrantSql(actor, 1);
    if (scope.caseId) return `${grant} AND c.id = $${params.push(scope.caseId)}`;
    return grant;
  }

  async function auditRead(tx: Queryable, actor: Actor, meta: RequestMeta, action: string, caseIds: Iterable<string>, detail: Record<string, unknown>) {
    await recordCaseReads(tx, { actor, meta, action, entityType: 'ImagingStudy', entityId: typeof detail.studyUid === 'string' ? detail.studyUid : null, detail }, caseIds);
  }

  /** A case-scoped call must name a case the caller may read; otherwise 404 and a denied event. */
  async function checkScope(tx: Queryable, actor: Actor, scope: Scope, meta: RequestMeta) {
    if (scope.caseId) await openCase(tx, actor, scope.caseId, 'case.records.read', meta);
  }

  return {
    limits,
    storeInstance,

    /** STOW-RS: every part is stored or refused on its own; each committed batch leaves its audit event. */
    async stow(actor: Actor, meta: RequestMeta, caseId: string, parts: AsyncIterable<{ bytes: Uint8Array; contentType: string | null }>): Promise<StoreOutcome[]> {
      const caseRow = await withCaseTx(db, (tx) => writableCase(tx, actor, caseId, meta));
      const outcomes: StoreOutcome[] = [];
      // Parts are stored in small batches as they arrive: memory stays bounded by one batch.
      let batch: { bytes: Uint8Array; documentId: null; at: number }[] = [];
      let batchBytes = 0;
      let audited = false;
      // Each batch commits with its audit event, after the grant is checked again: an upload
      // stream can outlive the access it started with.
      const checkAndAudit = async (tx: Queryable, done: StoreOutcome[]) => {
        await writableCase(tx, actor, caseId, meta);
        await recordAudit(tx, { actor, meta, action: 'imaging.store', entityType: 'Case', entityId: caseId, caseId, detail: { stored: done.filter((o) => o?.ok && !o.duplicate).length, failed: done.filter((o) => o && !o.ok).length } });
        audited = true;
      };
      const flush = async () => {
        if (!batch.length) return;
        // Checked at commit, with the rows; before the bytes go anywhere too when they go where
        // they cannot be taken back (an upstream PACS keeps what it is sent).
        if (store.keepsStaged) await withCaseTx(db, (tx) => writableCase(tx, actor, caseId, meta));
        const done = await storeBatch(caseRow, batch, checkAndAudit);
        batch.forEach((b, k) => { outcomes[b.at] = done[k]!; });
        batch = [];
        batchBytes = 0;
      };
      for await (const part of parts) {
        if (part.contentType && !/^application\/dicom\b/i.test(part.contentType)) {
          outcomes.push({ ok: false, sopClassUid: null, sopInstanceUid: null, studyUid: null, seriesUid: null, reason: 0xc000, message: `A part of type “${part.contentType.slice(0, 60)}” is not a DICOM instance (application/dicom).` });
          continue;
        }
        batch.push({ bytes: part.bytes, documentId: null, at: outcomes.length });
        outcomes.push(null as unknown as StoreOutcome);
        batchBytes += part.bytes.length;
        if (batch.length >= STOW_BATCH || batchBytes >= STOW_BATCH_BYTES) await flush();
      }
      await flush();
      // A request that stored nothing (no DICOM part at all) is on the trail too.
      if (!audited) await recordAuditNow(db, { actor, meta, action: 'imaging.store', entityType: 'Case', entityId: caseId, caseId, detail: { stored: 0, failed: outcomes.filter((o) => o && !o.ok).length } });
      return outcomes;
    },

    /** Background indexing of an uploaded DICOM file or CD archive. */
    async indexDocument(documentId: string): Promise<void> {
      const [doc] = await db.query<{ id: string; case_id: string; blob_sha256: string; content_type: string; category: string; filename: string }>('SELECT id, case_id, blob_sha256, content_type, category, filename FROM documents WHERE id = $1', [documentId]);
      if (!doc || !(doc.category === 'imaging' || (doc.category === 'digital_slide' && doc.content_type === 'dicom'))) return;
      const [caseRow] = await db.query<CaseRow>('SELECT * FROM cases WHERE id = $1', [doc.case_id]);
      if (!caseRow) return;
      const summary = { stored: 0, duplicates: 0, failed: [] as { file: string; reason: string }[], skipped: [] as { file: string; reason: string }[] };
      const note = (name: string, o: StoreOutcome) => {
        if (o.ok) (o.duplicate ? summary.duplicates++ : summary.stored++);
        else if (summary.failed.length < 50) summary.failed.push({ file: name, reason: o.message ?? 'refused' });
      };
      if (doc.content_type === 'dicom') {
        note(doc.filename, await storeInstance(caseRow, await deps.blobs.read(db, doc.blob_sha256), doc.id));
      } else if (doc.content_type === 'zip') {
        const tmp = path.join(os.tmpdir(), `consilium-cd-${crypto.randomUUID()}.zip`);
        try {
          const { stream } = await deps.blobs.open(db, doc.blob_sha256);
          await pipeline(stream, fs.createWriteStream(tmp, { mode: 0o600 }));
          let batch: { name: string; bytes: Buffer }[] = [];
          const flush = async () => {
            const done = await storeBatch(caseRow, batch.map((b) => ({ bytes: b.bytes, documentId: doc.id })));
            batch.forEach((b, k) => note(b.name, done[k]!));
            batch = [];
          };
          for await (const f of cdFiles(tmp, deps.maxInstanceBytes)) {
            if ('skipped' in f) summary.skipped.push({ file: f.name, reason: f.skipped });
            else if (batch.push(f) >= STOW_BATCH) await flush();
          }
          await flush();
        } finally {
          await fsp.rm(tmp, { force: true });
        }
      }
      const [flag] = await db.query<{ identity_flag: string }>(
        `SELECT DISTINCT s.identity_flag FROM dicom_instances i JOIN dicom_studies s ON s.id = i.study_id WHERE i.document_id = $1 AND s.identity_flag IS NOT NULL LIMIT 1`, [doc.id]);
      const indexed = summary.stored + summary.duplicates;
      const [detail, detailNote] = noteColumns(summary.failed.length ? statusNote('imagesIndexedSomeUnread', { count: indexed, failed: summary.failed.length }) : statusNote('imagesIndexed', { count: indexed }));
      const flags = flag ? [{ kind: 'patient_mismatch', message: flag.identity_flag }] : [];
      await db.query(`UPDATE documents SET imaging_summary = $2, status_detail = $3, status_note = $6, status = $4, flags = $5, updated_at = now() WHERE id = $1`,
        [doc.id, JSON.stringify(summary), detail, flags.length || (summary.failed.length && !summary.stored) ? 'needs_review' : 'ready', JSON.stringify(flags), detailNote]);
    },

    /** QIDO-RS at one level, with optional parents (studies/{uid}/series, …/instances). */
    async search(actor: Actor, meta: RequestMeta, scope: Scope, level: QidoLevel, parents: { studyUid?: string; seriesUid?: string }, query: Record<string, string | string[] | undefined>, baseUrl: string) {
      return withCaseTx(db, async (tx) => {
        await checkScope(tx, actor, scope, meta);
        const params: unknown[] = [actor.userId];
        const where = [scopeSql(actor, scope, params)];
        if (parents.studyUid) where.push(`s.study_uid = $${params.push(parents.studyUid)}`);
        if (parents.seriesUid) where.push(`se.series_uid = $${params.push(parents.seriesUid)}`);
        const q = buildQidoQuery(level, query, params.length + 1);
        where.push(...q.where);
        params.push(...q.params);
        const rows = await runSearch(tx, level, where, params, q.limit, q.offset);
        await auditRead(tx, actor, meta, 'imaging.search', rows.map((r) => r.case_id), { level, results: rows.length });
        const answer = rows.map((r) => searchAnswer(level, r, q.includeFields, baseUrl));
        return { answer, warnings: q.warnings };
      });
    },

    /** The instances under a study/series/instance, access-checked and audited, for WADO-RS. */
    /**
     * The instances a WADO-RS call names. Read without a transaction (a viewer asks for one
     * frame at a time, and BEGIN and COMMIT were two of its round trips); the metadata column,
     * the largest, only when the call answers with it.
     */
    instances<M extends boolean = false>(actor: Actor, meta: RequestMeta, scope: Scope, uids: { studyUid: string; seriesUid?: string; sopInstanceUid?: string }, opts?: { metadata?: M }): Promise<(M extends true ? InstanceWithMetadata : InstanceRow)[]> {
      return withCaseRead(db, async (tx) => {
        await checkScope(tx, actor, scope, meta);
        const params: unknown[] = [actor.userId];
        const where = [scopeSql(actor, scope, params), `s.study_uid = $${params.push(uids.studyUid)}`];
        if (uids.seriesUid) where.push(`se.series_uid = $${params.push(uids.seriesUid)}`);
        if (uids.sopInstanceUid) where.push(`i.sop_instance_uid = $${params.push(uids.sopInstanceUid)}`);
        const rows = await tx.query<M extends true ? InstanceWithMetadata : InstanceRow>(
          `SELECT i.id, i.case_id, i.location, i.blob_sha256, i.sop_instance_uid, i.sop_class_uid, i.instance_number, i.number_of_frames, i.transfer_syntax, i.size${opts?.metadata ? ', i.metadata' : ''}, s.study_uid, se.series_uid
           FROM dicom_instances i JOIN dicom_series se ON se.id = i.series_id JOIN dicom_studies s ON s.id = i.study_id JOIN cases c ON c.id = i.case_id
           WHERE ${where.join(' AND ')} ORDER BY se.series_number NULLS LAST, se.series_uid, i.instance_number NULLS LAST, i.sop_instance_uid`, params);
        if (!rows.length) throw notFound(uids.sopInstanceUid ? 'This instance' : uids.seriesUid ? 'This series' : 'This study');
        await auditRead(tx, actor, meta, 'imaging.retrieve', rows.map((r) => r.case_id), { studyUid: uids.studyUid, seriesUid: uids.seriesUid ?? null, instances: rows.length });
        return rows;
      });
    },

    open: (row: InstanceRow): Promise<Readable> => store.open(db, row),
    readMany: (rows: InstanceRow[]) => store.readMany(db, rows),
    read: (row: InstanceRow): Promise<Buffer> => store.read(db, row),

    /**
     * The studies of a case with their series, for the viewer and the records tab. The DICOM
     * patient name and the hospital's accession number are for staff reconciling the images with
     * the records; the patient's side knows a study by its date, description and series, and reads
     * a mismatch flag without the name it quotes (it may be someone else's).
     */
    async caseStudies(actor: Actor, meta: RequestMeta, caseId: string) {
      return withCaseTx(db, async (tx) => {
        const { relations } = await openCase(tx, actor, caseId, 'case.records.read', meta, { auditAction: 'imaging.list' });
        const patientSide = isPatientSide(relations);
        const studies = await tx.query<{ id: string; study_uid: string; study_date: string | null; study_description: string | null; patient_name: string | null; identity_flag: string | null; accession_number: string | null }>(
          'SELECT id, study_uid, study_date, study_description, patient_name, identity_flag, accession_number FROM dicom_studies WHERE case_id = $1 ORDER BY study_date DESC NULLS LAST, created_at DESC', [caseId]);
        const series = await tx.query<{ study_id: string; series_uid: string; modality: string | null; series_number: number | null; series_description: string | null; body_part: string | null; instances: number; first_instance: string; frames: number; transfer_syntax: string; slide_id: string | null }>(
          `SELECT se.study_id, se.series_uid, se.modality, se.series_number, se.series_description, se.body_part, count(i.id)::int AS instances, sum(i.number_of_frames)::int AS frames,
                  (SELECT sl.id FROM slides sl WHERE sl.series_id = se.id) AS slide_id,
                  min(i.transfer_syntax) AS transfer_syntax,
                  (array_agg(i.sop_instance_uid ORDER BY i.instance_number NULLS LAST, i.sop_instance_uid))[greatest(1, (count(i.id) + 1) / 2)] AS first_instance
           FROM dicom_series se JOIN dicom_studies s ON s.id = se.study_id JOIN dicom_instances i ON i.series_id = se.id
           WHERE s.case_id = $1 GROUP BY se.id ORDER BY se.series_number NULLS LAST, se.series_uid`, [caseId]);
        return studies.map((s) => ({
          studyUid: s.study_uid, date: s.study_date, description: s.study_description,
          ...(patientSide ? {} : { patientName: s.patient_name, accession: s.accession_number }),
          identityFlag: patientSide && s.identity_flag ? otherPatientNote('images', meta.locale) : s.identity_flag,
          series: series.filter((x) => x.study_id === s.id).map((x) => ({
            seriesUid: x.series_uid, modality: x.modality, number: x.series_number, description: x.series_description, bodyPart: x.body_part,
            instances: x.instances, frames: x.frames, transferSyntax: x.transfer_syntax, thumbnailInstance: x.first_instance, slideId: x.slide_id,
          })),
        }));
      });
    },

    /**
     * A study de-identified per PS3.15 as a zip, streamed one instance at a time. Instances with
     * burned-in annotations are left out unless asked for, and listed in the manifest either way.
     */
    async exportDeidentified(actor: Actor, meta: RequestMeta, caseId: string, studyUid: string, opts: DeidOptions & { includeBurnedIn: boolean }) {
      const { rows, reference } = await withCaseTx(db, async (tx) => {
        const { row } = await openCase(tx, actor, caseId, 'case.imaging.export', meta);
        const found = await tx.query<InstanceRow>(
          `SELECT i.id, i.case_id, i.location, i.blob_sha256, i.sop_instance_uid, i.sop_class_uid, i.instance_number, i.number_of_frames, i.transfer_syntax, i.size, s.study_uid, se.series_uid
           FROM dicom_instances i JOIN dicom_series se ON se.id = i.series_id JOIN dicom_studies s ON s.id = i.study_id
           WHERE i.case_id = $1 AND s.study_uid = $2 ORDER BY se.series_number NULLS LAST, se.series_uid, i.instance_number NULLS LAST`, [caseId, studyUid]);
        if (!found.length) throw notFound('This study');
        await recordAudit(tx, { actor, meta, action: 'imaging.export', entityType: 'ImagingStudy', entityId: studyUid, caseId, detail: { instances: found.length, retainLongitudinal: opts.retainLongitudinal, cleanDescriptors: opts.cleanDescriptors, includeBurnedIn: opts.includeBurnedIn } });
        return { rows: found, reference: row.reference };
      });
      const ctx = newDeidContext(reference);
      const zip = new yazl.ZipFile();
      const manifest: string[] = [];
      let index = 0;
      const next = async (): Promise<void> => {
        const row = rows[index++];
        if (!row) {
          zip.addBuffer(Buffer.from(manifestText(reference, opts, rows.length, manifest)), 'MANIFEST.txt');
          zip.end();
          return;
        }
        const result = deidentifyInstance(await store.read(db, row), opts, ctx);
        if (result.burnedIn) manifest.push(`${result.burnedIn && !opts.includeBurnedIn ? 'LEFT OUT' : 'INCLUDED'}: instance ${row.instance_number ?? '?'} of series ${ctx.uid(row.series_uid)} may show burned-in text; check the pixels before sharing.`);
        if (!result.burnedIn || opts.includeBurnedIn) zip.addBuffer(result.bytes, `DICOM/${String(index).padStart(5, '0')}.dcm`, { compress: false });
        return next();
      };
      // Instances are read and de-identified one by one as the zip is written, never all at once.
      const stream = zip.outputStream as unknown as Readable;
      void next().catch((err) => stream.destroy(err as Error));
      return { stream, filename: `${reference}-deidentified.zip` };
    },

    async measurements(actor: Actor, meta: RequestMeta, caseId: string, studyUid?: string) {
      return withCaseTx(db, async (tx) => {
        await openCase(tx, actor, caseId, 'case.records.read', meta, { auditAction: 'imaging.measurements.read' });
        const rows = await tx.query<MeasurementRow>(
          `SELECT m.*, u.name AS author FROM imaging_measurements m JOIN users u ON u.id = m.created_by WHERE m.case_id = $1 AND m.deleted_at IS NULL ${studyUid ? 'AND m.study_uid = $2' : ''} ORDER BY m.created_at`,
          studyUid ? [caseId, studyUid] : [caseId]);
        return rows.map(measurementView);
      });
    },

    async addMeasurement(actor: Actor, meta: RequestMeta, caseId: string, m: NewMeasurement) {
      return withCaseTx(db, async (tx) => {
        await openCase(tx, actor, caseId, 'case.imaging.annotate', meta);
        const [inst] = await tx.query<{ id: string }>(
          `SELECT i.id FROM dicom_instances i JOIN dicom_series se ON se.id = i.series_id JOIN dicom_studies s ON s.id = i.study_id
           WHERE i.case_id = $1 AND s.study_uid = $2 AND se.series_uid = $3 AND i.sop_instance_uid = $4`, [caseId, m.studyUid, m.seriesUid, m.sopInstanceUid]);
        if (!inst) throw new AppError('NOT_FOUND', 'The image this measurement is on is not part of the case.');
        const [row] = await tx.query<MeasurementRow>(
          `INSERT INTO imaging_measurements (case_id, study_uid, series_uid, sop_instance_uid, kind, points, value, unit, label, created_by) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10)
           RETURNING *, (SELECT name FROM users WHERE id = $10) AS author`,
          [caseId, m.studyUid, m.seriesUid, m.sopInstanceUid, m.kind, JSON.stringify(m.points), m.value, m.unit, m.label ?? null, actor.userId]);
        await recordAudit(tx, { actor, meta, action: 'imaging.measurement.create', entityType: 'Measurement', entityId: row!.id, caseId, detail: { kind: m.kind } });
        return measurementView(row!);
      });
    },

    async deleteMeasurement(actor: Actor, meta: RequestMeta, caseId: string, id: string) {
      return withCaseTx(db, async (tx) => {
        await openCase(tx, actor, caseId, 'case.imaging.annotate', meta);
        const rows = await tx.query('UPDATE imaging_measurements SET deleted_at = now() WHERE id = $1 AND case_id = $2 AND created_by = $3 AND deleted_at IS NULL RETURNING id', [id, caseId, actor.userId]);
        if (!rows.length) throw new AppError('NOT_FOUND', 'This measurement was not found, or it is someone else’s.');
        await recordAudit(tx, { actor, meta, action: 'imaging.measurement.delete', entityType: 'Measurement', entityId: id, caseId });
      });
    },
  };
}

export type ImagingService = ReturnType<typeof imagingService>;

export interface NewMeasurement {
  studyUid: string;
  seriesUid: string;
  sopInstanceUid: string;
  kind: 'length' | 'angle';
  points: number[][];
  value: number;
  unit: string;
  label?: string | null;
}
interface MeasurementRow {
  id: string; study_uid: string; series_uid: string; sop_instance_uid: string; kind: 'length' | 'angle'; points: number[][]; value: number; unit: string; label: string | null; author: string; created_by: string; created_at: Date;
}
const measurementView = (r: MeasurementRow) => ({
  id: r.id, studyUid: r.study_uid, seriesUid: r.series_uid, sopInstanceUid: r.sop_instance_uid, kind: r.kind, points: r.points, value: Number(r.value), unit: r.unit,
  label: r.label, author: r.author, authorId: r.created_by, createdAt: new Date(r.created_at).toISOString(),
});

function manifestText(reference: string, opts: DeidOptions & { includeBurnedIn: boolean }, count: number, notes: string[]): string {
  return [
    `De-identified export of case ${reference}`,
    `Profile: ${BASIC_PROFILE.title ?? BASIC_PROFILE.id} (${BASIC_PROFILE.source}; reviewed ${BASIC_PROFILE.reviewed})`,
    `Options: dates ${opts.retainLongitudinal === 'full' ? 'kept (Retain Longitudinal Temporal Information, Full Dates)' : opts.retainLongitudinal === 'modified' ? 'shifted by a fixed number of days (Modified Dates)' : 'removed'}; descriptors ${opts.cleanDescriptors ? 'cleaned and kept (Clean Descriptors)' : 'removed'}`,
    `Instances in the study: ${count}`,
    ...(notes.length ? ['', 'Burned-in annotations:', ...notes] : ['', 'No instance declares or is likely to carry burned-in annotations.']),
    '',
  ].join('\n');
}

interface SearchRow {
  case_id: string;
  study_uid: string;
  series_uid?: string;
  sop_instance_uid?: string;
  study_attributes: DicomJson;
  series_attributes?: DicomJson;
  metadata?: DicomJson;
  modalities?: string[];
  series_count?: number;
  instance_count: number;
}

async function runSearch(tx: Queryable, level: QidoLevel, where: string[], params: unknown[], limit: number, offset: number): Promise<SearchRow[]> {
  const w = where.join(' AND ');
  const page = `LIMIT ${limit} OFFSET ${offset}`;
  if (level === 'study') {
    return tx.query<SearchRow>(
      `SELECT s.case_id, s.study_uid, s.attributes AS study_attributes,
              (SELECT array_agg(DISTINCT x.modality) FROM dicom_series x WHERE x.study_id = s.id AND x.modality IS NOT NULL) AS modalities,
              (SELECT count(*)::int FROM dicom_series x WHERE x.study_id = s.id) AS series_count,
              (SELECT count(*)::int FROM dicom_instances x WHERE x.study_id = s.id) AS instance_count
       FROM dicom_studies s JOIN cases c ON c.id = s.case_id
       WHERE ${w} ORDER BY s.study_date DESC NULLS LAST, s.created_at DESC, s.id ${page}`, params);
  }
  if (level === 'series') {
    return tx.query<SearchRow>(
      `SELECT s.case_id, s.study_uid, se.series_uid, s.attributes AS study_attributes, se.attributes AS series_attributes,
              (SELECT count(*)::int FROM dicom_instances x WHERE x.series_id = se.id) AS instance_count
       FROM dicom_series se JOIN dicom_studies s ON s.id = se.study_id JOIN cases c ON c.id = s.case_id
       WHERE ${w} ORDER BY s.study_uid, se.series_number NULLS LAST, se.series_uid ${page}`, params);
  }
  return tx.query<SearchRow>(
    `SELECT s.case_id, s.study_uid, se.series_uid, i.sop_instance_uid, s.attributes AS study_attributes, se.attributes AS series_attributes, i.metadata, 1 AS instance_count
     FROM dicom_instances i JOIN dicom_series se ON se.id = i.series_id JOIN dicom_studies s ON s.id = i.study_id JOIN cases c ON c.id = s.case_id
     WHERE ${w} ORDER BY s.study_uid, se.series_number NULLS LAST, i.instance_number NULLS LAST, i.sop_instance_uid ${page}`, params);
}

const attr = (vr: string, ...Value: unknown[]) => ({ vr, Value });

function searchAnswer(level: QidoLevel, r: SearchRow, include: string[] | 'all', baseUrl: string): DicomJson {
  const studyUrl = `${baseUrl}/studies/${r.study_uid}`;
  if (level === 'study') {
    return {
      ...r.study_attributes,
      '00080056': attr('CS', 'ONLINE'),
      '00080061': r.modalities?.length ? attr('CS', ...r.modalities) : { vr: 'CS' },
      '00081190': attr('UR', studyUrl),
      '00201206': attr('IS', r.series_count ?? 0),
      '00201208': attr('IS', r.instance_count),
    };
  }
  const studyPart = include === 'all' ? r.study_attributes : pick(r.study_attributes, include.length ? include : ['0020000D']);
  if (level === 'series') {
    return {
      ...studyPart,
      ...r.series_attributes,
      '00081190': attr('UR', `${studyUrl}/series/${r.series_uid}`),
      '00201209': attr('IS', r.instance_count),
    };
  }
  const md = r.metadata ?? {};
  return {
    ...studyPart,
    ...pick(r.series_attributes ?? {}, include === 'all' ? Object.keys(r.series_attributes ?? {}) : ['0020000E', '00080060']),
    ...(include === 'all' ? md : pick(md, [...INSTANCE_DEFAULT_TAGS, ...include])),
    '00080056': attr('CS', 'ONLINE'),
    '00081190': attr('UR', `${studyUrl}/series/${r.series_uid}/instances/${r.sop_instance_uid}`),
  };
}
