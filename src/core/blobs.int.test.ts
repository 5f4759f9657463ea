import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshDb, type TestDb } from '../../test/support/testApp.ts';
import { BlobStore, loadMasterKeys } from './blobs.ts';
import { folderBackend } from './objects.ts';

let t: TestDb;
let dir: string;
const made: { id: string; key: Buffer }[] = [];
const key = (id: string) => {
  const k = { id, key: crypto.randomBytes(32) };
  made.push(k);
  return k;
};
/** The file holding a blob's encrypted bytes (the row names its object). */
const fileOf = async (sha: string) => {
  const [row] = await t.db.query<{ object_key: string }>('SELECT object_key FROM blobs WHERE sha256 = $1', [sha]);
  return path.join(dir, row!.object_key.slice(0, 2), row!.object_key.slice(2, 4), row!.object_key);
};
const objectFiles = () => fs.readdirSync(dir, { recursive: true }).map(String).filter((f) => /[0-9a-f]{32}$/.test(f));
beforeAll(async () => {
  t = await freshDb();
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'blobs-'));
});
afterAll(async () => {
  await t.drop();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('encrypted blob store', () => {
  it('round-trips content, names it by SHA-256, stores it encrypted and keeps one copy of equal content', async () => {
    const store = new BlobStore(folderBackend(dir), [key('k1')]);
    const data = crypto.randomBytes(300_000);
    const put = await store.put(t.db, Readable.from([data.subarray(0, 1000), data.subarray(1000)]));
    expect(put).toEqual({ sha256: crypto.createHash('sha256').update(data).digest('hex'), size: data.length, created: true });
    expect((await store.read(t.db, put.sha256)).equals(data)).toBe(true);
    const onDisk = fs.readFileSync(await fileOf(put.sha256));
    expect(onDisk.subarray(0, 64).equals(data.subarray(0, 64))).toBe(false);
    const files = objectFiles().length;
    expect((await store.put(t.db, Readable.from([data]))).created).toBe(false);
    // The second copy's object is removed: one object per content.
    expect(objectFiles()).toHaveLength(files);
  });

  it('reads any byte range of a blob, many at once and of any length, each the same bytes as the whole', async () => {
    const store = new BlobStore(folderBackend(dir), [key('k9')]);
    const data = crypto.randomBytes(3_000_000);
    const { sha256 } = await store.put(t.db, Readable.from([data]));
    const reader = await store.rangeReader(t.db, sha256);
    try {
      // Odd starts and lengths, ranges longer than the reader's reused buffers, twenty in flight:
      // no read may see another's bytes.
      const ranges = Array.from({ length: 200 }, (_, i) => {
        const start = (i * 104_729) % (data.length - 1);
        const length = i % 10 === 0 ? 1_500_000 : 1 + ((i * 7919) % 70_000);
        return [start, Math.min(data.length, start + length)] as const;
      });
      for (let i = 0; i < ranges.length; i += 20) {
        const got = await Promise.all(ranges.slice(i, i + 20).map(([a, b]) => reader.read(a, b)));
        got.forEach((bytes, j) => expect(bytes.equals(data.subarray(...ranges[i + j]!))).toBe(true));
      }
      expect((await reader.read(5, 5)).length).toBe(0);
    } finally {
      await reader.close();
    }
  });

  it('stages in-memory content the same way, commits a batch in one transaction, and reads it back in order', async () => {
    const store = new BlobStore(folderBackend(dir), [key('k5')]);
    const items = [crypto.randomBytes(9000), crypto.randomBytes(512 * 1024), crypto.randomBytes(10)];
    const staged = await Promise.all(items.map((b) => store.stageBytes(b)));
    expect(staged.map((s) => s.sha256)).toEqual(items.map((b) => crypto.createHash('sha256').update(b).digest('hex')));
    const stored = await t.db.transaction((tx) => store.commit(tx, [...staged, staged[0]!]));
    expect(stored.map((s) => s.created)).toEqual([true, true, true, false]);
    const back: Buffer[] = [];
    for await (const b of store.readMany(t.db, stored.map((s) => s.sha256))) back.push(b);
    expect(back.map((b, i) => b.equals(items[i % 3]!))).toEqual([true, true, true, true]);
    expect(fs.readdirSync(path.join(dir, 'tmp')).filter((f) => f.endsWith('.part'))).toEqual([]);
  });

  it('reads a long run of blobs of mixed sizes back in order, each whole, while several are read ahead', async () => {
    const store = new BlobStore(folderBackend(dir), [key('k8')]);
    // Sizes that grow and shrink, so a reused read buffer is sometimes larger than the blob in it.
    const items = [700_000, 12, 300_000, 5, 900_000, 40_000, 1, 650_000, 2_000, 800_000, 33].map((n) => crypto.randomBytes(n));
    const stored = await t.db.transaction(async (tx) => store.commit(tx, await Promise.all(items.map((b) => store.stageBytes(b)))));
    const order = [...stored.keys(), 3, 0].map((i) => stored[i]!.sha256);
    const back: Buffer[] = [];
    for await (const b of store.readMany(t.db, order)) back.push(Buffer.from(b));
    expect(back.map((b, i) => b.equals(items[[...stored.keys(), 3, 0][i]!]!))).toEqual(order.map(() => true));
    // A blob that is not there fails when its turn comes, after those before it were given.
    const got: number[] = [];
    await expect((async () => {
      for await (const b of store.readMany(t.db, [stored[1]!.sha256, stored[2]!.sha256, 'f'.repeat(64)])) got.push(b.length);
    })()).rejects.toMatchObject({ code: 'NOT_FOUND' });
    expect(got).toEqual([12, 300_000]);
  });

  it('stores content sent by several writers at once as one row and one object', async () => {
    const store = new BlobStore(folderBackend(dir), [key('k7')]);
    const content = crypto.randomBytes(20_000);
    const before = objectFiles().length;
    const stored = await Promise.all(Array.from({ length: 6 }, () => store.put(t.db, Readable.from([content]))));
    expect(stored.filter((s) => s.created)).toHaveLength(1);
    expect(new Set(stored.map((s) => s.sha256)).size).toBe(1);
    expect(objectFiles().length).toBe(before + 1);
    expect((await store.read(t.db, stored[0]!.sha256)).equals(content)).toBe(true);
  });

  it('fails the read when the file on disk was altered (GCM tag)', async () => {
    const store = new BlobStore(folderBackend(dir), [key('k2')]);
    const { sha256 } = await store.put(t.db, Readable.from([Buffer.from('lab results: synthetic')]));
    const file = await fileOf(sha256);
    const bytes = fs.readFileSync(file);
    bytes[3] = bytes[3]! ^ 0xff;
    fs.writeFileSync(file, bytes);
    await expect(store.read(t.db, sha256)).rejects.toThrow();
  });

  it('refuses content over the size limit and leaves nothing behind', async () => {
    const store = new BlobStore(folderBackend(dir), [key('k3')]);
    const before = objectFiles();
    await expect(store.put(t.db, Readable.from([Buffer.alloc(5000)]), 4000)).rejects.toThrow(/larger than the limit/);
    expect(fs.readdirSync(path.join(dir, 'tmp'))).toEqual([]);
    expect(objectFiles()).toEqual(before);
  });

  it('writes the object before the transaction and keeps it only if its row commits', async () => {
    const store = new BlobStore(folderBackend(dir), [key('k6')]);
    const staged = await store.stage(Readable.from([Buffer.from('staged, then rolled back')]));
    expect(await store.objects.exists(staged.objectKey)).toBe(true);
    await expect(t.db.transaction(async (tx) => {
      await store.commit(tx, [staged]);
      throw new Error('rolled back');
    })).rejects.toThrow('rolled back');
    await store.discard([staged], t.db);
    expect(await store.objects.exists(staged.objectKey)).toBe(false);
    // A commit whose answer was lost did happen: discard keeps what a row names.
    const kept = await store.stage(Readable.from([Buffer.from('committed')]));
    await t.db.transaction((tx) => store.commit(tx, [kept]));
    await store.discard([kept], t.db);
    expect((await store.read(t.db, kept.sha256)).toString()).toBe('committed');
  });

  it('rotates the master key by rewrapping data keys; old files stay readable', async () => {
    const oldKey = key('old');
    const newKey = key('new');
    const before = new BlobStore(folderBackend(dir), [oldKey]);
    const { sha256 } = await before.put(t.db, Readable.from([Buffer.from('rotate me')]));
    const after = new BlobStore(folderBackend(dir), [newKey, ...made.filter((k) => k !== newKey)]);
    expect(await t.db.transaction((tx) => after.rotate(tx))).toBeGreaterThan(0);
    const onlyNew = new BlobStore(folderBackend(dir), [newKey]);
    await expect(new BlobStore(folderBackend(dir), [key('other')]).read(t.db, sha256)).rejects.toThrow(/not configured/);
    expect((await onlyNew.read(t.db, sha256)).toString()).toBe('rotate me');
  });

  it('creates a local key outside production and demands one in production', () => {
    const keys = loadMasterKeys(undefined, dir, false);
    expect(keys[0]!.key.length).toBe(32);
    expect(fs.statSync(path.join(dir, 'keys', 'blob-master.key')).mode & 0o777).toBe(0o600);
    expect(() => loadMasterKeys(undefined, dir, true)).toThrow(/BLOB_KEYS is required/);
    expect(() => loadMasterKeys('x:short', dir, false)).toThrow(/32-byte/);
  });
});
