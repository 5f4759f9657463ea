import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import { imageSize } from 'image-size';

/**
 * Text recognition with Tesseract from Debian's packages (`tesseract-ocr`, with the language
 * packs `tesseract-ocr-eng`, `tesseract-ocr-spa`); PDF pages are drawn by poppler's `pdftoppm`
 * (`poppler-utils`). The file goes to each program through a pipe and the text comes back
 * the same way, so no plain copy of a record touches the disk. Each call is a child process of
 * its own with a time limit and no secrets in its environment, as it reads untrusted bytes.
 */
export const TESSERACT_BIN = process.env.TESSERACT_BIN ?? 'tesseract';
export const PDFTOPPM_BIN = process.env.PDFTOPPM_BIN ?? 'pdftoppm';

export interface OcrOptions {
  /** Tesseract's language codes, tried together (`eng+spa`). */
  languages: string[];
  /** Pages of a scanned PDF read at most; the rest wait for a person. */
  maxPages: number;
  /** Time limit of each program run. */
  timeoutMs: number;
  /** Time for a whole document: pages past it wait for a person (a job must end well within its lease). */
  budgetMs: number;
}

/** What was read, and whether every page was (a scanned PDF may be longer than the limits allow). */
export interface OcrResult { text: string; pagesRead: number; complete: boolean }

/**
 * Text recognition for scanned pages and photos of paper records; its text goes through the same
 * classification as any other text. Throws when it cannot read a file (the file then waits for a person).
 */
export type OcrEngine = (content: Buffer, contentType: 'pdf' | 'jpeg' | 'png' | 'tiff', known?: { pages?: number }) => Promise<OcrResult>;

/** A photo larger than this is refused before reading: decoding it would take gigabytes of memory. */
export const MAX_OCR_MEGAPIXELS = 40;
/** PDF pages are drawn with their longest side at this many pixels (about 200 dpi for a letter page), whatever size the page claims. */
const PDF_PAGE_PIXELS = 2400;
/** What a reading program may take: a file built to exhaust memory stops at this, not at the server. */
const CHILD_MEMORY_BYTES = 3 * 1024 ** 3;
const PRLIMIT = ['/usr/bin/prlimit', '/bin/prlimit'].find((p) => fs.existsSync(p));

/** The file is not one to read (too large a picture, not a picture): a person reads it instead. */
export class OcrRefused extends Error {}

/** The environment of a reading program: no secrets, one thread, and where Tesseract keeps its languages when set. */
const childEnv = () => ({ PATH: process.env.PATH ?? '/usr/bin:/bin', OMP_THREAD_LIMIT: '1', ...(process.env.TESSDATA_PREFIX ? { TESSDATA_PREFIX: process.env.TESSDATA_PREFIX } : {}) });

/** A child process fed `input` on stdin; resolves with its stdout, rejects on a non-zero exit or the time limit. */
function pipeThrough(bin: string, args: string[], input: Buffer, timeoutMs: number, maxOutput = 64 * 1024 * 1024): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    // One thread: the server's two cores are shared with requests (Tesseract's OpenMP would take them all).
    const [cmd, argv] = PRLIMIT ? [PRLIMIT, [`--as=${CHILD_MEMORY_BYTES}`, '--', bin, ...args]] : [bin, args];
    const child = spawn(cmd, argv, { env: childEnv(), stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    let size = 0;
    let err = '';
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.stdout.on('data', (c: Buffer) => {
      size += c.length;
      if (size > maxOutput) child.kill('SIGKILL');
      else out.push(c);
    });
    child.stderr.on('data', (c: Buffer) => { err = (err + c.toString()).slice(-2000); });
    // A child that exits before reading all its input closes the pipe: that is its answer, not ours to report.
    child.stdin.on('error', () => {});
    child.on('error', (e) => { clearTimeout(timer); reject(e); });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolve(Buffer.concat(out));
      else reject(Object.assign(new Error(`${bin} ${signal ? `was stopped (${signal})` : `exited with ${code}`}`), { code, stderr: err }));
    });
    child.stdin.end(input);
  });
}

/**
 * The size of every page of a classic TIFF (Tesseract reads them all; image-size reads only the
 * first): the chain of image directories, each page's width and length tags. A BigTIFF, a loop
 * or a directory outside the file is refused.
 */
export function tiffPageSizes(bytes: Buffer): { width: number; height: number }[] {
  const le = bytes.toString('latin1', 0, 2) === 'II';
  if (!le && bytes.toString('latin1', 0, 2) !== 'MM') throw new OcrRefused('not a TIFF');
  const u16 = (o: number) => (le ? bytes.readUInt16LE(o) : bytes.readUInt16BE(o));
  const u32 = (o: number) => (le ? bytes.readUInt32LE(o) : bytes.readUInt32BE(o));
  if (u16(2) !== 42) throw new OcrRefused('a BigTIFF or not a TIFF');
  const pages: { width: number; height: number }[] = [];
  const seen = new Set<number>();
  for (let ifd = u32(4); ifd !== 0; ) {
    if (seen.has(ifd) || pages.length >= 500 || ifd + 2 > bytes.length) throw new OcrRefused('a TIFF whose pages cannot be counted');
    seen.add(ifd);
    const entries = u16(ifd);
    if (ifd + 2 + entries * 12 + 4 > bytes.length) throw new OcrRefused('a TIFF cut short');
    let width = 0;
    let height = 0;
    for (let i = 0; i < entries; i++) {
      const e = ifd + 2 + i * 12;
      const tag = u16(e);
      const value = u16(e + 2) === 3 ? u16(e + 8) : u32(e + 8);
      if (tag === 256) width = value;
      if (tag === 257) height = value;
    }
    pages.push({ width, height });
    ifd = u32(ifd + 2 + entries * 12);
  }
  return pages;
}

/** A picture's size from its header (every page of a TIFF), refused when too large to decode safely or not a picture at all. */
function checkPicture(bytes: Buffer, type: 'jpeg' | 'png' | 'tiff'): void {
  if (type === 'tiff') {
    const pages = tiffPageSizes(bytes);
    if (!pages.length || pages.some((p) => !p.width || !p.height)) throw new OcrRefused('a TIFF page without a size');
    if (pages.some((p) => p.width * p.height > MAX_OCR_MEGAPIXELS * 1_000_000)) throw new OcrRefused('a TIFF page too large to read');
    return;
  }
  let size: { width?: number; height?: number };
  try {
    size = imageSize(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength));
  } catch {
    throw new OcrRefused('not a picture that can be read');
  }
  if (!size.width || !size.height) throw new OcrRefused('a picture without a size');
  if (size.width * size.height > MAX_OCR_MEGAPIXELS * 1_000_000) throw new OcrRefused(`a picture of ${Math.round((size.width * size.height) / 1e6)} megapixels`);
}

export function tesseractOcr(opts: OcrOptions): OcrEngine {
  const read = async (image: Buffer) => (await pipeThrough(TESSERACT_BIN, ['stdin', 'stdout', '-l', opts.languages.join('+')], image, opts.timeoutMs)).toString('utf8');
  return async (content, contentType) => {
    if (contentType !== 'pdf') {
      checkPicture(content, contentType);
      return { text: await read(content), pagesRead: 1, complete: true };
    }
    const deadline = Date.now() + opts.budgetMs;
    const pages: string[] = [];
    for (let page = 1; page <= opts.maxPages; page++) {
      if (Date.now() > deadline) return { text: pages.join('\n\f'), pagesRead: pages.length, complete: false };
      let png: Buffer;
      try {
        png = await pipeThrough(PDFTOPPM_BIN, ['-png', '-gray', '-scale-to', String(PDF_PAGE_PIXELS), '-f', String(page), '-l', String(page), '-singlefile', '-'], content, opts.timeoutMs);
      } catch (err) {
        // Past the last page pdftoppm says so (exit 99): the document is read.
        if (page > 1 && /Wrong page range/.test((err as { stderr?: string }).stderr ?? '')) return { text: pages.join('\n\f'), pagesRead: pages.length, complete: true };
        throw err;
      }
      pages.push(await read(png));
    }
    // At the page limit: complete only if there is no page after it.
    const more = await pipeThrough(PDFTOPPM_BIN, ['-png', '-scale-to', '8', '-f', String(opts.maxPages + 1), '-l', String(opts.maxPages + 1), '-singlefile', '-'], content, opts.timeoutMs).then(() => true, () => false);
    return { text: pages.join('\n\f'), pagesRead: pages.length, complete: !more };
  };
}

/**
 * The engine this installation has: Tesseract when its program and at least one of the wanted
 * languages are installed, else none (photos and scans then wait for a person, as before).
 * `required` makes a missing Tesseract an error at start-up instead.
 */
export function ocrEngineFor(setting: 'auto' | 'tesseract' | 'off', languages: string[], limits: Omit<OcrOptions, 'languages'>): { engine?: OcrEngine; languages: string[]; why?: string; memoryLimit?: boolean } {
  if (setting === 'off') return { languages: [], why: 'OCR=off' };
  let installed: string[];
  try {
    const listing = execFileSync(TESSERACT_BIN, ['--list-langs'], { timeout: 10_000, encoding: 'utf8', env: childEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
    installed = listing.split('\n').slice(1).map((s) => s.trim()).filter(Boolean);
  } catch {
    if (setting === 'tesseract') throw new Error(`Invalid configuration:\n  OCR=tesseract, but "${TESSERACT_BIN}" cannot be run (Debian: apt-get install tesseract-ocr tesseract-ocr-eng)`);
    return { languages: [], why: `${TESSERACT_BIN} is not installed` };
  }
  const usable = languages.filter((l) => installed.includes(l));
  if (!usable.length) {
    if (setting === 'tesseract') throw new Error(`Invalid configuration:\n  OCR_LANGUAGES: none of ${languages.join(', ')} is installed for Tesseract (Debian: tesseract-ocr-${languages[0]})`);
    return { languages: [], why: `no Tesseract language pack of ${languages.join(', ')}` };
  }
  // Without prlimit (util-linux) a reading program has no memory limit of its own: said at start-up.
  return { engine: tesseractOcr({ languages: usable, ...limits }), languages: usable, memoryLimit: !!PRLIMIT };
}
