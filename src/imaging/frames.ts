import dicomParser from 'dicom-parser';
import jpeg from 'jpeg-js';
import { PNG } from 'pngjs';
import { DEFLATED, DEFAULT_DICOM_LIMITS, DicomRejected, NATIVE_SYNTAXES, parseWithPixels, type DicomLimits } from './part10.ts';

/**
 * Pixel data of a stored instance: single frames for WADO-RS (as stored: native pixels or the
 * compressed bitstream, never transcoded) and server-rendered previews of native grayscale and
 * colour images. Compressed images are decoded by the viewer's codecs in the browser.
 */

export interface FrameSource {
  transferSyntax: string;
  rows: number;
  columns: number;
  samplesPerPixel: number;
  bitsAllocated: number;
  frames: number;
}

const parse = parseWithPixels;

/** The requested frames (1-based numbers), each as its own byte array. */
export function readFrames(buf: Uint8Array, numbers: number[], limits: DicomLimits = DEFAULT_DICOM_LIMITS): { frames: Uint8Array[]; source: FrameSource } {
  return framesOf(parse(buf, limits), numbers);
}

/** Reads a many-frame instance once and gives its frames by number as often as asked (a whole-slide level, row by row). */
export function frameReader(buf: Uint8Array, limits: DicomLimits = DEFAULT_DICOM_LIMITS): (numbers: number[]) => Uint8Array[] {
  const ds = parse(buf, limits);
  return (numbers) => framesOf(ds, numbers).frames;
}

function framesOf(ds: ReturnType<typeof parse>, numbers: number[]): { frames: Uint8Array[]; source: FrameSource } {
  const pixel = ds.elements.x7fe00010;
  if (!pixel) throw new DicomRejected('This instance has no pixel data.', 0xa900);
  const source: FrameSource = {
    transferSyntax: (ds.string('x00020010') ?? '').trim(),
    rows: ds.uint16('x00280010') ?? 0,
    columns: ds.uint16('x00280011') ?? 0,
    samplesPerPixel: ds.uint16('x00280002') ?? 1,
    bitsAllocated: ds.uint16('x00280100') ?? 16,
    frames: Math.max(1, Number.parseInt(ds.string('x00280008') ?? '1', 10) || 1),
  };
  for (const n of numbers) if (!Number.isInteger(n) || n < 1 || n > source.frames) throw new DicomRejected(`Frame ${n} does not exist; this instance has ${source.frames} frame(s).`, 0xa900);
  if (pixel.encapsulatedPixelData) {
    const fragments = pixel.fragments ?? [];
    const frames = numbers.map((n) => {
      // One fragment per frame is the common case; otherwise the offset table tells.
      if (source.frames === 1) return dicomParser.readEncapsulatedPixelDataFromFragments(ds, pixel, 0, fragments.length);
      if (fragments.length === source.frames) return dicomParser.readEncapsulatedPixelDataFromFragments(ds, pixel, n - 1, 1);
      const table = pixel.basicOffsetTable?.length ? pixel.basicOffsetTable : dicomParser.createJPEGBasicOffsetTable(ds, pixel);
      return dicomParser.readEncapsulatedImageFrame(ds, pixel, n - 1, table);
    });
    return { frames, source };
  }
  const frameBytes = (source.rows * source.columns * source.samplesPerPixel * source.bitsAllocated) / 8;
  if (!frameBytes || pixel.dataOffset + frameBytes * source.frames > ds.byteArray.length) throw new DicomRejected('The pixel data is shorter than its rows, columns and frames say.', 0xa900);
  const frames = numbers.map((n) => ds.byteArray.subarray(pixel.dataOffset + (n - 1) * frameBytes, pixel.dataOffset + n * frameBytes));
  return { frames, source };
}

export interface RenderOptions {
  format: 'png' | 'jpeg';
  /** Window centre and width in output units (after rescale); defaults to the instance's own. */
  window?: { center: number; width: number };
  /** Largest output size; the image is scaled down to fit, never up. */
  viewport?: { width: number; height: number };
  quality?: number;
}

/** Renders one frame of a native (uncompressed) instance to PNG or JPEG. */
export function renderFrame(buf: Uint8Array, frame: number, opts: RenderOptions, limits: DicomLimits = DEFAULT_DICOM_LIMITS): Buffer {
  const ds = parse(buf, limits);
  const ts = (ds.string('x00020010') ?? '').trim();
  if (!NATIVE_SYNTAXES.has(ts) && ts !== DEFLATED) throw new DicomRejected('This image is compressed; the viewer decodes it in the browser.', 0xa900);
  const { frames: [pixels], source } = framesOf(ds, [frame]);
  const photometric = (ds.string('x00280004') ?? 'MONOCHROME2').trim();
  const signed = ds.uint16('x00280103') === 1;
  const slope = ds.floatString('x00281053') ?? 1;
  const intercept = ds.floatString('x00281052') ?? 0;
  const { rows, columns } = source;
  const scale = opts.viewport ? Math.min(1, opts.viewport.width / columns, opts.viewport.height / rows) : 1;
  const outW = Math.max(1, Math.round(columns * scale));
  const outH = Math.max(1, Math.round(rows * scale));
  const rgba = Buffer.alloc(outW * outH * 4);
  const bytes = pixels!;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (source.samplesPerPixel === 3 && source.bitsAllocated === 8) {
    for (let y = 0; y < outH; y++) for (let x = 0; x < outW; x++) {
      const si = (Math.floor(y / scale) * columns + Math.floor(x / scale)) * 3;
      const o = (y * outW + x) * 4;
      rgba[o] = bytes[si]!; rgba[o + 1] = bytes[si + 1]!; rgba[o + 2] = bytes[si + 2]!; rgba[o + 3] = 255;
    }
  } else {
    const sample = (i: number) => {
      if (source.bitsAllocated === 8) return bytes[i]!;
      return signed ? view.getInt16(i * 2, true) : view.getUint16(i * 2, true);
    };
    const center = opts.window?.center ?? ds.floatString('x00281050') ?? 40;
    const width = Math.max(1, opts.window?.width ?? ds.floatString('x00281051') ?? 400);
    const low = center - width / 2;
    const invert = photometric === 'MONOCHROME1';
    for (let y = 0; y < outH; y++) for (let x = 0; x < outW; x++) {
      const value = sample(Math.floor(y / scale) * columns + Math.floor(x / scale)) * slope + intercept;
      let g = Math.round(Math.min(1, Math.max(0, (value - low) / width)) * 255);
      if (invert) g = 255 - g;
      const o = (y * outW + x) * 4;
      rgba[o] = g; rgba[o + 1] = g; rgba[o + 2] = g; rgba[o + 3] = 255;
    }
  }
  if (opts.format === 'jpeg') return jpeg.encode({ data: rgba, width: outW, height: outH }, opts.quality ?? 90).data;
  const png = new PNG({ width: outW, height: outH });
  rgba.copy(png.data);
  return PNG.sync.write(png);
}
