import fs from 'node:fs';
import fsp from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import S3rver from 's3rver';
import type { S3Config } from '../../src/core/config.ts';
import { s3ClientConfig } from '../../src/core/s3.ts';

export interface TestS3 {
  /** S3_URL for an application (credentials and bucket in it). */
  url: string;
  config: S3Config;
  client: S3Client;
  close: () => Promise<void>;
}

const xml = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/**
 * A real S3-protocol server (s3rver) on a random port, writing to a temporary folder, with one
 * bucket. s3rver stores multipart uploads but does not answer three of their calls that the
 * S3 store of tus and the blob sweep use: ListParts, AbortMultipartUpload and
 * ListMultipartUploads. They are added here, read from s3rver's own folder of parts, so every
 * other call is s3rver's (signatures checked, XML as S3 writes it).
 */
export async function startTestS3(bucket = 'consilium-test'): Promise<TestS3> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 's3rver-'));
  const server = new S3rver({ port: 0, address: '127.0.0.1', silent: true, directory: dir, configureBuckets: [{ name: bucket, configs: [] }] });
  const uploadsOf = (b: string) => path.join(dir, b, '._S3rver_uploads');
  // Ahead of s3rver's router: Koa runs middleware in the order added.
  server.middleware.unshift(async (ctx: KoaContext, next: () => Promise<void>): Promise<void> => {
    const m = /^\/([^/]+)\/?(.*)$/.exec(ctx.path);
    if (!m) return next();
    const [, b, rawKey] = m;
    const key = rawKey ? decodeURIComponent(rawKey) : undefined; // path-style: /bucket/ or /bucket/key
    const uploadId = typeof ctx.query.uploadId === 'string' ? ctx.query.uploadId : undefined;
    const folder = uploadId && /^[0-9a-f]+$/.test(uploadId) ? path.join(uploadsOf(b!), uploadId) : undefined;
    const noSuchUpload = () => {
      ctx.status = 404;
      ctx.type = 'application/xml';
      ctx.body = '<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>NoSuchUpload</Code><Message>The specified upload does not exist.</Message></Error>';
    };
    if (key && uploadId && ctx.method === 'GET') {
      if (!folder || !fs.existsSync(folder)) return noSuchUpload();
      const numbers = (await fsp.readdir(folder)).filter((f) => /^\d+$/.test(f)).map(Number).sort((x, y) => x - y);
      const marker = Number(ctx.query['part-number-marker'] ?? 0);
      const parts = await Promise.all(numbers.filter((n) => n > marker).map(async (n) => {
        const st = await fsp.stat(path.join(folder, String(n)));
        const md5 = await fsp.readFile(path.join(folder, `${n}.md5`), 'utf8').catch(() => '');
        return `<Part><PartNumber>${n}</PartNumber><LastModified>${st.mtime.toISOString()}</LastModified><ETag>"${md5}"</ETag><Size>${st.size}</Size></Part>`;
      }));
      ctx.type = 'application/xml';
      ctx.body = `<?xml version="1.0" encoding="UTF-8"?>\n<ListPartsResult><Bucket>${xml(b!)}</Bucket><Key>${xml(key)}</Key><UploadId>${uploadId}</UploadId><IsTruncated>false</IsTruncated>${parts.join('')}</ListPartsResult>`;
      return;
    }
    if (key && uploadId && ctx.method === 'DELETE') {
      if (!folder || !fs.existsSync(folder)) return noSuchUpload();
      await fsp.rm(folder, { recursive: true, force: true });
      ctx.status = 204;
      return;
    }
    if (!key && 'uploads' in ctx.query && ctx.method === 'GET') {
      const prefix = typeof ctx.query.prefix === 'string' ? ctx.query.prefix : '';
      const ids = await fsp.readdir(uploadsOf(b!)).catch(() => [] as string[]);
      const uploads = [];
      for (const id of ids) {
        const k = await fsp.readFile(path.join(uploadsOf(b!), id, 'key'), 'utf8').catch(() => null);
        if (k === null || !k.startsWith(prefix)) continue;
        const st = await fsp.stat(path.join(uploadsOf(b!), id, 'key'));
        uploads.push(`<Upload><Key>${xml(k)}</Key><UploadId>${id}</UploadId><Initiated>${st.mtime.toISOString()}</Initiated></Upload>`);
      }
      ctx.type = 'application/xml';
      ctx.body = `<?xml version="1.0" encoding="UTF-8"?>\n<ListMultipartUploadsResult><Bucket>${xml(b!)}</Bucket><Prefix>${xml(prefix)}</Prefix><IsTruncated>false</IsTruncated>${uploads.join('')}</ListMultipartUploadsResult>`;
      return;
    }
    return next();
  });
  const { port } = await server.run();
  // s3rver accepts its own fixed access key; the signature is still checked against the secret.
  const url = `http://S3RVER:S3RVER@127.0.0.1:${port}/${bucket}`;
  const config: S3Config = { endpoint: `http://127.0.0.1:${port}`, bucket, prefix: '', region: 'us-east-1', forcePathStyle: true, credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } };
  const client = new S3Client(s3ClientConfig(config));
  await client.send(new CreateBucketCommand({ Bucket: bucket })).catch(() => undefined);
  return {
    url, config, client,
    close: async () => {
      client.destroy();
      await server.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

interface KoaContext {
  path: string;
  method: string;
  query: Record<string, string | string[] | undefined>;
  status: number;
  type: string;
  body: unknown;
}
