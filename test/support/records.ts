import { aDicomInstance } from './dicom.ts';
import yazl from 'yazl';
import { renderPdf } from '../../src/core/pdf.ts';
import type { Client } from './client.ts';

/** Synthetic record files for tests: nothing here is real patient data. */
export function aPdf(lines: string[], opts: { userPassword?: string; blankPages?: number } = {}): Promise<Buffer> {
  const content = [...lines.map((text) => ({ text })), ...Array.from({ length: opts.blankPages ?? 0 }, () => ({ text: ' ', pageBreak: 'before' as const }))];
  return renderPdf({ content, ...(opts.userPassword ? { userPassword: opts.userPassword, ownerPassword: 'owner' } : {}) } as never);
}

export const PATHOLOGY_LINES = [
  'SURGICAL PATHOLOGY REPORT', 'Specimen: right upper lobe, core needle biopsy.', 'GROSS DESCRIPTION: Three tan cores of tissue.',
  'MICROSCOPIC DESCRIPTION: Infiltrating glands with acinar pattern.', 'FINAL DIAGNOSIS: Invasive adenocarcinoma of the lung, acinar predominant.',
  'Immunohistochemistry: TTF-1 positive. Pathologist: Dr. Synthetic Example.',
];

export const MOLECULAR_LINES = [
  'Comprehensive genomic profiling report (next-generation sequencing)', 'Specimen: lung biopsy. Tumor content 40%.',
  'EGFR exon 19 deletion: pathogenic variant detected, allele frequency 22%.', 'ALK fusion: not detected. ROS1 fusion: not detected.',
  'KRAS: no mutation detected. PD-L1 (22C3) tumor proportion score 60%.', 'Tumor mutational burden: 4 mutations per megabase. Microsatellite stable.',
];

/** A minimal DICOM Part 10 file: preamble, DICM, and a file meta group (explicit VR little endian). */
/** A small valid DICOM CT instance (synthetic phantom), as found on a CD. */
export function aDicomFile(sopInstanceUid?: string): Buffer {
  return aDicomInstance({ sopInstanceUid, rows: 16, columns: 16 });
}

export function aZip(entries: { name: string; data: Buffer }[], compress = true): Promise<Buffer> {
  const zip = new yazl.ZipFile();
  for (const e of entries) zip.addBuffer(e.data, e.name, { compress });
  zip.end();
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    zip.outputStream.on('data', (c: Buffer) => chunks.push(c));
    zip.outputStream.on('end', () => resolve(Buffer.concat(chunks)));
    zip.outputStream.on('error', reject);
  });
}

/** A FHIR R4 collection bundle for the builders' default patient (Robin Testperson, 1962-05-04). */
export function aFhirBundle(patient = { given: 'Robin', family: 'Testperson', birthDate: '1962-05-04' }) {
  return {
    resourceType: 'Bundle', type: 'collection',
    entry: [
      { resource: { resourceType: 'Patient', id: 'p1', name: [{ given: [patient.given], family: patient.family }], birthDate: patient.birthDate } },
      { resource: { resourceType: 'Condition', id: 'c1', subject: { reference: 'Patient/p1' }, code: { coding: [{ system: 'http://hl7.org/fhir/sid/icd-10-cm', code: 'C34.11', display: 'Malignant neoplasm of upper lobe, right bronchus or lung' }] }, onsetDateTime: '2026-09-01' } },
      { resource: { resourceType: 'Observation', id: 'o1', status: 'final', subject: { reference: 'Patient/p1' }, category: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/observation-category', code: 'laboratory' }] }], code: { coding: [{ system: 'http://loinc.org', code: '718-7', display: 'Hemoglobin [Mass/volume] in Blood' }] }, valueQuantity: { value: 13.2, unit: 'g/dL' }, effectiveDateTime: '2026-10-01' } },
      { resource: { resourceType: 'Procedure', id: 'pr1', status: 'completed', subject: { reference: 'Patient/p1' }, code: { text: 'CT-guided lung biopsy' }, performedDateTime: '2026-09-10' } },
      { resource: { resourceType: 'MedicationStatement', id: 'm1', status: 'active', subject: { reference: 'Patient/p1' }, medicationCodeableConcept: { text: 'Metformin 500 mg' }, effectiveDateTime: '2026-01-01' } },
    ],
  };
}

/** Uploads with the tus protocol over fetch, in chunks; returns the final response. */
export async function tusUpload(client: Client, caseId: string, filename: string, data: Buffer, opts: { chunk?: number; relativePath?: string; stopAfter?: number } = {}) {
  const b64 = (s: string) => Buffer.from(s).toString('base64');
  const metadata = [`caseId ${b64(caseId)}`, `filename ${b64(filename)}`, ...(opts.relativePath ? [`relativePath ${b64(opts.relativePath)}`] : [])].join(',');
  const base = { 'tus-resumable': '1.0.0', cookie: client.cookieHeader };
  const created = await fetch(`${client.baseUrl}/api/uploads`, { method: 'POST', headers: { ...base, 'upload-length': String(data.length), 'upload-metadata': metadata } });
  if (created.status !== 201) return { status: created.status, body: await created.json().catch(() => null), location: null as string | null };
  const location = new URL(created.headers.get('location')!, client.baseUrl).toString();
  return tusContinue(client, location, data, 0, opts);
}

export async function tusContinue(client: Client, location: string, data: Buffer, offset: number, opts: { chunk?: number; stopAfter?: number } = {}) {
  const chunk = opts.chunk ?? 1024 * 1024;
  let last: Response | null = null;
  let sent = 0;
  while (offset < data.length || data.length === 0) {
    if (opts.stopAfter !== undefined && sent >= opts.stopAfter) return { status: 0, body: null, location, offset };
    const part = data.subarray(offset, offset + chunk);
    last = await fetch(location, { method: 'PATCH', headers: { 'tus-resumable': '1.0.0', cookie: client.cookieHeader, 'upload-offset': String(offset), 'content-type': 'application/offset+octet-stream' }, body: new Uint8Array(part) });
    if (last.status !== 204 && last.status !== 200) break;
    offset += part.length;
    sent += part.length;
    if (data.length === 0) break;
  }
  const text = await last!.text();
  let body: any = null;
  try {
    body = text ? JSON.parse(text) : null;
  } catch {
    body = text;
  }
  return { status: last!.status, body, location, offset };
}
