import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { importCcda } from './ccdaImport.ts';

const DIR = path.resolve(import.meta.dirname, '../../test/fixtures/ccda');

describe('C-CDA import of the HL7 samples', () => {
  it.each(fs.readdirSync(DIR).filter((f) => /\.xml$/i.test(f)))('%s', (file) => {
    const r = importCcda(fs.readFileSync(path.join(DIR, file), 'utf8'));
    if (!r.ok) throw new Error(r.errors.join('; '));
    expect(r.entries.find((e) => e.kind === 'patient')?.display).toMatch(/\w+ \w+/);
    expect(r.entries.length).toBeGreaterThan(3);
    for (const e of r.entries) expect(e.effective === null || /^\d{4}-\d{2}-\d{2}/.test(e.effective)).toBe(true);
  });

  it('reads problems, medicines, results and procedures from the CCD', () => {
    const r = importCcda(fs.readFileSync(path.join(DIR, 'CCD-CCD_1-CCD.XML'), 'utf8'));
    if (!r.ok) throw new Error('not ok');
    const kinds = new Set(r.entries.map((e) => e.kind));
    expect([...kinds].sort()).toEqual(['condition', 'medication', 'observation', 'patient', 'procedure']);
    expect(r.entries.find((e) => e.kind === 'medication')?.display).toMatch(/albuterol/i);
  });

  it('refuses entity declarations and documents that are not C-CDA', () => {
    expect(importCcda('<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "b">]><ClinicalDocument/>')).toMatchObject({ ok: false });
    expect(importCcda('<?xml version="1.0"?><note>hi</note>')).toEqual({ ok: false, errors: ['This XML is not a C-CDA ClinicalDocument.'] });
  });
});
