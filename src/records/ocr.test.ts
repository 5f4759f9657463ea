import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { renderPdf } from '../core/pdf.ts';
import { ocrEngineFor, tesseractOcr } from './ocr.ts';

const fixture = (name: string) => fs.readFileSync(path.join(import.meta.dirname, '../../test/fixtures/ocr', name));

describe('text recognition with Tesseract', () => {
  const engine = tesseractOcr({ languages: ['eng', 'spa'], maxPages: 2, timeoutMs: 60_000 });

  it('reads a photo', async () => {
    expect(await engine(fixture('insurance-card-front.png'), 'png')).toMatch(/Member ID: XWZ900123456/);
  });

  it('reads each page of a scanned PDF up to the page limit', async () => {
    const card = `data:image/png;base64,${fixture('insurance-card-front.png').toString('base64')}`;
    const report = `data:image/png;base64,${fixture('pathology-report-photo.png').toString('base64')}`;
    const pdf = await renderPdf({ content: [{ image: report, width: 450 }, { image: card, width: 450, pageBreak: 'before' }, { image: report, width: 450, pageBreak: 'before' }] } as never);
    const text = await engine(pdf, 'pdf');
    expect(text).toMatch(/SURGICAL PATHOLOGY REPORT/);
    expect(text).toMatch(/XWZ900123456/);
    // The third page is past the limit of two.
    expect(text.match(/SURGICAL PATHOLOGY REPORT/g)).toHaveLength(1);
  });

  it('ends at the last page of a shorter PDF', async () => {
    const pdf = await renderPdf({ content: [{ image: `data:image/png;base64,${fixture('insurance-card-front.png').toString('base64')}`, width: 450 }] } as never);
    expect(await engine(pdf, 'pdf')).toMatch(/Group No: 0077123/);
  });

  it('refuses what is not an image or a PDF, and stops at the time limit', async () => {
    await expect(engine(Buffer.from('not a picture at all'), 'png')).rejects.toThrow(/tesseract exited/);
    await expect(engine(Buffer.from('%PDF-1.4 broken'), 'pdf')).rejects.toThrow(/pdftoppm exited/);
    const hurried = tesseractOcr({ languages: ['eng'], maxPages: 1, timeoutMs: 1 });
    await expect(hurried(fixture('pathology-report-photo.png'), 'png')).rejects.toThrow(/stopped/);
  });

  it('is used when installed, and off or required by configuration', () => {
    expect(ocrEngineFor('auto', ['eng'], { maxPages: 1, timeoutMs: 1000 }).engine).toBeTypeOf('function');
    expect(ocrEngineFor('off', ['eng'], { maxPages: 1, timeoutMs: 1000 })).toEqual({ languages: [], why: 'OCR=off' });
    // Only the installed languages are asked for.
    expect(ocrEngineFor('auto', ['xyz', 'spa'], { maxPages: 1, timeoutMs: 1000 }).languages).toEqual(['spa']);
    expect(ocrEngineFor('auto', ['xyz'], { maxPages: 1, timeoutMs: 1000 }).engine).toBeUndefined();
    expect(() => ocrEngineFor('tesseract', ['xyz'], { maxPages: 1, timeoutMs: 1000 })).toThrow(/none of xyz is installed/);
  });
});
