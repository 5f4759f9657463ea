import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import zlib from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { aDicomInstance, TS } from '../../test/support/dicom.ts';
import { readFrames, renderFrame } from './frames.ts';
import { DicomRejected, parseInstance, toDicomJson } from './part10.ts';

const rejected = (buf: Uint8Array, pattern: RegExp, limits?: { maxInflatedBytes: number }) => {
  let caught: unknown;
  try {
    parseInstance(buf, limits);
  } catch (err) {
    caught = err;
  }
  expect(caught).toBeInstanceOf(DicomRejected);
  expect((caught as Error).message).toMatch(pattern);
};

describe('reading a DICOM Part 10 instance', () => {
  it('indexes identifiers, names, dates, modality and frames', () => {
    const p = parseInstance(aDicomInstance({ patientName: 'Testperson^Robin', studyDate: '20260301', modality: 'CT', bodyPart: 'CHEST', instanceNumber: 7 }));
    expect(p).toMatchObject({
      transferSyntax: TS.explicit,
      patient: { name: 'Testperson^Robin', birthDate: '19620504', sex: 'F' },
      study: { date: '20260301', description: 'CT CHEST WITH CONTRAST' },
      series: { modality: 'CT', bodyPart: 'CHEST' },
      instance: { number: 7, frames: 1, rows: 64, columns: 64 },
    });
    expect(p.metadata['7FE00010']).toBeUndefined();
    expect(p.metadata['00020010']).toEqual({ vr: 'UI', Value: [TS.explicit] });
  });

  it('writes nothing of a file it reads to the log, not even an odd value representation', async () => {
    const file = Buffer.from(aDicomInstance());
    const at = file.indexOf('DA', 200);
    file.write('Q&', at, 'latin1');
    // In a process of its own: dcmjs's loggers write to the console, which the test runner captures.
    const script = `const { parseInstance } = await import(${JSON.stringify(path.join(import.meta.dirname, 'part10.ts'))}); try { parseInstance(Buffer.from(process.argv[1], 'base64')); } catch {}`;
    const { stdout, stderr } = await promisify(execFile)(process.execPath, ['--disable-warning=ExperimentalWarning', '--input-type=module', '-e', script, file.toString('base64')]);
    expect(stdout + stderr).toBe('');
  });

  it('refuses a missing or wrong preamble, a short file and a broken meta group', () => {
    const good = aDicomInstance();
    rejected(good.subarray(0, 100), /too short/);
    const noMarker = Buffer.from(good);
    noMarker.write('XXXX', 128, 'latin1');
    rejected(noMarker, /DICM/);
    rejected(good.subarray(132), /DICM|too short/);
    const badGroup = Buffer.from(good);
    badGroup.writeUInt32LE(0x7fff_ffff, 140);
    rejected(badGroup, /truncated or damaged/);
  });

  it('refuses a file cut short inside its pixel data, and absurd element lengths', () => {
    const good = aDicomInstance();
    rejected(good.subarray(0, good.length - 100), /truncated|longer than the file/);
    const absurd = Buffer.from(good);
    // The first data element after the meta group (SpecificCharacterSet, explicit VR, 2-byte length).
    const at = 144 + good.readUInt32LE(140);
    absurd.writeUInt16LE(0xfff0, at + 6);
    rejected(absurd, /damaged/);
  });

  it('refuses a deflate bomb without inflating it beyond the limit', () => {
    const plain = aDicomInstance({ transferSyntax: TS.deflated });
    const metaEnd = 144 + plain.readUInt32LE(140);
    const bomb = Buffer.concat([plain.subarray(0, metaEnd), zlib.deflateRawSync(Buffer.alloc(64 * 1024 * 1024))]);
    expect(bomb.length).toBeLessThan(200_000);
    rejected(bomb, /expands beyond/, { maxInflatedBytes: 8 * 1024 * 1024 });
  });

  it('refuses a DICOMDIR and instances without UIDs', () => {
    rejected(aDicomInstance({ sopClassUid: '1.2.840.10008.1.3.10' }), /DICOMDIR/);
    rejected(aDicomInstance({ studyUid: 'not-a-uid' }), /Study Instance UID/);
  });

  it('reads native frames and renders them; compressed frames are returned as stored', () => {
    const native = aDicomInstance({ rows: 8, columns: 8 });
    expect(readFrames(native, [1]).frames[0]!.length).toBe(128);
    expect(renderFrame(native, 1, { format: 'png' }).subarray(1, 4).toString()).toBe('PNG');
    const jpeg = aDicomInstance({ transferSyntax: TS.jpegBaseline, fragment: new Uint8Array([0xff, 0xd8, 1, 2, 0xff, 0xd9]) });
    expect([...readFrames(jpeg, [1]).frames[0]!]).toEqual([0xff, 0xd8, 1, 2, 0xff, 0xd9]);
    expect(() => renderFrame(jpeg, 1, { format: 'png' })).toThrow(/compressed/);
    expect(() => readFrames(native, [2])).toThrow(/Frame 2 does not exist/);
  });
});

/** A small deterministic generator, so a failing mutation can be replayed. */
function prng(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('a mutation fuzzing found', () => {
  it('refuses at once the 859-byte file on which dcmjs ran until the heap was full', () => {
    const file = fs.readFileSync(new URL('../../test/fixtures/dicom/runaway-sequence.dcm', import.meta.url));
    const started = Date.now();
    expect(() => parseInstance(file)).toThrow(DicomRejected);
    expect(Date.now() - started).toBeLessThan(2000);
  });
});

describe('fuzzing the parser entry points', () => {
  it('answers every mutated file with a result or a DicomRejected, never a crash or a hang', () => {
    const seeds = [TS.explicit, TS.implicit, TS.deflated, TS.jpegBaseline, TS.rle].map((ts) => aDicomInstance({ transferSyntax: ts, rows: 16, columns: 16 }));
    const rand = prng(20261125);
    const started = Date.now();
    let accepted = 0;
    let refused = 0;
    for (let i = 0; i < 600 && Date.now() - started < 15_000; i++) {
      const base = seeds[i % seeds.length]!;
      const buf = Buffer.from(base);
      const kind = Math.floor(rand() * 4);
      if (kind === 0) {
        for (let k = 0; k < 1 + rand() * 8; k++) buf[Math.floor(rand() * buf.length)] = Math.floor(rand() * 256);
      } else if (kind === 1) {
        const at = 132 + Math.floor(rand() * (buf.length - 140));
        buf.writeUInt32LE(Math.floor(rand() * 0xffffffff), at - (at % 2));
      } else if (kind === 2) {
        const cut = Math.floor(rand() * buf.length);
        const mutated = buf.subarray(0, cut);
        tryAll(mutated);
        continue;
      } else {
        const at = Math.floor(rand() * buf.length);
        const junk = Buffer.from(Array.from({ length: 1 + Math.floor(rand() * 16) }, () => Math.floor(rand() * 256)));
        tryAll(Buffer.concat([buf.subarray(0, at), junk, buf.subarray(at)]));
        continue;
      }
      tryAll(buf);
    }
    function tryAll(b: Buffer) {
      try {
        parseInstance(b, { maxInflatedBytes: 16 * 1024 * 1024 });
        accepted++;
        try {
          readFrames(b, [1]);
        } catch (err) {
          expect(err).toBeInstanceOf(DicomRejected);
        }
      } catch (err) {
        if (!(err instanceof DicomRejected)) throw new Error(`mutation ${accepted + refused} crashed the parser: ${String(err)}`);
        refused++;
      }
    }
    expect(accepted + refused).toBeGreaterThan(100);
    expect(refused).toBeGreaterThan(0);
  }, 30_000);
});

describe('text values', () => {
  it('drops NUL characters, which are not valid inside DICOM text and no database column takes', () => {
    const json = toDicomJson({ '00081030': { vr: 'LO', Value: ['CT\0 CHEST'] }, '00100010': { vr: 'PN', Value: [{ Alphabetic: 'Doe\0^Jane' }] } });
    expect(json['00081030']!.Value).toEqual(['CT CHEST']);
    expect(json['00100010']!.Value).toEqual([{ Alphabetic: 'Doe^Jane' }]);
  });
});
