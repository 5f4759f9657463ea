import { execFile } from 'node:child_process';
import fs from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/**
 * Whole-slide images are read by OpenSlide and libvips from Debian's packages (`openslide-tools`,
 * `libvips-tools`), each call in a child process of its own: a damaged or hostile file can crash
 * or hang only that process, which is killed after a time limit. The child gets no secrets (only
 * PATH, and its own temporary folder), since it parses untrusted bytes.
 */
export const OPENSLIDE_PROPERTIES_BIN = process.env.OPENSLIDE_PROPERTIES_BIN ?? 'openslide-show-properties';
export const VIPS_BIN = process.env.VIPS_BIN ?? 'vips';
export const VIPSHEADER_BIN = process.env.VIPSHEADER_BIN ?? 'vipsheader';
export const TIFFINFO_BIN = process.env.TIFFINFO_BIN ?? 'tiffinfo';

/** What a slide file says about itself, in the terms the viewer and the report need. */
export interface SlideFacts {
  vendor: string | null;
  width: number;
  height: number;
  levels: number;
  /** Microns per pixel at full resolution; null when the scanner recorded none (or none believable). */
  mppX: number | null;
  mppY: number | null;
  objectivePower: number | null;
}

/** Why a slide cannot be shown, as a code the web app words for people. */
export type SlideFailure = 'unreadable' | 'tiles' | 'too_large' | 'missing';

/** The file's own fault: it is marked as failed and not tried again. */
export class SlideUnreadable extends Error {
  readonly code: SlideFailure;
  constructor(code: SlideFailure, message: string) {
    super(message);
    this.code = code;
  }
}

/**
 * Parses `openslide-show-properties` output: one `name: 'value'` per line. A name given twice
 * is dropped: a value with a line break inside (an image description) could otherwise pose as
 * another property, such as the microns per pixel.
 */
export function parseProperties(text: string): Map<string, string> {
  const props = new Map<string, string>();
  const twice = new Set<string>();
  for (const line of text.split('\n')) {
    const m = /^([^:]+): '(.*)'$/.exec(line.trim());
    if (!m) continue;
    if (props.has(m[1]!)) twice.add(m[1]!);
    props.set(m[1]!, m[2]!);
  }
  for (const name of twice) props.delete(name);
  return props;
}

const positive = (v: string | undefined): number | null => {
  const n = Number(v);
  return v !== undefined && Number.isFinite(n) && n > 0 ? n : null;
};

/** Scanners record 0.1–1 µm per pixel at 20–60×; anything outside 0.05–50 is not a slide's scale. */
const believableMpp = (mpp: number | null) => (mpp !== null && mpp >= 0.05 && mpp <= 50 ? mpp : null);

/** Microns per pixel from the TIFF resolution tags, for files whose vendor field gives none. */
function mppFromTiff(props: Map<string, string>, axis: 'X' | 'Y'): number | null {
  const perUnit = positive(props.get(`tiff.${axis}Resolution`));
  const unit = props.get('tiff.ResolutionUnit');
  if (!perUnit) return null;
  const micronsPerUnit = unit === 'centimeter' ? 10_000 : unit === 'inch' ? 25_400 : null;
  return micronsPerUnit ? micronsPerUnit / perUnit : null;
}

export function slideFacts(props: Map<string, string>): SlideFacts {
  const width = positive(props.get('openslide.level[0].width'));
  const height = positive(props.get('openslide.level[0].height'));
  if (!width || !height) throw new SlideUnreadable('unreadable', 'The slide reader found no image size.');
  return {
    vendor: props.get('openslide.vendor') ?? null,
    width, height,
    levels: positive(props.get('openslide.level-count')) ?? 1,
    mppX: believableMpp(positive(props.get('openslide.mpp-x')) ?? mppFromTiff(props, 'X')),
    mppY: believableMpp(positive(props.get('openslide.mpp-y')) ?? mppFromTiff(props, 'Y')),
    objectivePower: positive(props.get('openslide.objective-power')),
  };
}

interface ChildFailure { code?: string | number; killed?: boolean; signal?: string | null; stderr?: string }

/**
 * Sorts a child's failure: a missing program, a kill (time limit, memory) or a full disk is the
 * server's problem, thrown as a plain error so the job is tried again later; only a clean refusal
 * of the file is the file's fault.
 */
export function blame(err: unknown, program: string, code: SlideFailure, message: string): never {
  const e = err as ChildFailure;
  if (e.code === 'ENOENT') throw new Error(`${program} is not installed on this server; whole-slide images wait until it is.`);
  if (e.killed || e.signal || typeof e.code !== 'number' || /No space left|Cannot allocate|out of memory/i.test(e.stderr ?? '')) {
    throw new Error(`${program} stopped before it finished (${e.signal ?? e.code ?? 'unknown'}); the slide will be tried again.`);
  }
  throw new SlideUnreadable(code, message);
}

/** The environment of a reader process: no secrets of the server, temporary files in `workDir`. */
export const childEnv = (workDir: string) => ({ PATH: process.env.PATH ?? '/usr/bin:/bin', TMPDIR: workDir, HOME: workDir, VIPS_WARNING: '0', LANG: 'C' });

export async function readSlideFacts(file: string, workDir: string, timeoutMs = 120_000): Promise<SlideFacts> {
  let stdout: string;
  try {
    ({ stdout } = await run(OPENSLIDE_PROPERTIES_BIN, [file], { timeout: timeoutMs, maxBuffer: 16 * 1024 * 1024, env: childEnv(workDir) }));
  } catch (err) {
    blame(err, 'OpenSlide (Debian: openslide-tools)', 'unreadable', 'The slide reader could not open this file as a whole-slide image.');
  }
  return slideFacts(parseProperties(stdout));
}

/**
 * The extra pictures the file carries, by name (label, macro, thumbnail); null when that could not
 * be told, so the label warning is shown rather than hidden.
 */
export async function associatedImages(file: string, workDir: string, timeoutMs = 120_000): Promise<string[] | null> {
  try {
    const { stdout } = await run(VIPSHEADER_BIN, ['-f', 'slide-associated-images', file], { timeout: timeoutMs, env: childEnv(workDir) });
    return stdout.split(',').map((s) => s.trim()).filter((s) => /^[a-z0-9_-]{1,40}$/i.test(s));
  } catch (err) {
    // A plain tiled TIFF is read by libvips' TIFF loader, which knows no such field: it has none.
    if (/field "slide-associated-images" not found/.test((err as ChildFailure).stderr ?? '')) return [];
    return null;
  }
}

export interface TilePyramid {
  zip: string;
  tileSize: number;
  overlap: number;
  format: 'jpeg';
  /** Where tiles sit inside the zip: `${prefix}${level}/${col}_${row}.jpeg`. */
  prefix: string;
}

export const TILE_SIZE = 254;
export const TILE_OVERLAP = 1;
/** JPEG at quality 85, without the source's metadata (which can name the patient). */
export const TILE_SUFFIX = '.jpeg[Q=85,strip]';

/**
 * A Deep Zoom pyramid of JPEG tiles (254 px with 1 px overlap, the Deep Zoom default) in one zip
 * without compression, so any tile can be read from the middle of the file.
 */
export async function buildPyramid(file: string, workDir: string, timeoutMs = 60 * 60_000): Promise<TilePyramid> {
  const base = path.join(workDir, 'slide');
  try {
    await run(VIPS_BIN, ['dzsave', file, `${base}.zip`, '--container', 'zip', '--compression', '0', '--tile-size', String(TILE_SIZE), '--overlap', String(TILE_OVERLAP), '--suffix', TILE_SUFFIX],
      { timeout: timeoutMs, maxBuffer: 4 * 1024 * 1024, env: childEnv(workDir) });
  } catch (err) {
    blame(err, 'libvips (Debian: libvips-tools)', 'tiles', 'The tiles for viewing could not be made from this file.');
  }
  await fs.access(`${base}.zip`);
  return { zip: `${base}.zip`, tileSize: TILE_SIZE, overlap: TILE_OVERLAP, format: 'jpeg', prefix: 'slide/slide_files/' };
}

/** The pictures of the glass a scanner keeps beside the image: the label (the sticker) and the macro (the whole glass). */
export type SlidePicture = 'label' | 'macro';
export const SLIDE_PICTURES: readonly SlidePicture[] = ['label', 'macro'];
/** A label or macro larger than this on either side is not one (a pyramid level is not a picture to show whole). */
const MAX_PICTURE_SIDE = 8192;

/**
 * Where a slide file keeps its label and macro pictures, read from `tiffinfo` (libtiff-tools):
 * untiled TIFF directories the scanner names, told apart as OpenSlide tells them. Aperio names
 * them on the second line of the directory's description ("label 387x463"); Hamamatsu NDPI marks
 * its photo of the whole glass (label included) with a source lens of -1 (its private tag 65421,
 * which libtiff lists by number). Other formats give none.
 */
export function picturePages(tiffinfo: string): Map<SlidePicture, { page: number; width: number; height: number }> {
  const found = new Map<SlidePicture, { page: number; width: number; height: number }>();
  const blocks = tiffinfo.split(/^=== TIFF directory (\d+) ===$/m);
  for (let i = 1; i + 1 < blocks.length; i += 2) {
    const page = Number(blocks[i]);
    const body = blocks[i + 1]!;
    if (/^\s+Tile Width:/m.test(body)) continue;
    const size = /Image Width: (\d+) Image Length: (\d+)/.exec(body);
    const description = /ImageDescription: ([^\n]*)\n([^\n]*)/.exec(body);
    const hamamatsuLens = /^\s+Tag 65421: (-?[\d.]+)\s*$/m.exec(body)?.[1];
    const name = (/^(label|macro)\b/.exec(description?.[2]?.trim() ?? '')?.[1] as SlidePicture | undefined)
      ?? (hamamatsuLens !== undefined && Number(hamamatsuLens) === -1 ? 'macro' : undefined);
    if (!name || !size || found.has(name)) continue;
    const [width, height] = [Number(size[1]), Number(size[2])];
    if (width > 0 && height > 0 && width <= MAX_PICTURE_SIDE && height <= MAX_PICTURE_SIDE) found.set(name, { page, width, height });
  }
  return found;
}

/**
 * The label and macro pictures of a slide file (Aperio, Hamamatsu NDPI), as JPEG files in `workDir` (without the
 * source's metadata). Libvips could give them through OpenSlide, but the release in Debian 12
 * (8.14.1) crashes doing so (fixed upstream in 8.14.2, libvips#3384), so they are read as the
 * TIFF directories they are. A picture that cannot be read is left out: the slide is still
 * shown, and its label warning with it.
 */
export async function slidePictures(file: string, workDir: string, timeoutMs = 60_000): Promise<Partial<Record<SlidePicture, string>>> {
  let listing: string;
  try {
    ({ stdout: listing } = await run(TIFFINFO_BIN, [file], { timeout: timeoutMs, maxBuffer: 16 * 1024 * 1024, env: childEnv(workDir) }));
  } catch {
    return {};
  }
  const out: Partial<Record<SlidePicture, string>> = {};
  for (const [name, { page }] of picturePages(listing)) {
    const raw = path.join(workDir, `${name}.v`);
    const jpeg = path.join(workDir, `${name}.jpeg`);
    try {
      await run(VIPS_BIN, ['tiffload', file, raw, '--page', String(page)], { timeout: timeoutMs, env: childEnv(workDir) });
      await run(VIPS_BIN, ['jpegsave', raw, jpeg, '--Q', '85', '--strip'], { timeout: timeoutMs, env: childEnv(workDir) });
      out[name] = jpeg;
    } catch {
      // Left out; see above.
    } finally {
      await fs.rm(raw, { force: true });
    }
  }
  return out;
}

/** Slidedat.ini's groups and keys (a Windows INI file, as GLib's key files read it). */
export function parseIni(text: string): Map<string, Map<string, string>> {
  const groups = new Map<string, Map<string, string>>();
  let group: Map<string, string> | undefined;
  for (const raw of text.replace(/^\uFEFF/, '').split(/\r?\n/)) {
    const line = raw.trim();
    const head = /^\[(.+)\]$/.exec(line);
    if (head) groups.set(head[1]!, (group = groups.get(head[1]!) ?? new Map()));
    else if (group && !line.startsWith('#') && !line.startsWith(';') && line.includes('=')) group.set(line.slice(0, line.indexOf('=')).trim(), line.slice(line.indexOf('=') + 1).trim());
  }
  return groups;
}

/** The scanner's names for the label and macro photos among a MIRAX slide's "Scan data layer" records (as OpenSlide names them). */
const MIRAX_PICTURES: Record<string, SlidePicture> = { ScanDataLayer_SlideBarcode: 'label', ScanDataLayer_SlideThumbnail: 'macro' };

/**
 * Where Slidedat.ini says a MIRAX slide's label and macro photos are: the number of each one's
 * non-hierarchical record in Index.dat, counted across all the records' names in order.
 */
export function miraxPictureRecords(slidedat: Map<string, Map<string, string>>): Map<SlidePicture, number> {
  const hier = slidedat.get('HIERARCHICAL');
  const found = new Map<SlidePicture, number>();
  const count = Number(hier?.get('NONHIER_COUNT'));
  if (!hier || !Number.isInteger(count) || count < 0 || count > 1000) return found;
  let record = 0;
  for (let i = 0; i < count; i++) {
    const values = Number(hier.get(`NONHIER_${i}_COUNT`));
    if (!Number.isInteger(values) || values < 0 || values > 100_000) return found;
    if (hier.get(`NONHIER_${i}_NAME`) === 'Scan data layer') {
      for (let j = 0; j < values; j++) {
        const name = MIRAX_PICTURES[hier.get(`NONHIER_${i}_VAL_${j}`) ?? ''];
        if (name && !found.has(name)) found.set(name, record + j);
      }
    }
    record += values;
  }
  return found;
}

/** A photo larger than this is no label or macro photo. */
const MAX_MIRAX_PICTURE_BYTES = 32 * 1024 * 1024;

/**
 * The label and macro photos of a MIRAX slide, as JPEG files in `workDir` (without the source's
 * metadata). OpenSlide lists them, but libvips 8.14.1 crashes reading them (see slidePictures), so
 * their JPEG bytes are found as OpenSlide finds them: Slidedat.ini numbers each photo's record, and
 * Index.dat leads from that number to its data file, offset and size. A photo that cannot be read
 * is left out, as there.
 */
export async function miraxPictures(mrxs: string, workDir: string, timeoutMs = 60_000): Promise<Partial<Record<SlidePicture, string>>> {
  const folder = mrxs.replace(/\.mrxs$/i, '');
  const out: Partial<Record<SlidePicture, string>> = {};
  let slidedat: Map<string, Map<string, string>>;
  let index: fs.FileHandle;
  try {
    const ini = path.join(folder, 'Slidedat.ini');
    if ((await fs.stat(ini)).size > 1024 * 1024) return out;
    slidedat = parseIni(await fs.readFile(ini, 'latin1'));
    const indexName = slidedat.get('HIERARCHICAL')?.get('INDEXFILE') ?? '';
    if (!/^[\w .-]+$/.test(indexName) || indexName.includes('..')) return out;
    index = await fs.open(path.join(folder, indexName));
  } catch {
    return out;
  }
  try {
    const int32At = async (at: number) => {
      const b = Buffer.alloc(4);
      const { bytesRead } = await index.read(b, 0, 4, at);
      if (bytesRead !== 4 || b.readInt32LE(0) < 0) throw new Error('Index.dat ends early');
      return b.readInt32LE(0);
    };
    // Index.dat begins with its version ("01.02") and the slide's id; then the two root pointers.
    const nonhierRoot = 5 + Buffer.byteLength(slidedat.get('GENERAL')?.get('SLIDE_ID') ?? '', 'latin1') + 4;
    for (const [name, record] of miraxPictureRecords(slidedat)) {
      const source = path.join(workDir, `${name}.source.jpeg`);
      const jpeg = path.join(workDir, `${name}.jpeg`);
      try {
        const recordAt = await int32At(await int32At(nonhierRoot) + 4 * record);
        const page = await int32At(recordAt + 4);
        // A page of one: its length, three words of no use here, then offset, size and data file number.
        const [offset, size, fileNo] = [await int32At(page + 16), await int32At(page + 20), await int32At(page + 24)];
        const dataName = slidedat.get('DATAFILE')?.get(`FILE_${fileNo}`) ?? '';
        if (size === 0 || size > MAX_MIRAX_PICTURE_BYTES || !/^[\w .-]+$/.test(dataName) || dataName.includes('..')) continue;
        const data = await fs.open(path.join(folder, dataName));
        try {
          const bytes = Buffer.alloc(size);
          if ((await data.read(bytes, 0, size, offset)).bytesRead !== size) continue;
          await fs.writeFile(source, bytes, { mode: 0o600 });
        } finally {
          await data.close();
        }
        // Decoded in a child, as all slide data is; never larger than a photo of the glass is.
        await run(VIPS_BIN, ['thumbnail', source, `${jpeg}[Q=85,strip]`, String(MAX_PICTURE_SIDE), '--size', 'down'], { timeout: timeoutMs, env: childEnv(workDir) });
        out[name] = jpeg;
      } catch {
        // Left out; see above.
      } finally {
        await fs.rm(source, { force: true });
      }
    }
  } finally {
    await index.close();
  }
  return out;
}
