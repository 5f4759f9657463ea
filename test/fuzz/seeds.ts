import fs from 'node:fs';
import path from 'node:path';
import dcmjs from 'dcmjs';
import { aDicomInstance, TS } from '../support/dicom.ts';
import { aFhirBundle, aPdf, aZip, MOLECULAR_LINES, PATHOLOGY_LINES } from '../support/records.ts';

/**
 * Valid inputs the mutations start from, made by the test builders (synthetic data only). Built
 * once per process: they are deterministic enough for replay, since a replayed input names its
 * seed by index and the builders always make the same structure.
 */

// dcmjs reports every odd VR of a mutated file on stderr; thousands of lines would bury the report.
(dcmjs.log as unknown as { getLogger: (name: string) => { setLevel: (l: string) => void } }).getLogger('validation.dcmjs').setLevel('silent');

let dicom: { names: string[]; bytes: Buffer[] } | undefined;
export function dicomSeeds() {
  dicom ??= (() => {
    const specs = [['explicit', TS.explicit], ['implicit', TS.implicit], ['deflated', TS.deflated], ['jpeg-baseline', TS.jpegBaseline], ['rle', TS.rle]] as const;
    // Fixed UIDs: a replayed mutation must land on the same bytes.
    const ids = { studyUid: '2.25.1001', seriesUid: '2.25.1002', sopInstanceUid: '2.25.1003' };
    return { names: specs.map(([n]) => n), bytes: specs.map(([, ts]) => aDicomInstance({ ...ids, transferSyntax: ts, rows: 8, columns: 8 })) };
  })();
  return dicom;
}

let pdf: Promise<{ names: string[]; bytes: Buffer[] }> | undefined;
export function pdfSeeds() {
  pdf ??= (async () => ({
    names: ['pathology', 'molecular+blank-pages', 'password'],
    bytes: [await aPdf(PATHOLOGY_LINES), await aPdf(MOLECULAR_LINES, { blankPages: 2 }), await aPdf(['Locked letter.'], { userPassword: 'secret' })],
  }))();
  return pdf;
}

let zip: Promise<{ names: string[]; bytes: Buffer[] }> | undefined;
export function zipSeeds() {
  zip ??= (async () => {
    const { bytes } = dicomSeeds();
    const cd = [{ name: 'DICOM/IM000001', data: bytes[0]! }, { name: 'DICOM/IM000002', data: bytes[1]! }, { name: 'README.TXT', data: Buffer.from('Viewer on this CD.') }];
    return {
      names: ['cd-deflated', 'cd-stored', 'documents'],
      bytes: [await aZip(cd), await aZip(cd, false), await aZip([{ name: 'letters/a.txt', data: Buffer.from('A letter.'.repeat(50)) }, { name: 'letters/b.txt', data: Buffer.from('B') }])],
    };
  })();
  return zip;
}

export function fhirSeeds(): object[] {
  const collection = aFhirBundle();
  const transaction = {
    resourceType: 'Bundle', type: 'transaction',
    entry: [
      { fullUrl: 'urn:uuid:6f0d4d7e-3f7e-4c1e-9d55-3b3f0a7c2a11', resource: { resourceType: 'Patient', name: [{ given: ['Sam'], family: 'Sample' }], birthDate: '1970-01-01' }, request: { method: 'POST', url: 'Patient' } },
      { resource: { resourceType: 'DiagnosticReport', status: 'final', code: { text: 'CT chest' }, conclusion: 'Synthetic conclusion.', effectiveDateTime: '2026-03-01T10:00:00Z' }, request: { method: 'POST', url: 'DiagnosticReport' } },
      { resource: { resourceType: 'MedicationRequest', status: 'active', intent: 'order', subject: { reference: 'urn:uuid:6f0d4d7e-3f7e-4c1e-9d55-3b3f0a7c2a11' }, medicationCodeableConcept: { text: 'Example 10 mg' }, dosageInstruction: [{ text: 'Once daily' }] }, request: { method: 'POST', url: 'MedicationRequest' } },
    ],
  };
  return [collection, transaction];
}

const CCDA_DIR = path.resolve(import.meta.dirname, '../fixtures/ccda');
let ccda: { names: string[]; texts: string[] } | undefined;
export function ccdaSeeds() {
  ccda ??= (() => {
    const files = fs.readdirSync(CCDA_DIR).filter((f) => /\.xml$/i.test(f)).sort();
    return { names: files, texts: files.map((f) => fs.readFileSync(path.join(CCDA_DIR, f), 'utf8')) };
  })();
  return ccda;
}
