import fsp from 'node:fs/promises';
import path from 'node:path';
import type { Db } from '../core/db.ts';

/**
 * Housekeeping for storage that no document holds: uploads abandoned half-way (older than
 * `uploadDays`) and blobs that no document or image references (left when a later check refused the
 * file, older than `blobHours`). Run by `consilium cleanup` (e.g. from cron).
 */
/**
 * A blob is held by a document (an uploaded file), a DICOM instance it contains, or a version of
 * an opinion report (its PDF). Every table that references blobs must be listed here.
 */
const UNREFERENCED = `NOT EXISTS (SELECT 1 FROM documents d WHERE d.blob_sha256 = b.sha256)
  AND NOT EXISTS (SELECT 1 FROM dicom_instances i WHERE i.blob_sha256 = b.sha256)
  AND NOT EXISTS (SELECT 1 FROM opinion_reports r WHERE r.pdf_sha256 = b.sha256)`;

export async function cleanUpStorage(db: Db, dataDir: string, opts: { uploadDays?: number; blobHours?: number; now?: Date } = {}) {
  const now = opts.now ?? new Date();
  const uploadCutoff = new Date(now.getTime() - (opts.uploadDays ?? 7) * 86_400_000);
  const blobCutoff = new Date(now.getTime() - (opts.blobHours ?? 24) * 3_600_000);
  const uploadDir = path.join(dataDir, 'uploads');
  const stale = await db.query<{ id: string }>('SELECT id FROM uploads WHERE finished_at IS NULL AND created_at < $1', [uploadCutoff.toISOString()]);
  for (const u of stale) {
    await fsp.rm(path.join(uploadDir, u.id), { force: true });
    await fsp.rm(path.join(uploadDir, `${u.id}.json`), { force: true });
    await db.query(`UPDATE uploads SET outcome = 'abandoned', finished_at = now() WHERE id = $1`, [u.id]);
  }
  const orphans = await db.query<{ sha256: string }>(`SELECT b.sha256 FROM blobs b WHERE b.created_at < $1 AND ${UNREFERENCED}`, [blobCutoff.toISOString()]);
  let removed = 0;
  for (const b of orphans) {
    const file = path.join(dataDir, 'blobs', b.sha256.slice(0, 2), b.sha256.slice(2, 4), b.sha256);
    const tombstone = `${file}.removing`;
    const deleted = await db.transaction(async (tx) => {
      // The blob store's own lock: an upload of the same content waits until this is settled.
      await tx.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`blob:${b.sha256}`]);
      // Re-check inside the transaction: a document may have claimed the blob meanwhile.
      const [still] = await tx.query(`SELECT 1 FROM blobs b WHERE b.sha256 = $1 AND ${UNREFERENCED} FOR UPDATE`, [b.sha256]);
      if (!still) return false;
      await tx.query('DELETE FROM blobs WHERE sha256 = $1', [b.sha256]);
      // Moved aside under the lock, removed after the commit: a new copy can take the name at once.
      await fsp.rename(file, tombstone).catch(() => undefined);
      return true;
    }).catch(async (err: unknown) => {
      await fsp.rename(tombstone, file).catch(() => undefined);
      throw err;
    });
    if (!deleted) continue;
    await fsp.rm(tombstone, { force: true });
    removed++;
  }
  return { abandonedUploads: stale.length, orphanBlobs: removed };
}
