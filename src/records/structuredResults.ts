import type { CodeableConcept, Observation } from '@medplum/fhirtypes';

/**
 * A structured result (a FHIR Observation or a C-CDA result observation, kept as received beside
 * its clinical entry) written as the one plain statement a report would make of it ("EGFR
 * p.Leu858Arg: detected"), so the molecular report reader (testResults.ts) reads it by the same
 * rules: found, not found, a value quoted, or nothing when it does not plainly say.
 */
export interface StoredResult {
  kind: string;
  display: string | null;
  value: string | null;
  unit: string | null;
  source: unknown;
}

// HL7 FHIR Genomics Reporting IG (STU2): a variant Observation names its gene in the component
// "Gene studied" (LOINC 48018-6) and its amino acid and DNA changes in 48005-3 and 48004-6; its
// value is LOINC answer LA9633-4 "Present" or LA9634-2 "Absent".
const GENE_STUDIED = '48018-6';
const CHANGES = ['48005-3', '48004-6'];
const ANSWERS = new Map([['LA9633-4', 'detected'], ['LA9634-2', 'not detected']]);
// Observation interpretation (HL7 v3 ObservationInterpretation): positive, detected, negative, not detected.
const INTERPRETATIONS = new Map([['POS', 'positive'], ['DET', 'detected'], ['NEG', 'negative'], ['ND', 'not detected']]);
// A result withdrawn or never made states nothing.
const WITHDRAWN = new Set(['entered-in-error', 'cancelled']);
// "eGFR" is the kidneys' filtration rate, not the gene; laboratories write it so, or in capitals
// with the population it was estimated for ("EGFR NON-AFR. AMERICAN"), in mL/min per 1.73 m².
const kidneyFiltration = (s: string) => /\beGFR\b/.test(s) || /glomerular|\bnon-?afr|african\s+american|mL\/min/i.test(s);

const conceptWords = (c: CodeableConcept | undefined): string | null =>
  c?.text ?? c?.coding?.find((x) => x.display)?.display ?? c?.coding?.[0]?.code ?? null;
const answerOf = (c: CodeableConcept | undefined): string | null => {
  const coded = c?.coding?.map((x) => ANSWERS.get(String(x.code))).find(Boolean);
  return coded ?? conceptWords(c);
};
const interpretationOf = (codes: unknown[]): string | null => codes.map((c) => INTERPRETATIONS.get(String(c).toUpperCase())).find(Boolean) ?? null;

function fhirStatement(o: Observation): string | null {
  if (WITHDRAWN.has(o.status)) return null;
  const componentOf = (code: string) => o.component?.find((c) => c.code.coding?.some((x) => x.code === code));
  const gene = componentOf(GENE_STUDIED);
  const name = (gene && (conceptWords(gene.valueCodeableConcept) ?? gene.valueString)) ?? conceptWords(o.code);
  const change = CHANGES.map((code) => componentOf(code)).map((c) => c && (conceptWords(c.valueCodeableConcept) ?? c.valueString)).find(Boolean);
  const q = o.valueQuantity;
  const answer = answerOf(o.valueCodeableConcept) ?? o.valueString ?? (q?.value != null ? `${q.value}${q.unit === '%' ? '%' : q.unit ? ` ${q.unit}` : ''}` : null)
    ?? interpretationOf((o.interpretation ?? []).flatMap((i) => (i.coding ?? []).map((x) => x.code)));
  return name && answer ? `${name}${change ? ` ${change}` : ''}: ${answer}` : null;
}

type CdaNode = Record<string, any>;
function cdaStatement(display: string | null, o: CdaNode): string | null {
  // negationInd: the observation says this was NOT observed; left to the reader of the record.
  if (o['@negationInd'] === 'true' || o.statusCode?.['@code'] === 'nullified') return null;
  const v = o.value as CdaNode | string | undefined;
  const text = typeof v === 'string' ? v : v?.['@displayName'] ?? (typeof v?.['#text'] === 'string' ? v['#text'] : null)
    ?? (v?.['@value'] !== undefined ? `${v['@value']}${v['@unit'] === '%' ? '%' : v['@unit'] ? ` ${v['@unit']}` : ''}` : null);
  const answer = text ?? interpretationOf([o.interpretationCode?.['@code']]);
  return display && answer ? `${display}: ${answer}` : null;
}

/** The statement a stored result makes, or null when it names nothing or states nothing. */
export function resultStatement(r: StoredResult): string | null {
  if (r.kind !== 'observation') return null;
  const source = r.source as { resourceType?: string } | null;
  const statement = source?.resourceType === 'Observation' ? fhirStatement(source as Observation) : source ? cdaStatement(r.display, source as CdaNode) : null;
  return statement && !kidneyFiltration(statement) ? statement : null;
}
