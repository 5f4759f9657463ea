import type PdfPrinter from 'pdfmake';
import { onFirstUse } from './onFirstUse.ts';
import type { TDocumentDefinitions } from 'pdfmake/interfaces.js';

const pdfmake = onFirstUse<typeof PdfPrinter>('pdfmake');
let printer: PdfPrinter | undefined;
// The PDF standard fonts need no font files on disk and cover the Latin text we print.
const FONTS = { Helvetica: { normal: 'Helvetica', bold: 'Helvetica-Bold', italics: 'Helvetica-Oblique', bolditalics: 'Helvetica-BoldOblique' } };

/** Renders a pdfmake document (Helvetica by default) to a buffer. */
export function renderPdf(doc: TDocumentDefinitions): Promise<Buffer> {
  // pdfmake writes its layout state into the arrays it is given (a list's strings become
  // objects), so it gets its own copy: the caller's data (a report stored after rendering) stays as it was.
  printer ??= new (pdfmake())(FONTS);
  const pdf = printer.createPdfKitDocument({ ...doc, content: structuredClone(doc.content), defaultStyle: { font: 'Helvetica', ...doc.defaultStyle } });
  return new Promise<Buffer>((resolve, reject) => {
    const chunks: Buffer[] = [];
    pdf.on('data', (c: Buffer) => chunks.push(c));
    pdf.on('end', () => resolve(Buffer.concat(chunks)));
    pdf.on('error', reject);
    pdf.end();
  });
}
