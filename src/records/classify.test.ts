import { describe, expect, it } from 'vitest';
import { KNOWLEDGE } from '../assessment/knowledge.ts';
import { itemsOfImagingStudy, testsReported } from './classify.ts';

describe('imaging studies on the checklist', () => {
  it('names the scans a study is, by modality and the words of its body part and descriptions', () => {
    expect(itemsOfImagingStudy(['CT'], 'CHEST CT CHEST WITH CONTRAST')).toEqual(['imaging_files', 'ct_chest']);
    expect(itemsOfImagingStudy(['CT'], 'LUNG HRCT prone expiratory')).toEqual(['imaging_files', 'ct_chest', 'hrct']);
    expect(itemsOfImagingStudy(['PT', 'CT'], 'WHOLEBODY')).toEqual(['imaging_files', 'pet_ct']);
    expect(itemsOfImagingStudy(['MR'], 'BRAIN')).toEqual(['imaging_files', 'brain_mri']);
    expect(itemsOfImagingStudy(['CT'], 'ABDOMEN')).toEqual(['imaging_files']);
    expect(itemsOfImagingStudy([], '')).toEqual(['imaging_files']);
  });
});

describe('biomarker tests a report names', () => {
  it('counts each gene a guideline lists on its own: one gene tested is not its neighbours', () => {
    const found = testsReported('Next-generation sequencing: PIK3CA H1047R detected. KRAS G12D detected. Microsatellite stable.');
    expect(found).toEqual(expect.arrayContaining(['PIK3CA', 'KRAS']));
    for (const gene of ['AKT1', 'PTEN', 'NRAS', 'ATRX', 'TERT', 'CDKN2A']) expect(found).not.toContain(gene);
  });

  it('keeps a combined entry only where either test answers the same question (MMR by IHC or MSI)', () => {
    const combined = KNOWLEDGE.panels.flatMap((p) => p.tests.map((t) => t.name)).filter((n) => /[A-Za-z0-9]\s*\/\s*[A-Z]{2}|,\s*[A-Z0-9]{3}/.test(n) && !/^(MMR \/ MSI|MSI \/ MMR)$/.test(n));
    // Gene families named as one test (BRCA1/2, IDH1/2, NTRK1/2/3, 1p/19q) are one assay and stay one entry,
    // as does a kind of test named by examples (the sarcoma's defining tests, DOMAIN.md §3).
    expect(combined.filter((n) => !/BRCA1\/2|IDH1\/2|NTRK1\/2\/3|1p\/19q|IHC\/ISH|\(for example /.test(n))).toEqual([]);
  });
});
