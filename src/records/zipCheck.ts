import { createWriteStream } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import yauzl, { type Entry, type ZipFile } from 'yauzl';

/**
 * Checks a zip before anything from it is kept: entry count, total and per-entry expansion
 * (zip bombs), names that climb out of the folder or are absolute (path traversal), encrypted
 * entries. It also tells whether the zip carries DICOM (a CD image), which goes to imaging.
 */
export interface ZipLimits {
  maxEntries: number;
  maxTotalBytes: number;
  maxRatio: number;
}

/** A limit in words: GB from 1 GB up, MB below (a slide's own limit is in MB). */
const sizeWords = (bytes: number) => (bytes >= 1024 ** 3 ? `${Math.round(bytes / 1024 ** 3)} GB` : `${Math.round(bytes / 1024 ** 2)} MB`);

export const DEFAULT_ZIP_LIMITS: ZipLimits = { maxEntries: 20_000, maxTotalBytes: 20 * 1024 ** 3, maxRatio: 200 };

export interface ZipSummary {
  entries: number;
  dicomEntries: number;
  hasDicomdir: boolean;
  totalBytes: number;
  /** The files (not folders) by name, and whether each is a symbolic link (which a Unix zip can hold). */
  files: { name: string; link: boolean }[];
}

export class ZipRejected extends Error {}

const OPTIONS = { lazyEntries: true, autoClose: true, validateEntrySizes: true, strictFileNames: false };

/** A file read by ranges: the zip on disk, or an upload that is only ever on disk encrypted. */
export interface RangeReadable {
  size: number;
  stream(range: { start: number; end: number }): Readable;
}

class RangeReader extends yauzl.RandomAccessReader {
  private readonly source: RangeReadable;

  constructor(source: RangeReadable) {
    super();
    this.source = source;
  }

  override _readStreamForRange(start: number, end: number): Readable {
    return this.source.stream({ start, end });
  }
}

const open = (file: string | RangeReadable) => new Promise<ZipFile>((resolve, reject) => {
  const done = (err: Error | null, zip?: ZipFile) => (err || !zip ? reject(new ZipRejected(explain(err))) : resolve(zip));
  if (typeof file === 'string') yauzl.open(file, OPTIONS, done);
  else yauzl.fromRandomAccessReader(new RangeReader(file), file.size, OPTIONS, done);
});

/** yauzl refuses unsafe names itself; say so in plain words rather than "damaged". */
function explain(err: Error | null | undefined): string {
  const m = err?.message ?? '';
  if (/invalid relative path|absolute path|invalid characters/i.test(m)) return `The zip contains an unsafe path (${m.replace(/^.*?: /, '')}): files may not point outside the archive.`;
  return 'The zip archive is damaged and cannot be opened.';
}

/** Reads the first bytes of an entry (to see if it is DICOM), then stops. */
const head = (zip: ZipFile, entry: Entry, n: number) => new Promise<Buffer>((resolve, reject) =>
  zip.openReadStream(entry, (err, stream) => {
    if (err || !stream) return reject(new ZipRejected(`The entry “${entry.fileName}” cannot be read.`));
    const chunks: Buffer[] = [];
    let got = 0;
    stream.on('data', (c: Buffer) => {
      chunks.push(c);
      got += c.length;
      if (got >= n) stream.destroy();
    });
    stream.on('close', () => resolve(Buffer.concat(chunks).subarray(0, n)));
    stream.on('error', () => resolve(Buffer.concat(chunks).subarray(0, n)));
  }));

/** A symbolic link, as Unix zip tools store one: its file type in the high half of the external attributes. */
const isLink = (entry: Entry) => ((entry.externalFileAttributes >>> 16) & 0o170000) === 0o120000;

export function unsafeEntryName(name: string): boolean {
  const n = name.replace(/\\/g, '/');
  return n.startsWith('/') || /^[a-zA-Z]:/.test(n) || n.split('/').some((p) => p === '..') || n.includes('\0');
}

export async function checkZip(file: string | RangeReadable, limits: ZipLimits = DEFAULT_ZIP_LIMITS): Promise<ZipSummary> {
  const zip = await open(file);
  const summary: ZipSummary = { entries: 0, dicomEntries: 0, hasDicomdir: false, totalBytes: 0, files: [] };
  return new Promise<ZipSummary>((resolve, reject) => {
    const fail = (msg: string) => {
      zip.close();
      reject(new ZipRejected(msg));
    };
    zip.on('error', (err: Error) => fail(explain(err)));
    zip.on('end', () => resolve(summary));
    zip.on('entry', async (entry: Entry) => {
      summary.entries++;
      if (summary.entries > limits.maxEntries) return fail(`The zip has more than ${limits.maxEntries} files.`);
      if (unsafeEntryName(entry.fileName)) return fail(`The zip contains an unsafe path (“${entry.fileName}”): files may not point outside the archive.`);
      if ((entry.generalPurposeBitFlag & 0x1) !== 0) return fail('The zip is password-protected. Please upload it without a password.');
      summary.totalBytes += entry.uncompressedSize;
      if (summary.totalBytes > limits.maxTotalBytes) return fail(`The zip would expand to more than ${sizeWords(limits.maxTotalBytes)}.`);
      if (entry.compressedSize > 0 && entry.uncompressedSize / entry.compressedSize > limits.maxRatio && entry.uncompressedSize > 1024 * 1024) {
        return fail(`The zip looks like a “zip bomb”: “${entry.fileName}” expands ${Math.round(entry.uncompressedSize / entry.compressedSize)} times.`);
      }
      if (entry.compressedSize === 0 && entry.uncompressedSize > 0) return fail('The zip is damaged: an entry claims content but has none.');
      if (/\/$/.test(entry.fileName)) return zip.readEntry();
      summary.files.push({ name: entry.fileName, link: isLink(entry) });
      if (/(^|\/)DICOMDIR$/i.test(entry.fileName)) summary.hasDicomdir = true;
      if (summary.dicomEntries < 1000 && entry.uncompressedSize >= 132) {
        try {
          const h = await head(zip, entry, 132);
          if (h.subarray(128, 132).toString('latin1') === 'DICM') summary.dicomEntries++;
        } catch (e) {
          return fail((e as Error).message);
        }
      }
      zip.readEntry();
    });
    zip.readEntry();
  });
}

/**
 * Writes the files of a zip that `target` names (a path relative to `dest`; null to leave one out)
 * into `dest`, after `checkZip` has passed it with the same limits. Sizes are held to what the zip
 * declares as it is read (yauzl), every path must stay inside `dest`, a name given twice or a
 * symbolic link is refused, and files are readable by this process only.
 */
export async function extractZip(file: string, dest: string, target: (name: string) => string | null, limits: ZipLimits = DEFAULT_ZIP_LIMITS): Promise<void> {
  await checkZip(file, limits);
  const root = path.resolve(dest);
  await fs.mkdir(root, { recursive: true, mode: 0o700 });
  const zip = await open(file);
  let written = 0;
  await new Promise<void>((resolve, reject) => {
    let failed = false;
    const fail = (err: unknown) => {
      if (failed) return;
      failed = true;
      zip.close();
      reject(err);
    };
    zip.on('error', (err: Error) => fail(new ZipRejected(explain(err))));
    zip.on('end', () => {
      if (!failed) resolve();
    });
    zip.on('entry', (entry: Entry) => {
      const name = target(entry.fileName);
      if (/\/$/.test(entry.fileName) || name === null) return zip.readEntry();
      if (isLink(entry)) return fail(new ZipRejected(`The zip contains a link (“${entry.fileName}”) where a file was expected.`));
      const out = path.resolve(root, name);
      if (!out.startsWith(root + path.sep)) return fail(new ZipRejected(`The zip contains an unsafe path (“${entry.fileName}”): files may not point outside the archive.`));
      written += entry.uncompressedSize;
      if (written > limits.maxTotalBytes) return fail(new ZipRejected(`The zip would expand to more than ${sizeWords(limits.maxTotalBytes)}.`));
      zip.openReadStream(entry, async (err, stream) => {
        if (err || !stream) return fail(new ZipRejected(`The entry “${entry.fileName}” cannot be read.`));
        try {
          await fs.mkdir(path.dirname(out), { recursive: true, mode: 0o700 });
          // "wx": a name given twice in the zip is refused rather than written over.
          await pipeline(stream, createWriteStream(out, { flags: 'wx', mode: 0o600 }));
          zip.readEntry();
        } catch (e) {
          stream.destroy();
          const { code, syscall } = e as NodeJS.ErrnoException;
          if (code === 'EEXIST') return fail(new ZipRejected(`The zip holds “${entry.fileName}” twice.`));
          // A file system's refusal (a full disk) is the server's, not the zip's; bad data (inflate, sizes) is the zip's.
          fail(syscall ? e : new ZipRejected(`The zip is damaged: “${entry.fileName}” cannot be read in full.`));
        }
      });
    });
    zip.readEntry();
  });
}
