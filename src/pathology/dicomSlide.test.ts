import { describe, expect, it } from 'vitest';
import type { DicomJson } from '../imaging/part10.ts';
import { frameCoding, frameFile, joinDicomSlide, tileFrames, wsiInstanceInfo } from './dicomSlide.ts';
import { SlideUnreadable } from './slideReader.ts';

/** The DICOM JSON of a whole-slide level: 2 × 2 tiles of 256 px, laid out as given. */
function level(layout: string, frames: number, perFrame?: [column: number, row: number, z?: string, path?: string][]): DicomJson {
  const m: DicomJson = {
    '00080008': { vr: 'CS', Value: ['ORIGINAL', 'PRIMARY', 'VOLUME', 'NONE'] },
    '00280008': { vr: 'IS', Value: [frames] },
    '00280010': { vr: 'US', Value: [256] },
    '00280011': { vr: 'US', Value: [256] },
    '00480006': { vr: 'UL', Value: [500] },
    '00480007': { vr: 'UL', Value: [400] },
    '00209311': { vr: 'CS', Value: [layout] },
  };
  if (perFrame) {
    m['52009230'] = {
      vr: 'SQ',
      Value: perFrame.map(([column, row, z = '0', path = '1']) => ({
        '0048021A': { vr: 'SQ', Value: [{ '0048021E': { vr: 'SL', Value: [column] }, '0048021F': { vr: 'SL', Value: [row] }, '0040074A': { vr: 'DS', Value: [z] } }] },
        '00480207': { vr: 'SQ', Value: [{ '00480106': { vr: 'SH', Value: [path] } }] },
      })),
    };
  }
  return m;
}
const placed = (m: DicomJson) => [...tileFrames(m, wsiInstanceInfo(m))];

describe('where the frames of a DICOM slide level go', () => {
  it('takes TILED_FULL frames row by row, and only the first focal plane of several', () => {
    expect(placed(level('TILED_FULL', 4))).toEqual([1, 2, 3, 4]);
    expect(placed(level('TILED_FULL', 8))).toEqual([1, 2, 3, 4]);
    expect(() => placed(level('TILED_FULL', 3))).toThrow(SlideUnreadable);
    expect(() => placed(level('TILED_FULL', 6))).toThrow(SlideUnreadable);
  });

  it('places TILED_SPARSE frames where each says it belongs, leaves gaps empty and shows the first frame’s plane and optical path', () => {
    expect(placed(level('TILED_SPARSE', 3, [[257, 257], [1, 1], [1, 257]]))).toEqual([2, 0, 3, 1]);
    // Another focal plane and another optical path of the same places are not mixed in.
    expect(placed(level('TILED_SPARSE', 4, [[1, 1], [257, 1, '0.002'], [257, 1, '0', '2'], [257, 1]]))).toEqual([1, 4, 0, 0]);
    // The first of two frames for one place wins.
    expect(placed(level('TILED_SPARSE', 2, [[1, 1], [1, 1]]))).toEqual([1, 0, 0, 0]);
  });

  it('refuses a sparse level whose tiles are off the grid, outside the image, or not all placed', () => {
    expect(() => placed(level('TILED_SPARSE', 1, [[100, 1]]))).toThrow(/off its grid/);
    expect(() => placed(level('TILED_SPARSE', 1, [[513, 1]]))).toThrow(/off its grid/);
    expect(() => placed(level('TILED_SPARSE', 2, [[1, 1]]))).toThrow(/where each of its tiles belongs/);
    expect(wsiInstanceInfo(level('TILED_SOMEHOW', 4)).layout).toBe('other');
    expect(wsiInstanceInfo(level('constructor', 4)).layout).toBe('other');
  });
});

describe('a DICOM slide too odd to join', () => {
  it('refuses tiles of a size no scanner writes, before making anything', async () => {
    const m = { ...level('TILED_SPARSE', 1, [[1, 1]]), '00280010': { vr: 'US', Value: [1] }, '00280011': { vr: 'US', Value: [1] }, '00480006': { vr: 'UL', Value: [150_000] }, '00480007': { vr: 'UL', Value: [150_000] } } as DicomJson;
    const read = () => Promise.reject(new Error('not read'));
    await expect(joinDicomSlide([{ metadata: m, transferSyntax: '1.2.840.10008.1.2.4.50', read }], '/nonexistent', 25_000)).rejects.toThrow(/size that is not converted/);
    const wide = { ...level('TILED_FULL', 4), '00480006': { vr: 'UL', Value: [64 * 5000] }, '00480007': { vr: 'UL', Value: [64] }, '00280010': { vr: 'US', Value: [64] }, '00280011': { vr: 'US', Value: [64] } } as DicomJson;
    await expect(joinDicomSlide([{ metadata: wide, transferSyntax: '1.2.840.10008.1.2.4.50', read }], '/nonexistent', 25_000)).rejects.toThrow(/larger than this server makes tiles for/);
  });
});

describe('a DICOM slide frame as a file for the tile maker', () => {
  const native = (photometric: string, samples: number, bits = 8, planar = 0): DicomJson => ({
    '00280004': { vr: 'CS', Value: [photometric] }, '00280002': { vr: 'US', Value: [samples] },
    '00280100': { vr: 'US', Value: [bits] }, '00280006': { vr: 'US', Value: [planar] },
  });

  it('knows the codings it converts', () => {
    expect(frameCoding('1.2.840.10008.1.2.4.50', {})).toEqual({ kind: 'encoded', extension: 'jpg' });
    expect(frameCoding('1.2.840.10008.1.2.4.90', {})).toEqual({ kind: 'encoded', extension: 'j2k' });
    expect(frameCoding('1.2.840.10008.1.2.4.91', {})).toEqual({ kind: 'encoded', extension: 'j2k' });
    expect(frameCoding('1.2.840.10008.1.2.1', native('RGB', 3))).toEqual({ kind: 'native', bands: 3, planar: false });
    expect(frameCoding('1.2.840.10008.1.2', native('MONOCHROME2', 1))).toEqual({ kind: 'native', bands: 1, planar: false });
    // JPEG-LS, 16-bit pixels and inverted grey are not.
    expect(frameCoding('1.2.840.10008.1.2.4.80', {})).toBeNull();
    expect(frameCoding('1.2.840.10008.1.2.4.90', native('RGB', 3, 16))).toBeNull();
    expect(frameCoding('1.2.840.10008.1.2.1', native('RGB', 3, 16))).toBeNull();
    expect(frameCoding('1.2.840.10008.1.2.1', native('MONOCHROME1', 1))).toBeNull();
  });

  it('puts native pixels behind a Netpbm header, interleaving colour planes stored apart', () => {
    const planes = Uint8Array.from([1, 2, 10, 20, 100, 200]); // R R G G B B of two pixels
    const file = frameFile(planes, { kind: 'native', bands: 3, planar: true }, 2, 1);
    expect(file.extension).toBe('ppm');
    expect(Buffer.from(file.bytes).toString('latin1', 0, 11)).toBe('P6\n2 1\n255\n');
    expect([...file.bytes.subarray(11)]).toEqual([1, 10, 100, 2, 20, 200]);
    const grey = frameFile(Uint8Array.from([7, 8]), { kind: 'native', bands: 1, planar: false }, 2, 1);
    expect([grey.extension, [...grey.bytes.subarray(-2)]]).toEqual(['pgm', [7, 8]]);
    expect(() => frameFile(Uint8Array.from([1]), { kind: 'native', bands: 1, planar: false }, 2, 1)).toThrow(SlideUnreadable);
    const jpegFrame = Uint8Array.from([0xff, 0xd8]);
    expect(frameFile(jpegFrame, { kind: 'encoded', extension: 'jpg' }, 2, 1)).toEqual({ bytes: jpegFrame, extension: 'jpg' });
  });
});
