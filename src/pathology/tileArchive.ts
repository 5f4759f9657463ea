import { PassThrough, type Readable } from 'node:stream';
import zlib from 'node:zlib';
import yauzl, { type Entry, type ZipFile } from 'yauzl';

/** Reads bytes start..end-1 of a file that is not on disk as it is (an encrypted blob). */
export type ReadRange = (start: number, end: number) => Promise<Buffer>;

class RangeReader extends yauzl.RandomAccessReader {
  private readonly readRange: ReadRange;
  constructor(readRange: ReadRange) {
    super();
    this.readRange = readRange;
  }
  override _readStreamForRange(start: number, end: number): Readable {
    const out = new PassThrough();
    this.readRange(start, end).then((b) => out.end(b), (e: Error) => out.destroy(e));
    return out;
  }
}

export class TileMissing extends Error {}

/**
 * A slide's Deep Zoom pyramid, stored as one uncompressed zip (see buildPyramid): the directory is
 * read once, then each tile is two small reads from the middle of the file, its CRC-32 checked.
 */
export class TileArchive {
  private readonly dataStart = new Map<string, number>();
  private readonly zip: ZipFile;
  private readonly entries: Map<string, Entry>;
  private readonly readRange: ReadRange;
  private readonly prefix: string;

  private constructor(zip: ZipFile, entries: Map<string, Entry>, readRange: ReadRange, prefix: string) {
    this.zip = zip;
    this.entries = entries;
    this.readRange = readRange;
    this.prefix = prefix;
  }

  static async open(size: number, readRange: ReadRange, prefix: string): Promise<TileArchive> {
    const zip = await yauzl.fromRandomAccessReaderPromise(new RangeReader(readRange), size, { autoClose: false, validateEntrySizes: true, strictFileNames: true });
    const entries = await new Promise<Map<string, Entry>>((resolve, reject) => {
      const found = new Map<string, Entry>();
      zip.on('entry', (entry: Entry) => {
        if (entry.fileName.startsWith(prefix)) found.set(entry.fileName.slice(prefix.length), entry);
        zip.readEntry();
      });
      zip.on('end', () => resolve(found));
      zip.on('error', reject);
      zip.readEntry();
    });
    return new TileArchive(zip, entries, readRange, prefix);
  }

  get tileCount(): number {
    return this.entries.size;
  }

  /** The JPEG of one tile at a Deep Zoom level, or TileMissing (outside the pyramid). */
  async tile(level: number, col: number, row: number): Promise<Buffer> {
    const name = `${level}/${col}_${row}.jpeg`;
    const entry = this.entries.get(name);
    if (!entry) throw new TileMissing(name);
    let start = this.dataStart.get(name);
    if (start === undefined) {
      start = (await this.zip.readLocalFileHeaderPromise(entry, { minimal: true })).fileDataStart;
      this.dataStart.set(name, start);
    }
    const stored = await this.readRange(start, start + entry.compressedSize);
    const bytes = entry.compressionMethod === 0 ? stored : zlib.inflateRawSync(stored, { maxOutputLength: entry.uncompressedSize });
    if (bytes.length !== entry.uncompressedSize || zlib.crc32(bytes) !== entry.crc32) throw new Error(`The stored tile ${this.prefix}${name} does not match its checksum.`);
    return bytes;
  }
}
