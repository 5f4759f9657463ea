import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export interface SlideShape { width?: number; height?: number; micronsPerPixel?: number }

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
    execFileSync('vips', ['tiffsave', at('slide.v'), file, '--tile', '--pyramid', '--compression', 'jpeg', '--Q', '80', '--tile-width', '256', '--tile-height', '256', '--xres', perMm, '--yres', perMm, '--bigtiff']);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
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
