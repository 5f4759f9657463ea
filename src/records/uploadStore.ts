import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { FileStore } from '@tus/file-store';
import type { DataStore } from '@tus/server';
import type { Config } from '../core/config.ts';

/**
 * Where resumable uploads (tus) collect their bytes until they are finished: a folder under
 * DATA_DIR, or the S3 bucket under `uploads/`, where every instance sees every upload's parts, so
 * a client may continue an upload on another instance than the one it started on.
 */
export interface UploadStore {
  readonly kind: 'folder' | 's3';
  /** What the tus server writes through. */
  readonly datastore: DataStore;
  /**
   * A finished upload as a file on this instance's disk: the checks read it at random (zip
   * directory, PDF) and the blob store streams it from there. `release` lets go of it.
   */
  localCopy(id: string): Promise<{ path: string; release: () => Promise<void> }>;
  /** Removes all an upload left, finished or abandoned; a missing one is not an error. */
  discard(id: string): Promise<void>;
}

export function folderUploadStore(dir: string): UploadStore {
  fs.mkdirSync(dir, { recursive: true });
  return {
    kind: 'folder',
    datastore: new FileStore({ directory: dir }),
    // The upload already is a local file.
    localCopy: async (id) => ({ path: path.join(dir, id), release: async () => undefined }),
    async discard(id) {
      await fsp.rm(path.join(dir, id), { force: true });
      await fsp.rm(path.join(dir, `${id}.json`), { force: true });
    },
  };
}

/** The upload store configured for this server; the S3 one is loaded only when S3 is configured (the AWS SDK is large). */
export async function uploadStoreFor(config: Pick<Config, 'dataDir' | 's3'>): Promise<UploadStore> {
  const local = path.join(config.dataDir, 'uploads');
  return config.s3 ? (await import('./uploadStoreS3.ts')).s3UploadStore(config.s3, local) : folderUploadStore(local);
}
