import dcmjs from 'dcmjs';
import { describe, expect, it } from 'vitest';
import { aDicomInstance, aScreenshotInstance, aUid } from '../../test/support/dicom.ts';
import { BASIC_PROFILE, deidentifyInstance, newDeidContext, type DeidOptions } from './deidentify.ts';

const { DicomMessage, DicomMetaDictionary } = dcmjs.data;
type Dict = Record<string, { vr: string; Value?: unknown[] }>;

/** A value of the right representation that carries a recognisable "secret". */
function secretFor(vr: string): unknown {
  switch (vr) {
    case 'PN': return 'Secretname^Person';
    case 'DA': return '20200115';
    case 'TM': return '101010';
    case 'DT': return '20200115101010';
    case 'UI': return aUid();
    case 'SQ': return [{ CodeMeaning: 'Secretname code' }];
    case 'IS': case 'DS': return '7';
    case 'US': case 'SS': case 'UL': case 'SL': return 7;
    case 'FL': case 'FD': return 7.5;
    case 'AS': return '045Y';
    case 'CS': return 'SECRETNAME';
    case 'AE': return 'SECRETAE';
    default: return 'Secretname text';
  }
}

/** Every attribute of Table E.1-1 that the dictionary knows, filled with a secret value. */
function everyProfileAttribute(): { extra: Record<string, unknown>; tested: { tag: string; action: string; keyword: string; vr: string; longitudinal?: boolean; cleanDescriptor?: boolean }[] } {
  const extra: Record<string, unknown> = {};
  const tested = [];
  const protectedTags = new Set(['00080016', '00080018', '0020000D', '0020000E', '00020003', '00100010', '00100020']);
  for (const rule of BASIC_PROFILE.attributes) {
    if (rule.tag.includes('x') || rule.tag.startsWith('0000') || rule.tag.startsWith('0002') || rule.tag.startsWith('FFF') || protectedTags.has(rule.tag)) continue;
    const entry = DicomMetaDictionary.dictionary[`(${rule.tag.slice(0, 4)},${rule.tag.slice(4)})`];
    if (!entry || ['OB', 'OW', 'UN', 'AT', 'OF', 'OD', 'OL', 'OV', 'SV', 'UV'].includes(entry.vr) || entry.vr.includes('or')) continue;
    extra[entry.name] = secretFor(entry.vr);
    tested.push({ tag: rule.tag, action: rule.action, keyword: entry.name, vr: entry.vr, longitudinal: rule.longitudinal, cleanDescriptor: rule.cleanDescriptor });
  }
  return { extra, tested };
}

const read = (b: Buffer): Dict => DicomMessage.readFile(b.buffer.slice(b.byteOffset, b.byteOffset + b.length) as ArrayBuffer).dict as Dict;

describe('PS3.15 Basic Application Level Confidentiality Profile', () => {
  const { extra, tested } = everyProfileAttribute();
  const source = aDicomInstance({ extra: { ...extra, PatientName: 'Secretname^Person', PatientID: 'MRN-SECRET' } });
  const original = read(source);

  it('covers the profile’s attribute list', () => {
    expect(BASIC_PROFILE.attributes.length).toBeGreaterThan(250);
    expect(BASIC_PROFILE.reviewed).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(tested.length).toBeGreaterThan(150);
  });

  for (const [label, opts] of [
    ['basic profile', { retainLongitudinal: 'off', cleanDescriptors: false }],
    ['with Retain Longitudinal Full Dates', { retainLongitudinal: 'full', cleanDescriptors: false }],
    ['with Retain Longitudinal Modified Dates and Clean Descriptors', { retainLongitudinal: 'modified', cleanDescriptors: true }],
  ] as [string, DeidOptions][]) {
    it(`applies every attribute’s action: ${label}`, () => {
      const ctx = newDeidContext('CASE-0001');
      const out = read(deidentifyInstance(source, opts, ctx).bytes);
      for (const a of tested) {
        const before = original[a.tag];
        const after = out[a.tag];
        expect(before, `${a.keyword} present in the test input`).toBeDefined();
        const where = `${a.keyword} (${a.tag}, ${a.action})`;
        if (a.longitudinal && opts.retainLongitudinal === 'full') {
          expect(after?.Value, where).toEqual(before!.Value);
          continue;
        }
        if (a.longitudinal && opts.retainLongitudinal === 'modified' && (a.vr === 'DA' || a.vr === 'DT')) {
          expect(String(after?.Value?.[0]), where).not.toBe(String(before!.Value?.[0]));
          expect(String(after?.Value?.[0]), where).toMatch(/^\d{8}/);
          continue;
        }
        if (a.cleanDescriptor && opts.cleanDescriptors) {
          expect(JSON.stringify(after?.Value ?? []), where).not.toMatch(/Secretname/i);
          continue;
        }
        if (a.longitudinal && opts.retainLongitudinal === 'modified' && a.vr === 'TM') continue;
        switch (a.action) {
          case 'X': expect(after, where).toBeUndefined(); break;
          case 'Z': case 'X/Z': expect(after, where).toBeDefined(); expect((after!.Value ?? []).filter((v) => v !== '' && v !== null && !(typeof v === 'object' && !Object.values(v as object).some(Boolean))), where).toEqual([]); break;
          case 'U': expect(after?.Value?.[0], where).toBe(ctx.uid(String(before!.Value?.[0]))); break;
          case 'X/Z/U*': expect(after?.vr, where).toBe('SQ'); break; // kept; the UIDs inside are remapped (next test)
          default: // D and its composites: a dummy value, never the original
            expect(JSON.stringify(after?.Value ?? []), where).not.toMatch(/Secretname|20200115|SECRET/i);
        }
      }
      expect(out['00120062']!.Value).toEqual(['YES']);
      expect(out['00100010']!.Value).toEqual([{ Alphabetic: 'CASE-0001' }]);
    });
  }

  it('remaps UIDs consistently across a study, references included, and keeps pixels', () => {
    const studyUid = aUid();
    const seriesUid = aUid();
    const first = aDicomInstance({ studyUid, seriesUid, instanceNumber: 1 });
    const firstSop = read(first)['00080018']!.Value![0] as string;
    const second = aDicomInstance({ studyUid, seriesUid, instanceNumber: 2, extra: { SourceImageSequence: [{ ReferencedSOPClassUID: '1.2.840.10008.5.1.4.1.1.2', ReferencedSOPInstanceUID: firstSop }] } });
    const ctx = newDeidContext('CASE-0002');
    const a = deidentifyInstance(first, { retainLongitudinal: 'off', cleanDescriptors: false }, ctx);
    const b = deidentifyInstance(second, { retainLongitudinal: 'off', cleanDescriptors: false }, ctx);
    const da = read(a.bytes);
    const db = read(b.bytes);
    expect(da['0020000D']!.Value).toEqual(db['0020000D']!.Value);
    expect(da['0020000D']!.Value![0]).not.toBe(studyUid);
    expect(da['00080018']!.Value).not.toEqual(db['00080018']!.Value);
    const ref = (db['00082112']!.Value![0] as Dict)['00081155']!.Value![0];
    expect(ref).toBe(da['00080018']!.Value![0]);
    expect(Buffer.from(da['7FE00010']!.Value![0] as ArrayBuffer).equals(Buffer.from(read(first)['7FE00010']!.Value![0] as ArrayBuffer))).toBe(true);
  });

  it('flags burned-in annotations', () => {
    const ctx = newDeidContext('CASE-0003');
    expect(deidentifyInstance(aScreenshotInstance(), { retainLongitudinal: 'off', cleanDescriptors: false }, ctx).burnedIn).toBe(true);
    expect(deidentifyInstance(aDicomInstance(), { retainLongitudinal: 'off', cleanDescriptors: false }, ctx).burnedIn).toBe(false);
  });
});
