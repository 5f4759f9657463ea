import type { Observation } from '@medplum/fhirtypes';
import { describe, expect, it } from 'vitest';
import { resultStatement } from './structuredResults.ts';
import { resultsReported } from './testResults.ts';

const fhir = (o: Partial<Observation>) => ({ kind: 'observation', display: null, value: null, unit: null, source: { resourceType: 'Observation', status: 'final', code: { text: 'x' }, ...o } });
const loinc = (code: string, display?: string) => ({ coding: [{ system: 'http://loinc.org', code, ...(display ? { display } : {}) }] });
/** A variant Observation shaped as the HL7 Genomics Reporting IG writes one. */
const variant = (gene: string, answer: 'LA9633-4' | 'LA9634-2', change?: string) => fhir({
  code: loinc('69548-6', 'Genetic variant assessment'),
  valueCodeableConcept: loinc(answer, answer === 'LA9633-4' ? 'Present' : 'Absent'),
  component: [
    { code: loinc('48018-6', 'Gene studied [ID]'), valueCodeableConcept: { coding: [{ system: 'http://www.genenames.org/geneId', code: 'HGNC:3236', display: gene }] } },
    ...(change ? [{ code: loinc('48005-3', 'Amino acid change (pHGVS)'), valueCodeableConcept: { coding: [{ system: 'http://varnomen.hgvs.org', code: change }] } }] : []),
  ],
});
const read = (r: Parameters<typeof resultStatement>[0]) => resultsReported(resultStatement(r) ?? '').map(({ test, result }) => ({ test, result }));

describe('structured results read as statements', () => {
  it('reads a genomics variant Observation by its gene, change and present/absent answer', () => {
    expect(resultStatement(variant('EGFR', 'LA9633-4', 'p.Leu858Arg'))).toBe('EGFR p.Leu858Arg: detected');
    expect(read(variant('EGFR', 'LA9633-4', 'p.Leu858Arg'))).toEqual([{ test: 'EGFR', result: 'found' }]);
    expect(read(variant('KRAS', 'LA9634-2'))).toEqual([{ test: 'KRAS', result: 'not_found' }]);
  });

  it('reads plain laboratory results by their words, value or interpretation', () => {
    expect(read(fhir({ code: { text: 'ALK fusion by FISH' }, valueCodeableConcept: { text: 'Negative' } }))).toEqual([{ test: 'ALK', result: 'not_found' }]);
    expect(read(fhir({ code: { text: 'ROS1 rearrangement' }, interpretation: [{ coding: [{ code: 'POS' }] }] }))).toEqual([{ test: 'ROS1', result: 'found' }]);
    expect(read(fhir({ code: { text: 'PD-L1 tumor proportion score' }, valueQuantity: { value: 60, unit: '%' } }))).toEqual([{ test: 'PD-L1', result: 'stated' }]);
    // A withdrawn result says nothing, nor does a code that only looks like a lookup key.
    expect(read(fhir({ status: 'entered-in-error', code: { text: 'ALK fusion' }, valueString: 'Positive' }))).toEqual([]);
    expect(resultStatement(fhir({ code: { text: 'ALK fusion' }, valueCodeableConcept: { coding: [{ code: 'constructor' }] } }))).toBe('ALK fusion: constructor');
    // A result naming no biomarker says nothing of one.
    expect(read(fhir({ code: loinc('718-7', 'Hemoglobin [Mass/volume] in Blood'), valueQuantity: { value: 13.2, unit: 'g/dL' } }))).toEqual([]);
  });

  it('never takes the kidneys’ filtration rate (eGFR) for the gene', () => {
    expect(resultStatement(fhir({ code: { text: 'EGFR NON-AFR. AMERICAN' }, valueString: 'POSITIVE' }))).toBeNull();
    expect(resultStatement(fhir({ code: { text: 'EGFR' }, valueQuantity: { value: 58, unit: 'mL/min/1.73m2' } }))).toBeNull();
    expect(resultStatement(fhir({ code: { text: 'eGFR (CKD-EPI)' }, valueQuantity: { value: 85, unit: 'mL/min/1.73m2' }, interpretation: [{ coding: [{ code: 'N' }] }] }))).toBeNull();
    expect(resultStatement(fhir({ code: loinc('33914-3', 'Glomerular filtration rate/1.73 sq M.predicted [Volume Rate/Area] in Serum or Plasma by Creatinine-based formula (MDRD)'), valueString: 'positive' }))).toBeNull();
  });

  it('reads a C-CDA result observation by its display and coded or text value', () => {
    const cda = (value: unknown, extra: Record<string, unknown> = {}) => ({ kind: 'observation', display: 'KRAS gene mutation analysis', value: null, unit: null, source: { value, ...extra } });
    expect(read(cda({ '@code': '260415000', '@displayName': 'Not detected' }))).toEqual([{ test: 'KRAS', result: 'not_found' }]);
    expect(read(cda('G12C mutation detected'))).toEqual([{ test: 'KRAS', result: 'found' }]);
    expect(read(cda(undefined, { interpretationCode: { '@code': 'NEG' } }))).toEqual([{ test: 'KRAS', result: 'not_found' }]);
    expect(resultStatement(cda(undefined))).toBeNull();
    expect(resultStatement(cda({ '@displayName': 'Detected' }, { '@negationInd': 'true' }))).toBeNull();
    expect(resultStatement({ ...cda('x'), kind: 'condition' })).toBeNull();
  });
});
