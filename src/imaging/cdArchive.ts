import yauzl, { type Entry, type ZipFile } from 'yauzl';
import { unsafeEntryName } from '../records/zipCheck.ts';
import { metaEnd, MEDIA_STORAGE_DIRECTORY, readMeta } from './part10.ts';
import { dcmjs } from './dcmjs.ts';

/**
 * The DICOM files on a CD, from a zip of it: the ones its DICOMDIR lists when it has one,
 * otherwise every file that is DICOM Part 10 (viewer programs, autorun files and the like are
 * passed over). Entries are read one at a time, so a whole study is never in memory.
 */

export interface CdFile {
  name: string;
  bytes: Buffer;
}

const openZip = (file: string) => new Promise<ZipFile>((resolve, reject) =>
  yauzl.open(file, { lazyEntries: true, autoClose: false, validateEntrySizes: true, strictFileNames: false }, (err, zip) => (err || !zip ? reject(err ?? new Error('zip')) : resolve(zip))));

const readEntry = (zip: ZipFile, entry: Entry) => new Promise<Buffer>((resolve, reject) =>
  zip.openReadStream(entry, (err, stream) => {
    if (err || !stream) return reject(err ?? new Error('entry'));
    const chunks: Buffer[] = [];
    stream.on('data', (c: Buffer) => chunks.push(c));
    stream.on('end', () => resolve(Buffer.concat(chunks)));
    stream.on('error', reject);
  }));

async function listEntries(zip: ZipFile): Promise<Entry[]> {
  return new Promise((resolve, reject) => {
    const entries: Entry[] = [];
    zip.on('entry', (e: Entry) => { entries.push(e); zip.readEntry(); });
    zip.on('end', () => resolve(entries));
    zip.on('error', reject);
    zip.readEntry();
  });
}

const normalise = (p: string) => p.replace(/\\/g, '/').toUpperCase();

/** The file paths a DICOMDIR references (Referenced File ID, 0004,1500), relative to its folder. */
export function dicomdirFiles(bytes: Buffer): string[] {
  const ab = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
  const read = dcmjs().data.DicomMessage.readFile(ab);
  const records = (read.dict['00041220']?.Value ?? []) as Record<string, { Value?: unknown[] }>[];
  return records.map((r) => r['00041500']?.Value?.map(String).join('/')).filter((p): p is string => Boolean(p));
}

/** Whether the bytes look like a Part 10 file worth parsing, and not a DICOMDIR. */
export function isPart10Image(bytes: Buffer): boolean {
  try {
    metaEnd(bytes);
    return readMeta(bytes).sopClassUid !== MEDIA_STORAGE_DIRECTORY;
  } catch {
    return false;
  }
}

export async function* cdFiles(zipPath: string, maxEntryBytes: number): AsyncGenerator<CdFile | { name: string; skipped: string }> {
  const zip = await openZip(zipPath);
  try {
    const entries = (await listEntries(zip)).filter((e) => !e.fileName.endsWith('/') && !unsafeEntryName(e.fileName));
    const dirEntry = entries.find((e) => /(^|\/)DICOMDIR$/i.test(e.fileName));
    let wanted: Set<string> | null = null;
    if (dirEntry) {
      try {
        const folder = dirEntry.fileName.replace(/DICOMDIR$/i, '');
        const listed = dicomdirFiles(await readEntry(zip, dirEntry)).map((p) => normalise(folder + p));
        if (listed.length) wanted = new Set(listed);
      } catch {
        wanted = null; // An unreadable DICOMDIR: fall back to looking at every file.
      }
    }
    for (const entry of entries) {
      if (entry === dirEntry) continue;
      if (wanted && !wanted.has(normalise(entry.fileName))) continue;
      if (entry.uncompressedSize < 132) continue;
      if (entry.uncompressedSize > maxEntryBytes) {
        yield { name: entry.fileName, skipped: 'larger than the limit for one image' };
        continue;
      }
      let bytes: Buffer;
      try {
        bytes = await readEntry(zip, entry);
      } catch {
        // A damaged entry is one unreadable file; the rest of the disc is still read.
        yield { name: entry.fileName, skipped: 'damaged inside the archive' };
        continue;
      }
      if (!isPart10Image(bytes)) {
        if (wanted) yield { name: entry.fileName, skipped: 'listed in the DICOMDIR but not a DICOM file' };
        continue;
      }
      yield { name: entry.fileName, bytes };
    }
  } finally {
    zip.close();
  }
}
