import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { writeSlideFile } from '../../test/support/slides.ts';
import { firstDirectoryText, isPhilipsSlide, type ReadAt } from './tiffSlide.ts';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'consilium-tiff-slide-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
const reader = (bytes: Buffer): ReadAt => async (at, length) => bytes.subarray(at, at + length);
const slide = (name: string, opts: Parameters<typeof writeSlideFile>[1]) => {
  const file = path.join(dir, name);
  writeSlideFile(file, { width: 512, height: 512, ...opts });
  return fs.readFileSync(file);
};

describe('telling a Philips slide from another TIFF by its first directory', () => {
  it('finds the Philips software and XML description, written after the pixels', async () => {
    const philips = slide('philips.tiff', { philips: true });
    // Nothing in the first bytes a file is sniffed by names it.
    expect(philips.subarray(0, 8192).includes('Philips')).toBe(false);
    const found = await firstDirectoryText(reader(philips));
    expect(found?.software).toBe('Philips DP v1.0');
    expect(found?.description).toMatch(/^<\?xml/);
    expect(await isPhilipsSlide(reader(philips))).toBe(true);
  });

  it('says no for a plain pyramid, an Aperio file, a cut-off file and what is no TIFF', async () => {
    expect(await isPhilipsSlide(reader(slide('plain.tif', {})))).toBe(false);
    expect(await isPhilipsSlide(reader(slide('aperio.svs', { aperioLabel: 'A1' })))).toBe(false);
    const philips = slide('cut.tiff', { philips: true });
    expect(await isPhilipsSlide(reader(philips.subarray(0, philips.length / 2)))).toBe(false);
    expect(await isPhilipsSlide(reader(Buffer.from('%PDF-1.7 not a TIFF')))).toBe(false);
  });
});
