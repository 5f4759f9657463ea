import { describe, expect, it } from 'vitest';
import { KNOWLEDGE } from '../assessment/knowledge.ts';
import { biomarkerCompleteness } from '../assessment/engine.ts';
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

  // DOMAIN.md §3: ovarian "germline/somatic BRCA1/2", prostate "germline and somatic HRR genes",
  // pancreatic "germline testing for all; somatic …": two tests, neither done by the other.
  describe('germline and tumour (somatic) tests', () => {
    const statusIn = (condition: string, stage: 'advanced' | 'early' | 'unknown', done: string[]) => {
      const c = KNOWLEDGE.conditions.find((x) => x.id === condition)!;
      return Object.fromEntries(biomarkerCompleteness(KNOWLEDGE, c, stage, done)!.tests.map((t) => [t.name, t.status]));
    };

    it('does not take a tumour panel that lists BRCA2 for germline testing', () => {
      const found = testsReported('Comprehensive genomic profiling of the tumor (NGS). BRCA2 c.5946delT (p.S1982fs) detected.');
      expect(found).toContain('BRCA2');
      expect(found.some((n) => /GERMLINE/.test(n))).toBe(false);
      // The report says it is of the tumour: the tumour test, and only that.
      const ovarian = statusIn('ovarian_cancer', 'advanced', found);
      expect(ovarian['Germline BRCA1/2']).toBe('check_report');
      expect(ovarian['Somatic (tumor) BRCA1/2']).toBe('done');
    });

    it('does not take the usual germline disclaimer of a tumour report for germline testing', () => {
      const found = testsReported('Tumor NGS panel. This assay does not distinguish between germline and somatic variants. KRAS G12D detected.');
      const pancreas = statusIn('pancreatic_cancer', 'advanced', found);
      expect(pancreas['Germline genetic testing']).toBe('check_report');
      expect(pancreas['Somatic KRAS']).toBe('done');
    });

    it('counts a germline report as the germline test only', () => {
      const found = testsReported('Hereditary cancer panel. Germline BRCA1 and BRCA2: no pathogenic variant identified.');
      const ovarian = statusIn('ovarian_cancer', 'advanced', found);
      expect(ovarian['Germline BRCA1/2']).toBe('done');
      expect(ovarian['Somatic (tumor) BRCA1/2']).toBe('check_report');
      const prostate = statusIn('prostate_cancer', 'advanced', found);
      expect(prostate['Germline HRR genes (BRCA1/2, ATM and others)']).toBe('done');
      expect(prostate['Somatic (tumor) HRR genes']).not.toBe('done');
    });

    it('reads a hereditary cancer panel in its usual wording as the germline tests, and a tumour panel as the tumour tests', () => {
      const hereditary = testsReported('Hereditary Cancer Test Results\nGene: BRCA1   Result: No pathogenic variant detected\nGene: BRCA2   Result: No pathogenic variant detected\nGene: ATM   Result: No pathogenic variant detected');
      expect(statusIn('ovarian_cancer', 'advanced', hereditary)).toMatchObject({ 'Germline BRCA1/2': 'done', 'Somatic (tumor) BRCA1/2': 'check_report' });
      expect(statusIn('breast_cancer', 'advanced', hereditary)['Germline BRCA1/2']).toBe('done');
      expect(statusIn('prostate_cancer', 'advanced', hereditary)).toMatchObject({ 'Germline HRR genes (BRCA1/2, ATM and others)': 'done', 'Somatic (tumor) HRR genes': 'check_report' });
      expect(statusIn('pancreatic_cancer', 'advanced', hereditary)['Germline genetic testing']).toBe('done');
      const tumour = testsReported('Tumor type: high-grade serous carcinoma of the ovary. Specimen: tumor tissue, 40% tumor content.\nBRCA2 c.5946delT (p.S1982fs) detected.\nThis test does not distinguish between germline and somatic variants; germline testing is recommended.');
      expect(statusIn('ovarian_cancer', 'advanced', tumour)).toMatchObject({ 'Germline BRCA1/2': 'check_report', 'Somatic (tumor) BRCA1/2': 'done' });
    });

    it('keeps a HER2 stain apart from the lung cancer’s ERBB2 mutation test', () => {
      const lung = statusIn('lung_cancer', 'advanced', testsReported('HER2 (IHC): score 1+, negative.'));
      expect(lung['ERBB2 (HER2) mutation']).toBe('check_report');
      const lungMutation = statusIn('lung_cancer', 'advanced', testsReported('ERBB2 mutation: exon 20 insertion detected.'));
      expect(lungMutation['ERBB2 (HER2) mutation']).toBe('done');
    });
  });
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
