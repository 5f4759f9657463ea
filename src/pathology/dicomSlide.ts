import { execFile } from 'node:child_process';
import fs from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { frameReader } from '../imaging/frames.ts';
import { DicomRejected, type DicomJson } from '../imaging/part10.ts';
import { blame, childEnv, SlideUnreadable, VIPS_BIN, type SlideFacts, type SlidePicture } from './slideReader.ts';

const run = promisify(execFile);

/** VL Whole Slide Microscopy Image Storage (PS3.4 B.5): a DICOM whole-slide image. */
export const WSI_SOP_CLASS = '1.2.840.10008.5.1.4.1.1.77.1.6';
const LAYOUTS = new Map<string, WsiInstanceInfo['layout']>([['TILED_FULL', 'full'], ['TILED_SPARSE', 'sparse']]);

/** What one instance of a DICOM whole-slide series is, read from its stored metadata. */
export interface WsiInstanceInfo {
  /** VOLUME: a pyramid level; LABEL and OVERVIEW: photos of the glass (PS3.3 C.8.12.4.1.1). */
  flavor: 'volume' | 'label' | 'overview' | 'thumbnail' | null;
  /** The whole image the tiles make up (Total Pixel Matrix Columns/Rows). */
  totalColumns: number;
  totalRows: number;
  /** One tile (frame). */
  tileColumns: number;
  tileRows: number;
  frames: number;
  /** Dimension Organization Type: every tile in order (TILED_FULL), each tile with its place (TILED_SPARSE), or another. */
  layout: 'full' | 'sparse' | 'other';
  mppX: number | null;
  mppY: number | null;
  objectivePower: number | null;
}

const values = (d: DicomJson | undefined, tag: string): unknown[] => (d?.[tag]?.Value as unknown[] | undefined) ?? [];
const number = (d: DicomJson | undefined, tag: string): number | null => {
  const n = Number(values(d, tag)[0]);
  return Number.isFinite(n) && n > 0 ? n : null;
};
const item = (d: DicomJson | undefined, tag: string): DicomJson | undefined => values(d, tag)[0] as DicomJson | undefined;

export function wsiInstanceInfo(m: DicomJson): WsiInstanceInfo {
  const imageType = values(m, '00080008').map((v) => String(v).toUpperCase());
  const flavor = (['VOLUME', 'LABEL', 'OVERVIEW', 'THUMBNAIL'] as const).find((f) => imageType.includes(f))?.toLowerCase() as WsiInstanceInfo['flavor'] ?? null;
  // Pixel spacing (mm, row then column) is shared by all frames of a level.
  const spacing = values(item(item(m, '52009229'), '00289110'), '00280030').map(Number);
  const mm = (v: number | undefined) => (v && Number.isFinite(v) && v > 0 ? v * 1000 : null);
  const believable = (mpp: number | null) => (mpp !== null && mpp >= 0.05 && mpp <= 50 ? mpp : null);
  return {
    flavor,
    totalColumns: number(m, '00480006') ?? number(m, '00280011') ?? 0,
    totalRows: number(m, '00480007') ?? number(m, '00280010') ?? 0,
    tileColumns: number(m, '00280011') ?? 0,
    tileRows: number(m, '00280010') ?? 0,
    frames: number(m, '00280008') ?? 1,
    // Absent on single-frame instances, which are one whole tile.
    layout: LAYOUTS.get(String(values(m, '00209311')[0] ?? 'TILED_FULL').trim()) ?? 'other',
    mppX: believable(mm(spacing[1])),
    mppY: believable(mm(spacing[0])),
    objectivePower: number(item(m, '00480105'), '00480112'),
  };
}

/** How the frames of an instance are coded, so each can be handed to libvips as a file it reads. */
export type FrameCoding =
  | { kind: 'encoded'; extension: 'jpg' | 'j2k' }
  | { kind: 'native'; bands: 1 | 3; planar: boolean };

/** Tile sides (px) converted for viewing. */
const MIN_TILE_SIDE = 64;
const MAX_TILE_SIDE = 4096;
/** Tiles to a row or a column at most: a row's file names go to libvips as one argument, which the system caps at 128 kB. */
const MAX_TILES_ACROSS = 4000;

/** Compressed frames libvips decodes as they are: JPEG baseline, and JPEG 2000 (lossless and lossy) through OpenJPEG. */
const ENCODED: Record<string, 'jpg' | 'j2k'> = {
  '1.2.840.10008.1.2.4.50': 'jpg',
  '1.2.840.10008.1.2.4.90': 'j2k',
  '1.2.840.10008.1.2.4.91': 'j2k',
};
const NATIVE = new Set(['1.2.840.10008.1.2', '1.2.840.10008.1.2.1']);

/** The coding of an instance's frames, or null when they are in one not converted for viewing. */
export function frameCoding(transferSyntax: string, m: DicomJson): FrameCoding | null {
  const extension = ENCODED[transferSyntax];
  // Tiles are shown as 8-bit JPEG: deeper samples (a 16-bit JPEG 2000) would be cut, not scaled.
  if (extension) return (number(m, '00280100') ?? 8) === 8 ? { kind: 'encoded', extension } : null;
  if (!NATIVE.has(transferSyntax) || number(m, '00280100') !== 8) return null;
  const samples = number(m, '00280002') ?? 1;
  const photometric = String(values(m, '00280004')[0] ?? '').trim();
  if (samples === 3 && photometric === 'RGB') return { kind: 'native', bands: 3, planar: number(m, '00280006') === 1 };
  if (samples === 1 && photometric === 'MONOCHROME2') return { kind: 'native', bands: 1, planar: false };
  return null;
}

/**
 * One frame as the bytes of a file libvips reads, and that file's extension: a compressed frame
 * as it is, native pixels behind a Netpbm header (PPM for colour, PGM for grey), interleaved
 * first when the colour planes were stored one after another.
 */
export function frameFile(frame: Uint8Array, coding: FrameCoding, columns: number, rows: number): { bytes: Uint8Array; extension: string } {
  if (coding.kind === 'encoded') return { bytes: frame, extension: coding.extension };
  const pixels = columns * rows;
  if (frame.length < pixels * coding.bands) throw new SlideUnreadable('unreadable', 'The DICOM slide’s tiles are shorter than their size says.');
  const header = Buffer.from(`${coding.bands === 3 ? 'P6' : 'P5'}\n${columns} ${rows}\n255\n`, 'latin1');
  const body = Buffer.allocUnsafe(pixels * coding.bands);
  if (coding.planar) {
    for (let i = 0; i < pixels; i++) for (let b = 0; b < 3; b++) body[i * 3 + b] = frame[b * pixels + i]!;
  } else {
    body.set(frame.subarray(0, body.length));
  }
  return { bytes: Buffer.concat([header, body]), extension: coding.bands === 3 ? 'ppm' : 'pgm' };
}

/**
 * Which frame makes each tile of a level, row by row (1-based frame numbers; 0 where the slide has
 * no tile, as a sparse slide has none where no tissue was scanned). TILED_FULL frames run along
 * rows, then down, then through focal planes and optical paths (PS3.3 C.8.12.9.1), so the first
 * plane is the first `across × down` frames. TILED_SPARSE frames each give their place (Plane
 * Position (Slide)); the focal plane and optical path of the first frame are the ones shown.
 */
export function tileFrames(m: DicomJson, info: WsiInstanceInfo): Int32Array {
  const across = Math.ceil(info.totalColumns / info.tileColumns);
  const down = Math.ceil(info.totalRows / info.tileRows);
  const tiles = new Int32Array(across * down);
  if (info.layout === 'full') {
    if (info.frames < tiles.length || info.frames % tiles.length !== 0) throw new SlideUnreadable('unreadable', 'The DICOM slide’s tiles do not fill its image.');
    for (let i = 0; i < tiles.length; i++) tiles[i] = i + 1;
    return tiles;
  }
  const perFrame = values(m, '52009230') as DicomJson[];
  if (perFrame.length !== info.frames) throw new SlideUnreadable('unreadable', 'The DICOM slide does not say where each of its tiles belongs.');
  const planeOf = (f: DicomJson) => `${values(item(f, '0048021A'), '0040074A')[0] ?? ''}|${values(item(f, '00480207'), '00480106')[0] ?? ''}`;
  const shown = planeOf(perFrame[0]!);
  let placed = 0;
  perFrame.forEach((f, i) => {
    if (planeOf(f) !== shown) return;
    const position = item(f, '0048021A');
    const c = ((number(position, '0048021E') ?? 0) - 1) / info.tileColumns;
    const r = ((number(position, '0048021F') ?? 0) - 1) / info.tileRows;
    if (!Number.isInteger(c) || !Number.isInteger(r) || c < 0 || r < 0 || c >= across || r >= down) throw new SlideUnreadable('unreadable', 'A tile of the DICOM slide lies off its grid of tiles.');
    if (tiles[r * across + c] === 0) {
      tiles[r * across + c] = i + 1;
      placed++;
    }
  });
  if (!placed) throw new SlideUnreadable('unreadable', 'The DICOM slide holds no tile to show.');
  return tiles;
}

export interface StoredWsiInstance {
  metadata: DicomJson;
  transferSyntax: string;
  read: () => Promise<Buffer>;
}

/** The whole image of a DICOM slide and what it says about itself, ready for the tile maker. */
export interface DicomSlideImage {
  facts: SlideFacts;
  /** An image file libvips reads (the full-resolution level, its tiles joined). */
  image: string;
  pictures: Partial<Record<SlidePicture, string>>;
  /** The photos of the glass the series holds, whether or not they could be read (a label may show a name). */
  associated: string[];
}

/**
 * Joins the full-resolution level of a DICOM whole-slide series back into one image, for the same
 * tile maker as uploaded slide files: each frame is a tile (JPEG, JPEG 2000 or native pixels),
 * placed by the level's layout (TILED_FULL or TILED_SPARSE, where missing tiles are left white,
 * the colour of empty glass), one row at a time so only a row's tiles are open at once. The joined
 * image keeps the level's whole tiles, so its size is a multiple of the tile size (the scanner pads
 * the last row and column). The label and overview photos come along as pictures. Other codings
 * are refused in plain words; the instances stay viewable through DICOMweb either way.
 */
export async function joinDicomSlide(instances: StoredWsiInstance[], workDir: string, maxMegapixels: number): Promise<DicomSlideImage> {
  const described = instances.map((i) => ({ ...i, info: wsiInstanceInfo(i.metadata) }));
  const volumes = described.filter((i) => i.info.flavor === 'volume' || (i.info.flavor === null && i.info.frames > 1)).sort((a, b) => b.info.totalColumns - a.info.totalColumns);
  const top = volumes[0];
  if (!top) throw new SlideUnreadable('unreadable', 'The DICOM series holds no image level of the slide.');
  const { info } = top;
  if (info.layout === 'other') throw new SlideUnreadable('unreadable', 'The DICOM slide arranges its tiles in a way that is not converted for viewing.');
  const coding = frameCoding(top.transferSyntax, top.metadata);
  if (!coding) throw new SlideUnreadable('unreadable', 'The DICOM slide’s tiles are coded in a way that is not converted for viewing.');
  if (!info.tileColumns || !info.tileRows) throw new SlideUnreadable('unreadable', 'The DICOM slide’s tiles do not fill its image.');
  // Scanners tile at 240–1024 px; a level of tiny tiles is millions of files to join (and a sparse
  // level claims them with a single frame), so sizes outside these bounds are refused up front.
  if ([info.tileColumns, info.tileRows].some((side) => side < MIN_TILE_SIDE || side > MAX_TILE_SIDE)) throw new SlideUnreadable('unreadable', 'The DICOM slide’s tiles are of a size that is not converted for viewing.');
  const across = Math.ceil(info.totalColumns / info.tileColumns);
  const down = Math.ceil(info.totalRows / info.tileRows);
  const width = across * info.tileColumns;
  const height = down * info.tileRows;
  if ((width * height) / 1e6 > maxMegapixels || across > MAX_TILES_ACROSS || down > MAX_TILES_ACROSS) throw new SlideUnreadable('too_large', 'The slide is larger than this server makes tiles for.');
  const placement = tileFrames(top.metadata, info);

  // The joined rows are kept compressed (lossless) until the last is joined; room for them and
  // for the whole image is checked first rather than failing with a full disk halfway.
  const needed = width * height * 3;
  const free = await fs.statfs(workDir).then((st) => st.bavail * st.bsize, () => Number.POSITIVE_INFINITY);
  if (free < needed * 1.2) throw new SlideUnreadable('too_large', 'The slide is larger than this server has room to prepare just now.');
  const frames = await readLevel(top);
  await fs.mkdir(path.join(workDir, 't'), { mode: 0o700 });
  const blank = placement.includes(0) ? await blankTile(workDir, info, coding) : null;
  const rows: string[] = [];
  for (let r = 0; r < down; r++) {
    const wanted = Array.from(placement.subarray(r * across, (r + 1) * across));
    const read = frameBytes(frames, wanted.filter((n) => n > 0));
    let next = 0;
    const row = wanted.map((n) => (n === 0 ? null : read[next++]!));
    const names = await Promise.all(row.map(async (frame, c) => {
      if (!frame) return blank!;
      const file = frameFile(frame, coding, info.tileColumns, info.tileRows);
      const name = path.join('t', `${r}_${c}.${file.extension}`);
      await fs.writeFile(path.join(workDir, name), file.bytes, { mode: 0o600 });
      return name;
    }));
    // A row as a deflated TIFF: lossless and small; libvips 8.14 crashes joining its own .v files one above another.
    const file = `r${r}.tif`;
    await vips(['arrayjoin', names.join(' '), `${file}[compression=deflate,tile,bigtiff]`, '--across', String(across)], workDir, 'The DICOM slide’s tiles could not be read as images.');
    await Promise.all(names.filter((n) => n !== blank).map((n) => fs.rm(path.join(workDir, n), { force: true })));
    rows.push(file);
  }
  const image = 'slide.tif';
  await vips(['arrayjoin', rows.join(' '), `${image}[compression=deflate,tile,bigtiff]`, '--across', '1'], workDir, 'The DICOM slide’s rows could not be joined.');
  await Promise.all(rows.map((r) => fs.rm(path.join(workDir, r), { force: true })));

  const pictures: Partial<Record<SlidePicture, string>> = {};
  for (const [flavor, picture] of [['label', 'label'], ['overview', 'macro']] as const) {
    const found = described.map((i) => ({ ...i, coding: i.info.flavor === flavor ? frameCoding(i.transferSyntax, i.metadata) : null })).find((i) => i.coding);
    if (!found?.coding) continue;
    try {
      const [frame] = frameBytes(await readLevel(found), [1]);
      const file = frameFile(frame!, found.coding, found.info.tileColumns, found.info.tileRows);
      await fs.writeFile(path.join(workDir, `${picture}.src.${file.extension}`), file.bytes, { mode: 0o600 });
      // Written again without the source's metadata, as the file's own pictures are.
      await vips(['jpegsave', `${picture}.src.${file.extension}`, `${picture}.jpeg`, '--Q', '85', '--strip'], workDir, 'picture');
      pictures[picture] = path.join(workDir, `${picture}.jpeg`);
    } catch {
      // A photo that cannot be read is left out; the slide is shown without it.
    }
  }
  return {
    facts: { vendor: 'dicom', width, height, levels: volumes.length, mppX: info.mppX, mppY: info.mppY, objectivePower: info.objectivePower },
    image: path.join(workDir, image),
    pictures,
    associated: [...new Set(described.flatMap((i) => (i.info.flavor === 'label' ? ['label'] : i.info.flavor === 'overview' ? ['macro'] : [])))],
  };
}

/** An instance's frames, read once; a damaged instance is the file's fault. */
async function readLevel(instance: StoredWsiInstance): Promise<(numbers: number[]) => Uint8Array[]> {
  try {
    return frameReader(await instance.read());
  } catch (err) {
    if (err instanceof DicomRejected) throw new SlideUnreadable('unreadable', 'The DICOM slide’s image could not be read.');
    throw err;
  }
}

function frameBytes(frames: (numbers: number[]) => Uint8Array[], numbers: number[]): Uint8Array[] {
  try {
    return frames(numbers);
  } catch (err) {
    if (err instanceof DicomRejected) throw new SlideUnreadable('unreadable', 'The DICOM slide’s tiles could not be read.');
    throw err;
  }
}

/** A white tile of the level's size and bands, standing in where a sparse slide has no tile. */
async function blankTile(workDir: string, info: WsiInstanceInfo, coding: FrameCoding): Promise<string> {
  const bands = coding.kind === 'native' ? coding.bands : 3;
  await vips(['black', 'black.v', String(info.tileColumns), String(info.tileRows), '--bands', String(bands)], workDir, 'blank');
  await vips(['linear', 'black.v', path.join('t', 'blank.v'), '1', '255', '--uchar'], workDir, 'blank');
  await fs.rm(path.join(workDir, 'black.v'), { force: true });
  return path.join('t', 'blank.v');
}

/** libvips in a child process in the work folder: a refusal is the file's fault, anything else the server's (see blame). */
async function vips(args: string[], cwd: string, refusal: string) {
  try {
    await run(VIPS_BIN, args, { cwd, timeout: 30 * 60_000, maxBuffer: 4 * 1024 * 1024, env: childEnv(cwd) });
  } catch (err) {
    blame(err, 'libvips (Debian: libvips-tools)', 'unreadable', refusal);
  }
}
