import type { Bundle, CodeableConcept, Resource } from '@medplum/fhirtypes';
import { fhirValidationErrors } from '../fhir/validate.ts';
import type { ClinicalEntry, ImportResult } from './importTypes.ts';

/**
 * Reads a FHIR R4 Bundle (collection, transaction, batch or searchset, e.g. Synthea output) into
 * clinical entries. The whole bundle must validate before anything is kept; each resource is
 * kept as received beside the entry drawn from it.
 */
const KINDS: Record<string, ClinicalEntry['kind']> = {
  Patient: 'patient', Condition: 'condition', Observation: 'observation', DiagnosticReport: 'diagnostic_report',
  Procedure: 'procedure', MedicationRequest: 'medication', MedicationStatement: 'medication',
};

const MAX_ENTRIES = 20_000;

function codeOf(cc: CodeableConcept | undefined) {
  const c = cc?.coding?.[0];
  return { code: c?.code ?? null, codeSystem: c?.system ?? null, display: cc?.text ?? c?.display ?? null };
}

function entryOf(r: Resource): ClinicalEntry | null {
  const kind = KINDS[r.resourceType];
  if (!kind) return null;
  switch (r.resourceType) {
    case 'Patient': {
      const name = r.name?.[0];
      return { kind, code: null, codeSystem: null, display: [name?.given?.join(' '), name?.family].filter(Boolean).join(' ') || null, value: r.birthDate ?? null, unit: null, effective: r.birthDate ?? null, status: null, source: r };
    }
    case 'Condition':
      return { kind, ...codeOf(r.code), value: null, unit: null, effective: r.onsetDateTime ?? r.recordedDate ?? null, status: r.clinicalStatus?.coding?.[0]?.code ?? null, source: r };
    case 'Observation': {
      const q = r.valueQuantity;
      const value = q?.value != null ? String(q.value) : r.valueString ?? r.valueCodeableConcept?.text ?? r.valueCodeableConcept?.coding?.[0]?.display ?? null;
      return { kind, ...codeOf(r.code), value, unit: q?.unit ?? q?.code ?? null, effective: r.effectiveDateTime ?? r.issued ?? null, status: r.status ?? null, source: r };
    }
    case 'DiagnosticReport':
      return { kind, ...codeOf(r.code), value: r.conclusion ?? null, unit: null, effective: r.effectiveDateTime ?? r.issued ?? null, status: r.status ?? null, source: r };
    case 'Procedure':
      return { kind, ...codeOf(r.code), value: null, unit: null, effective: r.performedDateTime ?? r.performedPeriod?.start ?? null, status: r.status ?? null, source: r };
    case 'MedicationRequest':
      return { kind, ...codeOf(r.medicationCodeableConcept), value: r.dosageInstruction?.[0]?.text ?? null, unit: null, effective: r.authoredOn ?? null, status: r.status ?? null, source: r };
    case 'MedicationStatement':
      return { kind, ...codeOf(r.medicationCodeableConcept), value: r.dosage?.[0]?.text ?? null, unit: null, effective: r.effectiveDateTime ?? r.effectivePeriod?.start ?? null, status: r.status ?? null, source: r };
    default:
      return null;
  }
}

export function importFhirBundle(json: string): ImportResult {
  let doc: unknown;
  try {
    doc = JSON.parse(json);
  } catch {
    return { ok: false, errors: ['The file is not valid JSON.'] };
  }
  try {
    return importParsedBundle(doc);
  } catch {
    // The validator and the mapping expect FHIR's shapes; a value of the wrong kind that slips
    // past one of them is still a file we cannot read, not a server error.
    return { ok: false, errors: ['The file is not a valid FHIR R4 Bundle: some values are not of the kind FHIR expects.'] };
  }
}

function importParsedBundle(doc: unknown): ImportResult {
  const resource = doc as Resource;
  if (resource?.resourceType !== 'Bundle') return { ok: false, errors: [`Expected a FHIR Bundle, found ${typeof resource?.resourceType === 'string' ? `a ${resource.resourceType}` : 'no resourceType'}.`] };
  const bundle = resource as Bundle;
  if ((bundle.entry?.length ?? 0) > MAX_ENTRIES) return { ok: false, errors: [`The bundle has more than ${MAX_ENTRIES} entries.`] };
  const errors = fhirValidationErrors(bundle).slice(0, 20);
  if (errors.length) return { ok: false, errors: errors.map((e) => `Not valid FHIR R4: ${e}`) };
  const entries = (bundle.entry ?? []).map((e) => e.resource).filter((r): r is Resource => !!r).map(entryOf).filter((e): e is ClinicalEntry => !!e);
  return { ok: true, entries, format: `FHIR R4 Bundle (${bundle.type})` };
}
