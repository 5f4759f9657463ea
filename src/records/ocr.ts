import { execFileSync, spawn } from 'node:child_process';
import type { OcrEngine } from './service.ts';

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
  timeoutMs: number;
}

/** A child process fed `input` on stdin; resolves with its stdout, rejects on a non-zero exit or the time limit. */
function pipeThrough(bin: string, args: string[], input: Buffer, timeoutMs: number, maxOutput = 64 * 1024 * 1024): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    // One thread: the server's two cores are shared with requests (Tesseract's OpenMP would take them all).
    const child = spawn(bin, args, { env: { PATH: process.env.PATH ?? '/usr/bin:/bin', OMP_THREAD_LIMIT: '1' }, stdio: ['pipe', 'pipe', 'pipe'] });
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

/** Pages of a PDF drawn as grey PNG at 200 dpi (enough for print; Tesseract's own advice is at least 150), one at a time. */
async function* pdfPages(pdf: Buffer, opts: OcrOptions): AsyncGenerator<Buffer> {
  for (let page = 1; page <= opts.maxPages; page++) {
    try {
      yield await pipeThrough(PDFTOPPM_BIN, ['-png', '-gray', '-r', '200', '-f', String(page), '-l', String(page), '-singlefile', '-'], pdf, opts.timeoutMs);
    } catch (err) {
      // Past the last page pdftoppm says so (exit 99): the document is read.
      if (page > 1 && /Wrong page range/.test((err as { stderr?: string }).stderr ?? '')) return;
      throw err;
    }
  }
}

export function tesseractOcr(opts: OcrOptions): OcrEngine {
  const read = async (image: Buffer) => (await pipeThrough(TESSERACT_BIN, ['stdin', 'stdout', '-l', opts.languages.join('+')], image, opts.timeoutMs)).toString('utf8');
  return async (content, contentType) => {
    if (contentType !== 'pdf') return read(content);
    const pages: string[] = [];
    for await (const png of pdfPages(content, opts)) pages.push(await read(png));
    return pages.join('\n\f');
  };
}

/**
 * The engine this installation has: Tesseract when its program and at least one of the wanted
 * languages are installed, else none (photos and scans then wait for a person, as before).
 * `required` makes a missing Tesseract an error at start-up instead.
 */
export function ocrEngineFor(setting: 'auto' | 'tesseract' | 'off', languages: string[], limits: Omit<OcrOptions, 'languages'>): { engine?: OcrEngine; languages: string[]; why?: string } {
  if (setting === 'off') return { languages: [], why: 'OCR=off' };
  let installed: string[];
  try {
    const listing = execFileSync(TESSERACT_BIN, ['--list-langs'], { timeout: 10_000, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
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
  return { engine: tesseractOcr({ languages: usable, ...limits }), languages: usable };
}
