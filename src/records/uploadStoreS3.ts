import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { AbortMultipartUploadCommand, DeleteObjectsCommand, HeadObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { S3Store } from '@tus/s3-store';
import type { KvStore } from '@tus/server';
import type { S3Config } from '../core/config.ts';
import { s3ClientConfig } from '../core/s3.ts';
import { sealToFile } from './sealingFileStore.ts';
import type { BlobStore } from '../core/blobs.ts';
import type { UploadStore } from './uploadStore.ts';

/** Upload details read afresh each time: another instance may have changed them (a declared length). */
const noCache: KvStore<never> = { get: async () => undefined, set: async () => undefined, delete: async () => undefined };

/**
 * tus's S3 store keeps an upload as a multipart upload on `<id>` with `<id>.info` (its details)
 * and `<id>.part` (a tail shorter than S3's smallest part). It cannot put a prefix before its
 * keys (not yet offered upstream), so its client does: every key it sends gains `uploads/`.
 */
class PrefixedS3Store extends S3Store {
  constructor(cfg: S3Config, prefix: string) {
    super({ partSize: 8 * 1024 * 1024, cache: noCache, s3ClientConfig: { bucket: cfg.bucket, ...s3ClientConfig(cfg) } });
    this.client.middlewareStack.add((next) => async (args) => {
      const input = args.input as { Key?: string; Delete?: { Objects?: { Key?: string }[] } };
      const prefixed = {
        ...input,
        ...(input.Key !== undefined ? { Key: prefix + input.Key } : {}),
        ...(input.Delete ? { Delete: { ...input.Delete, Objects: input.Delete.Objects?.map((o) => ({ ...o, Key: prefix + o.Key })) } } : {}),
      };
      return next({ ...args, input: prefixed as typeof args.input });
    }, { step: 'initialize', name: 'consiliumUploadPrefix' });
  }
}

/** Uploads in the bucket; `scratchDir` (this instance's disk) holds a finished upload while it is checked. */
export function s3UploadStore(cfg: S3Config, scratchDir: string, blobs?: BlobStore): UploadStore {
  fs.mkdirSync(scratchDir, { recursive: true });
  const prefix = `${cfg.prefix}uploads/`;
  const datastore = new PrefixedS3Store(cfg, prefix);
  const client = new S3Client(s3ClientConfig(cfg));
  const Bucket = cfg.bucket;
  return {
    kind: 's3',
    datastore,
    async received(id) {
      if (!blobs) throw new Error('This upload store only discards uploads');
      const file = path.join(scratchDir, `${id}.spool`);
      const release = () => fsp.rm(file, { force: true });
      try {
        // Sealed on its way to this disk, as the folder store seals parts: never here in plain.
        return { ...(await sealToFile(await datastore.read(id) as Readable, file, blobs)), release };
      } catch (err) {
        await release();
        throw err;
      }
    },
    async discard(id) {
      // An unfinished upload still has its multipart upload open, with parts S3 keeps (and bills) until aborted.
      const info = await client.send(new HeadObjectCommand({ Bucket, Key: `${prefix}${id}.info` })).catch(() => null);
      const uploadId = info?.Metadata?.['upload-id'];
      if (uploadId) await client.send(new AbortMultipartUploadCommand({ Bucket, Key: prefix + id, UploadId: uploadId })).catch(() => undefined);
      await client.send(new DeleteObjectsCommand({ Bucket, Delete: { Objects: [id, `${id}.info`, `${id}.part`].map((k) => ({ Key: prefix + k })), Quiet: true } }));
    },
  };
}
