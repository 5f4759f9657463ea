import zlib from 'node:zlib';
import dicomParser from 'dicom-parser';
import { dcmjs } from './dcmjs.ts';

/**
 * Reading one DICOM Part 10 instance: the checks that decide whether we accept it, the
 * attributes we index, and its metadata in the DICOM JSON model (PS3.18 F.2) without the pixel
 * data. The instance's bytes are kept exactly as received; nothing here rewrites them.
 */

export const TRANSFER_SYNTAXES: Record<string, string> = {
  '1.2.840.10008.1.2': 'Implicit VR Little Endian',
  '1.2.840.10008.1.2.1': 'Explicit VR Little Endian',
  '1.2.840.10008.1.2.1.99': 'Deflated Explicit VR Little Endian',
  '1.2.840.10008.1.2.2': 'Explicit VR Big Endian (retired)',
  '1.2.840.10008.1.2.4.50': 'JPEG Baseline',
  '1.2.840.10008.1.2.4.51': 'JPEG Extended',
  '1.2.840.10008.1.2.4.57': 'JPEG Lossless',
  '1.2.840.10008.1.2.4.70': 'JPEG Lossless, first-order prediction',
  '1.2.840.10008.1.2.4.80': 'JPEG-LS Lossless',
  '1.2.840.10008.1.2.4.81': 'JPEG-LS Near-lossless',
  '1.2.840.10008.1.2.4.90': 'JPEG 2000 Lossless',
  '1.2.840.10008.1.2.4.91': 'JPEG 2000',
  '1.2.840.10008.1.2.4.201': 'HTJ2K Lossless',
  '1.2.840.10008.1.2.4.202': 'HTJ2K Lossless RPCL',
  '1.2.840.10008.1.2.4.203': 'HTJ2K',
  '1.2.840.10008.1.2.5': 'RLE Lossless',
};
export const NATIVE_SYNTAXES = new Set(['1.2.840.10008.1.2', '1.2.840.10008.1.2.1', '1.2.840.10008.1.2.1.99', '1.2.840.10008.1.2.2']);
export const DEFLATED = '1.2.840.10008.1.2.1.99';
/** A DICOMDIR's Media Storage SOP Class: a CD's index, not an image. */
export const MEDIA_STORAGE_DIRECTORY = '1.2.840.10008.1.3.10';

/** Why an instance was refused, in plain words, with the PS3.18 failure reason code. */
export class DicomRejected extends Error {
  readonly reason: number;
  constructor(message: string, reason = 0xc000) {
    super(message);
    this.reason = reason;
  }
}

export interface DicomLimits {
  /** A deflated data set may not inflate beyond this (deflate bombs). */
  maxInflatedBytes: number;
}
export const DEFAULT_DICOM_LIMITS: DicomLimits = { maxInflatedBytes: 1024 ** 3 };

export type DicomJson = Record<string, { vr: string; Value?: unknown[]; InlineBinary?: string; BulkDataURI?: string }>;

export interface ParsedInstance {
  transferSyntax: string;
  sopClassUid: string;
  sopInstanceUid: string;
  studyUid: string;
  seriesUid: string;
  patient: { id: string | null; name: string | null; birthDate: string | null; sex: string | null };
  study: { date: string | null; time: string | null; accession: string | null; description: string | null; id: string | null; referringPhysician: string | null };
  series: { modality: string | null; number: number | null; description: string | null; bodyPart: string | null };
  instance: { number: number | null; frames: number; rows: number | null; columns: number | null };
  /** Everything but the pixel data, as DICOM JSON. */
  metadata: DicomJson;
}

const UID_RE = /^(0|[1-9][0-9]*)(\.(0|[1-9][0-9]*))*$/;
const validUid = (s: unknown): s is string => typeof s === 'string' && s.length <= 64 && UID_RE.test(s);

/** The byte offset where the file meta group ends, after checking preamble and group length. */
export function metaEnd(buf: Uint8Array): number {
  if (buf.length < 144) throw new DicomRejected('The file is too short to be DICOM.');
  if (String.fromCharCode(...buf.subarray(128, 132)) !== 'DICM') throw new DicomRejected('This is not a DICOM Part 10 file: the "DICM" marker at byte 128 is missing.');
  const view = Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength);
  if (view.readUInt16LE(132) !== 0x0002 || view.readUInt16LE(134) !== 0x0000) throw new DicomRejected('The DICOM file meta information does not start with its group length.');
  const end = 144 + view.readUInt32LE(140);
  if (end > buf.length) throw new DicomRejected('The DICOM file meta information is longer than the file: the file is truncated or damaged.');
  return end;
}

/** Inflates a deflated data set within the limit, so a small file cannot expand without bound. */
function checkDeflated(buf: Uint8Array, from: number, limits: DicomLimits) {
  try {
    zlib.inflateRawSync(buf.subarray(from), { maxOutputLength: limits.maxInflatedBytes });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE' || err instanceof RangeError) throw new DicomRejected(`The deflated data set expands beyond ${limits.maxInflatedBytes} bytes; it was refused.`, 0xa700);
    throw new DicomRejected('The deflated data set is damaged and cannot be inflated.');
  }
}

const first = (d: DicomJson, tag: string): unknown => d[tag]?.Value?.[0];
const str = (d: DicomJson, tag: string): string | null => {
  const v = first(d, tag);
  if (v === undefined || v === null) return null;
  if (typeof v === 'object') return (v as { Alphabetic?: string }).Alphabetic?.trim() || null;
  const s = String(v).trim();
  return s || null;
};
const num = (d: DicomJson, tag: string): number | null => {
  const v = first(d, tag);
  const n = typeof v === 'number' ? v : Number(v);
  return v === undefined || v === null || v === '' || !Number.isFinite(n) ? null : n;
};

const BINARY_VRS = new Set(['OB', 'OW', 'OF', 'OD', 'OL', 'OV', 'UN']);
const MAX_INLINE_BINARY = 4096;

/** dcmjs's dictionary → DICOM JSON: no group lengths, no empty values, small binaries inline. */
function withoutNul(v: unknown): unknown {
  if (typeof v === 'string') return v.replaceAll('\0', '');
  if (v && typeof v === 'object' && !(v instanceof ArrayBuffer)) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, typeof x === 'string' ? x.replaceAll('\0', '') : x]));
  return v;
}

export function toDicomJson(dict: Record<string, { vr: string; Value?: unknown[] }>): DicomJson {
  const out: DicomJson = {};
  for (const [tag, el] of Object.entries(dict)) {
    if (tag.endsWith('0000') || tag === '7FE00010') continue;
    const vr = el.vr;
    if (BINARY_VRS.has(vr)) {
      const bin = el.Value?.[0];
      if (bin instanceof ArrayBuffer && bin.byteLength <= MAX_INLINE_BINARY && bin.byteLength > 0) out[tag] = { vr, InlineBinary: Buffer.from(bin).toString('base64') };
      else out[tag] = { vr };
      continue;
    }
    if (vr === 'SQ') {
      const items = (el.Value ?? []).map((item) => toDicomJson(item as Record<string, { vr: string; Value?: unknown[] }>));
      out[tag] = items.length ? { vr, Value: items } : { vr };
      continue;
    }
    // A NUL inside text is not valid DICOM (it only pads values) and no database column takes it.
    const values = (el.Value ?? []).map(withoutNul).filter((v) => v !== null && v !== undefined && v !== '' && !(typeof v === 'number' && Number.isNaN(v)));
    out[tag] = values.length ? { vr, Value: values } : { vr };
  }
  return out;
}

/**
 * The whole instance through dicom-parser (no copies), pixel data included: how frames are
 * found, and the check that a file is not cut short inside its pixel data.
 */
export function parseWithPixels(buf: Uint8Array, limits: DicomLimits = DEFAULT_DICOM_LIMITS): dicomParser.DataSet {
  try {
    return dicomParser.parseDicom(buf, {
      inflater: (bytes: Uint8Array, position: number) => {
        const inflated = zlib.inflateRawSync(bytes.subarray(position), { maxOutputLength: limits.maxInflatedBytes });
        const full = new Uint8Array(position + inflated.length);
        full.set(bytes.subarray(0, position), 0);
        full.set(inflated, position);
        return full;
      },
    } as never);
  } catch (err) {
    // dicom-parser throws plain objects ({ exception, dataSet }) as well as strings and errors.
    const m = err instanceof Error ? err.message : typeof err === 'object' && err && 'exception' in err ? String((err as { exception: unknown }).exception) : String(err);
    throw new DicomRejected(`The DICOM data set is damaged: ${/beyond|end of buffer|exceed|overr(un|ead)|out of range/i.test(m) ? 'an element is longer than the file (truncated, or a wrong length)' : m.replace(/^dicomParser[.:][A-Za-z]+: /, '').slice(0, 120)}.`);
  }
}

/** Pixel data that is there must be complete: native frames all present, fragments closed. */
function checkPixelData(ds: dicomParser.DataSet, frames: number) {
  const pixel = ds.elements.x7fe00010;
  if (!pixel) return;
  if (pixel.encapsulatedPixelData) {
    if (!pixel.fragments?.length) throw new DicomRejected('The compressed pixel data has no fragments.', 0xa900);
    return;
  }
  const rows = ds.uint16('x00280010') ?? 0;
  const columns = ds.uint16('x00280011') ?? 0;
  const samples = ds.uint16('x00280002') ?? 1;
  const bits = ds.uint16('x00280100') ?? 16;
  const needed = Math.ceil((rows * columns * samples * bits * frames) / 8);
  if (pixel.length < needed || pixel.dataOffset + pixel.length > ds.byteArray.length) throw new DicomRejected('The pixel data is shorter than its rows, columns and frames say: the file is truncated.', 0xa900);
}

const toArrayBuffer = (buf: Uint8Array): ArrayBuffer => buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength) as ArrayBuffer;

/** Reads and checks one instance. Throws `DicomRejected` with a plain reason for anything unusable. */
export function parseInstance(buf: Uint8Array, limits: DicomLimits = DEFAULT_DICOM_LIMITS): ParsedInstance {
  // The transfer syntax decides whether to guard against a deflate bomb before dcmjs inflates.
  const { end, ...meta } = readMetaGroup(buf);
  if (!meta.transferSyntax) throw new DicomRejected('The file meta information has no transfer syntax.');
  if (meta.transferSyntax === DEFLATED) checkDeflated(buf, end, limits);
  // dicom-parser first: it walks the data set within the buffer's bounds and refuses a broken
  // structure, where dcmjs can loop without end on some (a fuzzed 859-byte file filled the heap).
  const withPixels = parseWithPixels(buf, limits);
  let read: { meta: Record<string, { vr: string; Value?: unknown[] }>; dict: Record<string, { vr: string; Value?: unknown[] }> };
  try {
    read = dcmjs().data.DicomMessage.readFile(toArrayBuffer(buf), { untilTag: '7FE00010', includeUntilTagValue: false, ignoreErrors: false, noCopy: true, forceStoreRaw: false });
  } catch (err) {
    throw new DicomRejected(`The DICOM data set is damaged: ${plainReadError(err)}.`);
  }
  const metadata = toDicomJson(read.dict);
  const sopInstanceUid = str(metadata, '00080018') ?? meta.sopInstanceUid;
  const sopClassUid = str(metadata, '00080016') ?? meta.sopClassUid;
  const studyUid = str(metadata, '0020000D');
  const seriesUid = str(metadata, '0020000E');
  if (sopClassUid === MEDIA_STORAGE_DIRECTORY) throw new DicomRejected('This is a DICOMDIR (the index of a CD), not an image.', 0xa900);
  for (const [label, uid] of [['SOP Instance UID', sopInstanceUid], ['SOP Class UID', sopClassUid], ['Study Instance UID', studyUid], ['Series Instance UID', seriesUid]] as const) {
    if (!validUid(uid)) throw new DicomRejected(`The ${label} is missing or not a valid UID.`, 0xa900);
  }
  const frames = Math.max(1, Math.trunc(num(metadata, '00280008') ?? 1));
  checkPixelData(withPixels, frames);
  metadata['00020010'] = { vr: 'UI', Value: [meta.transferSyntax] };
  return {
    transferSyntax: meta.transferSyntax,
    sopClassUid: sopClassUid!, sopInstanceUid: sopInstanceUid!, studyUid: studyUid!, seriesUid: seriesUid!,
    patient: { id: str(metadata, '00100020'), name: str(metadata, '00100010'), birthDate: str(metadata, '00100030'), sex: str(metadata, '00100040') },
    study: { date: str(metadata, '00080020'), time: str(metadata, '00080030'), accession: str(metadata, '00080050'), description: str(metadata, '00081030'), id: str(metadata, '00200010'), referringPhysician: str(metadata, '00080090') },
    series: { modality: str(metadata, '00080060'), number: num(metadata, '00200011'), description: str(metadata, '0008103E'), bodyPart: str(metadata, '00180015') },
    instance: { number: num(metadata, '00200013'), frames, rows: num(metadata, '00280010'), columns: num(metadata, '00280011') },
    metadata,
  };
}

function plainReadError(err: unknown): string {
  const m = err instanceof Error ? err.message : String(err);
  if (err instanceof RangeError || /offset|bounds|length/i.test(m)) return 'an element is longer than the file (truncated, or a wrong length)';
  return m.replace(/[^\x20-\x7e]/g, '').slice(0, 120) || 'unreadable';
}

/** The file meta group (always explicit VR little endian), read by hand: small and strict. */
export function readMeta(buf: Uint8Array): { transferSyntax: string | null; sopClassUid: string | null; sopInstanceUid: string | null } {
  const { end: _end, ...meta } = readMetaGroup(buf);
  return meta;
}

function readMetaGroup(buf: Uint8Array): { end: number; transferSyntax: string | null; sopClassUid: string | null; sopInstanceUid: string | null } {
  const end = metaEnd(buf);
  const view = Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength);
  const out = { transferSyntax: null as string | null, sopClassUid: null as string | null, sopInstanceUid: null as string | null };
  let p = 144;
  while (p + 8 <= end) {
    const group = view.readUInt16LE(p);
    const element = view.readUInt16LE(p + 2);
    const vr = view.toString('latin1', p + 4, p + 6);
    let len: number;
    let header: number;
    if (['OB', 'OW', 'OF', 'SQ', 'UT', 'UN'].includes(vr)) {
      len = view.readUInt32LE(p + 8);
      header = 12;
    } else {
      len = view.readUInt16LE(p + 6);
      header = 8;
    }
    if (group !== 0x0002 || p + header + len > end) throw new DicomRejected('The DICOM file meta information is damaged.');
    const value = () => view.toString('latin1', p + header, p + header + len).replace(/[\0 ]+$/, '');
    if (element === 0x0002) out.sopClassUid = value();
    else if (element === 0x0003) out.sopInstanceUid = value();
    else if (element === 0x0010) out.transferSyntax = value();
    p += header + len;
  }
  if (out.transferSyntax !== null && !validUid(out.transferSyntax)) throw new DicomRejected('The transfer syntax in the file meta information is not a valid UID.');
  return { end, ...out };
}
