import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/**
 * A small whole-slide image made here with libvips: a tiled, pyramidal, JPEG-compressed TIFF
 * (the layout of scanner files such as Aperio SVS) of noise, with its resolution recorded so
 * the slide reader finds microns per pixel. Synthetic: no tissue, no patient.
 */
export function aSlideFile(opts: { width?: number; height?: number; micronsPerPixel?: number } = {}): Buffer {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'consilium-test-slide-'));
  try {
    const { width = 2048, height = 1536, micronsPerPixel = 0.25 } = opts;
    const at = (name: string) => path.join(dir, name);
    execFileSync('vips', ['gaussnoise', at('noise.v'), String(width), String(height), '--mean', '160', '--sigma', '40']);
    execFileSync('vips', ['cast', at('noise.v'), at('grey.v'), 'uchar']);
    execFileSync('vips', ['bandjoin', `${at('grey.v')} ${at('grey.v')} ${at('grey.v')}`, at('rgb.v')]);
    // vips takes resolution in pixels per millimetre.
    const perMm = String(1000 / micronsPerPixel);
    execFileSync('vips', ['tiffsave', at('rgb.v'), at('slide.tif'), '--tile', '--pyramid', '--compression', 'jpeg', '--Q', '80', '--tile-width', '256', '--tile-height', '256', '--xres', perMm, '--yres', perMm]);
    return fs.readFileSync(at('slide.tif'));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
