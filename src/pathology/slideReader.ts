import { execFile } from 'node:child_process';
import fs from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/**
 * Whole-slide images are read by OpenSlide and libvips from Debian's packages (`openslide-tools`,
 * `libvips-tools`), each call in a child process of its own: a damaged or hostile file can crash
 * or hang only that process, which is killed after a time limit.
 */
export const OPENSLIDE_PROPERTIES_BIN = process.env.OPENSLIDE_PROPERTIES_BIN ?? 'openslide-show-properties';
export const VIPS_BIN = process.env.VIPS_BIN ?? 'vips';

/** What a slide file says about itself, in the terms the viewer and the report need. */
export interface SlideFacts {
  vendor: string | null;
  width: number;
  height: number;
  levels: number;
  /** Microns per pixel at full resolution; null when the scanner recorded none. */
  mppX: number | null;
  mppY: number | null;
  objectivePower: number | null;
}

export class SlideUnreadable extends Error {}

/** Parses `openslide-show-properties` output: one `name: 'value'` per line. */
export function parseProperties(text: string): Map<string, string> {
  const props = new Map<string, string>();
  for (const line of text.split('\n')) {
    const m = /^([^:]+): '(.*)'$/.exec(line.trim());
    if (m) props.set(m[1]!, m[2]!);
  }
  return props;
}

const positive = (v: string | undefined): number | null => {
  const n = Number(v);
  return v !== undefined && Number.isFinite(n) && n > 0 ? n : null;
};

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
  if (!width || !height) throw new SlideUnreadable('The slide reader found no image size.');
  return {
    vendor: props.get('openslide.vendor') ?? null,
    width, height,
    levels: positive(props.get('openslide.level-count')) ?? 1,
    mppX: positive(props.get('openslide.mpp-x')) ?? mppFromTiff(props, 'X'),
    mppY: positive(props.get('openslide.mpp-y')) ?? mppFromTiff(props, 'Y'),
    objectivePower: positive(props.get('openslide.objective-power')),
  };
}

export async function readSlideFacts(file: string, timeoutMs = 60_000): Promise<SlideFacts> {
  try {
    const { stdout } = await run(OPENSLIDE_PROPERTIES_BIN, [file], { timeout: timeoutMs, maxBuffer: 16 * 1024 * 1024 });
    return slideFacts(parseProperties(stdout));
  } catch (err) {
    if (err instanceof SlideUnreadable) throw err;
    notInstalled(err, 'OpenSlide (Debian: openslide-tools)');
    throw new SlideUnreadable('The slide reader could not open this file as a whole-slide image.');
  }
}

/** A missing program is the server's problem, not the file's: the job fails and is retried. */
function notInstalled(err: unknown, what: string) {
  if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw new Error(`${what} is not installed on this server; whole-slide images wait until it is.`);
}

/** The extra pictures the file carries, by name (label, macro, thumbnail). */
export async function associatedImages(file: string, timeoutMs = 60_000): Promise<string[]> {
  try {
    const { stdout } = await run(`${VIPS_BIN}header`, ['-f', 'slide-associated-images', `${file}`], { timeout: timeoutMs, env: { ...process.env, VIPS_WARNING: '0' } });
    return stdout.split(',').map((s) => s.trim()).filter((s) => /^[a-z0-9_-]{1,40}$/i.test(s));
  } catch {
    return []; // A plain tiled TIFF carries none; tiffload does not know the field.
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

/**
 * A Deep Zoom pyramid of JPEG tiles (254 px with 1 px overlap, the Deep Zoom default) in one zip
 * without compression, so any tile can be read from the middle of the file.
 */
export async function buildPyramid(file: string, outDir: string, timeoutMs = 60 * 60_000): Promise<TilePyramid> {
  const base = path.join(outDir, 'slide');
  try {
    await run(VIPS_BIN, ['dzsave', file, `${base}.zip`, '--container', 'zip', '--compression', '0', '--tile-size', String(TILE_SIZE), '--overlap', String(TILE_OVERLAP), '--suffix', '.jpeg[Q=85,strip]'],
      { timeout: timeoutMs, maxBuffer: 4 * 1024 * 1024, env: { ...process.env, VIPS_WARNING: '0' } });
    await fs.access(`${base}.zip`);
  } catch (err) {
    notInstalled(err, 'libvips (Debian: libvips-tools)');
    throw new SlideUnreadable('The tiles for viewing could not be made from this file.');
  }
  return { zip: `${base}.zip`, tileSize: TILE_SIZE, overlap: TILE_OVERLAP, format: 'jpeg', prefix: 'slide/slide_files/' };
}
