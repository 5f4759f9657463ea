import crypto from 'node:crypto';
import { note, noteColumns, type StatusNoteKey } from '../records/statusNote.ts';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { caseAccessVersion, openCase, withCaseTx } from '../core/access.ts';
import { recordAudit } from '../core/audit.ts';
import type { BlobStore, StagedBlob } from '../core/blobs.ts';
import type { Actor, RequestMeta } from '../core/context.ts';
import type { Deps } from '../core/deps.ts';
import { AppError } from '../core/errors.ts';
import { emit } from '../events/emit.ts';
import { isPatientSide } from '../cases/lifecycle.ts';
import { associatedImages, buildPyramid, miraxPictures, readSlideFacts, slidePictures, SlideUnreadable, type SlideFailure, type SlidePicture } from './slideReader.ts';
import { extractMiraxSlide } from '../records/miraxZip.ts';
import { isZipHead } from '../records/sniff.ts';
import { DEFAULT_ZIP_LIMITS, ZipRejected, type ZipLimits } from '../records/zipCheck.ts';
import { buildTileIndex, readTile, TileMissing, type ReadRange } from './tileIndex.ts';
import { joinDicomSlide, WSI_SOP_CLASS } from './dicomSlide.ts';
import type { IndexedSeries } from '../imaging/service.ts';
import type { Queryable } from '../core/db.ts';
import { enqueueJob } from '../jobs.ts';
import type { InstanceStore } from '../imaging/instanceStore.ts';
import type { DicomJson } from '../imaging/part10.ts';

/** A slide (an uploaded slide file, or a DICOM whole-slide series) with what was found in it, once it has been read. */
export interface SlideRow {
  id: string;
  filename: string;
  uploaded_at: Date;
  status: 'processing' | 'ready' | 'failed';
  failure: SlideFailure | null;
  vendor: string | null;
  width: number | null;
  height: number | null;
  mpp_x: number | null;
  mpp_y: number | null;
  objective_power: number | null;
  levels: number | null;
  tile_size: number | null;
  tile_overlap: number | null;
  tile_format: string | null;
  pyramid_sha256: string | null;
  index_sha256: string | null;
  associated: string[] | null;
  label_sha256: string | null;
  macro_sha256: string | null;
  block: string | null;
  stain: string | null;
}

const SLIDES_SQL = `SELECT s.id, coalesce(d.filename, s.source_name, 'Digital slide') AS filename, s.created_at AS uploaded_at, s.status, s.failure, s.vendor, s.width, s.height, s.mpp_x, s.mpp_y, s.objective_power, s.levels,
    s.tile_size, s.tile_overlap, s.tile_format, s.pyramid_sha256, s.index_sha256, s.associated, s.label_sha256, s.macro_sha256, s.block, s.stain
  FROM slides s LEFT JOIN documents d ON d.id = s.document_id
  WHERE s.case_id = $1`;

/** What a slide's record says when the slide cannot be shown (the slide list words the code itself). */
/** What a failed slide's record says, by failure (catalogue `records:status`). */
const FAILURE_NOTES: Record<SlideFailure, StatusNoteKey> = { unreadable: 'slideUnreadable', tiles: 'slideTiles', too_large: 'slideTooLarge', missing: 'slideMissing' };

/** Whether a file is a zip archive, by its first bytes. */
async function isZip(file: string): Promise<boolean> {
  const handle = await fsp.open(file);
  try {
    const head = Buffer.alloc(4);
    await handle.read(head, 0, 4, 0);
    return isZipHead(head);
  } finally {
    await handle.close();
  }
}

/** The tile indexes kept in memory (most recently used last), by their total size. */
const OPEN_INDEX_BYTES = 256 * 1024 * 1024;
/** A pyramid let go while a tile was about to be read from it. */
class PyramidReleased extends Error {}

/** Pyramid files held open for tile reads at once (one file handle each). */
const OPEN_PYRAMIDS = 64;
/** A work folder older than the longest a preparation may run was left by a process that died. */
const STALE_WORK_MS = 3 * 60 * 60_000;

/** A slide's part/block and stain as given ("A3 · H&E"); empty when neither is. */
export const blockAndStain = (r: { block: string | null; stain: string | null }): string => [r.block, r.stain].filter(Boolean).join(' · ');

/** How the staff's lists name a slide: its part/block and stain when given, and its file (to match it with the records). */
export function slideName(r: { filename: string; block: string | null; stain: string | null }): string {
  const given = blockAndStain(r);
  return given ? `${given} (${r.filename})` : r.filename;
}

/**
 * The order of a case's slides in its list, which numbers them for the patient's side ("Slide 2")
 * and in the report: by part/block, as a pathologist lays slides out, then as they came.
 */
export const SLIDE_ORDER = 's.block NULLS LAST, s.created_at, s.id';

/**
 * A slide as the API shows it. The patient's side gets no label photos (they may show a name, and
 * they are for the reviewing staff), nor the file's name or the name built on it: a lab's file
 * name (or a scanner's series description) often carries the accession number or the patient's
 * name, and the patient's side knows a slide by its block and stain or its place in the list.
 */
export function slideView(r: SlideRow, patientSide = false) {
  const associated = r.associated;
  return {
    id: r.id, ...(patientSide ? {} : { filename: r.filename, name: slideName(r) }), block: r.block, stain: r.stain, status: r.status, failure: r.failure,
    vendor: r.vendor, width: r.width, height: r.height,
    micronsPerPixel: r.mpp_x && r.mpp_y ? (r.mpp_x + r.mpp_y) / 2 : r.mpp_x ?? r.mpp_y ?? null,
    objectivePower: r.objective_power, levels: r.levels,
    tiles: r.status === 'ready' ? { size: r.tile_size!, overlap: r.tile_overlap!, format: r.tile_format! } : null,
    // A label is a photo of the glass slide's sticker: it may carry the patient's name.
    // Unknown counts as "may": better a needless warning than a missed one.
    labelMayShowName: r.status === 'ready' && (associated === null || associated.includes('label') || associated.includes('macro')),
    pictures: patientSide ? [] : [...(r.label_sha256 ? ['label' as const] : []), ...(r.macro_sha256 ? ['macro' as const] : [])],
    uploadedAt: r.uploaded_at.toISOString(),
  };
}
export type SlideView = ReturnType<typeof slideView>;

/**
 * Whole-slide images: each uploaded slide file gets a Deep Zoom pyramid built in the background
 * (OpenSlide/libvips), stored encrypted as one zip; the viewer then asks for tiles. Listing and
 * opening a slide check role and case access and are audited (one event per slide opened); each
 * tile request checks access again but is not audited on its own.
 */
export function pathologyService(deps: Deps & { blobs: BlobStore; instances: Pick<InstanceStore, 'read'>; zipLimits?: ZipLimits }) {
  const { db, blobs, config } = deps;
  const workRoot = path.join(config.dataDir, 'slide-work');
  const opened = new Map<string, Promise<{ index: Buffer; read: ReadRange; close: () => Promise<void> }>>();
  const readySlides = new Map<string, SlideRow>();
  /**
   * A viewer asks for dozens of tiles a second: a person's access to a slide, once checked, holds
   * for `VIEWER_ACCESS_REUSE_SECONDS` before it is checked again (the slide itself was opened with
   * a full check and an audit event), or until anything changes who may see cases here.
   */
  const grantedUntil = new Map<string, { until: number; version: string }>();
  let openedBytes = 0;

  /** A slide's tile index (read and checked whole) and a reader for its pyramid, kept while used. */
  function tilesOf(slide: { id: string; pyramid_sha256: string; index_sha256: string }) {
    let open = opened.get(slide.id);
    if (open) opened.delete(slide.id);
    else {
      open = (async () => {
        const index = await blobs.read(db, slide.index_sha256);
        const pyramid = await blobs.rangeReader(db, slide.pyramid_sha256);
        openedBytes += index.length;
        return heldOpen(index, pyramid);
      })();
      const mine = open;
      open.catch(() => {
        if (opened.get(slide.id) === mine) opened.delete(slide.id);
      });
    }
    opened.set(slide.id, open);
    void evict();
    return open;
  }

  /**
   * A pyramid held open for tile reads: closed once it has been let go (evicted, or the server
   * stops) and no read of it is still under way, so a read never meets a closed file.
   */
  function heldOpen(index: Buffer, pyramid: { read: ReadRange; close: () => Promise<void> }) {
    let reading = 0;
    let released = false;
    let closed = false;
    const closeIfIdle = () => {
      if (!released || reading > 0 || closed) return Promise.resolve();
      closed = true;
      return pyramid.close().catch(() => {});
    };
    return {
      index,
      read: async (start: number, end: number) => {
        if (closed) throw new PyramidReleased();
        reading++;
        try {
          return await pyramid.read(start, end);
        } finally {
          reading--;
          void closeIfIdle();
        }
      },
      close: () => {
        released = true;
        return closeIfIdle();
      },
    };
  }

  async function evict() {
    while ((openedBytes > OPEN_INDEX_BYTES || opened.size > OPEN_PYRAMIDS) && opened.size > 1) {
      const [oldest, entry] = opened.entries().next().value!;
      opened.delete(oldest);
      const evicted = await entry.catch(() => null);
      if (!evicted) continue;
      openedBytes -= evicted.index.length;
      await evicted.close();
    }
  }

  async function slideOf(tx: Parameters<typeof openCase>[0], caseId: string, slideId: string): Promise<SlideRow> {
    const [row] = await tx.query<SlideRow>(`${SLIDES_SQL} AND s.id = $2`, [caseId, slideId]);
    if (!row) throw new AppError('NOT_FOUND', 'There is no such slide on this request.');
    return row;
  }

  /** The slide cannot be shown: so marked, and its record (an uploaded file's) says so too (not "ready"). */
  async function markFailed(slide: { id: string; case_id: string; document_id: string | null; instances_at?: Date | null }, code: SlideFailure) {
    await db.transaction(async (tx) => {
      // Not when a DICOM series gained instances since the attempt began: its new batch's job tries again.
      const [failed] = await tx.query(`UPDATE slides SET status = 'failed', failure = $2 WHERE id = $1 AND status = 'processing' AND instances_at IS NOT DISTINCT FROM $3 RETURNING id`,
        [slide.id, code, slide.instances_at ?? null]);
      if (!failed) return;
      if (slide.document_id) await tx.query(`UPDATE documents SET status = 'failed', status_detail = $2, status_note = $3 WHERE id = $1`, [slide.document_id, ...noteColumns(note(FAILURE_NOTES[code]))]);
      await emit(tx, { caseId: slide.case_id, actorId: null, type: 'pathology.slide.failed', detail: { slideId: slide.id, failure: code } });
    });
  }

  /** An uploaded slide file, decrypted into the work folder and read by OpenSlide. */
  async function readSlideFile(doc: { blob_sha256: string; filename: string }, work: string) {
    const ext = (/\.(svs|ndpi|tiff?)$/i.exec(doc.filename)?.[1] ?? 'tif').toLowerCase();
    const file = path.join(work, `${crypto.randomUUID()}.${ext}`);
    const { stream } = await blobs.open(db, doc.blob_sha256);
    await pipeline(stream, fs.createWriteStream(file, { mode: 0o600 }));
    // A MIRAX slide came as a zip of its .mrxs file and folder (see miraxZip.ts): OpenSlide reads them unpacked.
    const mirax = await isZip(file) ? await unpackMirax(file, work) : null;
    const image = mirax ?? file;
    const facts = await readSlideFacts(image, work);
    if ((facts.width * facts.height) / 1e6 > config.slideMaxMegapixels) throw new SlideUnreadable('too_large', 'The slide is larger than this server makes tiles for.');
    const [associated, pictures] = [await associatedImages(image, work), mirax ? await miraxPictures(image, work) : await slidePictures(image, work)];
    // A photo of the glass found by its TIFF directory (or MIRAX record) counts even where OpenSlide lists none (a label may show a name).
    return { facts, image, unpacked: mirax && path.dirname(mirax), associated: associated && [...new Set([...associated, ...Object.keys(pictures)])], pictures };
  }

  /** The slide's files out of its zip, with the checks and limits of an upload; the zip itself is let go. */
  async function unpackMirax(zip: string, work: string): Promise<string> {
    try {
      return await extractMiraxSlide(zip, path.join(work, 'mirax'), deps.zipLimits ?? DEFAULT_ZIP_LIMITS);
    } catch (err) {
      if (err instanceof ZipRejected) throw new SlideUnreadable('unreadable', err.message);
      throw err;
    } finally {
      await fsp.rm(zip, { force: true });
    }
  }

  /** A DICOM whole-slide series from the image index, its full-resolution level joined into one image. */
  async function readDicomSeries(seriesId: string, work: string) {
    const instances = await db.query<{ metadata: DicomJson; transfer_syntax: string; location: 'local' | 'upstream'; blob_sha256: string | null; study_uid: string; series_uid: string; sop_instance_uid: string }>(
      `SELECT i.metadata, i.transfer_syntax, i.location, i.blob_sha256, st.study_uid, se.series_uid, i.sop_instance_uid
       FROM dicom_instances i JOIN dicom_series se ON se.id = i.series_id JOIN dicom_studies st ON st.id = i.study_id WHERE i.series_id = $1`, [seriesId]);
    const joined = await joinDicomSlide(instances.map((i) => ({
      metadata: i.metadata, transferSyntax: i.transfer_syntax,
      read: () => deps.instances.read(db, { location: i.location, blob_sha256: i.blob_sha256, study_uid: i.study_uid, series_uid: i.series_uid, sop_instance_uid: i.sop_instance_uid }),
    })), work, config.slideMaxMegapixels);
    return joined;
  }

  /** Work folders a process that died left behind (they hold decrypted slide data). */
  async function sweepStaleWork() {
    const names = await fsp.readdir(workRoot).catch(() => [] as string[]);
    for (const name of names) {
      const dir = path.join(workRoot, name);
      const st = await fsp.stat(dir).catch(() => null);
      if (st && Date.now() - st.mtimeMs > STALE_WORK_MS) await fsp.rm(dir, { recursive: true, force: true });
    }
  }

  return {
    /** Lets go of the pyramid files held open for tiles (the server is stopping). */
    async close(): Promise<void> {
      const all = [...opened.values()];
      opened.clear();
      openedBytes = 0;
      await Promise.all(all.map((entry) => entry.then((e) => e.close(), () => {})));
    },

    async list(actor: Actor, meta: RequestMeta, caseId: string): Promise<SlideView[]> {
      return withCaseTx(db, async (tx) => {
        const { relations } = await openCase(tx, actor, caseId, 'case.records.read', meta, { auditAction: 'pathology.slides.list' });
        const rows = await tx.query<SlideRow>(`${SLIDES_SQL} ORDER BY ${SLIDE_ORDER}`, [caseId]);
        return rows.map((r) => slideView(r, isPatientSide(relations)));
      });
    },

    /** One slide, as the viewer opens it: the one audited read of that slide's images. */
    async open(actor: Actor, meta: RequestMeta, caseId: string, slideId: string): Promise<SlideView> {
      return withCaseTx(db, async (tx) => {
        const { relations } = await openCase(tx, actor, caseId, 'case.records.read', meta);
        const row = await slideOf(tx, caseId, slideId);
        await recordAudit(tx, { actor, meta, action: 'pathology.slide.open', entityType: 'Slide', entityId: slideId, caseId });
        return slideView(row, isPatientSide(relations));
      });
    },

    /** The photo of the slide's label or of the whole glass, as the scanner took it (it may show a name): audited. */
    async picture(actor: Actor, meta: RequestMeta, caseId: string, slideId: string, which: SlidePicture): Promise<Buffer> {
      const sha = await withCaseTx(db, async (tx) => {
        const { relations } = await openCase(tx, actor, caseId, 'case.records.read', meta);
        const row = await slideOf(tx, caseId, slideId);
        const found = which === 'label' ? row.label_sha256 : row.macro_sha256;
        if (isPatientSide(relations)) throw new AppError('NOT_FOUND', 'The photos of the glass are shown to the reviewing staff only.');
        if (!found) throw new AppError('NOT_FOUND', `This slide file holds no ${which} picture.`);
        await recordAudit(tx, { actor, meta, action: 'pathology.slide.picture', entityType: 'Slide', entityId: slideId, caseId, detail: { kind: which } });
        return found;
      });
      return blobs.read(db, sha);
    },

    /** Names a slide's part/block and stain (scanners rarely record them), as reviewers and coordinators know them. */
    async describe(actor: Actor, meta: RequestMeta, caseId: string, slideId: string, d: { block?: string | null; stain?: string | null }): Promise<SlideView> {
      return withCaseTx(db, async (tx) => {
        await openCase(tx, actor, caseId, 'case.imaging.annotate', meta);
        const before = await slideOf(tx, caseId, slideId);
        if (before.status !== 'ready') throw new AppError('CONFLICT', 'Only a slide that can be viewed is described.');
        const value = (v: string | null | undefined, old: string | null) => (v === undefined ? old : v?.trim() || null);
        await tx.query('UPDATE slides SET block = $2, stain = $3 WHERE id = $1', [slideId, value(d.block, before.block), value(d.stain, before.stain)]);
        await recordAudit(tx, { actor, meta, action: 'pathology.slide.describe', entityType: 'Slide', entityId: slideId, caseId });
        readySlides.delete(`${caseId}:${slideId}`);
        return slideView(await slideOf(tx, caseId, slideId));
      });
    },

    async tile(actor: Actor, meta: RequestMeta, caseId: string, slideId: string, level: number, col: number, row: number): Promise<Buffer> {
      // A slide that is ready never changes: its row is kept (for this case only), so a tile
      // costs the access check and no more queries.
      const key = `${caseId}:${slideId}`;
      const grant = `${actor.userId}:${actor.role}:${key}`;
      const cached = readySlides.get(key);
      const kept = grantedUntil.get(grant);
      const reuse = cached !== undefined && kept !== undefined && kept.until > deps.now().getTime() && kept.version === caseAccessVersion(caseId);
      const versionBefore = caseAccessVersion(caseId);
      const slide = reuse ? cached : await withCaseTx(db, async (tx) => {
        await openCase(tx, actor, caseId, 'case.records.read', meta);
        return readySlides.get(key) ?? slideOf(tx, caseId, slideId);
      });
      if (!reuse && config.viewerAccessReuseMs > 0) {
        grantedUntil.delete(grant);
        grantedUntil.set(grant, { until: deps.now().getTime() + config.viewerAccessReuseMs, version: versionBefore });
        if (grantedUntil.size > 10_000) grantedUntil.delete(grantedUntil.keys().next().value!);
      }
      if (slide.status === 'ready' && !readySlides.has(key)) {
        readySlides.set(key, slide);
        if (readySlides.size > 1000) readySlides.delete(readySlides.keys().next().value!);
      }
      if (slide.status === 'failed') throw new AppError('CONFLICT', 'This slide file could not be read, so it cannot be viewed.');
      if (slide.status !== 'ready' || !slide.pyramid_sha256 || !slide.index_sha256) throw new AppError('CONFLICT', 'This slide is still being prepared for viewing.');
      const pyramid = { id: slide.id, pyramid_sha256: slide.pyramid_sha256, index_sha256: slide.index_sha256 };
      for (let attempt = 0; ; attempt++) {
        const { index, read } = await tilesOf(pyramid);
        try {
          return await readTile(index, read, level, col, row);
        } catch (err) {
          if (err instanceof TileMissing) throw new AppError('NOT_FOUND', 'There is no tile at this place and zoom.');
          // Let go between finding it and reading (many slides open at once): opened again.
          if (err instanceof PyramidReleased && attempt === 0) continue;
          throw err;
        }
      }
    },

    /**
     * A DICOM whole-slide series that gained instances becomes a slide, waiting for its tiles:
     * the tiles are made once the series has stopped receiving instances for a while (its levels,
     * label and overview often come in several requests). Runs in the indexing transaction.
     */
    async slidesFromSeries(tx: Queryable, caseId: string, series: IndexedSeries[]): Promise<void> {
      for (const s of series.filter((x) => x.sopClassUids.includes(WSI_SOP_CLASS))) {
        const [created] = await tx.query<{ id: string }>(
          `INSERT INTO slides (case_id, series_id, status, source_name) VALUES ($1, $2, 'processing', $3) ON CONFLICT (series_id) DO NOTHING RETURNING id`,
          [caseId, s.id, s.description?.trim().slice(0, 200) || null]);
        // A slide that could not be made is tried again with what has arrived since (a missing
        // level, say); a ready one keeps its tiles, so its measurements keep their places.
        const [slide] = created ? [created] : await tx.query<{ id: string }>(
          `UPDATE slides SET status = 'processing', failure = NULL WHERE series_id = $1 AND status IN ('processing', 'failed') RETURNING id`, [s.id]);
        if (!slide) continue;
        // Each batch pushes the work back (times from the database's clock, as the job's are).
        // Kept to the millisecond, as the job reads it back to tell whether more arrived meanwhile.
        const [due] = await tx.query<{ at: Date }>(`UPDATE slides SET instances_at = date_trunc('milliseconds', now()) WHERE id = $1 RETURNING now() + make_interval(secs => $2) AS at`, [slide.id, config.dicomSlideSettleSeconds]);
        await enqueueJob(tx, 'pathology.slide', { slideId: slide.id }, due!.at);
      }
    },

    /**
     * Background job: reads a slide (an uploaded slide file, or a DICOM whole-slide series) and
     * builds its tile pyramid and index. Runs once per slide at a time (the job's lease outlasts
     * the reader's time limit); a file the reader refuses is marked failed, while a server fault
     * (a missing program, a kill, a full disk) is thrown, so the job is tried again.
     */
    async prepare(slideId: string): Promise<void> {
      const [slide] = await db.query<{ id: string; case_id: string; status: string; document_id: string | null; series_id: string | null; blob_sha256: string | null; filename: string | null; stored: boolean; settling: boolean; instances_at: Date | null }>(
        `SELECT s.id, s.case_id, s.status, s.document_id, s.series_id, s.instances_at, d.blob_sha256, d.filename,
           EXISTS (SELECT 1 FROM blobs b WHERE b.sha256 = d.blob_sha256) AS stored,
           coalesce(s.instances_at > now() - make_interval(secs => $2), false) AS settling
         FROM slides s LEFT JOIN documents d ON d.id = s.document_id WHERE s.id = $1`, [slideId, Math.max(0, config.dicomSlideSettleSeconds - 1)]);
      if (!slide || slide.status !== 'processing') return;
      if (slide.settling) return; // more instances arrived since this job was queued; a later job makes the tiles
      if (slide.document_id && !slide.stored) return markFailed(slide, 'missing');
      await sweepStaleWork();
      // The decrypted slide exists only in a private folder under the data folder, for the time
      // the reader needs it; one a killed process left is swept on a later run.
      await fsp.mkdir(workRoot, { recursive: true, mode: 0o700 });
      const work = await fsp.mkdtemp(path.join(workRoot, 'slide-'));
      await fsp.chmod(work, 0o700);
      const staged: StagedBlob[] = [];
      try {
        const read = slide.series_id ? await readDicomSeries(slide.series_id, work) : await readSlideFile(slide as { blob_sha256: string; filename: string }, work);
        const pyramid = await buildPyramid(read.image, work);
        const index = await buildTileIndex(pyramid.zip, pyramid.prefix);
        await fsp.rm(read.image, { force: true });
        if ('unpacked' in read && read.unpacked) await fsp.rm(read.unpacked, { recursive: true, force: true });
        staged.push(await blobs.stage(fs.createReadStream(pyramid.zip)), await blobs.stageBytes(index));
        const [pyramidBlob, indexBlob] = staged as [StagedBlob, StagedBlob];
        const picture = async (name: SlidePicture) => {
          if (!read.pictures[name]) return null;
          const blob = await blobs.stageBytes(await fsp.readFile(read.pictures[name]));
          staged.push(blob);
          return blob.sha256;
        };
        const [labelSha, macroSha] = [await picture('label'), await picture('macro')];
        const { facts } = read;
        const done = await db.transaction(async (tx) => {
          // Only a slide still waiting is finished, and only from the instances it had when this run
          // began: a second worker finishing the same slide finds it done, and a series that gained
          // instances meanwhile is left to the job its new batch queued.
          const [row] = await tx.query<{ instances_at: Date | null }>('SELECT instances_at FROM slides WHERE id = $1 AND status = \'processing\' FOR UPDATE', [slide.id]);
          if (!row || row.instances_at?.getTime() !== slide.instances_at?.getTime()) return false;
          await blobs.commit(tx, staged);
          await tx.query(
            `UPDATE slides SET status = 'ready', vendor = $2, width = $3, height = $4, mpp_x = $5, mpp_y = $6, objective_power = $7, levels = $8, tile_size = $9, tile_overlap = $10, tile_format = $11,
               pyramid_sha256 = $12, index_sha256 = $13, associated = $14, label_sha256 = $15, macro_sha256 = $16, prepared_at = now() WHERE id = $1`,
            [slide.id, facts.vendor, facts.width, facts.height, facts.mppX, facts.mppY, facts.objectivePower, facts.levels, pyramid.tileSize, pyramid.overlap, pyramid.format,
              pyramidBlob.sha256, indexBlob.sha256, read.associated, labelSha, macroSha]);
          await emit(tx, { caseId: slide.case_id, actorId: null, type: 'pathology.slide.ready', detail: { slideId: slide.id } });
          return true;
        });
        if (done) staged.length = 0;
      } catch (err) {
        if (!(err instanceof SlideUnreadable)) throw err;
        await markFailed(slide, err.code);
      } finally {
        if (staged.length) await blobs.discard(staged, db);
        await fsp.rm(work, { recursive: true, force: true });
      }
    },
  };
}
export type PathologyService = ReturnType<typeof pathologyService>;
