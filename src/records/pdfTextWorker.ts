import path from 'node:path';
import { parentPort } from 'node:worker_threads';
import { getDocument } from 'pdfjs-dist/legacy/build/pdf.mjs';
import { PdfUnreadable, type PdfText } from './pdfText.ts';

/**
 * Runs in a worker thread (see `extractPdfText`): pdfjs-dist reads the text of one PDF. Pages
 * with (almost) no text are counted: a PDF that is mostly scanned pages "needs review".
 */

const fonts = `${path.resolve(import.meta.dirname, '../../node_modules/pdfjs-dist/standard_fonts')}/`;
const MAX_PAGES = 500;

async function readPdfText(data: Uint8Array): Promise<PdfText> {
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
  } catch (err) {
    // A damaged page shows up only when it is read: the file is as unreadable as a bad header.
    if (err instanceof PdfUnreadable) throw err;
    throw new PdfUnreadable('Part of the PDF is damaged and cannot be read.');
  } finally {
    await doc.loadingTask.destroy();
  }
}

// pdfjs is loaded (the imports above ran): from here on, time is spent reading PDFs.
parentPort?.postMessage({ ready: true });
parentPort?.on('message', (data: Uint8Array) => {
  readPdfText(data).then(
    (result) => parentPort!.postMessage({ ok: true, result }),
    (err: Error) => parentPort!.postMessage({ ok: false, message: err instanceof PdfUnreadable ? err.message : 'The PDF is damaged and cannot be read.' }),
  );
});
