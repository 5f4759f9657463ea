import crypto from 'node:crypto';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { FileStore } from '@tus/file-store';
import { ERRORS, type Upload } from '@tus/server';
import { gcmRangeDecipher, type BlobStore, type SealedFile } from '../core/blobs.ts';
import type { ReceivedFile } from './received.ts';

/** What a part of an upload continues from: the hash and the cipher after its first `offset` bytes. */
interface Progress {
  offset: number;
  hash: crypto.Hash;
  cipher: crypto.CipherGCM;
  dek: Buffer;
  key: KeyFile;
}

interface KeyFile {
  keyId: string;
  wrappedKey: Buffer;
  iv: Buffer;
}

const READ_SLICE = 4 * 1024 * 1024;

/**
 * tus's folder store, with each upload encrypted as it arrives, as the blob store keeps files
 * (AES-256-GCM under a data key of its own, wrapped by the master key, beside it in `<id>.key`),
 * and hashed on the way. No plain byte of a health record reaches the disk, each part is fsync'd
 * before it is acknowledged, and a finished upload becomes its blob by a rename: its bytes are
 * written once. The hash and cipher carry on from one part to the next in memory; after a
 * restart (or a part cut short) they are rebuilt by reading back what is stored.
 */
export class SealingFileStore extends FileStore {
  private readonly progress = new Map<string, Progress>();
  private readonly dir: string;
  private readonly blobs: BlobStore;

  constructor(directory: string, blobs: BlobStore) {
    // tus's FileStore makes its folder without waiting for it: an upload begun at once could
    // find no folder. It exists before the store is used.
    fs.mkdirSync(directory, { recursive: true, mode: 0o700 });
    super({ directory });
    this.dir = directory;
    this.blobs = blobs;
  }

  // Ids are ours (32 hex characters, see the routes' naming): nothing else names a file here.
  private file(id: string): string {
    if (!/^[0-9a-f]{32}$/.test(id)) throw ERRORS.FILE_NOT_FOUND;
    return path.join(this.dir, id);
  }

  private keyPath(id: string) {
    return `${this.file(id)}.key`;
  }

  override async create(file: Upload): Promise<Upload> {
    const k = this.blobs.newDataKey();
    const keyFile = { keyId: k.keyId, wrappedKey: k.wrappedKey.toString('base64'), iv: k.iv.toString('base64') };
    const fh = await fsp.open(this.keyPath(file.id), 'wx', 0o600);
    try {
      await fh.writeFile(JSON.stringify(keyFile));
      await fh.sync();
    } finally {
      await fh.close();
    }
    const created = await super.create(file);
    this.progress.set(file.id, this.start({ keyId: k.keyId, wrappedKey: k.wrappedKey, iv: k.iv }, k.dek));
    return created;
  }

  private start(key: KeyFile, dek: Buffer): Progress {
    return { offset: 0, hash: crypto.createHash('sha256'), cipher: crypto.createCipheriv('aes-256-gcm', dek, key.iv), dek, key };
  }

  private async readKey(id: string): Promise<{ key: KeyFile; dek: Buffer }> {
    const raw = JSON.parse(await fsp.readFile(this.keyPath(id), 'utf8')) as Record<string, string>;
    const key = { keyId: raw.keyId!, wrappedKey: Buffer.from(raw.wrappedKey!, 'base64'), iv: Buffer.from(raw.iv!, 'base64') };
    return { key, dek: this.blobs.unwrapDataKey(key.keyId, key.wrappedKey) };
  }

  /** The hash and cipher after the first `offset` bytes: kept from the last part, or rebuilt from the file. */
  private async progressAt(id: string, offset: number): Promise<Progress> {
    const kept = this.progress.get(id);
    if (kept && kept.offset === offset) return kept;
    const { key, dek } = await this.readKey(id);
    const p = this.start(key, dek);
    for await (const plain of plainRange(this.file(id), dek, key.iv, 0, offset)) {
      p.hash.update(plain);
      p.cipher.update(plain);
    }
    p.offset = offset;
    this.progress.set(id, p);
    return p;
  }

  override async write(readable: Readable, id: string, offset: number): Promise<number> {
    const p = await this.progressAt(id, offset);
    let received = 0;
    try {
      // `flush`: the part is fsync'd before the stream closes, so before tus acknowledges it.
      await pipeline(readable, sealing(p.hash, p.cipher, (n) => (received += n)), fs.createWriteStream(this.file(id), { flags: 'r+', start: offset, flush: true, highWaterMark: READ_SLICE }));
    } catch {
      // The hash and cipher have taken in bytes the file may not hold: rebuilt on the next part.
      this.progress.delete(id);
      throw ERRORS.FILE_WRITE_ERROR;
    }
    p.offset = offset + received;
    return p.offset;
  }

  override async remove(id: string): Promise<void> {
    this.progress.delete(id);
    await fsp.rm(this.keyPath(id), { force: true });
    await super.remove(id);
  }

  /** A finished upload: its plain content for the checks, and the sealed file for the blob store. */
  async received(id: string): Promise<ReceivedFile> {
    const upload = await this.getUpload(id);
    if (upload.size === undefined || upload.offset !== upload.size) throw ERRORS.FILE_NOT_FOUND;
    const p = await this.progressAt(id, upload.offset);
    // Finished: the hash and cipher end here (a second call rebuilds them from the file).
    this.progress.delete(id);
    p.cipher.final();
    return sealedView({ path: this.file(id), sha256: p.hash.digest('hex'), size: upload.offset, keyId: p.key.keyId, wrappedKey: p.key.wrappedKey, iv: p.key.iv, tag: p.cipher.getAuthTag() }, p.dek);
  }
}

/** Hashes the plain bytes passing through and passes them on encrypted; `passed` hears of each chunk's length. */
function sealing(hash: crypto.Hash, cipher: crypto.CipherGCM, passed: (bytes: number) => void): Transform {
  return new Transform({
    transform(chunk: Buffer, _enc, cb) {
      hash.update(chunk);
      cb(null, cipher.update(chunk));
      passed(chunk.length);
    },
  });
}

/** Plain bytes [start, end) of a sealed file. */
function plainRange(file: string, dek: Buffer, iv: Buffer, start: number, end: number): Readable {
  if (end <= start) return Readable.from([]);
  return fs.createReadStream(file, { start, end: end - 1, highWaterMark: READ_SLICE }).pipe(gcmRangeDecipher(dek, iv, start));
}

/** A sealed file as the checks read it: plain bytes by range, decrypted as they are read. */
function sealedView(sealed: SealedFile, dek: Buffer): ReceivedFile {
  const { path: file, size, iv } = sealed;
  return {
    size,
    sealed,
    read: async (start, length) => {
      const parts: Buffer[] = [];
      for await (const b of plainRange(file, dek, iv, start, Math.min(size, start + length))) parts.push(b as Buffer);
      return Buffer.concat(parts);
    },
    stream: (range) => plainRange(file, dek, iv, range?.start ?? 0, Math.min(size, range?.end ?? size)),
  };
}

/**
 * Seals a stream into a new local file (hashed and encrypted on the way, fsync'd): an upload
 * gathered from the bucket, so that it too is never on this disk in plain.
 */
export async function sealToFile(source: Readable, file: string, blobs: BlobStore): Promise<ReceivedFile> {
  const { dek, iv, keyId, wrappedKey } = blobs.newDataKey();
  const hash = crypto.createHash('sha256');
  const cipher = crypto.createCipheriv('aes-256-gcm', dek, iv);
  let size = 0;
  const seal = sealing(hash, cipher, (n) => (size += n));
  await pipeline(source, seal, fs.createWriteStream(file, { flags: 'wx', flush: true, mode: 0o600 }));
  cipher.final();
  return sealedView({ path: file, sha256: hash.digest('hex'), size, keyId, wrappedKey, iv, tag: cipher.getAuthTag() }, dek);
}
