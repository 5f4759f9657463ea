import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { renderPdf } from '../core/pdf.ts';
import { ocrEngineFor, OcrRefused, tesseractOcr } from './ocr.ts';

const fixture = (name: string) => fs.readFileSync(path.join(import.meta.dirname, '../../test/fixtures/ocr', name));
const asImage = (png: Buffer) => ({ image: `data:image/png;base64,${png.toString('base64')}`, width: 450 });
const limits = { maxPages: 2, timeoutMs: 60_000, budgetMs: 120_000 };

/** A PNG whose header claims `width` × `height` (a tiny file that would take gigabytes to decode). */
function claimedPng(width: number, height: number): Buffer {
  const chunk = (type: string, data: Buffer) => {
    const len = Buffer.alloc(4); len.writeUInt32BE(data.length);
    const crc = Buffer.alloc(4); crc.writeUInt32BE(zlib.crc32(Buffer.concat([Buffer.from(type), data])) >>> 0);
    return Buffer.concat([len, Buffer.from(type), data, crc]);
  };
  const ihdr = Buffer.alloc(13); ihdr.writeUInt32BE(width, 0); ihdr.writeUInt32BE(height, 4); ihdr[8] = 8; ihdr[9] = 0;
  return Buffer.concat([Buffer.from('89504e470d0a1a0a', 'hex'), chunk('IHDR', ihdr), chunk('IDAT', zlib.deflateSync(Buffer.alloc(1024))), chunk('IEND', Buffer.alloc(0))]);
}

/** A little-endian TIFF of two image directories claiming these sizes (no pixels: only the chain is read). */
function twoPageTiff(w1: number, h1: number, w2: number, h2: number): Buffer {
  const ifd = (w: number, h: number, next: number) => {
    const b = Buffer.alloc(2 + 2 * 12 + 4);
    b.writeUInt16LE(2, 0);
    [[256, w], [257, h]].forEach(([tag, v], i) => { b.writeUInt16LE(tag!, 2 + i * 12); b.writeUInt16LE(4, 4 + i * 12); b.writeUInt32LE(1, 6 + i * 12); b.writeUInt32LE(v!, 10 + i * 12); });
    b.writeUInt32LE(next, 2 + 24);
    return b;
  };
  const head = Buffer.from([0x49, 0x49, 42, 0, 8, 0, 0, 0]);
  const first = ifd(w1, h1, 8 + 30);
  return Buffer.concat([head, first, ifd(w2, h2, 0)]);
}

describe('text recognition with Tesseract', () => {
  const engine = tesseractOcr({ languages: ['eng', 'spa'], ...limits });

  it('reads a photo', async () => {
    expect(await engine(fixture('insurance-card-front.png'), 'png')).toEqual({ text: expect.stringMatching(/Member ID: XWZ900123456/), pagesRead: 1, complete: true });
  });

  it('reads each page of a scanned PDF up to the page limit, and says when pages were left', async () => {
    const pdf = await renderPdf({ content: [asImage(fixture('pathology-report-photo.png')), { ...asImage(fixture('insurance-card-front.png')), pageBreak: 'before' }, { ...asImage(fixture('pathology-report-photo.png')), pageBreak: 'before' }] } as never);
    const read = await engine(pdf, 'pdf');
    expect(read.text).toMatch(/SURGICAL PATHOLOGY REPORT/);
    expect(read.text).toMatch(/XWZ900123456/);
    // The third page is past the limit of two.
    expect(read.text.match(/SURGICAL PATHOLOGY REPORT/g)).toHaveLength(1);
    expect(read).toMatchObject({ pagesRead: 2, complete: false });
  });

  it('ends at the last page of a shorter PDF, complete', async () => {
    const pdf = await renderPdf({ content: [asImage(fixture('insurance-card-front.png'))] } as never);
    expect(await engine(pdf, 'pdf')).toEqual({ text: expect.stringMatching(/Group No: 0077123/), pagesRead: 1, complete: true });
  });

  it('stops reading pages when the document’s time is spent', async () => {
    const pdf = await renderPdf({ content: [asImage(fixture('pathology-report-photo.png')), { ...asImage(fixture('insurance-card-front.png')), pageBreak: 'before' }] } as never);
    const hurried = tesseractOcr({ languages: ['eng'], maxPages: 5, timeoutMs: 60_000, budgetMs: 1 });
    const read = await hurried(pdf, 'pdf');
    expect(read.complete).toBe(false);
    expect(read.pagesRead).toBeLessThan(2);
  });

  it('refuses pictures too large to decode safely before any program runs, and what is not a picture', async () => {
    await expect(engine(claimedPng(30_000, 30_000), 'png')).rejects.toBeInstanceOf(OcrRefused);
    await expect(engine(Buffer.from('not a picture at all'), 'png')).rejects.toBeInstanceOf(OcrRefused);
  });

  it('draws a PDF page at a bounded size whatever size the page claims', async () => {
    // A 200 × 200 inch page would be 40,000 pixels a side at 200 dpi; it is drawn at 2,400.
    const pdf = await renderPdf({ pageSize: { width: 14_400, height: 14_400 }, content: [{ text: 'HUGE PAGE', fontSize: 400 }] } as never);
    const drawn: number[] = [];
    const spy = tesseractOcr({ languages: ['eng'], ...limits });
    const { imageSize } = await import('image-size');
    const child = await import('node:child_process');
    const png = child.execFileSync('pdftoppm', ['-png', '-gray', '-scale-to', '2400', '-f', '1', '-l', '1', '-singlefile', '-'], { input: pdf });
    drawn.push(imageSize(png).width!);
    expect(drawn).toEqual([2400]);
    expect((await spy(pdf, 'pdf')).complete).toBe(true);
  });

  it('uses the page count when it is known, and checks every page of a TIFF', async () => {
    const pdf = await renderPdf({ content: [asImage(fixture('insurance-card-front.png')), { ...asImage(fixture('insurance-card-front.png')), pageBreak: 'before' }, { ...asImage(fixture('insurance-card-front.png')), pageBreak: 'before' }] } as never);
    expect(await engine(pdf, 'pdf', { pages: 3 })).toMatchObject({ pagesRead: 2, complete: false });
    // A TIFF whose first page is small and whose second claims 30,000 × 30,000 pixels.
    const { tiffPageSizes } = await import('./ocr.ts');
    const tiff = twoPageTiff(100, 100, 30_000, 30_000);
    expect(tiffPageSizes(tiff)).toEqual([{ width: 100, height: 100 }, { width: 30_000, height: 30_000 }]);
    await expect(engine(tiff, 'tiff')).rejects.toBeInstanceOf(OcrRefused);
  });

  it('refuses a broken PDF, and stops a program at its time limit', async () => {
    await expect(engine(Buffer.from('%PDF-1.4 broken'), 'pdf')).rejects.toThrow(/pdftoppm exited/);
    const hurried = tesseractOcr({ languages: ['eng'], maxPages: 1, timeoutMs: 1, budgetMs: 1000 });
    await expect(hurried(fixture('pathology-report-photo.png'), 'png')).rejects.toThrow(/stopped/);
  });

  it('is used when installed, and off or required by configuration', () => {
    expect(ocrEngineFor('auto', ['eng'], limits).engine).toBeTypeOf('function');
    expect(ocrEngineFor('off', ['eng'], limits)).toEqual({ languages: [], why: 'OCR=off' });
    // Only the installed languages are asked for.
    expect(ocrEngineFor('auto', ['xyz', 'spa'], limits).languages).toEqual(['spa']);
    expect(ocrEngineFor('auto', ['xyz'], limits).engine).toBeUndefined();
    expect(() => ocrEngineFor('tesseract', ['xyz'], limits)).toThrow(/none of xyz is installed/);
  });
});
