import zlib from 'node:zlib';
import { parseMultipart } from '@remix-run/multipart-parser/node';
import dcmjs from 'dcmjs';
import jpeg from 'jpeg-js';
import { phantomPixels } from '../../src/demo/phantom.ts';

/**
 * Synthetic DICOM for tests and benchmarks: a CT phantom (a body ellipse with lungs and a
 * spine-like disc) in any of the transfer syntaxes we must keep as received. No real patient
 * data; the names are invented.
 */

const { DicomDict, DicomMetaDictionary } = dcmjs.data;

export const TS = {
  implicit: '1.2.840.10008.1.2',
  explicit: '1.2.840.10008.1.2.1',
  deflated: '1.2.840.10008.1.2.1.99',
  jpegBaseline: '1.2.840.10008.1.2.4.50',
  jpegLossless: '1.2.840.10008.1.2.4.70',
  jpegLs: '1.2.840.10008.1.2.4.80',
  jpeg2000: '1.2.840.10008.1.2.4.90',
  rle: '1.2.840.10008.1.2.5',
} as const;

export const CT_IMAGE_STORAGE = '1.2.840.10008.5.1.4.1.1.2';
const SECONDARY_CAPTURE = '1.2.840.10008.5.1.4.1.1.7';

let counter = 0;
/** A fresh UID under the 2.25 (UUID-derived) root, as PS3.5 B.2 allows without a registered root. */
export function aUid(): string {
  const hex = crypto.randomUUID().replaceAll('-', '');
  return `2.25.${BigInt(`0x${hex}`).toString()}`.slice(0, 60) + String(++counter % 10);
}

export interface InstanceSpec {
  studyUid?: string;
  seriesUid?: string;
  sopInstanceUid?: string;
  sopClassUid?: string;
  patientName?: string;
  patientId?: string;
  birthDate?: string;
  sex?: string;
  studyDate?: string;
  studyDescription?: string;
  accession?: string;
  modality?: string;
  seriesNumber?: number;
  seriesDescription?: string;
  bodyPart?: string;
  instanceNumber?: number;
  rows?: number;
  columns?: number;
  transferSyntax?: string;
  /** Extra attributes in dcmjs's naturalised form (keyword: value). */
  extra?: Record<string, unknown>;
  /** For encapsulated syntaxes: the compressed frame bytes (not decoded by the server). */
  fragment?: Uint8Array;
  /** For encapsulated syntaxes: several frames, one fragment each (a multi-frame instance). */
  fragments?: Uint8Array[];
  /** For native syntaxes: these pixel bytes (8-bit samples) instead of the phantom's. */
  pixels?: Uint8Array;
}

/** The CT-like phantom the demo data uses too (src/demo/phantom.ts). */
export { phantomPixels };

function baseDataset(s: InstanceSpec, ids: { studyUid: string; seriesUid: string; sopInstanceUid: string; sopClassUid: string }) {
  const rows = s.rows ?? 64;
  const columns = s.columns ?? 64;
  const n = s.instanceNumber ?? 1;
  return {
    SpecificCharacterSet: 'ISO_IR 192',
    SOPClassUID: ids.sopClassUid,
    SOPInstanceUID: ids.sopInstanceUid,
    StudyDate: s.studyDate ?? '20260301',
    StudyTime: '101500',
    AccessionNumber: s.accession ?? 'ACC0001',
    Modality: s.modality ?? 'CT',
    ReferringPhysicianName: 'Referrer^Sample',
    StudyDescription: s.studyDescription ?? 'CT CHEST WITH CONTRAST',
    SeriesDescription: s.seriesDescription ?? 'Axial 1.25mm',
    PatientName: s.patientName ?? 'Testperson^Robin',
    PatientID: s.patientId ?? 'MRN-0001',
    PatientBirthDate: s.birthDate ?? '19620504',
    PatientSex: s.sex ?? 'F',
    BodyPartExamined: s.bodyPart ?? 'CHEST',
    SliceThickness: '1.25',
    StudyInstanceUID: ids.studyUid,
    SeriesInstanceUID: ids.seriesUid,
    StudyID: '1',
    SeriesNumber: String(s.seriesNumber ?? 2),
    InstanceNumber: String(n),
    ImagePositionPatient: ['-200', '-200', String(-(n * 1.25))],
    ImageOrientationPatient: ['1', '0', '0', '0', '1', '0'],
    FrameOfReferenceUID: `${ids.studyUid}.1`,
    SliceLocation: String(-(n * 1.25)),
    SamplesPerPixel: 1,
    PhotometricInterpretation: 'MONOCHROME2',
    Rows: rows,
    Columns: columns,
    PixelSpacing: ['0.78125', '0.78125'],
    BitsAllocated: 16,
    BitsStored: 16,
    HighBit: 15,
    PixelRepresentation: 0,
    WindowCenter: '40',
    WindowWidth: '400',
    RescaleIntercept: '-1024',
    RescaleSlope: '1',
    ...s.extra,
  };
}

function write(meta: Record<string, unknown>, dataset: Record<string, unknown>): Buffer {
  const dict = new DicomDict(DicomMetaDictionary.denaturalizeDataset(meta));
  dict.dict = DicomMetaDictionary.denaturalizeDataset(dataset);
  return Buffer.from(dict.write());
}

const metaFor = (ts: string, sopClassUid: string, sopInstanceUid: string) => ({
  FileMetaInformationVersion: new Uint8Array([0, 1]).buffer,
  MediaStorageSOPClassUID: sopClassUid,
  MediaStorageSOPInstanceUID: sopInstanceUid,
  TransferSyntaxUID: ts,
  ImplementationClassUID: '2.25.1234567890',
  ImplementationVersionName: 'CONSILIUM_TEST',
  _vrMap: { FileMetaInformationVersion: 'OB' },
});

/** The encapsulated Pixel Data element (PS3.5 A.4): empty offset table, one fragment per frame. */
function encapsulated(frames: Uint8Array[]): Buffer {
  const parts: Buffer[] = [];
  const head = Buffer.alloc(12);
  head.writeUInt16LE(0x7fe0, 0); head.writeUInt16LE(0x0010, 2); head.write('OB', 4, 'latin1'); head.writeUInt32LE(0xffffffff, 8);
  parts.push(head);
  const item = (len: number) => { const b = Buffer.alloc(8); b.writeUInt16LE(0xfffe, 0); b.writeUInt16LE(0xe000, 2); b.writeUInt32LE(len, 4); return b; };
  parts.push(item(0));
  for (const f of frames) {
    const even = f.length % 2 ? Buffer.concat([Buffer.from(f), Buffer.alloc(1)]) : Buffer.from(f);
    parts.push(item(even.length), even);
  }
  const end = Buffer.alloc(8); end.writeUInt16LE(0xfffe, 0); end.writeUInt16LE(0xe0dd, 2);
  parts.push(end);
  return Buffer.concat(parts);
}

/** One Part 10 instance. Native syntaxes carry the phantom; encapsulated ones carry `fragment`. */
export function aDicomInstance(s: InstanceSpec = {}): Buffer {
  const ids = {
    studyUid: s.studyUid ?? aUid(),
    seriesUid: s.seriesUid ?? aUid(),
    sopInstanceUid: s.sopInstanceUid ?? aUid(),
    sopClassUid: s.sopClassUid ?? CT_IMAGE_STORAGE,
  };
  const ts = s.transferSyntax ?? TS.explicit;
  const ds = baseDataset(s, ids);
  if ((ts === TS.implicit || ts === TS.explicit) && s.pixels) {
    const even = s.pixels.length % 2 ? Buffer.concat([s.pixels, Buffer.alloc(1)]) : Buffer.from(s.pixels);
    return write(metaFor(ts, ids.sopClassUid, ids.sopInstanceUid), { ...ds, PixelData: even.buffer.slice(even.byteOffset, even.byteOffset + even.length), _vrMap: { PixelData: 'OB' } });
  }
  if (ts === TS.implicit || ts === TS.explicit) {
    const px = phantomPixels(ds.Rows, ds.Columns, s.instanceNumber ?? 0);
    return write(metaFor(ts, ids.sopClassUid, ids.sopInstanceUid), { ...ds, PixelData: px.buffer, _vrMap: { PixelData: 'OW' } });
  }
  if (ts === TS.deflated) {
    const plain = aDicomInstance({ ...s, ...ids, transferSyntax: TS.explicit });
    const metaOnly = write(metaFor(ts, ids.sopClassUid, ids.sopInstanceUid), {});
    const dataStart = 144 + plain.readUInt32LE(140);
    return Buffer.concat([metaOnly, zlib.deflateRawSync(plain.subarray(dataStart))]);
  }
  const header = write(metaFor(ts, ids.sopClassUid, ids.sopInstanceUid), ts === TS.jpegBaseline ? { ...ds, BitsAllocated: 8, BitsStored: 8, HighBit: 7, RescaleIntercept: '0' } : ds);
  return Buffer.concat([header, encapsulated(s.fragments ?? [s.fragment ?? new Uint8Array([0xff, 0xd8, 0xff, 0xd9])])]);
}

/** A JPEG baseline (8-bit, colour) instance whose frame is a real JPEG of the phantom. */
export function aJpegBaselineInstance(s: InstanceSpec = {}): Buffer {
  const rows = s.rows ?? 64;
  const columns = s.columns ?? 64;
  const hu = phantomPixels(rows, columns, s.instanceNumber ?? 0);
  const rgba = Buffer.alloc(rows * columns * 4);
  for (let i = 0; i < hu.length; i++) {
    const g = Math.max(0, Math.min(255, Math.round(((hu[i]! - 1024 + 160) / 400) * 255)));
    rgba[i * 4] = g; rgba[i * 4 + 1] = g; rgba[i * 4 + 2] = g; rgba[i * 4 + 3] = 255;
  }
  const fragment = jpeg.encode({ data: rgba, width: columns, height: rows }, 90).data;
  return aDicomInstance({
    ...s, transferSyntax: TS.jpegBaseline, fragment,
    extra: { SamplesPerPixel: 3, PhotometricInterpretation: 'YBR_FULL_422', PlanarConfiguration: 0, WindowCenter: '128', WindowWidth: '256', ...s.extra },
  });
}

/** A secondary-capture style instance with a burned-in annotation flag, for de-identification. */
export function aScreenshotInstance(s: InstanceSpec = {}): Buffer {
  return aDicomInstance({ ...s, sopClassUid: SECONDARY_CAPTURE, modality: 'OT', extra: { BurnedInAnnotation: 'YES', ...s.extra } });
}

/** A CT series of `count` slices in one study. */
export function aCtSeries(count: number, s: InstanceSpec = {}): { studyUid: string; seriesUid: string; files: Buffer[] } {
  const studyUid = s.studyUid ?? aUid();
  const seriesUid = s.seriesUid ?? aUid();
  const files = Array.from({ length: count }, (_, i) => aDicomInstance({ ...s, studyUid, seriesUid, instanceNumber: i + 1 }));
  return { studyUid, seriesUid, files };
}

/** A multipart/related body as STOW-RS clients send it. */
export function stowBody(files: Uint8Array[], boundary = `consilium-${Math.random().toString(36).slice(2)}`): { body: Buffer; contentType: string } {
  const parts: Buffer[] = [];
  for (const f of files) {
    parts.push(Buffer.from(`--${boundary}\r\nContent-Type: application/dicom\r\n\r\n`), Buffer.from(f), Buffer.from('\r\n'));
  }
  parts.push(Buffer.from(`--${boundary}--\r\n`));
  return { body: Buffer.concat(parts), contentType: `multipart/related; type="application/dicom"; boundary=${boundary}` };
}

/** The parts of a multipart/related answer (WADO-RS), each with its content type. */
export async function multipartParts(res: Response): Promise<{ type: string | undefined; bytes: Buffer }[]> {
  return partsOfBody(res.headers.get('content-type'), Buffer.from(await res.arrayBuffer()));
}

export function partsOfBody(contentType: string | null, body: Buffer): { type: string | undefined; bytes: Buffer }[] {
  const boundary = /boundary="?([^";]+)"?/.exec(contentType ?? '')?.[1];
  if (!boundary) throw new Error(`not a multipart answer: ${contentType}`);
  return [...parseMultipart(body, { boundary, maxFileSize: body.length, maxTotalSize: body.length * 2 })].map((p) => ({ type: p.headers['content-type'], bytes: Buffer.from(p.bytes) }));
}
