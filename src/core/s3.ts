import { Readable } from 'node:stream';
import {
  AbortMultipartUploadCommand, DeleteObjectCommand, GetObjectCommand, HeadObjectCommand, ListMultipartUploadsCommand,
  ListObjectsV2Command, S3Client, type S3ClientConfig,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import type { S3Config } from './config.ts';
import { checkedKey, KEY_RE, type ObjectBackend } from './objects.ts';

/** Where the blob store's objects live inside the configured prefix; tus uploads have `uploads/`. */
const BLOBS = 'blobs/';

/**
 * Client settings for an S3-compatible store. Checksums are sent only where S3 requires them:
 * the SDK's default (a CRC on every request, with chunked trailers for streams) is refused by
 * several self-hosted stores, and GCM already authenticates every object's content.
 */
export function s3ClientConfig(cfg: S3Config): S3ClientConfig {
  return {
    endpoint: cfg.endpoint,
    region: cfg.region,
    forcePathStyle: cfg.forcePathStyle,
    ...(cfg.credentials ? { credentials: cfg.credentials } : {}),
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  };
}

const notFound = (err: unknown) => {
  const e = err as { name?: string; $metadata?: { httpStatusCode?: number } };
  return e?.name === 'NotFound' || e?.name === 'NoSuchKey' || e?.$metadata?.httpStatusCode === 404;
};

/**
 * Objects in an S3-compatible bucket under `prefix + "blobs/"`. A put streams through a multipart
 * upload (a few parts in memory at a time, never the whole file); S3 shows an object only once
 * the upload completes, so an object is either absent or whole, as in the folder backend. Writes
 * killed midway leave an unfinished multipart upload, which `sweepUnfinished` aborts.
 *
 * No presigned addresses are offered: objects are encrypted with keys only the server holds, so a
 * browser could fetch nothing it can read. Downloads stream through the server, which decrypts.
 */
export function s3Backend(cfg: S3Config, opts: { partSize?: number } = {}): ObjectBackend {
  const client = new S3Client(s3ClientConfig(cfg));
  const Bucket = cfg.bucket;
  const base = `${cfg.prefix}${BLOBS}`;
  const Key = (key: string) => base + checkedKey(key);

  return {
    kind: 's3',
    async put(key, body) {
      const upload = new Upload({
        client,
        params: { Bucket, Key: Key(key), Body: body },
        // 5 MiB is S3's smallest part; a few in flight keep a large file moving without holding it.
        partSize: opts.partSize ?? 8 * 1024 * 1024,
        queueSize: 2,
        leavePartsOnError: false,
      });
      await upload.done();
    },
    async get(key, range) {
      const res = await client.send(new GetObjectCommand({ Bucket, Key: Key(key), ...(range ? { Range: `bytes=${range.start}-${range.end}` } : {}) }));
      return res.Body as Readable;
    },
    async getBytes(key) {
      const res = await client.send(new GetObjectCommand({ Bucket, Key: Key(key) }));
      return Buffer.from(await res.Body!.transformToByteArray());
    },
    async exists(key) {
      try {
        await client.send(new HeadObjectCommand({ Bucket, Key: Key(key) }));
        return true;
      } catch (err) {
        if (notFound(err)) return false;
        throw err;
      }
    },
    async delete(key) {
      // S3 answers a delete of a missing key with success, as the port asks.
      await client.send(new DeleteObjectCommand({ Bucket, Key: Key(key) }));
    },
    async *list() {
      let ContinuationToken: string | undefined;
      do {
        const page = await client.send(new ListObjectsV2Command({ Bucket, Prefix: base, ContinuationToken }));
        for (const o of page.Contents ?? []) {
          const key = o.Key!.slice(base.length);
          if (KEY_RE.test(key)) yield { key, writtenAt: o.LastModified ?? new Date(0) };
        }
        ContinuationToken = page.IsTruncated ? page.NextContinuationToken : undefined;
      } while (ContinuationToken);
    },
    async sweepUnfinished(before) {
      let n = 0;
      let KeyMarker: string | undefined;
      let UploadIdMarker: string | undefined;
      do {
        const page = await client.send(new ListMultipartUploadsCommand({ Bucket, Prefix: base, KeyMarker, UploadIdMarker }));
        for (const u of page.Uploads ?? []) {
          if (!u.Initiated || u.Initiated >= before) continue;
          await client.send(new AbortMultipartUploadCommand({ Bucket, Key: u.Key!, UploadId: u.UploadId! }));
          n++;
        }
        [KeyMarker, UploadIdMarker] = page.IsTruncated ? [page.NextKeyMarker, page.NextUploadIdMarker] : [undefined, undefined];
      } while (KeyMarker);
      return n;
    },
  };
}
