import crypto from 'node:crypto';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';

/**
 * Where stored files live: a port with one backend per kind of storage (a local folder, or
 * S3-compatible object storage in `s3.ts`). It keeps opaque, already-encrypted objects under
 * keys it is given; encryption, content addressing and the database rows stay in `BlobStore`.
 */
export interface ObjectBackend {
  readonly kind: string;
  /** Writes the object durably before resolving; an object never appears half-written. */
  put(key: string, body: Readable | Uint8Array): Promise<void>;
  /**
   * Optional: makes a finished, fsync'd file on this machine the object, moving it (no copy) when
   * the storage is on the same disk. Backends without it are given the file's bytes through `put`.
   */
  adopt?(key: string, file: string): Promise<void>;
  /** The stored bytes, whole or a range (`end` inclusive). Rejects for a missing key. */
  get(key: string, range?: { start: number; end: number }): Promise<Readable>;
  /** The whole object in memory (small objects read many at a time). */
  getBytes(key: string): Promise<Buffer>;
  /**
   * Optional: reads the whole object into `target`, which is at least as large; returns its
   * length. Lets a reader of many objects reuse one buffer.
   */
  readInto?(key: string, target: Buffer): Promise<number>;
  /**
   * Optional: keeps the object open for many small range reads (a slide's tiles), one read call
   * each; `close` lets it go. Backends without it are read through `get` per range.
   */
  openRanges?(key: string): Promise<RangeHandle>;
  exists(key: string): Promise<boolean>;
  /** Removes the object; removing a missing key is not an error. */
  delete(key: string): Promise<void>;
  /** Every stored object with the time it was written (for sweeping objects no row refers to). */
  list(): AsyncIterable<{ key: string; writtenAt: Date }>;
  /** Removes what writes killed midway left behind, older than `before`; returns how many. */
  sweepUnfinished(before: Date): Promise<number>;
}

export interface RangeHandle {
  /**
   * Bytes start..end-1; rejects when the object ends before `end`. Read into the start of `into`
   * when given (at least end - start bytes long), so a caller can reuse its buffers.
   */
  read(start: number, end: number, into?: Buffer): Promise<Buffer>;
  close(): Promise<void>;
}

// New objects get a random 32-hex key; files stored before the port used the content's SHA-256.
export const KEY_RE = /^[0-9a-f]{32}([0-9a-f]{32})?$/;

export function checkedKey(key: string): string {
  // Keys are content addresses made here; anything else is a bug or an attack on the paths.
  if (!KEY_RE.test(key)) throw new Error('Not a valid object key');
  return key;
}

async function fsyncPath(p: string) {
  const fh = await fsp.open(p, 'r');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}

/**
 * Objects as files in a folder, fanned out by the key's first characters. A write goes to a
 * temporary file, is fsync'd, renamed into place and its directory fsync'd, so an object is
 * either absent or whole and durable, even if the process is killed mid-write.
 */
export function folderBackend(root: string): ObjectBackend {
  const tmpDir = path.join(root, 'tmp');
  fs.mkdirSync(tmpDir, { recursive: true });
  const pathOf = (key: string) => path.join(root, key.slice(0, 2), key.slice(2, 4), checkedKey(key));

  async function put(key: string, body: Readable | Uint8Array): Promise<void> {
    const final = pathOf(key);
    const tmp = path.join(tmpDir, `${crypto.randomUUID()}.part`);
    try {
      if (body instanceof Uint8Array) {
        const fh = await fsp.open(tmp, 'wx');
        try {
          await fh.writeFile(body);
          await fh.sync();
        } finally {
          await fh.close();
        }
      } else {
        await pipeline(body, fs.createWriteStream(tmp, { flags: 'wx' }));
        await fsyncPath(tmp);
      }
      await fsp.mkdir(path.dirname(final), { recursive: true });
      await fsp.rename(tmp, final);
      await fsyncPath(path.dirname(final));
    } catch (err) {
      await fsp.rm(tmp, { force: true });
      throw err;
    }
  }

  return {
    kind: 'folder',
    put,
    async adopt(key, file) {
      const final = pathOf(key);
      await fsp.mkdir(path.dirname(final), { recursive: true });
      try {
        await fsp.rename(file, final);
      } catch (err) {
        // Another disk: copied, as any other write.
        if ((err as NodeJS.ErrnoException).code !== 'EXDEV') throw err;
        return put(key, fs.createReadStream(file));
      }
      await fsyncPath(path.dirname(final));
    },
    async get(key, range) {
      const file = pathOf(key);
      await fsp.access(file);
      return fs.createReadStream(file, { highWaterMark: 1024 * 1024, ...(range ? { start: range.start, end: range.end } : {}) });
    },
    getBytes: (key) => fsp.readFile(pathOf(key)),
    async readInto(key, target) {
      const fh = await fsp.open(pathOf(key), 'r');
      try {
        let n = 0;
        for (let got = -1; got !== 0 && n < target.length; n += got) got = (await fh.read(target, n, target.length - n, n)).bytesRead;
        // A full buffer may have left some behind.
        if (n === target.length && (await fh.stat()).size > n) throw new Error('The stored object is larger than its row says');
        return n;
      } finally {
        await fh.close();
      }
    },
    async openRanges(key) {
      // The callback form of fs.read: for many small reads it costs less than a FileHandle's.
      const fd = await new Promise<number>((resolve, reject) => fs.open(pathOf(key), 'r', (err, f) => (err ? reject(err) : resolve(f))));
      const readAt = (out: Buffer, offset: number, position: number) => new Promise<number>((resolve, reject) =>
        fs.read(fd, out, offset, out.length - offset, position, (err, n) => (err ? reject(err) : resolve(n))));
      return {
        async read(start, end, into) {
          const out = into ? into.subarray(0, end - start) : Buffer.allocUnsafe(end - start);
          let n = 0;
          for (let got = -1; got !== 0 && n < out.length; n += got) got = await readAt(out, n, start + n);
          if (n < out.length) throw new Error('The stored object ends before the range asked for');
          return out;
        },
        close: () => new Promise<void>((resolve, reject) => fs.close(fd, (err) => (err ? reject(err) : resolve()))),
      };
    },
    exists: (key) => fsp.access(pathOf(key)).then(() => true, () => false),
    delete: (key) => fsp.rm(pathOf(key), { force: true }),
    async *list() {
      for (const a of await fsp.readdir(root, { withFileTypes: true })) {
        if (!a.isDirectory() || a.name.length !== 2) continue;
        for (const b of await fsp.readdir(path.join(root, a.name), { withFileTypes: true })) {
          if (!b.isDirectory()) continue;
          for (const f of await fsp.readdir(path.join(root, a.name, b.name))) {
            if (!KEY_RE.test(f)) continue;
            const st = await fsp.stat(path.join(root, a.name, b.name, f)).catch(() => null);
            if (st) yield { key: f, writtenAt: st.mtime };
          }
        }
      }
    },
    async sweepUnfinished(before) {
      let n = 0;
      for (const f of await fsp.readdir(tmpDir)) {
        const st = await fsp.stat(path.join(tmpDir, f)).catch(() => null);
        if (st && st.mtime < before) {
          await fsp.rm(path.join(tmpDir, f), { force: true });
          n++;
        }
      }
      return n;
    },
  };
}

/** The stored bytes of a small object, read through the stream interface (tests and tools). */
export async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

