/** Reads `length` bytes of a file at `offset` (fewer at its end). */
export type ReadAt = (offset: number, length: number) => Promise<Buffer>;

const SOFTWARE = 305;
const IMAGE_DESCRIPTION = 270;
const ASCII = 2;
/** Enough of a description to see its root element; Philips' XML runs to megabytes with its photos. */
const DESCRIPTION_BYTES = 4096;

/**
 * The Software and the start of the ImageDescription of a TIFF's first directory (classic or
 * BigTIFF, either byte order), read by offset: a scanner writes its directories after the pixels,
 * far past the bytes a file is first sniffed by. Null when the file is not such a TIFF.
 */
export async function firstDirectoryText(read: ReadAt): Promise<{ software: string | null; description: string | null } | null> {
  const head = await read(0, 16);
  if (head.length < 8) return null;
  const little = head.toString('latin1', 0, 2) === 'II';
  if (!little && head.toString('latin1', 0, 2) !== 'MM') return null;
  const u16 = (b: Buffer, at: number) => (little ? b.readUInt16LE(at) : b.readUInt16BE(at));
  const u32 = (b: Buffer, at: number) => (little ? b.readUInt32LE(at) : b.readUInt32BE(at));
  const u64 = (b: Buffer, at: number) => Number(little ? b.readBigUInt64LE(at) : b.readBigUInt64BE(at));
  const big = u16(head, 2) === 43;
  if (!big && u16(head, 2) !== 42) return null;
  if (big && head.length < 16) return null;
  const ifd = big ? u64(head, 8) : u32(head, 4);
  const countBytes = big ? 8 : 2;
  const entrySize = big ? 20 : 12;
  const counted = await read(ifd, countBytes);
  if (counted.length < countBytes) return null;
  const entries = Math.min(big ? u64(counted, 0) : u16(counted, 0), 4096);
  const table = await read(ifd + countBytes, entries * entrySize);
  const text = async (tag: number, limit: number): Promise<string | null> => {
    for (let i = 0; i + entrySize <= table.length; i += entrySize) {
      if (u16(table, i) !== tag || u16(table, i + 2) !== ASCII) continue;
      const count = big ? u64(table, i + 4) : u32(table, i + 4);
      const inline = count <= (big ? 8 : 4);
      const valueAt = i + (big ? 12 : 8);
      const bytes = inline ? table.subarray(valueAt, valueAt + count) : await read(big ? u64(table, valueAt) : u32(table, valueAt), Math.min(count, limit));
      return bytes.toString('latin1').replace(/\0.*$/s, '');
    }
    return null;
  };
  return { software: await text(SOFTWARE, 256), description: await text(IMAGE_DESCRIPTION, DESCRIPTION_BYTES) };
}

/**
 * True for a Philips whole-slide TIFF (as its scanners and IntelliSite export it), told as OpenSlide
 * tells it: "Philips" software and a DPUfsImport XML description in the first directory. Its name
 * is a plain .tiff, and nothing in its first bytes says "slide".
 */
export async function isPhilipsSlide(read: ReadAt): Promise<boolean> {
  const found = await firstDirectoryText(read).catch(() => null);
  return !!found?.software?.startsWith('Philips') && /<DataObject\s+ObjectType="DPUfsImport"/.test(found.description ?? '');
}
