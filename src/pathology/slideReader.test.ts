import { describe, expect, it } from 'vitest';
import { miraxPictureRecords, parseIni, picturePages, parseProperties, slideFacts, SlideUnreadable } from './slideReader.ts';

const aperio = `openslide.level-count: '3'
openslide.level[0].height: '32914'
openslide.level[0].width: '46000'
openslide.mpp-x: '0.4990'
openslide.mpp-y: '0.4990'
openslide.objective-power: '20'
openslide.vendor: 'aperio'
aperio.AppMag: '20'
`;

describe('slide facts from OpenSlide properties', () => {
  it('reads size, levels, microns per pixel and objective power as the scanner recorded them', () => {
    expect(slideFacts(parseProperties(aperio))).toEqual({ vendor: 'aperio', width: 46000, height: 32914, levels: 3, mppX: 0.499, mppY: 0.499, objectivePower: 20 });
  });

  it('falls back to the TIFF resolution tags, in centimetres or inches, when the vendor gives none', () => {
    const generic = (unit: string, res: string) => parseProperties(`openslide.level[0].width: '2048'\nopenslide.level[0].height: '1536'\nopenslide.vendor: 'generic-tiff'\ntiff.ResolutionUnit: '${unit}'\ntiff.XResolution: '${res}'\ntiff.YResolution: '${res}'\n`);
    expect(slideFacts(generic('centimeter', '40000')).mppX).toBeCloseTo(0.25, 10);
    expect(slideFacts(generic('inch', '101600')).mppY).toBeCloseTo(0.25, 10);
    // No unit means no physical size: better no scale bar than a wrong one.
    expect(slideFacts(generic('none', '40000')).mppX).toBeNull();
    // 72 dots per inch is a photo's default, not a scanner's scale (352 µm per pixel).
    expect(slideFacts(generic('inch', '72')).mppX).toBeNull();
  });

  it('refuses a file whose size it cannot find', () => {
    expect(() => slideFacts(parseProperties("openslide.vendor: 'aperio'\n"))).toThrow(SlideUnreadable);
    expect(() => slideFacts(parseProperties("openslide.level[0].width: '0'\nopenslide.level[0].height: '-4'\n"))).toThrow(SlideUnreadable);
  });

  it('drops a property given twice: a description with a line break inside cannot pose as the scale', () => {
    const spoofed = parseProperties(`${aperio}tiff.ImageDescription: 'Aperio|x'\nopenslide.mpp-x: '100'\n`);
    expect(spoofed.has('openslide.mpp-x')).toBe(false);
    expect(slideFacts(spoofed).mppX).toBeNull();
    expect(slideFacts(spoofed).mppY).toBe(0.499);
  });

  it('keeps values with colons and quotes inside whole', () => {
    const p = parseProperties("aperio.Date: '12/29/09'\ntiff.ImageDescription: 'Aperio Image Library v10.0.50|AppMag = 20|Time = 09:59:15'\n");
    expect(p.get('tiff.ImageDescription')).toBe('Aperio Image Library v10.0.50|AppMag = 20|Time = 09:59:15');
  });
});

describe('label and macro pictures of an Aperio file', () => {
  const dir = (n: number, body: string) => `=== TIFF directory ${n} ===\nTIFF Directory at offset 0x10 (16)\n${body}\n`;
  it('finds them as untiled directories named on the second line of their description, and nothing else', () => {
    const listing = [
      dir(0, '  Image Width: 46000 Image Length: 32914\n  Tile Width: 256 Tile Length: 256\n  ImageDescription: Aperio Image Library v12\n46000x32914 [0,0 46000x32914] (256x256) JPEG/RGB Q=70|AppMag = 20|MPP = 0.499'),
      dir(1, '  Image Width: 1024 Image Length: 732\n  Rows/Strip: 16\n  ImageDescription: Aperio Image Library v12\n46000x32914 -> 1024x732 - |AppMag = 20'),
      dir(2, '  Image Width: 11500 Image Length: 8228\n  Tile Width: 256 Tile Length: 256\n  ImageDescription: Aperio Image Library v12\nlabel but tiled'),
      dir(3, '  Image Width: 387 Image Length: 463\n  Rows/Strip: 64\n  ImageDescription: Aperio Image Library v12\nlabel 387x463'),
      dir(4, '  Image Width: 1280 Image Length: 431\n  Rows/Strip: 16\n  ImageDescription: Aperio Image Library v12\nmacro 1280x431'),
      dir(5, '  Image Width: 20000 Image Length: 431\n  Rows/Strip: 16\n  ImageDescription: Aperio Image Library v12\nmacro too wide to be one'),
    ].join('');
    expect([...picturePages(listing)]).toEqual([['label', { page: 3, width: 387, height: 463 }], ['macro', { page: 4, width: 1280, height: 431 }]]);
    expect(picturePages('')).toEqual(new Map());
  });

  it('finds the macro photo of a Hamamatsu NDPI file by its source lens of -1, and not its map or image levels', () => {
    const ndpi = (lens: string) => `  Image Width: 1920 Image Length: 640\n  Rows/Strip: 640\n  Compression Scheme: JPEG\n  Tag 65420: 1\n  Tag 65421: ${lens}`;
    const listing = [dir(0, ndpi('20.000000')), dir(1, ndpi('5.000000')), dir(2, ndpi('-2.000000')), dir(3, ndpi('-1.000000'))].join('');
    expect([...picturePages(listing)]).toEqual([['macro', { page: 3, width: 1920, height: 640 }]]);
  });
});

describe('the photos of a MIRAX slide, from its Slidedat.ini', () => {
  it('numbers each photo’s record across the non-hierarchical records in order, as OpenSlide does', () => {
    const slidedat = parseIni([
      '\uFEFF[GENERAL]', 'SLIDE_ID=ABC', '', '[HIERARCHICAL]', 'NONHIER_COUNT=3',
      'NONHIER_0_NAME=VIMSLIDE_POSITION_BUFFER', 'NONHIER_0_COUNT=1', 'NONHIER_0_VAL_0=default',
      'NONHIER_1_NAME = StitchingIntensityLayer', 'NONHIER_1_COUNT=2',
      'NONHIER_2_NAME=Scan data layer', 'NONHIER_2_COUNT=3',
      'NONHIER_2_VAL_0=ScanDataLayer_SlidePreview', 'NONHIER_2_VAL_1=ScanDataLayer_SlideThumbnail', 'NONHIER_2_VAL_2=ScanDataLayer_SlideBarcode',
    ].join('\r\n'));
    expect(slidedat.get('GENERAL')?.get('SLIDE_ID')).toBe('ABC');
    expect(miraxPictureRecords(slidedat)).toEqual(new Map([['macro', 4], ['label', 5]]));
  });

  it('finds none where the counts make no sense or there is no such layer', () => {
    expect(miraxPictureRecords(parseIni('[HIERARCHICAL]\nNONHIER_COUNT=x\n')).size).toBe(0);
    expect(miraxPictureRecords(parseIni('[HIERARCHICAL]\nNONHIER_COUNT=1\nNONHIER_0_NAME=Scan data layer\nNONHIER_0_COUNT=-1\n')).size).toBe(0);
    expect(miraxPictureRecords(parseIni('[GENERAL]\nSLIDE_ID=A\n')).size).toBe(0);
  });
});
