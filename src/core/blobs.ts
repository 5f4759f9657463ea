import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { pipeline, Transform, type Readable } from 'node:stream';
import type { Db, Queryable } from './db.ts';
import { AppError, msg } from './errors.ts';
import { readAll, type ObjectBackend } from './objects.ts';

/**
 * Content-addressed, encrypted file storage. Each blob is named by the SHA-256 of its plaintext
 * and encrypted at rest with AES-256-GCM under its own data key; the data key is wrapped
 * (AES-256-GCM again) by a master key from configuration and kept in the `blobs` table with the
 * IV and tag. Rotating the master key therefore rewraps small rows, never rewrites files.
 * The encrypted bytes go to an `ObjectBackend` (a folder, later S3) under a fresh random key,
 * written whole before the row's transaction starts; the row names its object. Writes stream
 * through: the whole file is never in memory.
 */
export interface MasterKey {
  id: string;
  key: Buffer;
}

export interface StoredBlob {
  sha256: string;
  size: number;
  /** False when the same content was already stored (the existing blob is reused). */
  created: boolean;
}

/** Content encrypted and written durably as an object no row refers to yet, waiting for `commit`. */
export interface StagedBlob {
  sha256: string;
  size: number;
  objectKey: string;
  keyId: string;
  wrappedKey: Buffer;
  iv: Buffer;
  tag: Buffer;
}

export interface DataKey {
  dek: Buffer;
  iv: Buffer;
  keyId: string;
  wrappedKey: Buffer;
}

/** A local file holding content encrypted as a blob (AES-256-GCM under its own data key), with what its row needs. */
export interface SealedFile {
  path: string;
  sha256: string;
  size: number;
  keyId: string;
  wrappedKey: Buffer;
  iv: Buffer;
  tag: Buffer;
}

/** Reused buffers of a range reader: enough for a few tiles in flight, none kept above 1 MB. */
const SCRATCH_BYTES = 64 * 1024;
const MAX_SCRATCH_BYTES = 1024 * 1024;
const SPARE_SCRATCH = 8;

/**
 * A decipher for GCM ciphertext from byte `offset` on, without the bytes before it or the tag:
 * GCM encrypts with AES in counter mode, its first block under counter 2 after the 96-bit IV, so
 * any range decrypts on its own. (Only where the whole is checked another way, e.g. a hash.)
 */
export function gcmRangeDecipher(dek: Buffer | crypto.KeyObject, iv: Buffer, offset: number): crypto.Decipheriv {
  const counter = Buffer.alloc(16);
  iv.copy(counter, 0, 0, 12);
  counter.writeUInt32BE((2 + Math.floor(offset / 16)) >>> 0, 12);
  const d = crypto.createDecipheriv('aes-256-ctr', dek, counter);
  if (offset % 16) d.update(Buffer.alloc(offset % 16));
  return d;
}

interface BlobRow {
  sha256: string;
  size: string | number;
  object_key: string;
  key_id: string;
  wrapped_key: Buffer;
  iv: Buffer;
  tag: Buffer;
}

const wrap = (master: MasterKey, dek: Buffer) => {
  const iv = crypto.randomBytes(12);
  const c = crypto.createCipheriv('aes-256-gcm', master.key, iv);
  const ct = Buffer.concat([c.update(dek), c.final()]);
  return Buffer.concat([iv, ct, c.getAuthTag()]);
};

const unwrap = (master: MasterKey, wrapped: Buffer) => {
  const d = crypto.createDecipheriv('aes-256-gcm', master.key, wrapped.subarray(0, 12));
  d.setAuthTag(wrapped.subarray(44, 60));
  return Buffer.concat([d.update(wrapped.subarray(12, 44)), d.final()]);
};

const newObjectKey = () => crypto.randomBytes(16).toString('hex');

/** Blobs read ahead of the one a `readMany` caller is using, and how many bytes they may hold at most. */
const READ_AHEAD = 4;
const READ_AHEAD_BYTES = 64 * 1024 * 1024;
/** Larger blobs get a buffer of their own, freed after use, not a reused one kept for the whole read. */
const SLAB_MAX_BYTES = 16 * 1024 * 1024;

export class BlobStore {
  readonly objects: ObjectBackend;
  private readonly keys: MasterKey[];

  /** `keys[0]` encrypts new blobs; the others only decrypt (the ones being rotated out). */
  constructor(objects: ObjectBackend, keys: MasterKey[]) {
    if (!keys.length) throw new Error('The blob store needs at least one master key');
    this.objects = objects;
    this.keys = keys;
  }

  private newCipher() {
    const { dek, iv, keyId, wrappedKey } = this.newDataKey();
    return { cipher: crypto.createCipheriv('aes-256-gcm', dek, iv), iv, keyId, wrappedKey };
  }

  /** A fresh data key and IV for one blob, with the key wrapped by the current master key. */
  newDataKey(): DataKey {
    const master = this.keys[0]!;
    const dek = crypto.randomBytes(32);
    return { dek, iv: crypto.randomBytes(12), keyId: master.id, wrappedKey: wrap(master, dek) };
  }

  /** The data key a wrapped key holds (to continue or read content sealed under it). */
  unwrapDataKey(keyId: string, wrappedKey: Buffer): Buffer {
    const master = this.keys.find((k) => k.id === keyId);
    if (!master) throw new Error(`Content is wrapped with key "${keyId}", which is not configured`);
    return unwrap(master, wrappedKey);
  }

  private decipherFor(row: BlobRow) {
    const master = this.keys.find((k) => k.id === row.key_id);
    if (!master) throw new Error(`Blob ${row.sha256.slice(0, 12)} is wrapped with key "${row.key_id}", which is not configured`);
    const decipher = crypto.createDecipheriv('aes-256-gcm', unwrap(master, Buffer.from(row.wrapped_key)), Buffer.from(row.iv));
    decipher.setAuthTag(Buffer.from(row.tag));
    return decipher;
  }

  /**
   * Streams `source` into the store: the object is written (outside any transaction, so a large
   * upload never holds the database), then its row commits. A committed row always has its object.
   */
  async put(db: Db, source: Readable, maxBytes = Number.MAX_SAFE_INTEGER): Promise<StoredBlob> {
    return this.commitOne(db, await this.stage(source, maxBytes));
  }

  /** Commits one staged blob in a transaction of its own; removes its object if that fails. */
  private async commitOne(db: Db, staged: StagedBlob): Promise<StoredBlob> {
    try {
      return (await db.transaction((tx) => this.commit(tx, [staged])))[0]!;
    } catch (err) {
      await this.discard([staged], db);
      throw err;
    }
  }

  /**
   * First half of `put`: encrypts and hashes the content on its way to a new object. Nothing
   * refers to it until `commit`; `discard` removes it.
   */
  async stage(source: Readable, maxBytes = Number.MAX_SAFE_INTEGER): Promise<StagedBlob> {
    const { cipher, iv, keyId, wrappedKey } = this.newCipher();
    const hash = crypto.createHash('sha256');
    let size = 0;
    const meter = new Transform({
      transform(chunk: Buffer, _enc, cb) {
        size += chunk.length;
        if (size > maxBytes) return cb(new AppError('PAYLOAD_TOO_LARGE', msg`The file is larger than the limit of ${maxBytes} bytes.`));
        hash.update(chunk);
        cb(null, chunk);
      },
    });
    const objectKey = newObjectKey();
    // The callback form hands back the last stream; an error anywhere destroys it, failing the write.
    const encrypted = pipeline(source, meter, cipher, () => undefined);
    await this.objects.put(objectKey, encrypted);
    return { sha256: hash.digest('hex'), size, objectKey, keyId, wrappedKey, iv, tag: cipher.getAuthTag() };
  }

  /**
   * `stage` for content already in memory (an instance from a STOW request): the same result
   * without the stream machinery, which dominates the cost of many small files. A caller that
   * has hashed the content already passes its SHA-256.
   */
  async stageBytes(bytes: Uint8Array, sha256?: string): Promise<StagedBlob> {
    const { cipher, iv, keyId, wrappedKey } = this.newCipher();
    const encrypted = Buffer.concat([cipher.update(bytes), cipher.final()]);
    const objectKey = newObjectKey();
    await this.objects.put(objectKey, encrypted);
    return { sha256: sha256 ?? crypto.createHash('sha256').update(bytes).digest('hex'), size: bytes.length, objectKey, keyId, wrappedKey, iv, tag: cipher.getAuthTag() };
  }

  /**
   * Stores a file that is already encrypted exactly as `stage` would have (a finished upload,
   * sealed as it arrived): the file becomes the object (a rename on the same disk), so its bytes
   * are not read or written again. The file is gone afterwards, whatever the outcome.
   */
  async adopt(db: Db, sealed: SealedFile): Promise<StoredBlob> {
    const objectKey = newObjectKey();
    try {
      if (this.objects.adopt) await this.objects.adopt(objectKey, sealed.path);
      else await this.objects.put(objectKey, fs.createReadStream(sealed.path));
    } finally {
      await fs.promises.rm(sealed.path, { force: true });
    }
    return this.commitOne(db, { sha256: sealed.sha256, size: sealed.size, objectKey, keyId: sealed.keyId, wrappedKey: sealed.wrappedKey, iv: sealed.iv, tag: sealed.tag });
  }

  /**
   * Second half of `put`, inside the caller's transaction: the rows of staged objects are
   * written (their objects are already durable, so the transaction holds no file work). Content
   * already stored is reused and its staged copy removed.
   */
  async commit(tx: Queryable, staged: StagedBlob[]): Promise<StoredBlob[]> {
    // One copy per content in this batch; the others are spare from the start.
    const first = new Map<string, StagedBlob>();
    for (const s of staged) if (!first.has(s.sha256)) first.set(s.sha256, s);
    // Content already stored keeps its row (and object); a concurrent writer of the same content
    // waits on the row's unique key and then finds it there: either way exactly one row wins.
    const inserted = new Set((await tx.query<{ sha256: string }>(
      `INSERT INTO blobs (sha256, size, object_key, key_id, wrapped_key, iv, tag)
       SELECT sha256, size, object_key, key_id, decode(wrapped_key, 'hex'), decode(iv, 'hex'), decode(tag, 'hex')
       FROM jsonb_to_recordset($1::jsonb) AS t(sha256 text, size bigint, object_key text, key_id text, wrapped_key text, iv text, tag text)
       ORDER BY sha256
       ON CONFLICT (sha256) DO NOTHING RETURNING sha256`,
      [JSON.stringify([...first.values()].map((s) => ({ sha256: s.sha256, size: s.size, object_key: s.objectKey, key_id: s.keyId, wrapped_key: s.wrappedKey.toString('hex'), iv: s.iv.toString('hex'), tag: s.tag.toString('hex') })))])).map((r) => r.sha256));
    const kept = new Set([...first.values()].filter((s) => inserted.has(s.sha256)).map((s) => s.objectKey));
    // No row will ever name these copies, whether or not the transaction commits.
    await Promise.all(staged.filter((s) => !kept.has(s.objectKey)).map((s) => this.objects.delete(s.objectKey)));
    // Created once: the first mention of new content (the same staged blob may be named twice).
    const told = new Set<string>();
    return staged.map((s) => {
      const created = kept.has(s.objectKey) && !told.has(s.sha256);
      told.add(s.sha256);
      return { sha256: s.sha256, size: s.size, created };
    });
  }

  /**
   * Removes staged objects that will not be committed. Given the database, an object a row does
   * name is kept (a commit whose answer was lost did happen); whatever is left, the sweep removes.
   */
  async discard(staged: StagedBlob[], q?: Queryable): Promise<void> {
    const keys = staged.map((s) => s.objectKey);
    const named = q ? new Set((await q.query<{ object_key: string }>('SELECT object_key FROM blobs WHERE object_key = ANY($1::text[])', [keys])).map((r) => r.object_key)) : new Set<string>();
    await Promise.all(keys.filter((k) => !named.has(k)).map((k) => this.objects.delete(k)));
  }

  /** A stream of the plaintext; the GCM tag is checked at the end, so tampering fails the stream. */
  async open(tx: Queryable, sha: string): Promise<{ stream: Readable; size: number }> {
    const [row] = await tx.query<BlobRow>('SELECT * FROM blobs WHERE sha256 = $1', [sha]);
    if (!row) throw new AppError('NOT_FOUND', 'The file is not in the store.');
    const decipher = this.decipherFor(row);
    const stored = await this.objects.get(row.object_key);
    stored.on('error', (e) => decipher.destroy(e));
    return { stream: stored.pipe(decipher), size: Number(row.size) };
  }

  /**
   * A blob open for many range reads (a slide pyramid's tiles): `read(start, end)` gives plaintext
   * bytes start..end-1, decrypted on their own (see gcmRangeDecipher). The GCM tag covers only the
   * whole file, so the caller checks what it reads another way (a digest per tile) and closes the
   * reader when done.
   */
  async rangeReader(tx: Queryable, sha: string): Promise<{ size: number; read: (start: number, end: number) => Promise<Buffer>; close: () => Promise<void> }> {
    const [row] = await tx.query<BlobRow>('SELECT * FROM blobs WHERE sha256 = $1', [sha]);
    if (!row) throw new AppError('NOT_FOUND', 'The file is not in the store.');
    const master = this.keys.find((k) => k.id === row.key_id);
    if (!master) throw new Error(`Blob ${row.sha256.slice(0, 12)} is wrapped with key "${row.key_id}", which is not configured`);
    const dek = crypto.createSecretKey(unwrap(master, Buffer.from(row.wrapped_key)));
    const iv = Buffer.from(row.iv);
    const handle = await this.objects.openRanges?.(row.object_key);
    // The encrypted bytes are garbage once deciphered: a few buffers are reused for them, so a
    // viewer's stream of tiles allocates half as much (each allocation drew the collector sooner).
    const spare: Buffer[] = [];
    const sealed = handle
      ? (start: number, end: number, into: Buffer) => handle.read(start, end, into)
      : async (start: number, end: number) => readAll(await this.objects.get(row.object_key, { start, end: end - 1 }));
    return {
      size: Number(row.size),
      read: async (start, end) => {
        if (end <= start) return Buffer.alloc(0);
        let scratch = spare.pop();
        if (!scratch || scratch.length < end - start) scratch = Buffer.allocUnsafeSlow(Math.max(end - start, SCRATCH_BYTES));
        try {
          const decipher = gcmRangeDecipher(dek, iv, start);
          const plain = decipher.update(await sealed(start, end, scratch));
          decipher.final(); // counter mode: nothing held back, so no copy to join it
          return plain;
        } finally {
          if (spare.length < SPARE_SCRATCH && scratch.length <= MAX_SCRATCH_BYTES) spare.push(scratch);
        }
      },
      close: async () => handle?.close(),
    };
  }

  async read(tx: Queryable, sha: string): Promise<Buffer> {
    return readAll((await this.open(tx, sha)).stream);
  }

  /**
   * Several blobs, decrypted whole, in order; the next one is read while the caller uses the
   * current one. For many small-to-medium files (a series of images) this beats one stream each.
   */
  async *readMany(tx: Queryable, shas: string[]): AsyncGenerator<Buffer> {
    const rows = new Map((await tx.query<BlobRow>('SELECT * FROM blobs WHERE sha256 = ANY($1::text[])', [[...new Set(shas)]])).map((r) => [r.sha256, r]));
    // Small blobs (a CT slice) are read into a few buffers reused in turn, one per read under way:
    // a series of hundreds of instances would otherwise allocate each one twice. Reads run ahead of
    // the one being sent, so the disk and the socket work at once, but never more than
    // READ_AHEAD_BYTES ahead: a series of whole-slide levels must not hold gigabytes.
    const slabs = Array.from({ length: READ_AHEAD }, () => Buffer.alloc(0));
    const sizeOf = (sha: string) => Number(rows.get(sha)?.size ?? 0);
    const load = async (sha: string, k: number): Promise<Buffer> => {
      const row = rows.get(sha);
      if (!row) throw new AppError('NOT_FOUND', 'The file is not in the store.');
      const decipher = this.decipherFor(row);
      const size = Number(row.size);
      let sealed: Buffer;
      if (this.objects.readInto && size <= SLAB_MAX_BYTES) {
        if (slabs[k]!.length < size) slabs[k] = Buffer.allocUnsafe(size);
        sealed = slabs[k]!.subarray(0, await this.objects.readInto(row.object_key, slabs[k]!));
      } else sealed = await this.objects.getBytes(row.object_key);
      const plain = decipher.update(sealed);
      decipher.final();
      return plain;
    };
    const pending: { p: Promise<Buffer>; bytes: number }[] = [];
    let next = 0;
    const fill = () => {
      while (next < shas.length && pending.length < READ_AHEAD && (pending.length === 0 || pending.reduce((n, x) => n + x.bytes, 0) + sizeOf(shas[next]!) <= READ_AHEAD_BYTES)) {
        const p = load(shas[next]!, next % READ_AHEAD);
        p.catch(() => undefined); // surfaced when awaited
        pending.push({ p, bytes: sizeOf(shas[next]!) });
        next++;
      }
    };
    fill();
    while (pending.length) {
      const current = await pending.shift()!.p;
      fill();
      yield current;
    }
  }

  /** Rewraps every data key not under the current master key. Returns how many rows changed. */
  async rotate(tx: Queryable): Promise<number> {
    const current = this.keys[0]!;
    const rows = await tx.query<BlobRow>('SELECT * FROM blobs WHERE key_id <> $1', [current.id]);
    for (const row of rows) {
      const old = this.keys.find((k) => k.id === row.key_id);
      if (!old) throw new Error(`Key "${row.key_id}" is needed to rewrap blob ${row.sha256.slice(0, 12)} but is not configured`);
      await tx.query('UPDATE blobs SET key_id = $2, wrapped_key = $3 WHERE sha256 = $1', [row.sha256, current.id, wrap(current, unwrap(old, Buffer.from(row.wrapped_key)))]);
    }
    return rows.length;
  }
}

/**
 * Master keys from `BLOB_KEYS` ("id:base64,id:base64", the first one current). Without it,
 * outside production, a key is generated once into DATA_DIR/keys so the embedded default works.
 */
export function loadMasterKeys(spec: string | undefined, dataDir: string, production: boolean): MasterKey[] {
  if (spec) {
    return spec.split(',').map((part) => {
      const [id, b64] = part.trim().split(':');
      const key = Buffer.from(b64 ?? '', 'base64');
      if (!id || key.length !== 32) throw new Error('BLOB_KEYS must be "id:base64key" entries with 32-byte keys (openssl rand -base64 32)');
      return { id, key };
    });
  }
  if (production) throw new Error('BLOB_KEYS is required in production: files are encrypted at rest with it.');
  const file = path.join(dataDir, 'keys', 'blob-master.key');
  if (!fs.existsSync(file)) {
    fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
    fs.writeFileSync(file, `local:${crypto.randomBytes(32).toString('base64')}\n`, { mode: 0o600, flag: 'wx' });
  }
  return loadMasterKeys(fs.readFileSync(file, 'utf8').trim(), dataDir, production);
}
