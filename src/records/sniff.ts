/**
 * What a file is, from its first bytes rather than its name. The name only serves to catch a
 * contradiction (a ".pdf" that is really a PNG), which is refused as likely the wrong file.
 */
export type ContentType = 'pdf' | 'dicom' | 'zip' | 'jpeg' | 'png' | 'tiff' | 'fhir_json' | 'ccda_xml' | 'text' | 'wsi';
export type Category = 'document' | 'imaging' | 'digital_slide' | 'structured';

export interface Sniffed {
  contentType: ContentType;
  category: Category;
}

/** How many leading bytes `sniff` wants to see. */
export const SNIFF_BYTES = 8192;

const WSI_SOP_CLASS = '1.2.840.10008.5.1.4.1.1.77.1.6';

const EXTENSIONS: Record<string, ContentType[]> = {
  pdf: ['pdf'], dcm: ['dicom'], dicom: ['dicom'], zip: ['zip'], jpg: ['jpeg'], jpeg: ['jpeg'], png: ['png'],
  tif: ['tiff', 'wsi'], tiff: ['tiff', 'wsi'], svs: ['wsi'], ndpi: ['wsi'], json: ['fhir_json'], xml: ['ccda_xml'], txt: ['text'],
};

const LABELS: Record<ContentType, string> = {
  pdf: 'a PDF', dicom: 'a DICOM image', zip: 'a zip archive', jpeg: 'a JPEG photo', png: 'a PNG image', tiff: 'a TIFF image',
  fhir_json: 'a FHIR record', ccda_xml: 'a C-CDA document', text: 'a text file', wsi: 'a whole-slide image',
};

export const describeContent = (t: ContentType) => LABELS[t];

function looksLikeText(head: Buffer): boolean {
  if (head.length === 0) return false;
  let printable = 0;
  for (const b of head) if (b === 9 || b === 10 || b === 13 || (b >= 32 && b !== 127)) printable++;
  return printable / head.length > 0.97 && !head.includes(0);
}

/** A zip file's first bytes (a local file header). */
export const isZipHead = (head: Buffer) => head.subarray(0, 4).equals(Buffer.from([0x50, 0x4b, 0x03, 0x04]));

/** Identifies the content from its first bytes; null when it is nothing we accept. */
export function sniff(head: Buffer, filename: string): Sniffed | null {
  const ext = filename.toLowerCase().split('.').pop() ?? '';
  if (head.subarray(0, 5).toString('latin1') === '%PDF-') return { contentType: 'pdf', category: 'document' };
  if (head.length >= 132 && head.subarray(128, 132).toString('latin1') === 'DICM') {
    return head.includes(Buffer.from(WSI_SOP_CLASS)) ? { contentType: 'dicom', category: 'digital_slide' } : { contentType: 'dicom', category: 'imaging' };
  }
  if (isZipHead(head)) return { contentType: 'zip', category: 'document' };
  if (head.subarray(0, 3).equals(Buffer.from([0xff, 0xd8, 0xff]))) return { contentType: 'jpeg', category: 'document' };
  if (head.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))) return { contentType: 'png', category: 'document' };
  const tiff = head.subarray(0, 4);
  if (tiff.equals(Buffer.from([0x49, 0x49, 0x2a, 0x00])) || tiff.equals(Buffer.from([0x4d, 0x4d, 0x00, 0x2a])) || tiff.equals(Buffer.from([0x49, 0x49, 0x2b, 0x00]))) {
    // Aperio SVS and Hamamatsu NDPI are TIFF underneath; the vendor's name says which.
    const wsi = ext === 'svs' || ext === 'ndpi' || head.includes(Buffer.from('Aperio')) || head.includes(Buffer.from('Hamamatsu'));
    return wsi ? { contentType: 'wsi', category: 'digital_slide' } : { contentType: 'tiff', category: 'document' };
  }
  const text = head.toString('utf8').replace(/^\uFEFF/, '').trimStart();
  if (looksLikeText(head)) {
    if (text.startsWith('{') && /"resourceType"\s*:/.test(text)) return { contentType: 'fhir_json', category: 'structured' };
    if (text.startsWith('<') && /<ClinicalDocument[\s>]/.test(text) && text.includes('urn:hl7-org:v3')) return { contentType: 'ccda_xml', category: 'structured' };
    if (!text.startsWith('{') && !text.startsWith('<')) return { contentType: 'text', category: 'document' };
  }
  return null;
}

/**
 * The reason to refuse a file whose name promises something else than its content, or null.
 * Files without a known extension (DICOM files on CDs are often named IM000001) are not checked.
 */
export function contradiction(filename: string, found: ContentType): string | null {
  const ext = filename.toLowerCase().includes('.') ? filename.toLowerCase().split('.').pop()! : '';
  const expected = EXTENSIONS[ext];
  if (!expected || expected.includes(found)) return null;
  return `“${filename}” is named like ${describeContent(expected[0]!)} but its content is ${describeContent(found)}. Please check that this is the right file.`;
}
