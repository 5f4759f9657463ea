import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import jpeg from 'jpeg-js';
import yazl from 'yazl';
import { aDicomInstance, aUid, TS } from './dicom.ts';

export interface SlideShape {
  width?: number;
  height?: number;
  micronsPerPixel?: number;
  /** Written as an Aperio SVS (its description in the first directory) with a label and a macro picture showing this text. */
  aperioLabel?: string;
  /** A photo of the glass showing this text, added last as Hamamatsu NDPI marks its macro (source lens -1). */
  hamamatsuMacro?: string;
  /** Written as a Philips TIFF: "Philips" software and the DPUfsImport XML, its pixel spacing per level, in the first directory. */
  philips?: boolean;
}

/**
 * Writes a synthetic whole-slide image with libvips: a tiled, pyramidal, JPEG-compressed TIFF
 * (the layout of scanner files such as Aperio SVS) of noise, with its resolution recorded so the
 * slide reader finds microns per pixel. The noise is one 1024 px block repeated, so a slide of
 * gigapixels is made in seconds, and JPEG cannot shrink it much (its file is as large as a
 * scanned slide's). Synthetic: no tissue, no patient.
 */
export function writeSlideFile(file: string, opts: SlideShape = {}): void {
  const { width = 2048, height = 1536, micronsPerPixel = 0.25 } = opts;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'consilium-test-slide-'));
  try {
    const at = (name: string) => path.join(dir, name);
    execFileSync('vips', ['gaussnoise', at('block.v'), '1024', '1024', '--mean', '160', '--sigma', '40']);
    execFileSync('vips', ['cast', at('block.v'), at('grey.v'), 'uchar']);
    execFileSync('vips', ['bandjoin', `${at('grey.v')} ${at('grey.v')} ${at('grey.v')}`, at('rgb.v')]);
    execFileSync('vips', ['replicate', at('rgb.v'), at('big.v'), String(Math.ceil(width / 1024)), String(Math.ceil(height / 1024))]);
    execFileSync('vips', ['crop', at('big.v'), at('slide.v'), '0', '0', String(width), String(height)]);
    // vips takes resolution in pixels per millimetre.
    const perMm = String(1000 / micronsPerPixel);
    const target = opts.aperioLabel === undefined ? file : at('pyramid.tif');
    // A directory is added to an NDPI-like file by hand, which is simpler in classic TIFF.
    const big = opts.hamamatsuMacro === undefined ? ['--bigtiff'] : [];
    execFileSync('vips', ['tiffsave', at('slide.v'), target, '--tile', '--pyramid', '--compression', 'jpeg', '--Q', '80', '--tile-width', '256', '--tile-height', '256', '--xres', perMm, '--yres', perMm, ...big]);
    if (opts.aperioLabel !== undefined) writeAperio(at, target, file, { width, height, micronsPerPixel, label: opts.aperioLabel });
    if (opts.philips) writePhilips(file, micronsPerPixel);
    if (opts.hamamatsuMacro !== undefined) {
      labelPicture(at, opts.hamamatsuMacro, at('macro.v'));
      execFileSync('vips', ['rawsave', at('macro.v'), at('macro.raw')]);
      appendHamamatsuMacro(file, fs.readFileSync(at('macro.raw')), 400, 200);
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** A 400 × 200 photo of a slide's sticker showing `text` (dark on white), as libvips image `out`. */
function labelPicture(at: (name: string) => string, text: string, out: string) {
  // Pango markup: & and < are written as entities.
  execFileSync('vips', ['text', at('text.v'), text.replaceAll('&', '&amp;').replaceAll('<', '&lt;'), '--dpi', '150']);
  execFileSync('vips', ['embed', at('text.v'), at('framed.v'), '20', '20', '400', '200']);
  execFileSync('vips', ['invert', at('framed.v'), at('inverted.v')]);
  execFileSync('vips', ['bandjoin', `${at('inverted.v')} ${at('inverted.v')} ${at('inverted.v')}`, out]);
}

/**
 * Turns a tiled pyramid into the layout of an Aperio SVS, as OpenSlide reads it: the scanner's
 * description (size, magnification, microns per pixel) in the first directory, then the label and
 * macro pictures as untiled directories named on their description's second line (libtiff-tools).
 */
function writeAperio(at: (name: string) => string, pyramid: string, file: string, o: { width: number; height: number; micronsPerPixel: number; label: string }) {
  labelPicture(at, o.label, at('label.v'));
  execFileSync('vips', ['tiffsave', at('label.v'), at('label.tif'), '--compression', 'lzw']);
  execFileSync('vips', ['tiffsave', at('label.v'), at('macro.tif'), '--compression', 'jpeg']);
  fs.rmSync(file, { force: true });
  execFileSync('tiffcp', [pyramid, file]);
  execFileSync('tiffcp', ['-a', '-s', '-r', '64', at('label.tif'), file]);
  execFileSync('tiffcp', ['-a', '-s', '-r', '64', '-c', 'jpeg', at('macro.tif'), file]);
  const pages = execFileSync('tiffinfo', [file], { stdio: ['ignore', 'pipe', 'ignore'] }).toString().match(/^=== TIFF directory \d+ ===$/gm)!.length;
  const head = 'Aperio Image Library v12.0.15';
  execFileSync('tiffset', ['-d', '0', '-s', '270', `${head}\n${o.width}x${o.height} [0,0 ${o.width}x${o.height}] (256x256) JPEG/RGB Q=80|AppMag = 20|MPP = ${o.micronsPerPixel}`, file]);
  execFileSync('tiffset', ['-d', String(pages - 2), '-s', '270', `${head}\nlabel 400x200`, file]);
  execFileSync('tiffset', ['-d', String(pages - 1), '-s', '270', `${head}\nmacro 400x200`, file]);
}

/**
 * Turns a tiled pyramid into the layout of a Philips TIFF, as OpenSlide's Philips reader expects
 * it: Software starting "Philips" and a DPUfsImport XML description in the first directory, with
 * one WSI scanned image whose pixel spacing (mm, row then column, quoted) is given for the image
 * and for each level. The resolution tags are set to a wrong scale, so only the XML can give the right one.
 */
function writePhilips(file: string, micronsPerPixel: number) {
  const levels = execFileSync('tiffinfo', [file], { stdio: ['ignore', 'pipe', 'ignore'] }).toString().match(/^=== TIFF directory \d+ ===$/gm)!.length;
  const spacing = (mm: number) => `<Attribute Name="DICOM_PIXEL_SPACING" Group="0x0028" Element="0x0030" PMSVR="IDoubleArray">&quot;${mm}&quot; &quot;${mm}&quot;</Attribute>`;
  const mm = micronsPerPixel / 1000;
  const representations = Array.from({ length: levels }, (_, i) => `<DataObject ObjectType="PixelDataRepresentation">${spacing(mm * 2 ** i)}</DataObject>`).join('');
  const xml = `<?xml version="1.0" encoding="UTF-8" ?>
<DataObject ObjectType="DPUfsImport">
<Attribute Name="DICOM_MANUFACTURER" Group="0x0008" Element="0x0070" PMSVR="IString">PHILIPS</Attribute>
<Attribute Name="PIM_DP_SCANNED_IMAGES" Group="0x301D" Element="0x1003" PMSVR="IDataObjectArray"><Array>
<DataObject ObjectType="DPScannedImage">
${spacing(mm)}
<Attribute Name="PIM_DP_IMAGE_TYPE" Group="0x301D" Element="0x1004" PMSVR="IString">WSI</Attribute>
<Attribute Name="PIIM_PIXEL_DATA_REPRESENTATION_SEQUENCE" Group="0x1001" Element="0x8B01" PMSVR="IDataObjectArray"><Array>${representations}</Array></Attribute>
</DataObject>
</Array></Attribute>
</DataObject>
`;
  execFileSync('tiffset', ['-d', '0', '-s', '270', xml, file]);
  execFileSync('tiffset', ['-d', '0', '-s', '305', 'Philips DP v1.0', file]);
  execFileSync('tiffset', ['-d', '0', '-s', '296', '3', file]);
  execFileSync('tiffset', ['-d', '0', '-s', '282', '10', file]);
  execFileSync('tiffset', ['-d', '0', '-s', '283', '10', file]);
}

/**
 * Adds an uncompressed RGB directory to the end of a classic little-endian TIFF, tagged as a
 * Hamamatsu NDPI file tags its macro photo: NDPI_FORMAT_FLAG (65420) and a source lens (65421,
 * a float) of -1. libtiff keeps private tags as they are, so no tool here writes them.
 */
function appendHamamatsuMacro(file: string, rgb: Buffer, width: number, height: number) {
  const tiff = fs.readFileSync(file);
  if (tiff.toString('latin1', 0, 2) !== 'II' || tiff.readUInt16LE(2) !== 42) throw new Error('a classic little-endian TIFF was expected');
  let pointerAt = 4;
  for (let ifd = tiff.readUInt32LE(4); ifd; ifd = tiff.readUInt32LE(pointerAt)) pointerAt = ifd + 2 + tiff.readUInt16LE(ifd) * 12;
  const pixelsAt = tiff.length + (tiff.length % 2);
  const ifdAt = pixelsAt + rgb.length + (rgb.length % 2);
  const [SHORT, LONG, FLOAT] = [3, 4, 11];
  const entries: [tag: number, type: number, value: number][] = [
    [256, LONG, width], [257, LONG, height], [258, SHORT, 8], [259, SHORT, 1], [262, SHORT, 2], [273, LONG, pixelsAt],
    [277, SHORT, 3], [278, LONG, height], [279, LONG, rgb.length], [65420, LONG, 1], [65421, FLOAT, -1],
  ];
  const ifd = Buffer.alloc(2 + entries.length * 12 + 4);
  ifd.writeUInt16LE(entries.length, 0);
  entries.forEach(([tag, type, value], i) => {
    const at = 2 + i * 12;
    ifd.writeUInt16LE(tag, at);
    ifd.writeUInt16LE(type, at + 2);
    ifd.writeUInt32LE(1, at + 4);
    if (type === SHORT) ifd.writeUInt16LE(value, at + 8);
    else if (type === FLOAT) ifd.writeFloatLE(value, at + 8);
    else ifd.writeUInt32LE(value, at + 8);
  });
  tiff.writeUInt32LE(ifdAt, pointerAt);
  fs.writeFileSync(file, Buffer.concat([tiff, Buffer.alloc(pixelsAt - tiff.length), rgb, Buffer.alloc(ifdAt - pixelsAt - rgb.length), ifd]));
}

/** The bytes of a small synthetic slide (see writeSlideFile). */
export function aSlideFile(opts: SlideShape = {}): Buffer {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'consilium-test-slide-file-'));
  try {
    writeSlideFile(path.join(dir, 'slide.tif'), opts);
    return fs.readFileSync(path.join(dir, 'slide.tif'));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

const WSI = '1.2.840.10008.5.1.4.1.1.77.1.6';

/** The JPEG tiles of a synthetic slide's full resolution, each `tile` px square (edges padded), row by row. */
function slideTiles(opts: { width: number; height: number; tile: number }): { tiles: Buffer[]; across: number; down: number } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'consilium-test-wsi-'));
  try {
    const file = path.join(dir, 'slide.tif');
    writeSlideFile(file, { width: opts.width, height: opts.height });
    // Google layout pads edge tiles to full size, as DICOM's TILED_FULL frames are.
    execFileSync('vips', ['dzsave', file, path.join(dir, 'g'), '--layout', 'google', '--tile-size', String(opts.tile), '--overlap', '0', '--suffix', '.jpg[Q=85,strip]']);
    const top = Math.max(...fs.readdirSync(path.join(dir, 'g')).filter((n) => /^\d+$/.test(n)).map(Number));
    const across = Math.ceil(opts.width / opts.tile);
    const down = Math.ceil(opts.height / opts.tile);
    const tiles: Buffer[] = [];
    for (let r = 0; r < down; r++) for (let c = 0; c < across; c++) tiles.push(fs.readFileSync(path.join(dir, 'g', String(top), String(r), `${c}.jpg`)));
    return { tiles, across, down };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** How a synthetic DICOM slide's full resolution is laid out and coded. */
export interface DicomSlideShape {
  width?: number;
  height?: number;
  tile?: number;
  micronsPerPixel?: number;
  label?: string;
  studyUid?: string;
  /** TILED_FULL (default), or TILED_SPARSE with each frame's place given and the frames out of order. */
  layout?: 'full' | 'sparse';
  /** With the sparse layout: tiles (row-major index) the scanner left out, as it does where there is no tissue. */
  missing?: number[];
  /** JPEG baseline (default), JPEG 2000 lossless, or native RGB pixels. */
  coding?: 'jpeg' | 'jpeg2000' | 'native';
}

/** A JPEG tile as the frame of another coding. */
function recode(tile: Buffer, coding: 'jpeg' | 'jpeg2000' | 'native'): Buffer {
  if (coding === 'jpeg') return tile;
  if (coding === 'native') {
    const { data, width, height } = jpeg.decode(tile, { useTArray: true });
    const rgb = Buffer.alloc(width * height * 3);
    for (let i = 0; i < width * height; i++) rgb.set(data.subarray(i * 4, i * 4 + 3), i * 3);
    return rgb;
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'consilium-test-j2k-'));
  try {
    fs.writeFileSync(path.join(dir, 't.jpg'), tile);
    execFileSync('vips', ['jp2ksave', path.join(dir, 't.jpg'), path.join(dir, 't.j2k'), '--lossless']);
    return fs.readFileSync(path.join(dir, 't.j2k'));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * A synthetic DICOM whole-slide image (VL Whole Slide Microscopy, PS3.3 A.32.8): its full
 * resolution as one multi-frame instance of tiles (by default TILED_FULL JPEG), a half-resolution
 * level, and a label photo showing `label`; pixel spacing and objective power as a scanner records
 * them. Synthetic: noise, no tissue, no patient.
 */
export function aDicomSlide(opts: DicomSlideShape = {}): { studyUid: string; seriesUid: string; files: Buffer[] } {
  const { width = 2048, height = 1536, tile = 256, micronsPerPixel = 0.25, layout = 'full', coding = 'jpeg' } = opts;
  const studyUid = opts.studyUid ?? aUid();
  const seriesUid = aUid();
  const transferSyntax = { jpeg: TS.jpegBaseline, jpeg2000: TS.jpeg2000, native: TS.explicit }[coding];
  const photometric = { jpeg: 'YBR_FULL_422', jpeg2000: 'YBR_RCT', native: 'RGB' }[coding];
  const level = (w: number, h: number, mpp: number, n: number) => {
    const { tiles, across } = slideTiles({ width: w, height: h, tile });
    // Sparse: the scanner's order is its own (here reversed), each frame saying where it goes.
    const order = layout === 'sparse' ? tiles.map((_, i) => i).filter((i) => !(opts.missing ?? []).includes(i)).reverse() : tiles.map((_, i) => i);
    const frames = order.map((i) => recode(tiles[i]!, coding));
    const placement = layout === 'sparse' ? {
      DimensionOrganizationType: 'TILED_SPARSE',
      PerFrameFunctionalGroupsSequence: order.map((i) => ({
        PlanePositionSlideSequence: [{ ColumnPositionInTotalImagePixelMatrix: (i % across) * tile + 1, RowPositionInTotalImagePixelMatrix: Math.floor(i / across) * tile + 1, ZOffsetInSlideCoordinateSystem: '0' }],
        OpticalPathIdentificationSequence: [{ OpticalPathIdentifier: '1' }],
      })),
    } : { DimensionOrganizationType: 'TILED_FULL' };
    return aDicomInstance({
      studyUid, seriesUid, sopClassUid: WSI, modality: 'SM', seriesDescription: 'H&E 20x', instanceNumber: n, rows: tile, columns: tile,
      transferSyntax, ...(coding === 'native' ? { pixels: Buffer.concat(frames) } : { fragments: frames }),
      extra: {
        ImageType: ['ORIGINAL', 'PRIMARY', 'VOLUME', 'NONE'], SamplesPerPixel: 3, PhotometricInterpretation: photometric, PlanarConfiguration: 0,
        BitsAllocated: 8, BitsStored: 8, HighBit: 7,
        NumberOfFrames: String(frames.length), TotalPixelMatrixColumns: w, TotalPixelMatrixRows: h, ...placement,
        SharedFunctionalGroupsSequence: [{ PixelMeasuresSequence: [{ PixelSpacing: [String(mpp / 1000), String(mpp / 1000)], SliceThickness: '0.001' }] }],
        OpticalPathSequence: [{ OpticalPathIdentifier: '1', ObjectiveLensPower: '20' }],
        PixelSpacing: undefined, ImagePositionPatient: undefined, ImageOrientationPatient: undefined, SliceLocation: undefined, RescaleIntercept: undefined, RescaleSlope: undefined, WindowCenter: undefined, WindowWidth: undefined,
      },
    });
  };
  const files = [level(width, height, micronsPerPixel, 1), level(Math.ceil(width / 2), Math.ceil(height / 2), micronsPerPixel * 2, 2)];
  if (opts.label !== undefined) {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'consilium-test-wsi-label-'));
    try {
      labelPicture((name) => path.join(dir, name), opts.label, path.join(dir, 'rgb.v'));
      execFileSync('vips', ['jpegsave', path.join(dir, 'rgb.v'), path.join(dir, 'label.jpg'), '--Q', '90']);
      files.push(aDicomInstance({
        studyUid, seriesUid, sopClassUid: WSI, modality: 'SM', instanceNumber: 3, rows: 200, columns: 400, transferSyntax: TS.jpegBaseline, fragment: fs.readFileSync(path.join(dir, 'label.jpg')),
        extra: { ImageType: ['ORIGINAL', 'PRIMARY', 'LABEL', 'NONE'], SamplesPerPixel: 3, PhotometricInterpretation: 'YBR_FULL_422', PlanarConfiguration: 0, NumberOfFrames: '1', TotalPixelMatrixColumns: 400, TotalPixelMatrixRows: 200 },
      }));
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }
  return { studyUid, seriesUid, files };
}

/** How a synthetic MIRAX slide is laid out. */
export interface MiraxShape {
  /** Rounded up to whole camera images (256 px). */
  width?: number;
  height?: number;
  micronsPerPixel?: number;
  /** A photo of the slide's barcode label showing this text, and the slide's overview (macro) and preview (thumbnail) photos. */
  label?: string;
}

/** The side of one camera image, and of each stored image at every level. */
const MIRAX_IMAGE = 256;

const int32s = (values: number[]) => {
  const b = Buffer.alloc(values.length * 4);
  values.forEach((v, i) => b.writeInt32LE(v, i * 4));
  return b;
};

/**
 * Writes a synthetic 3DHISTECH MIRAX slide as OpenSlide's MIRAX reader expects it: `<dir>/<name>.mrxs`
 * beside the folder `<dir>/<name>/` holding Slidedat.ini (the slide's settings: camera images across
 * and down, one hierarchical "Slide zoom level" per level, each with its image size, JPEG format and
 * microns per pixel), Index.dat (version and slide id, then pointers to each level's page of
 * stored images and to each non-hierarchical record) and Data0000.dat (the JPEG images end to end,
 * then the camera positions, then the label, macro and thumbnail photos). Level k holds one
 * 256 px image per 2^k × 2^k camera images; libvips' Google layout makes exactly those. Returns
 * the .mrxs path. Synthetic: noise, no tissue, no patient.
 */
export function writeMiraxSlide(dir: string, name: string, opts: MiraxShape = {}): string {
  const { micronsPerPixel = 0.25 } = opts;
  const across = Math.ceil((opts.width ?? 2048) / MIRAX_IMAGE);
  const down = Math.ceil((opts.height ?? 1536) / MIRAX_IMAGE);
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'consilium-test-mirax-'));
  try {
    const source = path.join(work, 'slide.tif');
    writeSlideFile(source, { width: across * MIRAX_IMAGE, height: down * MIRAX_IMAGE, micronsPerPixel });
    // Google layout: each level half the one above, cut into 256 px tiles from the top left, edges padded.
    execFileSync('vips', ['dzsave', source, path.join(work, 'g'), '--layout', 'google', '--tile-size', String(MIRAX_IMAGE), '--overlap', '0', '--suffix', '.jpg[Q=85,strip]']);
    const top = Math.max(...fs.readdirSync(path.join(work, 'g')).filter((n) => /^\d+$/.test(n)).map(Number));
    const levels = top + 1;

    const chunks: Buffer[] = [];
    let dataSize = 0;
    const store = (bytes: Buffer) => {
      const at = dataSize;
      chunks.push(bytes);
      dataSize += bytes.length;
      return { offset: at, length: bytes.length };
    };
    // Each level's stored images: its index is the place of its top-left camera image in level 0's grid.
    const pages: { index: number; offset: number; length: number }[][] = [];
    for (let k = 0; k < levels; k++) {
      const step = 2 ** k;
      const page: { index: number; offset: number; length: number }[] = [];
      for (let y = 0; y < down; y += step) {
        for (let x = 0; x < across; x += step) {
          page.push({ index: y * across + x, ...store(fs.readFileSync(path.join(work, 'g', String(top - k), String(y / step), `${x / step}.jpg`))) });
        }
      }
      pages.push(page);
    }
    // Where the camera stood for each picture (level 0 pixels): a flag byte, then x and y.
    const positions = Buffer.alloc(9 * across * down);
    for (let i = 0; i < across * down; i++) {
      positions.writeUInt8(1, i * 9);
      positions.writeInt32LE((i % across) * MIRAX_IMAGE, i * 9 + 1);
      positions.writeInt32LE(Math.floor(i / across) * MIRAX_IMAGE, i * 9 + 5);
    }
    const records = [store(positions)];
    const photoNames = opts.label === undefined ? [] : ['macro', 'label', 'thumbnail'] as const;
    if (opts.label !== undefined) {
      const at = (n: string) => path.join(work, n);
      labelPicture(at, opts.label, at('label.v'));
      execFileSync('vips', ['jpegsave', at('label.v'), at('label.jpg'), '--Q', '90']);
      execFileSync('vips', ['resize', source, at('small.v'), String(400 / (across * MIRAX_IMAGE))]);
      execFileSync('vips', ['jpegsave', at('small.v'), at('small.jpg'), '--Q', '90']);
      for (const photo of photoNames) records.push(store(fs.readFileSync(at(photo === 'label' ? 'label.jpg' : 'small.jpg'))));
    }

    // Index.dat: pointers first, pages after, every number a little-endian int32.
    const slideId = `${crypto.randomUUID().replaceAll('-', '').toUpperCase()}`;
    const head = Buffer.from(`01.02${slideId}`, 'latin1');
    const hierTable = head.length + 8;
    const nonhierTable = hierTable + 4 * levels;
    let next = nonhierTable + 4 * records.length;
    const body: Buffer[] = [];
    const place = (b: Buffer) => {
      const at = next;
      body.push(b);
      next += b.length;
      return at;
    };
    const levelPointers = pages.map((page) => {
      const data = place(int32s([page.length, 0, ...page.flatMap((p) => [p.index, p.offset, p.length, 0])]));
      return place(int32s([0, data]));
    });
    const recordPointers = records.map((r) => {
      const data = place(int32s([1, 0, 0, 0, r.offset, r.length, 0]));
      return place(int32s([0, data]));
    });
    const index = Buffer.concat([head, int32s([hierTable, nonhierTable]), int32s(levelPointers), int32s(recordPointers), ...body]);

    const level = (k: number) => [
      `[LAYER_0_LEVEL_${k}_SECTION]`, 'OVERLAP_X=0', 'OVERLAP_Y=0', `MICROMETER_PER_PIXEL_X=${micronsPerPixel * 2 ** k}`, `MICROMETER_PER_PIXEL_Y=${micronsPerPixel * 2 ** k}`,
      'IMAGE_FORMAT=JPEG', 'IMAGE_FILL_COLOR_BGR=16777215', `DIGITIZER_WIDTH=${MIRAX_IMAGE}`, `DIGITIZER_HEIGHT=${MIRAX_IMAGE}`, `IMAGE_CONCAT_FACTOR=${k === 0 ? 0 : 1}`, '',
    ];
    const photoValues = [['ScanDataLayer_SlideThumbnail', 'THUMBNAIL_IMAGE_TYPE'], ['ScanDataLayer_SlideBarcode', 'BARCODE_IMAGE_TYPE'], ['ScanDataLayer_SlidePreview', 'PREVIEW_IMAGE_TYPE']];
    const slidedat = [
      '[GENERAL]', 'SLIDE_VERSION=01.03', `SLIDE_ID=${slideId}`, `IMAGENUMBER_X=${across}`, `IMAGENUMBER_Y=${down}`, 'OBJECTIVE_MAGNIFICATION=20', 'CameraImageDivisionsPerSide=1', '',
      '[HIERARCHICAL]', 'INDEXFILE=Index.dat', 'HIER_COUNT=1', 'HIER_0_NAME=Slide zoom level', `HIER_0_COUNT=${levels}`,
      ...Array.from({ length: levels }, (_, k) => [`HIER_0_VAL_${k}=ZoomLevel_${k}`, `HIER_0_VAL_${k}_SECTION=LAYER_0_LEVEL_${k}_SECTION`]).flat(),
      `NONHIER_COUNT=${photoNames.length ? 2 : 1}`,
      'NONHIER_0_NAME=VIMSLIDE_POSITION_BUFFER', 'NONHIER_0_COUNT=1', 'NONHIER_0_VAL_0=default', 'NONHIER_0_VAL_0_SECTION=NONHIERLAYER_0_SECTION',
      ...(photoNames.length ? ['NONHIER_1_NAME=Scan data layer', 'NONHIER_1_COUNT=3',
        ...photoValues.map(([value], i) => [`NONHIER_1_VAL_${i}=${value}`, `NONHIER_1_VAL_${i}_SECTION=NONHIERLAYER_1_LEVEL_${i}_SECTION`]).flat()] : []),
      '',
      '[DATAFILE]', 'FILE_COUNT=1', 'FILE_0=Data0000.dat', '',
      ...Array.from({ length: levels }, (_, k) => level(k)).flat(),
      '[NONHIERLAYER_0_SECTION]', 'VIMSLIDE_POSITION_DATA_FORMAT_VERSION=257', '',
      ...(photoNames.length ? photoValues.map(([, key], i) => [`[NONHIERLAYER_1_LEVEL_${i}_SECTION]`, `${key}=JPEG`, '']).flat() : []),
    ].join('\r\n');

    const folder = path.join(dir, name);
    fs.mkdirSync(folder, { recursive: true });
    fs.writeFileSync(path.join(folder, 'Slidedat.ini'), slidedat);
    fs.writeFileSync(path.join(folder, 'Index.dat'), index);
    fs.writeFileSync(path.join(folder, 'Data0000.dat'), Buffer.concat(chunks));
    const mrxs = path.join(dir, `${name}.mrxs`);
    // The .mrxs itself is only looked for, not read; a scanner writes a few bytes of its own there.
    fs.writeFileSync(mrxs, Buffer.from('MIRAX slide\r\n', 'latin1'));
    return mrxs;
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}

/**
 * A synthetic MIRAX slide zipped as people send one: `<name>.mrxs` and its folder `<name>/`,
 * under a top folder when `top` is given; `withoutFolder` leaves the folder out (an incomplete
 * export), `extra` adds files beside them.
 */
export async function aMiraxZip(opts: MiraxShape & { name?: string; top?: string; withoutFolder?: boolean; extra?: { name: string; data: Buffer }[] } = {}): Promise<Buffer> {
  const { name = 'biopsy' } = opts;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'consilium-test-mirax-zip-'));
  try {
    writeMiraxSlide(dir, name, opts);
    const zip = new yazl.ZipFile();
    const at = (p: string) => (opts.top ? `${opts.top}/${p}` : p);
    if (opts.top) zip.addEmptyDirectory(opts.top);
    zip.addFile(path.join(dir, `${name}.mrxs`), at(`${name}.mrxs`));
    if (!opts.withoutFolder) {
      zip.addEmptyDirectory(at(name));
      for (const f of fs.readdirSync(path.join(dir, name))) zip.addFile(path.join(dir, name, f), at(`${name}/${f}`));
    }
    for (const e of opts.extra ?? []) zip.addBuffer(e.data, e.name);
    zip.end();
    const chunks: Buffer[] = [];
    for await (const c of zip.outputStream) chunks.push(c as Buffer);
    return Buffer.concat(chunks);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
