import crypto from 'node:crypto';
import fs from 'node:fs/promises';
import yauzl, { type Entry } from 'yauzl';

/**
 * Where each tile of a slide's pyramid sits in its zip, and a digest of its bytes: built once from
 * the local zip when the pyramid is made, stored as a blob of its own (so it is encrypted and
 * checked whole when read), then used to read any tile with one range read of the pyramid and to
 * check what came back. The zip's own directory is never scanned again.
 *
 * One record per tile, sorted by (level, column, row) for a binary search:
 * level u32 · column u32 · row u32 · offset f64 · length u32 · SHA-256 of the tile, first 16 bytes.
 */
const RECORD = 40;

/** Reads bytes start..end-1 of a file that is not on disk as it is (an encrypted blob). */
export type ReadRange = (start: number, end: number) => Promise<Buffer>;

export class TileMissing extends Error {}
export class TileDamaged extends Error {}

const TILE_NAME = /^(\d{1,2})\/(\d{1,7})_(\d{1,7})\.jpeg$/;

export async function buildTileIndex(zipPath: string, prefix: string): Promise<Buffer> {
  const zip = await yauzl.openPromise(zipPath, { strictFileNames: true, validateEntrySizes: true });
  const handle = await fs.open(zipPath, 'r');
  try {
    const records: Buffer[] = [];
    await new Promise<void>((resolve, reject) => {
      zip.on('entry', (entry: Entry) => {
        const m = entry.fileName.startsWith(prefix) ? TILE_NAME.exec(entry.fileName.slice(prefix.length)) : null;
        if (!m) return zip.readEntry();
        if (entry.compressionMethod !== 0) return reject(new Error(`The pyramid's tile ${entry.fileName} is compressed; it was written without compression.`));
        zip.readLocalFileHeaderPromise(entry, { minimal: true }).then(async ({ fileDataStart }) => {
          const bytes = Buffer.alloc(entry.compressedSize);
          await handle.read(bytes, 0, bytes.length, fileDataStart);
          const r = Buffer.alloc(RECORD);
          r.writeUInt32BE(Number(m[1]), 0);
          r.writeUInt32BE(Number(m[2]), 4);
          r.writeUInt32BE(Number(m[3]), 8);
          r.writeDoubleBE(fileDataStart, 12);
          r.writeUInt32BE(bytes.length, 20);
          crypto.createHash('sha256').update(bytes).digest().copy(r, 24, 0, 16);
          records.push(r);
          zip.readEntry();
        }, reject);
      });
      zip.on('end', () => resolve());
      zip.on('error', reject);
      zip.readEntry();
    });
    records.sort(Buffer.compare); // big-endian level, column, row first: byte order is tile order
    return Buffer.concat(records);
  } finally {
    zip.close();
    await handle.close();
  }
}

/** The record of one tile, by binary search; null when the pyramid has no such tile. */
function find(index: Buffer, level: number, col: number, row: number): { offset: number; length: number; digest: Buffer } | null {
  const key = Buffer.alloc(12);
  key.writeUInt32BE(level, 0);
  key.writeUInt32BE(col, 4);
  key.writeUInt32BE(row, 8);
  let lo = 0;
  let hi = index.length / RECORD - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const c = key.compare(index, mid * RECORD, mid * RECORD + 12); // < 0: the tile sought comes before this one
    if (c === 0) {
      const at = mid * RECORD;
      return { offset: index.readDoubleBE(at + 12), length: index.readUInt32BE(at + 20), digest: index.subarray(at + 24, at + RECORD) };
    }
    if (c < 0) hi = mid - 1;
    else lo = mid + 1;
  }
  return null;
}

export const tileCount = (index: Buffer) => index.length / RECORD;

/** One tile's JPEG, read from the middle of the pyramid and checked against its digest. */
export async function readTile(index: Buffer, readRange: ReadRange, level: number, col: number, row: number): Promise<Buffer> {
  const at = find(index, level, col, row);
  if (!at) throw new TileMissing(`${level}/${col}_${row}`);
  const bytes = await readRange(at.offset, at.offset + at.length);
  if (bytes.length !== at.length || !crypto.hash('sha256', bytes, 'buffer').subarray(0, 16).equals(at.digest)) {
    throw new TileDamaged(`The stored tile ${level}/${col}_${row} does not match its digest.`);
  }
  return bytes;
}
