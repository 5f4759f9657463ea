import { XMLParser } from 'fast-xml-parser';
import type { ClinicalEntry, ImportResult } from './importTypes.ts';

/**
 * Reads problems, medications, results and procedures from a C-CDA R2.1 document (CCD,
 * discharge summary, consultation or referral note). A DOCTYPE is refused outright: C-CDA never
 * needs one, and it is how entity-expansion ("billion laughs") bombs get in.
 */
const SECTIONS: Record<string, ClinicalEntry['kind']> = {
  '2.16.840.1.113883.10.20.22.2.5.1': 'condition', // Problem section (entries required)
  '2.16.840.1.113883.10.20.22.2.5': 'condition',
  '2.16.840.1.113883.10.20.22.2.1.1': 'medication', // Medications section
  '2.16.840.1.113883.10.20.22.2.1': 'medication',
  '2.16.840.1.113883.10.20.22.2.3.1': 'observation', // Results section
  '2.16.840.1.113883.10.20.22.2.3': 'observation',
  '2.16.840.1.113883.10.20.22.2.7.1': 'procedure', // Procedures section
  '2.16.840.1.113883.10.20.22.2.7': 'procedure',
};

type Node = Record<string, any>;
const arr = <T>(x: T | T[] | undefined): T[] => (x == null ? [] : Array.isArray(x) ? x : [x]);
const hl7Date = (v: string | undefined) => (v && /^\d{8}/.test(v) ? `${v.slice(0, 4)}-${v.slice(4, 6)}-${v.slice(6, 8)}` : v ?? null);
const timeOf = (n: Node | undefined) => hl7Date(n?.['@value'] ?? n?.low?.['@value']);
const codeOf = (c: Node | undefined) => ({
  code: c?.['@code'] ?? null,
  codeSystem: c?.['@codeSystem'] ?? null,
  display: c?.['@displayName'] ?? (typeof c?.originalText === 'string' ? c.originalText : null),
});

function problems(entry: Node): ClinicalEntry[] {
  return arr(entry.act).flatMap((act: Node) => arr(act.entryRelationship).flatMap((rel: Node) => arr(rel.observation).map((o: Node) => ({
    kind: 'condition' as const, ...codeOf(o.value), value: null, unit: null, effective: timeOf(o.effectiveTime), status: o.statusCode?.['@code'] ?? null, source: o,
  }))));
}

function medications(entry: Node): ClinicalEntry[] {
  return arr(entry.substanceAdministration).map((sa: Node) => {
    const material = sa.consumable?.manufacturedProduct?.manufacturedMaterial;
    const times = arr(sa.effectiveTime);
    return { kind: 'medication' as const, ...codeOf(material?.code), value: sa.doseQuantity?.['@value'] ?? null, unit: sa.doseQuantity?.['@unit'] ?? null, effective: timeOf(times[0]), status: sa.statusCode?.['@code'] ?? null, source: sa };
  });
}

function results(entry: Node): ClinicalEntry[] {
  return arr(entry.organizer).flatMap((org: Node) => arr(org.component).flatMap((c: Node) => arr(c.observation).map((o: Node) => ({
    kind: 'observation' as const, ...codeOf(o.code), value: o.value?.['@value'] ?? null, unit: o.value?.['@unit'] ?? null,
    effective: timeOf(o.effectiveTime), status: o.statusCode?.['@code'] ?? null, source: o,
  }))));
}

function procedures(entry: Node): ClinicalEntry[] {
  return [...arr(entry.procedure), ...arr(entry.act), ...arr(entry.observation)].map((p: Node) => ({
    kind: 'procedure' as const, ...codeOf(p.code), value: null, unit: null, effective: timeOf(p.effectiveTime), status: p.statusCode?.['@code'] ?? null, source: p,
  }));
}

const READERS: Record<ClinicalEntry['kind'], (e: Node) => ClinicalEntry[]> = {
  condition: problems, medication: medications, observation: results, procedure: procedures, diagnostic_report: () => [], patient: () => [],
};

export function importCcda(xml: string): ImportResult {
  if (/<!DOCTYPE|<!ENTITY/i.test(xml)) return { ok: false, errors: ['The XML declares a DOCTYPE or entities, which C-CDA documents never need; it was refused for safety.'] };
  let doc: Node;
  try {
    doc = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '@', removeNSPrefix: true, processEntities: false, htmlEntities: false }).parse(xml, true);
  } catch (err) {
    return { ok: false, errors: [`The XML could not be read: ${String((err as Error).message).split('\n')[0]}`] };
  }
  const cd = doc.ClinicalDocument;
  if (!cd) return { ok: false, errors: ['This XML is not a C-CDA ClinicalDocument.'] };
  const entries: ClinicalEntry[] = [];
  const patient = cd.recordTarget?.patientRole?.patient;
  if (patient) {
    const name = arr(patient.name)[0] as Node | undefined;
    const given = arr(name?.given).map((g: any) => (typeof g === 'string' ? g : g?.['#text'])).filter(Boolean).join(' ');
    const family = arr(name?.family).map((f: any) => (typeof f === 'string' ? f : f?.['#text'])).filter(Boolean)[0];
    const born = hl7Date(patient.birthTime?.['@value']);
    entries.push({ kind: 'patient', code: null, codeSystem: null, display: [given, family].filter(Boolean).join(' ') || null, value: born, unit: null, effective: born, status: null, source: patient });
  }
  for (const comp of arr(cd.component?.structuredBody?.component)) {
    for (const section of arr((comp as Node).section) as Node[]) {
      const kind = arr(section.templateId).map((t: Node) => SECTIONS[t['@root']]).find(Boolean);
      if (!kind) continue;
      for (const entry of arr(section.entry) as Node[]) entries.push(...READERS[kind](entry));
    }
  }
  const title = typeof cd.title === 'string' ? cd.title : 'C-CDA document';
  return { ok: true, entries, format: `C-CDA: ${title}` };
}
