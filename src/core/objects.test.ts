import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { CreateMultipartUploadCommand, UploadPartCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestS3, type TestS3 } from '../../test/support/s3.ts';
import { folderBackend, readAll, type ObjectBackend } from './objects.ts';
import { s3Backend } from './s3.ts';

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));
const key = () => crypto.randomBytes(16).toString('hex');

interface Subject {
  backend: ObjectBackend;
  /** Leaves what a write killed midway leaves in this kind of storage. */
  abandonWrite: () => Promise<void>;
}

/** What every backend must do: the folder and S3 backends run the same suite. */
function backendContract(name: string, make: () => Subject) {
  describe(`${name} object backend`, () => {
    it('stores bytes and streams, reads them whole or by range, and lists them', async () => {
      const b = make().backend;
      const a = key();
      const data = crypto.randomBytes(3 * 1024 * 1024 + 17);
      await b.put(a, Readable.from([data.subarray(0, 1000), data.subarray(1000)]));
      expect((await readAll(await b.get(a))).equals(data)).toBe(true);
      expect((await readAll(await b.get(a, { start: 10, end: 19 }))).equals(data.subarray(10, 20))).toBe(true);
      const c = key();
      await b.put(c, Buffer.from('small'));
      expect((await b.getBytes(c)).toString()).toBe('small');
      const listed = [];
      for await (const o of b.list()) listed.push(o.key);
      expect(listed).toEqual(expect.arrayContaining([a, c]));
    });

    it('leaves nothing when the source fails midway, and deletes idempotently', async () => {
      const b = make().backend;
      const k = key();
      const failing = new Readable({ read() { this.destroy(new Error('connection lost')); } });
      await expect(b.put(k, failing)).rejects.toThrow('connection lost');
      expect(await b.exists(k)).toBe(false);
      await expect(b.get(k)).rejects.toThrow();
      await b.put(k, Buffer.from('x'));
      await b.delete(k);
      await b.delete(k);
      expect(await b.exists(k)).toBe(false);
    });

    it('refuses keys that are not its own (no path tricks)', async () => {
      const b = make().backend;
      for (const bad of ['../../etc/passwd', 'tmp/x', '', 'A'.repeat(32), `${key()}/..`]) await expect(b.put(bad, Buffer.from('x'))).rejects.toThrow(/Not a valid object key/);
      for (const bad of ['../../etc/passwd', `${key()}/..`]) await expect(b.get(bad)).rejects.toThrow(/Not a valid object key/);
    });

    it('sweeps what writes killed midway left behind, only once it is older than asked', async () => {
      const { backend, abandonWrite } = make();
      await abandonWrite();
      expect(await backend.sweepUnfinished(new Date(Date.now() - 60_000))).toBe(0);
      expect(await backend.sweepUnfinished(new Date(Date.now() + 60_000))).toBe(1);
      expect(await backend.sweepUnfinished(new Date(Date.now() + 60_000))).toBe(0);
    });
  });
}

backendContract('folder', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'objects-'));
  dirs.push(dir);
  return {
    backend: folderBackend(dir),
    abandonWrite: async () => fs.writeFileSync(path.join(dir, 'tmp', 'abandoned.part'), 'half'),
  };
});

let s3: TestS3;
beforeAll(async () => {
  s3 = await startTestS3();
});
afterAll(() => s3?.close());

backendContract('S3', () => {
  // A prefix of its own per subject, as separate folders are for the folder backend.
  const config = { ...s3.config, prefix: `t${key().slice(0, 8)}/` };
  return {
    // Small parts, so a few megabytes already take the multipart path.
    backend: s3Backend(config, { partSize: 5 * 1024 * 1024 }),
    abandonWrite: async () => {
      const Key = `${config.prefix}blobs/${key()}`;
      const { UploadId } = await s3.client.send(new CreateMultipartUploadCommand({ Bucket: config.bucket, Key }));
      await s3.client.send(new UploadPartCommand({ Bucket: config.bucket, Key, UploadId, PartNumber: 1, Body: Buffer.alloc(1024) }));
    },
  };
});
