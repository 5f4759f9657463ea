import type { Readable } from 'node:stream';
import type { S3ClientConfig } from '@aws-sdk/client-s3';
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
  // The SDK is loaded on first use: a server that keeps its files in a folder never pays for it.
  let sdk: Promise<{ client: import('@aws-sdk/client-s3').S3Client; s3: typeof import('@aws-sdk/client-s3'); Upload: typeof import('@aws-sdk/lib-storage').Upload }> | undefined;
  const load = () => sdk ??= Promise.all([import('@aws-sdk/client-s3'), import('@aws-sdk/lib-storage')])
    .then(([s3, storage]) => ({ client: new s3.S3Client(s3ClientConfig(cfg)), s3, Upload: storage.Upload }));
  const Bucket = cfg.bucket;
  const base = `${cfg.prefix}${BLOBS}`;
  const Key = (key: string) => base + checkedKey(key);

  return {
    kind: 's3',
    async put(key, body) {
      const Body = body;
      const target = Key(key);
      const { client, Upload } = await load();
      const upload = new Upload({
        client,
        params: { Bucket, Key: target, Body },
        // 5 MiB is S3's smallest part; a few in flight keep a large file moving without holding it.
        partSize: opts.partSize ?? 8 * 1024 * 1024,
        queueSize: 2,
        leavePartsOnError: false,
      });
      await upload.done();
    },
    async get(key, range) {
      const target = Key(key);
      const { client, s3 } = await load();
      const res = await client.send(new s3.GetObjectCommand({ Bucket, Key: target, ...(range ? { Range: `bytes=${range.start}-${range.end}` } : {}) }));
      return res.Body as Readable;
    },
    async getBytes(key) {
      const target = Key(key);
      const { client, s3 } = await load();
      const res = await client.send(new s3.GetObjectCommand({ Bucket, Key: target }));
      return Buffer.from(await res.Body!.transformToByteArray());
    },
    async exists(key) {
      const target = Key(key);
      const { client, s3 } = await load();
      try {
        await client.send(new s3.HeadObjectCommand({ Bucket, Key: target }));
        return true;
      } catch (err) {
        if (notFound(err)) return false;
        throw err;
      }
    },
    async delete(key) {
      // S3 answers a delete of a missing key with success, as the port asks.
      const target = Key(key);
      const { client, s3 } = await load();
      await client.send(new s3.DeleteObjectCommand({ Bucket, Key: target }));
    },
    async *list() {
      const { client, s3 } = await load();
      let ContinuationToken: string | undefined;
      do {
        const page = await client.send(new s3.ListObjectsV2Command({ Bucket, Prefix: base, ContinuationToken }));
        for (const o of page.Contents ?? []) {
          const key = o.Key!.slice(base.length);
          if (KEY_RE.test(key)) yield { key, writtenAt: o.LastModified ?? new Date(0) };
        }
        ContinuationToken = page.IsTruncated ? page.NextContinuationToken : undefined;
      } while (ContinuationToken);
    },
    async sweepUnfinished(before) {
      const { client, s3 } = await load();
      let n = 0;
      let KeyMarker: string | undefined;
      let UploadIdMarker: string | undefined;
      do {
        const page = await client.send(new s3.ListMultipartUploadsCommand({ Bucket, Prefix: base, KeyMarker, UploadIdMarker }));
        for (const u of page.Uploads ?? []) {
          if (!u.Initiated || u.Initiated >= before) continue;
          await client.send(new s3.AbortMultipartUploadCommand({ Bucket, Key: u.Key!, UploadId: u.UploadId! }));
          n++;
        }
        [KeyMarker, UploadIdMarker] = page.IsTruncated ? [page.NextKeyMarker, page.NextUploadIdMarker] : [undefined, undefined];
      } while (KeyMarker);
      return n;
    },
  };
}
