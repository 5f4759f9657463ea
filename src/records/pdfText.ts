import path from 'node:path';
import { getDocument } from 'pdfjs-dist/legacy/build/pdf.mjs';

/**
 * Text of a PDF with pdfjs-dist. Pages with (almost) no text are counted: a PDF that is mostly
 * scanned pages "needs review" by a person (OCR can hook in here later).
 */
export interface PdfText {
  text: string;
  pages: number;
  pagesWithoutText: number;
}

export class PdfUnreadable extends Error {}

const fonts = `${path.resolve(import.meta.dirname, '../../node_modules/pdfjs-dist/standard_fonts')}/`;
const MAX_PAGES = 500;

export async function extractPdfText(data: Uint8Array): Promise<PdfText> {
  let doc;
  try {
    doc = await getDocument({ data, standardFontDataUrl: fonts, verbosity: 0, stopAtErrors: false }).promise;
  } catch (err) {
    const name = (err as Error).name;
    if (name === 'PasswordException') throw new PdfUnreadable('The PDF is password-protected. Please upload a copy without a password.');
    throw new PdfUnreadable('The PDF is damaged and cannot be read.');
  }
  try {
    const pages = Math.min(doc.numPages, MAX_PAGES);
    const parts: string[] = [];
    let pagesWithoutText = 0;
    for (let i = 1; i <= pages; i++) {
      const page = await doc.getPage(i);
      const content = await page.getTextContent();
      const text = content.items.map((x) => ('str' in x ? x.str + (x.hasEOL ? '\n' : ' ') : '')).join('');
      if (text.replace(/\s/g, '').length < 20) pagesWithoutText++;
      parts.push(text);
      page.cleanup();
    }
    return { text: parts.join('\n\f'), pages: doc.numPages, pagesWithoutText };
  } finally {
    await doc.loadingTask.destroy();
  }
}
