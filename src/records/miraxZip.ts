import fsp from 'node:fs/promises';
import path from 'node:path';
import { msg, type Message } from '../core/errors.ts';
import { checkZip, extractZip, type ZipLimits, ZipRejected } from './zipCheck.ts';

/**
 * A 3DHISTECH MIRAX slide is a `.mrxs` file beside a folder of the same name (Slidedat.ini,
 * Index.dat, Data0000.dat …), which one file upload cannot carry: it comes as a zip of both, as
 * scanners' export tools and people make them, perhaps under one top folder.
 */
export type MiraxLayout = { mrxs: string; folder: string } | { refused: Message };

/** What zip tools of macOS and Windows add on their own, which is no part of a slide. */
const noise = (name: string) => /^__MACOSX\//.test(name) || /(^|\/)(\.DS_Store|Thumbs\.db|desktop\.ini)$/i.test(name);

/**
 * Tells a zip's files (names as in `checkZip`'s summary) as a MIRAX slide: null when it holds no
 * `.mrxs` file (some other archive); else the slide, or why it cannot be one, in plain words.
 */
export function miraxLayout(files: { name: string; link: boolean }[], zipName: string): MiraxLayout | null {
  const kept = files.filter((f) => !noise(f.name));
  const slides = kept.filter((f) => /\.mrxs$/i.test(f.name));
  if (slides.length === 0) return null;
  if (slides.length > 1) return { refused: msg`“${zipName}” holds ${slides.length} MIRAX slides (.mrxs files). Please upload each slide in a zip of its own.` };
  const mrxs = slides[0]!.name;
  const shown = path.posix.basename(mrxs);
  const folderName = shown.replace(/\.mrxs$/i, '');
  // The folder's name is compared without case: the slide is unpacked under names of our own.
  const folder = `${mrxs.slice(0, -'.mrxs'.length)}/`.toLowerCase();
  const inFolder = (name: string) => name.toLowerCase().startsWith(folder);
  if (!kept.some((f) => inFolder(f.name) && f.name.slice(folder.length) === 'Slidedat.ini')) {
    return { refused: msg`“${zipName}” holds the MIRAX slide “${shown}” but not its folder “${folderName}” with Slidedat.ini. A MIRAX slide is the .mrxs file and the folder of the same name: please zip both together.` };
  }
  const link = kept.find((f) => f.link && (f.name === mrxs || inFolder(f.name)));
  if (link) return { refused: msg`“${zipName}” holds a link (“${link.name}”) among the files of the MIRAX slide. Please zip the files themselves.` };
  const other = kept.find((f) => f.name !== mrxs && !inFolder(f.name));
  if (other) return { refused: msg`“${zipName}” holds other files (“${other.name}”) beside the MIRAX slide “${shown}”. Please upload the slide (the .mrxs file and its folder) in a zip of its own, and other files on their own.` };
  return { mrxs, folder };
}

const MIRAX_MAX_EXPANSION = 1.5;
const MIRAX_SLACK_BYTES = 64 * 1024 ** 2;

/**
 * Unpacks a zip that holds a MIRAX slide into `dest` (with the zip's checks and limits) as
 * `slide.mrxs` and `slide/`, and returns the path of `slide.mrxs` for OpenSlide. Only the slide's
 * files are written; a zip that is no slide is refused.
 */
export async function extractMiraxSlide(zip: string, dest: string, limits: ZipLimits): Promise<string> {
  // A scanner's MIRAX files are JPEG tiles, which hardly compress: a slide that would unpack to much
  // more than its zip is no scan, and unpacking it would fill the disk the database shares.
  const own = { ...limits, maxTotalBytes: Math.min(limits.maxTotalBytes, Math.ceil((await fsp.stat(zip)).size * MIRAX_MAX_EXPANSION) + MIRAX_SLACK_BYTES) };
  const layout = miraxLayout((await checkZip(zip, own)).files, path.basename(zip));
  if (!layout) throw new ZipRejected('The zip holds no MIRAX slide (.mrxs file).');
  if ('refused' in layout) throw new ZipRejected(layout.refused.text);
  const { mrxs, folder } = layout;
  await extractZip(zip, dest, (name) => {
    if (name === mrxs) return 'slide.mrxs';
    if (noise(name) || !name.toLowerCase().startsWith(folder)) return null;
    return path.posix.join('slide', name.slice(folder.length));
  }, own);
  return path.join(dest, 'slide.mrxs');
}
