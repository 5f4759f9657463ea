import fs from 'node:fs';
import fsp from 'node:fs/promises';
import { Readable } from 'node:stream';
import type { SealedFile } from '../core/blobs.ts';

/**
 * A file someone sent, as the checks and the blob store read it: its plain content, at random
 * (a zip's directory, a PDF) or as a stream. When it arrived sealed (encrypted as the blob store
 * keeps it, as resumable uploads to the folder store do), `sealed` lets the store take the file
 * as it is rather than encrypt and write it again.
 */
export interface ReceivedFile {
  readonly size: number;
  /** Plain bytes from `start`, at most `length` of them (fewer at the end). */
  read(start: number, length: number): Promise<Buffer>;
  /** The plain content, whole or from `start` up to (not including) `end`. */
  stream(range?: { start: number; end: number }): Readable;
  readonly sealed?: SealedFile;
}

/** A plain file on disk (the demo's files, an upload copied from the bucket). */
export async function plainFile(file: string): Promise<ReceivedFile> {
  const { size } = await fsp.stat(file);
  return {
    size,
    async read(start, length) {
      const fh = await fsp.open(file, 'r');
      try {
        const buf = Buffer.alloc(Math.max(0, Math.min(length, size - start)));
        const { bytesRead } = await fh.read(buf, 0, buf.length, start);
        return buf.subarray(0, bytesRead);
      } finally {
        await fh.close();
      }
    },
    stream: (range) => (range && range.end <= range.start ? Readable.from([]) : fs.createReadStream(file, range ? { start: range.start, end: range.end - 1 } : {})),
  };
}
