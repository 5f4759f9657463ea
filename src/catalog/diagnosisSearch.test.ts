import { describe, expect, it } from 'vitest';
import { matchCondition } from '../assessment/conditionMatch.ts';
import { KNOWLEDGE } from '../assessment/knowledge.ts';
import { checkDiagnosisNames, DIAGNOSIS_NAMES, searchDiagnoses } from './diagnosisSearch.ts';
import { ICD10_CATALOG, findIcd10 } from './icd10.ts';

const names = (q: string, limit = 8) => searchDiagnoses(q, limit).map((h) => h.name);
const first = (q: string) => searchDiagnoses(q, 1)[0];

describe('diagnosis search: the words people use', () => {
  it('finds the three names that used to find nothing, plain name first with its code', () => {
    expect(first('lung cancer')).toMatchObject({ name: 'Lung cancer', code: 'C34.90', kind: 'name', matched: null });
    expect(first('COPD')).toMatchObject({ name: 'COPD', code: 'J44.9', kind: 'name' });
    expect(first('breast cancer')).toMatchObject({ name: 'Breast cancer', code: 'C50.919', kind: 'name' });
  });

  it('forgives typos', () => {
    expect(first('lung cancr')?.name).toBe('Lung cancer');
    expect(first('mesotheleoma')?.name).toBe('Mesothelioma');
    expect(first('brest cancer')?.name).toBe('Breast cancer');
    expect(first('pancreatc cancer')?.name).toBe('Pancreatic cancer');
    expect(first('idiopatic pulmonary fibrosis')?.code).toBe('J84.112');
  });

  it('knows abbreviations and synonyms, and says which one matched', () => {
    expect(first('NSCLC')).toMatchObject({ name: 'Non-small cell lung cancer', matched: 'NSCLC', code: 'C34.90' });
    expect(first('sclc')).toMatchObject({ name: 'Small cell lung cancer', matched: 'SCLC' });
    expect(first('ILD')).toMatchObject({ name: 'Interstitial lung disease', code: 'J84.9' });
    expect(first('IPF')?.code).toBe('J84.112');
    expect(first('emphysema')?.code).toBe('J43.9');
    expect(first('chronic bronchitis')).toMatchObject({ name: 'COPD', matched: 'chronic bronchitis' });
    expect(first('glioblastoma')).toMatchObject({ name: 'Brain tumor', matched: 'glioblastoma', code: 'C71.9' });
    expect(first('spot on my lung')?.code).toBe('R91.1');
  });

  it('matches words in any order, ignoring case, accents and filler words', () => {
    expect(first('cancer lung')?.name).toBe('Lung cancer');
    expect(first('cancer of the lung')?.name).toBe('Lung cancer');
    expect(first('LUNG CANCER')?.name).toBe('Lung cancer');
    expect(first('Emphysème')?.name).toBe('Emphysema');
    expect(first('Hodgkin’s lymphoma')?.name).toBe('Hodgkin lymphoma');
  });

  it('ranks plain names before official descriptions, and an exact name before longer ones', () => {
    const hits = searchDiagnoses('lung', 20);
    const lastName = hits.findLastIndex((h) => h.kind === 'name');
    const firstCode = hits.findIndex((h) => h.kind === 'code');
    expect(lastName).toBeGreaterThanOrEqual(0);
    expect(firstCode).toBeGreaterThan(lastName);
    expect(names('COPD')[0]).toBe('COPD');
    expect(names('sarcoma')).toEqual(expect.arrayContaining(['Soft tissue sarcoma', 'Bone sarcoma']));
    // The official wording of a code already offered by name is not offered twice.
    expect(hits.filter((h) => h.code === 'C34.90' && h.kind === 'code')).toEqual([]);
  });

  it('still finds official descriptions and codes', () => {
    expect(first('upper lobe, right')).toMatchObject({ code: 'C34.11', kind: 'code', name: 'Malignant neoplasm of upper lobe, right bronchus or lung' });
    expect(searchDiagnoses('C34', 50).every((h) => h.code.startsWith('C34'))).toBe(true);
    expect(first('j84.112')?.code).toBe('J84.112');
  });

  it('answers nothing, not everything, when nothing fits', () => {
    expect(searchDiagnoses('zzzz')).toEqual([]);
    expect(searchDiagnoses('broken ankle')).toEqual([]);
  });

  it('gives every answer a unique id', () => {
    for (const q of ['', 'lung', 'cancer', 'C']) {
      const ids = searchDiagnoses(q, 100).map((h) => h.id);
      expect(new Set(ids).size).toBe(ids.length);
    }
  });

  it('stays fast over the whole catalogue', () => {
    const queries = ['lung cancr', 'mesotheleoma', 'upper lobe right', 'copd', 'breast cancer', 'pulmonary'];
    const start = performance.now();
    for (let i = 0; i < 200; i++) for (const q of queries) searchDiagnoses(q, 8);
    expect((performance.now() - start) / (200 * queries.length)).toBeLessThan(5);
  });
});

describe('the plain-name data file', () => {
  it('carries its source and review date', () => {
    expect(DIAGNOSIS_NAMES.source).toMatch(/ICD-10-CM/);
    expect(DIAGNOSIS_NAMES.source).toMatch(/NCHS/);
    expect(DIAGNOSIS_NAMES.reviewedOn).toMatch(/^\d{4}-\d{2}-\d{2}$/);
  });

  it('maps every name to codes that are in the catalogue', () => {
    expect(checkDiagnosisNames(DIAGNOSIS_NAMES.names)).toEqual([]);
    for (const n of DIAGNOSIS_NAMES.names) expect(findIcd10(n.code), n.id).toBeDefined();
  });

  it('refuses an invented code, a code outside its range, and an empty range', () => {
    const base = DIAGNOSIS_NAMES.names[0]!;
    expect(checkDiagnosisNames([{ ...base, code: 'C34.99' }])).toEqual([expect.stringMatching(/C34\.99 is not in icd10cm\.json/)]);
    expect(checkDiagnosisNames([{ ...base, code: 'J44.9' }])).toEqual([expect.stringMatching(/outside its ranges/)]);
    expect(checkDiagnosisNames([{ ...base, codes: ['C34', 'C99'] }])).toEqual([expect.stringMatching(/range C99 holds no code/)]);
  });

  it('leads the assessment to the condition its range stands for', () => {
    for (const n of DIAGNOSIS_NAMES.names) {
      const picked = matchCondition(KNOWLEDGE, { code: n.code }).condition?.id;
      expect(picked, n.id).toBeTruthy();
      expect(picked, n.id).not.toBe('other_cancer');
      // A range may hold more specific conditions (ILD holds IPF); the range itself is the name's.
      for (const r of n.codes) expect(matchCondition(KNOWLEDGE, { code: r }).condition?.id, `${n.id} ${r}`).toBe(picked);
    }
  });

  it('names every condition the assessment knows that has a code in the catalogue', () => {
    const reachable = new Set(DIAGNOSIS_NAMES.names.map((n) => matchCondition(KNOWLEDGE, { code: n.code }).condition?.id));
    const coded = KNOWLEDGE.conditions.filter((c) => c.id !== 'other_cancer' && ICD10_CATALOG.codes.some((x) => matchCondition(KNOWLEDGE, { code: x.code }).condition?.id === c.id));
    expect(coded.map((c) => c.id).filter((id) => !reachable.has(id))).toEqual([]);
  });
});
