import { describe, expect, it } from 'vitest';
import { importFhirBundle } from '../records/fhirImport.ts';
import { spreadsheetSafe, toCsv } from './csv.ts';
import { findUnsafeText, nestedDeeperThan } from './security.ts';
import { checkedAuditDetail } from './auditDetail.ts';

describe('text no field may hold', () => {
  it('finds NUL and lone surrogates anywhere, keys included, but not paired surrogates', () => {
    expect(findUnsafeText({ a: ['ok', { b: 'x\u0000y' }] })).toMatch(/not allowed/);
    expect(findUnsafeText({ a: '\ud800' })).toMatch(/not allowed/);
    expect(findUnsafeText({ a: 'end\udc00' })).toMatch(/not allowed/);
    expect(findUnsafeText({ ['k\u0000']: 1 })).toMatch(/field name/);
    expect(findUnsafeText({ a: 'emoji 😀 and accents éü' })).toBeNull();
  });

  it('measures nesting without recursion, however deep', () => {
    let deep: unknown = 1;
    for (let i = 0; i < 200_000; i++) deep = [deep];
    expect(nestedDeeperThan(deep, 64)).toBe(true);
    expect(findUnsafeText(deep)).toMatch(/nested/);
    expect(nestedDeeperThan({ a: { b: [1] } }, 64)).toBe(false);
  });

  it('refuses a FHIR bundle nested 200,000 deep, and one with values of the wrong kind, as unreadable files', () => {
    const deep = `{"resourceType":"Bundle","type":"collection","meta":${'['.repeat(200_000)}${']'.repeat(200_000)}}`;
    expect(importFhirBundle(deep)).toMatchObject({ ok: false });
    expect(importFhirBundle('{"resourceType":"Bundle","type":"collection","entry":""}')).toMatchObject({ ok: false });
  });
});

describe('CSV for spreadsheets', () => {
  it('defuses cells a spreadsheet would run as formulas, and leaves numbers alone', () => {
    expect(spreadsheetSafe('=HYPERLINK("http://x","y")')).toBe('\'=HYPERLINK("http://x","y")');
    for (const c of ['+1', '-2+3', '@SUM(A1)', '\tx', '\rx']) expect(spreadsheetSafe(c).startsWith("'")).toBe(true);
    expect(spreadsheetSafe('Dr. Ada Lovelace')).toBe('Dr. Ada Lovelace');
    expect(toCsv([['=1+1', -5, 'ok']])).toBe("'=1+1,-5,ok\n");
  });
});

describe('audit details', () => {
  it('accepts counts, flags, ids and codes only', () => {
    expect(checkedAuditDetail('x', { count: 2, status: 'in_review', version: '2026-11' })).toEqual({ count: 2, status: 'in_review', version: '2026-11' });
    expect(() => checkedAuditDetail('x', { filename: 'scan.pdf' })).toThrow(/filename/);
    expect(() => checkedAuditDetail('x', { status: 'has spaces in it' })).toThrow(/status/);
  });
});
