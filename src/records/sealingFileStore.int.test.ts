import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { Upload } from '@tus/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshDb, type TestDb } from '../../test/support/testApp.ts';
import { BlobStore, gcmRangeDecipher } from '../core/blobs.ts';
import { folderBackend } from '../core/objects.ts';
import { SealingFileStore, sealToFile } from './sealingFileStore.ts';

let t: TestDb;
let root: string;
let blobs: BlobStore;
const uploadsDir = () => path.join(root, 'uploads');
beforeAll(async () => {
  t = await freshDb();
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'sealing-'));
  blobs = new BlobStore(folderBackend(path.join(root, 'blobs')), [{ id: 'k1', key: crypto.randomBytes(32) }]);
});
afterAll(async () => {
  await t.drop();
  fs.rmSync(root, { recursive: true, force: true });
});

const sha256 = (b: Buffer) => crypto.createHash('sha256').update(b).digest('hex');
const newId = () => crypto.randomBytes(16).toString('hex');
/** Content with a line that would be easy to find on disk if it were ever written in the clear. */
const content = (n: number) => Buffer.concat([Buffer.from('PATIENT Rowan Example, pathology report\n'), crypto.randomBytes(n)]);

async function begin(store: SealingFileStore, size: number) {
  const id = newId();
  await store.create(new Upload({ id, size, offset: 0 }));
  return id;
}

describe('a range of GCM ciphertext decrypts on its own', () => {
  it('gives the plaintext from any offset, inside a block or on its edge', () => {
    const dek = crypto.randomBytes(32);
    const iv = crypto.randomBytes(12);
    const plain = crypto.randomBytes(5000);
    const c = crypto.createCipheriv('aes-256-gcm', dek, iv);
    const cipher = Buffer.concat([c.update(plain), c.final()]);
    for (const offset of [0, 1, 15, 16, 17, 1000, 4999]) {
      const d = gcmRangeDecipher(dek, iv, offset);
      expect(d.update(cipher.subarray(offset)).equals(plain.subarray(offset))).toBe(true);
    }
  });
});

describe('uploads sealed as they arrive', () => {
  it('keeps no plain byte on disk, and a finished upload becomes its blob by a move', async () => {
    const store = new SealingFileStore(uploadsDir(), blobs);
    const data = content(3 * 1024 * 1024 + 7);
    const id = await begin(store, data.length);
    let offset = 0;
    for (const size of [1_000_003, 17, data.length - 1_000_020]) {
      offset = await store.write(Readable.from([data.subarray(offset, offset + size)]), id, offset);
    }
    expect(offset).toBe(data.length);
    const onDisk = fs.readFileSync(path.join(uploadsDir(), id));
    expect(onDisk.length).toBe(data.length);
    expect(onDisk.includes(Buffer.from('Rowan Example'))).toBe(false);
    for (const f of fs.readdirSync(uploadsDir())) expect(fs.readFileSync(path.join(uploadsDir(), f)).includes(Buffer.from('Rowan Example'))).toBe(false);

    const received = await store.received(id);
    expect(received.sealed!.sha256).toBe(sha256(data));
    expect((await received.read(0, 40)).equals(data.subarray(0, 40))).toBe(true);
    expect((await received.read(1_000_001, 100)).equals(data.subarray(1_000_001, 1_000_101))).toBe(true);
    const streamed: Buffer[] = [];
    for await (const b of received.stream({ start: 5, end: 70_000 })) streamed.push(b as Buffer);
    expect(Buffer.concat(streamed).equals(data.subarray(5, 70_000))).toBe(true);

    const stored = await blobs.adopt(t.db, received.sealed!);
    expect(stored).toMatchObject({ sha256: sha256(data), size: data.length, created: true });
    expect(fs.existsSync(path.join(uploadsDir(), id))).toBe(false);
    // Read back through the blob store: the GCM tag checks every byte.
    expect((await blobs.read(t.db, stored.sha256)).equals(data)).toBe(true);
  });

  it('carries on after a restart, and after a part cut short', async () => {
    const data = content(2 * 1024 * 1024);
    const first = new SealingFileStore(uploadsDir(), blobs);
    const id = await begin(first, data.length);
    let offset = await first.write(Readable.from([data.subarray(0, 700_000)]), id, 0);
    // A new process: nothing in memory; the hash and cipher are rebuilt from what is stored.
    const second = new SealingFileStore(uploadsDir(), blobs);
    offset = await second.write(Readable.from([data.subarray(offset, 1_300_000)]), id, offset);
    // A connection lost midway: part of the bytes arrive, then the stream fails.
    const broken = new Readable({ read() {} });
    broken.push(data.subarray(offset, offset + 300_000));
    setTimeout(() => broken.destroy(new Error('connection reset')), 20);
    await expect(second.write(broken, id, offset)).rejects.toBeDefined();
    offset = (await second.getUpload(id)).offset!;
    expect(offset).toBeGreaterThanOrEqual(1_300_000);
    offset = await second.write(Readable.from([data.subarray(offset)]), id, offset);
    expect(offset).toBe(data.length);
    const received = await second.received(id);
    expect(received.sealed!.sha256).toBe(sha256(data));
    const stored = await blobs.adopt(t.db, received.sealed!);
    expect((await blobs.read(t.db, stored.sha256)).equals(data)).toBe(true);
  });

  it('seals an upload gathered from the bucket on its way to this disk', async () => {
    const data = content(600_000);
    const file = path.join(root, `${newId()}.spool`);
    const received = await sealToFile(Readable.from([data.subarray(0, 250_000), data.subarray(250_000)]), file, blobs);
    expect(fs.readFileSync(file).includes(Buffer.from('Rowan Example'))).toBe(false);
    expect(received.sealed!.sha256).toBe(sha256(data));
    expect((await received.read(249_990, 20)).equals(data.subarray(249_990, 250_010))).toBe(true);
    const stored = await blobs.adopt(t.db, received.sealed!);
    expect((await blobs.read(t.db, stored.sha256)).equals(data)).toBe(true);
  });

  it('does not take a file that is not finished, nor a name that is not an upload id', async () => {
    const store = new SealingFileStore(uploadsDir(), blobs);
    const id = await begin(store, 100);
    await store.write(Readable.from([Buffer.alloc(40)]), id, 0);
    await expect(store.received(id)).rejects.toBeDefined();
    await expect(store.received('../../etc/passwd')).rejects.toBeDefined();
    await store.remove(id);
    expect(fs.readdirSync(uploadsDir()).filter((f) => f.startsWith(id))).toEqual([]);
  });
});
