import crypto from 'node:crypto';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { openCase, withCaseTx } from '../core/access.ts';
import { recordAudit } from '../core/audit.ts';
import type { BlobStore } from '../core/blobs.ts';
import type { Actor, RequestMeta } from '../core/context.ts';
import type { Deps } from '../core/deps.ts';
import { AppError } from '../core/errors.ts';
import { emit } from '../events/emit.ts';
import { associatedImages, buildPyramid, readSlideFacts, SlideUnreadable } from './slideReader.ts';
import { TileArchive, TileMissing } from './tileArchive.ts';

/** A slide file (document) with what was found in it, once it has been read. */
export interface SlideRow {
  id: string;
  filename: string;
  uploaded_at: Date;
  status: 'ready' | 'failed' | null;
  failure: string | null;
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
  associated: string[] | null;
}

const SLIDES_SQL = `SELECT d.id, d.filename, d.created_at AS uploaded_at, s.status, s.failure, s.vendor, s.width, s.height, s.mpp_x, s.mpp_y, s.objective_power, s.levels,
    s.tile_size, s.tile_overlap, s.tile_format, s.pyramid_sha256, s.associated
  FROM documents d LEFT JOIN slides s ON s.document_id = d.id
  WHERE d.case_id = $1 AND d.content_type = 'wsi'`;

/** Where tiles sit inside a pyramid's zip (see buildPyramid). */
const TILE_PREFIX = 'slide/slide_files/';
/** Tile archives kept open (their directories parsed), most recently used last. */
const OPEN_ARCHIVES = 32;

export function slideView(r: SlideRow) {
  const associated = r.associated ?? [];
  return {
    id: r.id, filename: r.filename, status: r.status ?? ('processing' as const), failure: r.failure,
    vendor: r.vendor, width: r.width, height: r.height,
    micronsPerPixel: r.mpp_x && r.mpp_y ? (r.mpp_x + r.mpp_y) / 2 : r.mpp_x ?? r.mpp_y ?? null,
    objectivePower: r.objective_power, levels: r.levels,
    tiles: r.status === 'ready' ? { size: r.tile_size!, overlap: r.tile_overlap!, format: r.tile_format! } : null,
    // A label is a photo of the glass slide's sticker: it may carry the patient's name.
    labelMayShowName: associated.includes('label') || associated.includes('macro'),
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
  const { db, blobs } = deps;
  const archives = new Map<string, Promise<TileArchive>>();

  function archiveFor(slide: { id: string; pyramid_sha256: string }): Promise<TileArchive> {
    let open = archives.get(slide.id);
    if (open) archives.delete(slide.id);
    else open = blobs.rangeReader(db, slide.pyramid_sha256).then((r) => TileArchive.open(r.size, r.read, TILE_PREFIX));
    archives.set(slide.id, open);
    open.catch(() => archives.delete(slide.id));
    while (archives.size > OPEN_ARCHIVES) archives.delete(archives.keys().next().value!);
    return open;
  }

  async function slideOf(tx: Parameters<typeof openCase>[0], caseId: string, slideId: string): Promise<SlideRow> {
    const [row] = await tx.query<SlideRow>(`${SLIDES_SQL} AND d.id = $2`, [caseId, slideId]);
    if (!row) throw new AppError('NOT_FOUND', 'There is no such slide on this request.');
    return row;
  }

  return {
    async list(actor: Actor, meta: RequestMeta, caseId: string): Promise<SlideView[]> {
      return withCaseTx(db, async (tx) => {
        await openCase(tx, actor, caseId, 'case.records.read', meta, { auditAction: 'pathology.slides.list' });
        const rows = await tx.query<SlideRow>(`${SLIDES_SQL} ORDER BY d.created_at, d.id`, [caseId]);
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

    async tile(actor: Actor, meta: RequestMeta, caseId: string, slideId: string, level: number, col: number, row: number): Promise<Buffer> {
      const slide = await withCaseTx(db, async (tx) => {
        await openCase(tx, actor, caseId, 'case.records.read', meta);
        return slideOf(tx, caseId, slideId);
      });
      if (slide.status === 'failed') throw new AppError('CONFLICT', 'This slide file could not be read, so it cannot be viewed.');
      if (slide.status !== 'ready' || !slide.pyramid_sha256) throw new AppError('CONFLICT', 'This slide is still being prepared for viewing.');
      try {
        return await (await archiveFor({ id: slide.id, pyramid_sha256: slide.pyramid_sha256 })).tile(level, col, row);
      } catch (err) {
        if (err instanceof TileMissing) throw new AppError('NOT_FOUND', 'There is no tile at this place and zoom.');
        throw err;
      }
    },

    /** Background job: reads an uploaded slide file and builds its tile pyramid. */
    async prepare(documentId: string): Promise<void> {
      const [doc] = await db.query<{ id: string; case_id: string; blob_sha256: string; filename: string; content_type: string; prepared: boolean }>(
        'SELECT d.id, d.case_id, d.blob_sha256, d.filename, d.content_type, EXISTS (SELECT 1 FROM slides s WHERE s.document_id = d.id) AS prepared FROM documents d WHERE d.id = $1', [documentId]);
      if (!doc || doc.content_type !== 'wsi' || doc.prepared) return;
      // The decrypted slide exists only in a private folder for the time the reader needs it.
      const work = await fsp.mkdtemp(path.join(os.tmpdir(), 'consilium-slide-'));
      await fsp.chmod(work, 0o700);
      try {
        const ext = (/\.(svs|ndpi|tiff?|scn|bif|svslide|vms)$/i.exec(doc.filename)?.[1] ?? 'tif').toLowerCase();
        const file = path.join(work, `${crypto.randomUUID()}.${ext}`);
        const { stream } = await blobs.open(db, doc.blob_sha256);
        await pipeline(stream, fs.createWriteStream(file, { mode: 0o600 }));
        const facts = await readSlideFacts(file);
        const associated = await associatedImages(file);
        const pyramid = await buildPyramid(file, work);
        const stored = await blobs.put(db, fs.createReadStream(pyramid.zip));
        await db.transaction(async (tx) => {
          await tx.query(
            `INSERT INTO slides (document_id, case_id, status, vendor, width, height, mpp_x, mpp_y, objective_power, levels, tile_size, tile_overlap, tile_format, pyramid_sha256, associated)
             VALUES ($1, $2, 'ready', $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14) ON CONFLICT (document_id) DO NOTHING`,
            [doc.id, doc.case_id, facts.vendor, facts.width, facts.height, facts.mppX, facts.mppY, facts.objectivePower, facts.levels, pyramid.tileSize, pyramid.overlap, pyramid.format, stored.sha256, associated]);
          await emit(tx, { caseId: doc.case_id, actorId: null, type: 'pathology.slide.ready', detail: { slideId: doc.id } });
        });
      } catch (err) {
        if (!(err instanceof SlideUnreadable)) throw err;
        await db.query(`INSERT INTO slides (document_id, case_id, status, failure) VALUES ($1, $2, 'failed', $3) ON CONFLICT (document_id) DO NOTHING`, [doc.id, doc.case_id, err.message]);
      } finally {
        await fsp.rm(work, { recursive: true, force: true });
      }
    },
  };
}
export type PathologyService = ReturnType<typeof pathologyService>;
