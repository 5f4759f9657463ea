import type { Db } from '../core/db.ts';
import type { ObjectBackend } from '../core/objects.ts';
import type { UploadStore } from './uploadStore.ts';

/**
 * Housekeeping for storage that no document holds: uploads abandoned half-way (older than
 * `uploadDays`) and blobs that no document or image references (left when a later check refused the
 * file, older than `blobHours`), and stored objects no blob row names. Run by `consilium cleanup`
 * (e.g. from cron).
 *
 * A blob is held by a document (an uploaded file), a DICOM instance it contains, a version of
 * an opinion report (its PDF), a slide's tile pyramid and its index, or a photo of an insurance card. Every table that references blobs must
 * be listed here.
 */
const UNREFERENCED = `NOT EXISTS (SELECT 1 FROM documents d WHERE d.blob_sha256 = b.sha256)
  AND NOT EXISTS (SELECT 1 FROM dicom_instances i WHERE i.blob_sha256 = b.sha256)
  AND NOT EXISTS (SELECT 1 FROM opinion_reports r WHERE r.pdf_sha256 = b.sha256)
  AND NOT EXISTS (SELECT 1 FROM slides s WHERE b.sha256 IN (s.pyramid_sha256, s.index_sha256, s.label_sha256, s.macro_sha256))
  AND NOT EXISTS (SELECT 1 FROM coverage_cards k WHERE k.blob_sha256 = b.sha256)`;

export async function cleanUpStorage(db: Db, storage: { objects: ObjectBackend; uploads: Pick<UploadStore, 'discard'> }, opts: { uploadDays?: number; blobHours?: number; now?: Date } = {}) {
  const { objects, uploads } = storage;
  const now = opts.now ?? new Date();
  const uploadCutoff = new Date(now.getTime() - (opts.uploadDays ?? 7) * 86_400_000);
  const blobCutoff = new Date(now.getTime() - (opts.blobHours ?? 24) * 3_600_000);
  const stale = await db.query<{ id: string }>('SELECT id FROM uploads WHERE finished_at IS NULL AND created_at < $1', [uploadCutoff.toISOString()]);
  for (const u of stale) {
    await uploads.discard(u.id);
    await db.query(`UPDATE uploads SET outcome = 'abandoned', finished_at = now() WHERE id = $1`, [u.id]);
  }
  const orphans = await db.query<{ sha256: string }>(`SELECT b.sha256 FROM blobs b WHERE b.created_at < $1 AND ${UNREFERENCED}`, [blobCutoff.toISOString()]);
  let removed = 0;
  for (const b of orphans) {
    const objectKey = await db.transaction(async (tx) => {
      // The blob store's own lock: an upload of the same content waits until this is settled.
      await tx.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`blob:${b.sha256}`]);
      // Re-check inside the transaction: a document may have claimed the blob meanwhile.
      const [gone] = await tx.query<{ object_key: string }>(`DELETE FROM blobs b WHERE b.sha256 = $1 AND ${UNREFERENCED} RETURNING b.object_key`, [b.sha256]);
      return gone?.object_key ?? null;
    });
    if (!objectKey) continue;
    // After the commit: no row names it now, and a new copy of the content gets a key of its own.
    await objects.delete(objectKey);
    removed++;
  }
  // Objects no row names: written by an upload refused or killed before its row committed.
  let stray = 0;
  const old: string[] = [];
  const sweep = async () => {
    const named = new Set((await db.query<{ object_key: string }>('SELECT object_key FROM blobs WHERE object_key = ANY($1::text[])', [old])).map((r) => r.object_key));
    for (const key of old.filter((k) => !named.has(k))) {
      await objects.delete(key);
      stray++;
    }
    old.length = 0;
  };
  for await (const o of objects.list()) {
    if (o.writtenAt >= blobCutoff) continue;
    old.push(o.key);
    if (old.length >= 500) await sweep();
  }
  await sweep();
  const unfinished = await objects.sweepUnfinished(blobCutoff);
  return { abandonedUploads: stale.length, orphanBlobs: removed, strayObjects: stray, unfinishedWrites: unfinished };
}
