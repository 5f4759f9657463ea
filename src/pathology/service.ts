import crypto from 'node:crypto';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { openCase, withCaseTx } from '../core/access.ts';
import { recordAudit } from '../core/audit.ts';
import type { BlobStore, StagedBlob } from '../core/blobs.ts';
import type { Actor, RequestMeta } from '../core/context.ts';
import type { Deps } from '../core/deps.ts';
import { AppError } from '../core/errors.ts';
import { emit } from '../events/emit.ts';
import { associatedImages, buildPyramid, readSlideFacts, slidePictures, SlideUnreadable, type SlideFailure, type SlidePicture } from './slideReader.ts';
import { buildTileIndex, readTile, TileMissing, type ReadRange } from './tileIndex.ts';

/** A slide file (document) with what was found in it, once it has been read. */
export interface SlideRow {
  id: string;
  filename: string;
  uploaded_at: Date;
  status: 'ready' | 'failed' | null;
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

const SLIDES_SQL = `SELECT d.id, d.filename, d.created_at AS uploaded_at, s.status, s.failure, s.vendor, s.width, s.height, s.mpp_x, s.mpp_y, s.objective_power, s.levels,
    s.tile_size, s.tile_overlap, s.tile_format, s.pyramid_sha256, s.index_sha256, s.associated, s.label_sha256, s.macro_sha256, s.block, s.stain
  FROM documents d LEFT JOIN slides s ON s.document_id = d.id
  WHERE d.case_id = $1 AND d.content_type = 'wsi'`;

/** What a slide's record says when the slide cannot be shown (the slide list words the code itself). */
const FAILURE_WORDS: Record<SlideFailure, string> = {
  unreadable: 'This file could not be opened as a slide scan.',
  tiles: 'This slide could not be prepared for viewing.',
  too_large: 'This slide is larger than this service can show.',
  missing: 'The file of this slide is no longer stored.',
};

/** The tile indexes kept in memory (most recently used last), by their total size. */
const OPEN_INDEX_BYTES = 256 * 1024 * 1024;
/** A work folder older than the longest a preparation may run was left by a process that died. */
const STALE_WORK_MS = 2 * 60 * 60_000;

/** How a slide is named in lists and in the report: its part/block and stain when given, and its file. */
export function slideName(r: { filename: string; block: string | null; stain: string | null }): string {
  const given = [r.block, r.stain].filter(Boolean).join(' · ');
  return given ? `${given} (${r.filename})` : r.filename;
}

export function slideView(r: SlideRow) {
  const associated = r.associated;
  return {
    id: r.id, filename: r.filename, name: slideName(r), block: r.block, stain: r.stain, status: r.status ?? ('processing' as const), failure: r.failure,
    vendor: r.vendor, width: r.width, height: r.height,
    micronsPerPixel: r.mpp_x && r.mpp_y ? (r.mpp_x + r.mpp_y) / 2 : r.mpp_x ?? r.mpp_y ?? null,
    objectivePower: r.objective_power, levels: r.levels,
    tiles: r.status === 'ready' ? { size: r.tile_size!, overlap: r.tile_overlap!, format: r.tile_format! } : null,
    // A label is a photo of the glass slide's sticker: it may carry the patient's name.
    // Unknown counts as "may": better a needless warning than a missed one.
    labelMayShowName: r.status === 'ready' && (associated === null || associated.includes('label') || associated.includes('macro')),
    pictures: [...(r.label_sha256 ? ['label' as const] : []), ...(r.macro_sha256 ? ['macro' as const] : [])],
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
export function pathologyService(deps: Deps & { blobs: BlobStore }) {
  const { db, blobs, config } = deps;
  const workRoot = path.join(config.dataDir, 'slide-work');
  const opened = new Map<string, Promise<{ index: Buffer; read: ReadRange }>>();
  const readySlides = new Map<string, SlideRow>();
  let openedBytes = 0;

  /** A slide's tile index (read and checked whole) and a reader for its pyramid, kept while used. */
  function tilesOf(slide: { id: string; pyramid_sha256: string; index_sha256: string }) {
    let open = opened.get(slide.id);
    if (open) opened.delete(slide.id);
    else {
      open = (async () => {
        const [index, pyramid] = await Promise.all([blobs.read(db, slide.index_sha256), blobs.rangeReader(db, slide.pyramid_sha256)]);
        openedBytes += index.length;
        return { index, read: pyramid.read };
      })();
      open.catch(() => opened.delete(slide.id));
    }
    opened.set(slide.id, open);
    void evict();
    return open;
  }

  async function evict() {
    while (openedBytes > OPEN_INDEX_BYTES && opened.size > 1) {
      const [oldest, entry] = opened.entries().next().value!;
      opened.delete(oldest);
      openedBytes -= (await entry.catch(() => ({ index: Buffer.alloc(0) }))).index.length;
    }
  }

  async function slideOf(tx: Parameters<typeof openCase>[0], caseId: string, slideId: string): Promise<SlideRow> {
    const [row] = await tx.query<SlideRow>(`${SLIDES_SQL} AND d.id = $2`, [caseId, slideId]);
    if (!row) throw new AppError('NOT_FOUND', 'There is no such slide on this request.');
    return row;
  }

  /** The slide cannot be shown: so marked, and its record says so too (not "ready"). */
  async function markFailed(doc: { id: string; case_id: string }, code: SlideFailure) {
    await db.transaction(async (tx) => {
      const [inserted] = await tx.query(`INSERT INTO slides (document_id, case_id, status, failure) VALUES ($1, $2, 'failed', $3) ON CONFLICT (document_id) DO NOTHING RETURNING document_id`, [doc.id, doc.case_id, code]);
      if (!inserted) return;
      await tx.query(`UPDATE documents SET status = 'failed', status_detail = $2 WHERE id = $1`, [doc.id, FAILURE_WORDS[code]]);
      await emit(tx, { caseId: doc.case_id, actorId: null, type: 'pathology.slide.failed', detail: { slideId: doc.id, failure: code } });
    });
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
    async list(actor: Actor, meta: RequestMeta, caseId: string): Promise<SlideView[]> {
      return withCaseTx(db, async (tx) => {
        await openCase(tx, actor, caseId, 'case.records.read', meta, { auditAction: 'pathology.slides.list' });
        // By part/block (as a pathologist lays slides out), then as they came.
        const rows = await tx.query<SlideRow>(`${SLIDES_SQL} ORDER BY s.block NULLS LAST, d.created_at, d.id`, [caseId]);
        return rows.map(slideView);
      });
    },

    /** One slide, as the viewer opens it: the one audited read of that slide's images. */
    async open(actor: Actor, meta: RequestMeta, caseId: string, slideId: string): Promise<SlideView> {
      return withCaseTx(db, async (tx) => {
        await openCase(tx, actor, caseId, 'case.records.read', meta);
        const row = await slideOf(tx, caseId, slideId);
        await recordAudit(tx, { actor, meta, action: 'pathology.slide.open', entityType: 'Slide', entityId: slideId, caseId });
        return slideView(row);
      });
    },

    /** The photo of the slide's label or of the whole glass, as the scanner took it (it may show a name): audited. */
    async picture(actor: Actor, meta: RequestMeta, caseId: string, slideId: string, which: SlidePicture): Promise<Buffer> {
      const sha = await withCaseTx(db, async (tx) => {
        await openCase(tx, actor, caseId, 'case.records.read', meta);
        const row = await slideOf(tx, caseId, slideId);
        const found = which === 'label' ? row.label_sha256 : row.macro_sha256;
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
        await tx.query('UPDATE slides SET block = $2, stain = $3 WHERE document_id = $1', [slideId, value(d.block, before.block), value(d.stain, before.stain)]);
        await recordAudit(tx, { actor, meta, action: 'pathology.slide.describe', entityType: 'Slide', entityId: slideId, caseId });
        readySlides.delete(`${caseId}:${slideId}`);
        return slideView(await slideOf(tx, caseId, slideId));
      });
    },

    async tile(actor: Actor, meta: RequestMeta, caseId: string, slideId: string, level: number, col: number, row: number): Promise<Buffer> {
      // A slide that is ready never changes: its row is kept (for this case only), so a tile
      // costs the access check and no more queries.
      const key = `${caseId}:${slideId}`;
      const slide = await withCaseTx(db, async (tx) => {
        await openCase(tx, actor, caseId, 'case.records.read', meta);
        return readySlides.get(key) ?? slideOf(tx, caseId, slideId);
      });
      if (slide.status === 'ready' && !readySlides.has(key)) {
        readySlides.set(key, slide);
        if (readySlides.size > 1000) readySlides.delete(readySlides.keys().next().value!);
      }
      if (slide.status === 'failed') throw new AppError('CONFLICT', 'This slide file could not be read, so it cannot be viewed.');
      if (slide.status !== 'ready' || !slide.pyramid_sha256 || !slide.index_sha256) throw new AppError('CONFLICT', 'This slide is still being prepared for viewing.');
      const { index, read } = await tilesOf({ id: slide.id, pyramid_sha256: slide.pyramid_sha256, index_sha256: slide.index_sha256 });
      try {
        return await readTile(index, read, level, col, row);
      } catch (err) {
        if (err instanceof TileMissing) throw new AppError('NOT_FOUND', 'There is no tile at this place and zoom.');
        throw err;
      }
    },

    /**
     * Background job: reads an uploaded slide file and builds its tile pyramid and index. Runs
     * once per file at a time (the job's lease outlasts the reader's time limit); a file the
     * reader refuses is marked failed, while a server fault (a missing program, a kill, a full
     * disk) is thrown, so the job is tried again.
     */
    async prepare(documentId: string): Promise<void> {
      const [doc] = await db.query<{ id: string; case_id: string; blob_sha256: string; filename: string; content_type: string; prepared: boolean; stored: boolean }>(
        `SELECT d.id, d.case_id, d.blob_sha256, d.filename, d.content_type, EXISTS (SELECT 1 FROM slides s WHERE s.document_id = d.id) AS prepared,
           EXISTS (SELECT 1 FROM blobs b WHERE b.sha256 = d.blob_sha256) AS stored FROM documents d WHERE d.id = $1`, [documentId]);
      if (!doc || doc.content_type !== 'wsi' || doc.prepared) return;
      if (!doc.stored) return markFailed(doc, 'missing');
      await sweepStaleWork();
      // The decrypted slide exists only in a private folder under the data folder, for the time
      // the reader needs it; one a killed process left is swept on a later run.
      await fsp.mkdir(workRoot, { recursive: true, mode: 0o700 });
      const work = await fsp.mkdtemp(path.join(workRoot, 'slide-'));
      await fsp.chmod(work, 0o700);
      const staged: StagedBlob[] = [];
      try {
        const ext = (/\.(svs|ndpi|tiff?)$/i.exec(doc.filename)?.[1] ?? 'tif').toLowerCase();
        const file = path.join(work, `${crypto.randomUUID()}.${ext}`);
        const { stream } = await blobs.open(db, doc.blob_sha256);
        await pipeline(stream, fs.createWriteStream(file, { mode: 0o600 }));
        const facts = await readSlideFacts(file, work);
        if ((facts.width * facts.height) / 1e6 > config.slideMaxMegapixels) throw new SlideUnreadable('too_large', 'The slide is larger than this server makes tiles for.');
        const associated = await associatedImages(file, work);
        const pictures = await slidePictures(file, work);
        const pyramid = await buildPyramid(file, work);
        const index = await buildTileIndex(pyramid.zip, pyramid.prefix);
        await fsp.rm(file, { force: true });
        staged.push(await blobs.stage(fs.createReadStream(pyramid.zip)), await blobs.stageBytes(index));
        const [pyramidBlob, indexBlob] = staged as [StagedBlob, StagedBlob];
        const picture = async (name: SlidePicture) => {
          if (!pictures[name]) return null;
          const blob = await blobs.stageBytes(await fsp.readFile(pictures[name]));
          staged.push(blob);
          return blob.sha256;
        };
        const [labelSha, macroSha] = [await picture('label'), await picture('macro')];
        const inserted = await db.transaction(async (tx) => {
          // Under the document's lock: a second worker finishing the same slide finds it done.
          await tx.query('SELECT id FROM documents WHERE id = $1 FOR UPDATE', [doc.id]);
          if ((await tx.query('SELECT 1 FROM slides WHERE document_id = $1', [doc.id])).length) return false;
          await blobs.commit(tx, staged);
          await tx.query(
            `INSERT INTO slides (document_id, case_id, status, vendor, width, height, mpp_x, mpp_y, objective_power, levels, tile_size, tile_overlap, tile_format, pyramid_sha256, index_sha256, associated, label_sha256, macro_sha256)
             VALUES ($1, $2, 'ready', $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17)`,
            [doc.id, doc.case_id, facts.vendor, facts.width, facts.height, facts.mppX, facts.mppY, facts.objectivePower, facts.levels, pyramid.tileSize, pyramid.overlap, pyramid.format,
              pyramidBlob.sha256, indexBlob.sha256, associated, labelSha, macroSha]);
          await emit(tx, { caseId: doc.case_id, actorId: null, type: 'pathology.slide.ready', detail: { slideId: doc.id } });
          return true;
        });
        if (inserted) staged.length = 0;
      } catch (err) {
        if (!(err instanceof SlideUnreadable)) throw err;
        await markFailed(doc, err.code);
      } finally {
        if (staged.length) await blobs.discard(staged, db);
        await fsp.rm(work, { recursive: true, force: true });
      }
    },
  };
}
export type PathologyService = ReturnType<typeof pathologyService>;
