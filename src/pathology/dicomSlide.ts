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
const JPEG_BASELINE = '1.2.840.10008.1.2.4.50';

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
  tiledFull: boolean;
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
    // Absent on single-frame instances; TILED_SPARSE lists each frame's place, which is not read here.
    tiledFull: (values(m, '00209311')[0] ?? 'TILED_FULL') === 'TILED_FULL',
    mppX: believable(mm(spacing[1])),
    mppY: believable(mm(spacing[0])),
    objectivePower: number(item(m, '00480105'), '00480112'),
  };
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
 * tile maker as uploaded slide files: each frame is a JPEG tile, placed in rows (TILED_FULL), one
 * row at a time so only a row's tiles are open at once. The joined image keeps the level's whole
 * tiles, so its size is a multiple of the tile size (the scanner pads the last row and column).
 * The label and overview photos come along as pictures. Other layouts and compressions are
 * refused in plain words; the instances stay viewable through DICOMweb either way.
 */
export async function joinDicomSlide(instances: StoredWsiInstance[], workDir: string, maxMegapixels: number): Promise<DicomSlideImage> {
  const described = instances.map((i) => ({ ...i, info: wsiInstanceInfo(i.metadata) }));
  const volumes = described.filter((i) => i.info.flavor === 'volume' || (i.info.flavor === null && i.info.frames > 1)).sort((a, b) => b.info.totalColumns - a.info.totalColumns);
  const top = volumes[0];
  if (!top) throw new SlideUnreadable('unreadable', 'The DICOM series holds no image level of the slide.');
  const { info } = top;
  if (!info.tiledFull) throw new SlideUnreadable('unreadable', 'The DICOM slide lists its tiles one by one (TILED_SPARSE), which is not converted for viewing.');
  if (top.transferSyntax !== JPEG_BASELINE) throw new SlideUnreadable('unreadable', 'The DICOM slide is not JPEG-compressed, which is the only kind converted for viewing.');
  const across = Math.ceil(info.totalColumns / info.tileColumns);
  const down = Math.ceil(info.totalRows / info.tileRows);
  if (!info.tileColumns || !info.tileRows || across * down !== info.frames) throw new SlideUnreadable('unreadable', 'The DICOM slide’s tiles do not fill its image.');
  const width = across * info.tileColumns;
  const height = down * info.tileRows;
  if ((width * height) / 1e6 > maxMegapixels) throw new SlideUnreadable('too_large', 'The slide is larger than this server makes tiles for.');

  // The joined rows are kept compressed (lossless) until the last is joined; room for them and
  // for the whole image is checked first rather than failing with a full disk halfway.
  const needed = width * height * 3;
  const free = await fs.statfs(workDir).then((st) => st.bavail * st.bsize, () => Number.POSITIVE_INFINITY);
  if (free < needed * 1.2) throw new SlideUnreadable('too_large', 'The slide is larger than this server has room to prepare just now.');
  let frames: (numbers: number[]) => Uint8Array[];
  try {
    frames = frameReader(await top.read());
  } catch (err) {
    if (err instanceof DicomRejected) throw new SlideUnreadable('unreadable', 'The DICOM slide’s image could not be read.');
    throw err;
  }
  await fs.mkdir(path.join(workDir, 't'), { mode: 0o700 });
  const rows: string[] = [];
  for (let r = 0; r < down; r++) {
    let row: Uint8Array[];
    try {
      row = frames(Array.from({ length: across }, (_, c) => r * across + c + 1));
    } catch (err) {
      if (err instanceof DicomRejected) throw new SlideUnreadable('unreadable', 'The DICOM slide’s tiles could not be read.');
      throw err;
    }
    const names = await Promise.all(row.map(async (f, c) => {
      const name = path.join('t', `${r}_${c}.jpg`);
      await fs.writeFile(path.join(workDir, name), f, { mode: 0o600 });
      return name;
    }));
    // A row as a deflated TIFF: lossless and small; libvips 8.14 crashes joining its own .v files one above another.
    const file = `r${r}.tif`;
    await vips(['arrayjoin', names.join(' '), `${file}[compression=deflate,tile,bigtiff]`, '--across', String(across)], workDir, 'The DICOM slide’s tiles could not be read as JPEG images.');
    await Promise.all(names.map((n) => fs.rm(path.join(workDir, n), { force: true })));
    rows.push(file);
  }
  const image = 'slide.tif';
  await vips(['arrayjoin', rows.join(' '), `${image}[compression=deflate,tile,bigtiff]`, '--across', '1'], workDir, 'The DICOM slide’s rows could not be joined.');
  await Promise.all(rows.map((r) => fs.rm(path.join(workDir, r), { force: true })));

  const pictures: Partial<Record<SlidePicture, string>> = {};
  for (const [flavor, picture] of [['label', 'label'], ['overview', 'macro']] as const) {
    const found = described.find((i) => i.info.flavor === flavor && i.transferSyntax === JPEG_BASELINE);
    if (!found) continue;
    try {
      const [frame] = frameReader(await found.read())([1]);
      await fs.writeFile(path.join(workDir, `${picture}.src.jpg`), frame!, { mode: 0o600 });
      // Written again without the source's metadata, as the file's own pictures are.
      await vips(['jpegsave', `${picture}.src.jpg`, `${picture}.jpeg`, '--Q', '85', '--strip'], workDir, 'picture');
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

/** libvips in a child process in the work folder: a refusal is the file's fault, anything else the server's (see blame). */
async function vips(args: string[], cwd: string, refusal: string) {
  try {
    await run(VIPS_BIN, args, { cwd, timeout: 30 * 60_000, maxBuffer: 4 * 1024 * 1024, env: childEnv(cwd) });
  } catch (err) {
    blame(err, 'libvips (Debian: libvips-tools)', 'unreadable', refusal);
  }
}
