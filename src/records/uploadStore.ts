import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import type { DataStore } from '@tus/server';
import type { BlobStore } from '../core/blobs.ts';
import type { Config } from '../core/config.ts';
import type { ReceivedFile } from './received.ts';
import { SealingFileStore } from './sealingFileStore.ts';

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
   * A finished upload, for the checks (which read it at random: zip directory, PDF) and the blob
   * store. `release` lets go of whatever was made to read it.
   */
  received(id: string): Promise<ReceivedFile & { release: () => Promise<void> }>;
  /** Removes all an upload left, finished or abandoned; a missing one is not an error. */
  discard(id: string): Promise<void>;
}

/** Uploads in a folder, sealed as they arrive (see `SealingFileStore`). */
export function folderUploadStore(dir: string, blobs: BlobStore): UploadStore {
  fs.mkdirSync(dir, { recursive: true });
  const datastore = new SealingFileStore(dir, blobs);
  return {
    kind: 'folder',
    datastore,
    received: async (id) => ({ ...(await datastore.received(id)), release: async () => undefined }),
    discard: (id) => folderDiscard(dir, id),
  };
}

async function folderDiscard(dir: string, id: string): Promise<void> {
  if (!/^[0-9a-f]{32}$/.test(id)) return;
  for (const f of [id, `${id}.json`, `${id}.key`]) await fsp.rm(path.join(dir, f), { force: true });
}

/** The upload store configured for this server; the S3 one is loaded only when S3 is configured (the AWS SDK is large). */
export async function uploadStoreFor(config: Pick<Config, 'dataDir' | 's3'>, blobs: BlobStore): Promise<UploadStore> {
  const local = path.join(config.dataDir, 'uploads');
  return config.s3 ? (await import('./uploadStoreS3.ts')).s3UploadStore(config.s3, local, blobs) : folderUploadStore(local, blobs);
}

/** What removes abandoned uploads (the storage clean-up), without receiving any. */
export async function uploadDiscarderFor(config: Pick<Config, 'dataDir' | 's3'>): Promise<Pick<UploadStore, 'discard'>> {
  const local = path.join(config.dataDir, 'uploads');
  if (config.s3) return (await import('./uploadStoreS3.ts')).s3UploadStore(config.s3, local);
  return { discard: (id) => folderDiscard(local, id) };
}
