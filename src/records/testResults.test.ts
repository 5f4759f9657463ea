import { describe, expect, it } from 'vitest';
import { findingsByTest, resultsReported, TEST_GENE } from './testResults.ts';

const read = (text: string) => resultsReported(text).map((r) => `${r.test} ${r.result}`);

describe('results a molecular report states', () => {
  it('reads one statement per test, in the report’s own words', () => {
    expect(read('EGFR: no mutation detected. ALK fusion: not detected. ROS1 fusion: not detected.')).toEqual(['EGFR not_found', 'ALK not_found', 'ROS1 not_found']);
    expect(read('EGFR exon 19 deletion: pathogenic variant detected, allele frequency 22%.')).toEqual(['EGFR found']);
    expect(read('KRAS p.G12C (c.34G>T)')).toEqual(['KRAS found']);
    expect(read('BRAF V600E mutation positive')).toEqual(['BRAF found']);
    expect(read('KRAS: wild-type')).toEqual(['KRAS not_found']);
    // A HER2 stain is the stain, not the lung cancer's ERBB2 (HER2) mutation test, which a report
    // names as a mutation.
    expect(read('HER2 (IHC) negative, score 1+')).toEqual(['HER2 not_found']);
    expect(read('ERBB2 mutation: exon 20 insertion detected')).toEqual(['ERBB2 MUTATION found']);
    // A gene that names no test by itself (germline or tumour BRCA?) keeps its finding under its own name.
    expect(read('BRCA2 c.5946delT (p.S1982fs) detected')).toEqual(['BRCA2 found']);
    expect(read('No EGFR mutation detected')).toEqual(['EGFR not_found']);
    expect(read('No KRAS mutations were identified.')).toEqual(['KRAS not_found']);
    expect(read('No ALK rearrangement identified')).toEqual(['ALK not_found']);
  });

  it('keeps the words each result was read from', () => {
    expect(resultsReported('Result summary\nEGFR exon 19 deletion detected; ALK: not detected')).toEqual([
      { test: 'EGFR', result: 'found', evidence: 'EGFR exon 19 deletion detected' },
      { test: 'ALK', result: 'not_found', evidence: 'ALK: not detected' },
    ]);
  });

  it('reads a negative list for every test in it, and a mixed statement part by part', () => {
    expect(read('No alterations detected in ALK, ROS1, RET or NTRK1')).toEqual(['ALK not_found', 'ROS1 not_found', 'NTRK not_found']);
    expect(read('Negative for EGFR, ALK and ROS1')).toEqual(['EGFR not_found', 'ALK not_found', 'ROS1 not_found']);
    expect(read('EGFR L858R detected, ALK not detected')).toEqual(['EGFR found', 'ALK not_found']);
    // The second change is not a test of the panel: the first part alone says EGFR.
    expect(read('EGFR exon 19 deletion detected, T790M not detected')).toEqual(['EGFR found']);
    expect(read('KRAS G12C, EGFR negative')).toEqual(['KRAS found', 'EGFR not_found']);
  });

  it('does not read what is not a plain statement of a result', () => {
    // Methods and limits: "may not be detected" is not a negative result.
    expect(read('Alterations in EGFR, ALK and ROS1 present below 5% allele frequency may not be detected by this assay.')).toEqual([]);
    expect(read('Genes tested: EGFR, ALK, ROS1, BRAF, KRAS, MET, RET, NTRK1/2/3')).toEqual([]);
    // Several tests with a positive word: which one is positive is unclear.
    expect(read('EGFR and ALK: detected')).toEqual([]);
    // An everyday word that is also a gene symbol does not count ("met the criteria").
    expect(read('The sample met the quality criteria; tumour content adequate.')).toEqual([]);
    expect(read('')).toEqual([]);
    // A change not found is not the gene not found: another change may be there.
    expect(read('EGFR T790M: not detected')).toEqual([]);
    expect(read('KRAS G12C: Negative')).toEqual([]);
    // For mismatch repair stains an absent or negative protein is the finding: not read.
    expect(read('MMR IHC: MLH1 and PMS2 expression absent')).toEqual([]);
    expect(read('Mismatch repair proteins: MLH1 negative')).toEqual([]);
  });

  it('reads a result on the line after its test, as tables lay them out, and nothing else that follows a test', () => {
    expect(resultsReported('EGFR\nNot detected\nKRAS\np.G12C detected')).toEqual([
      { test: 'EGFR', result: 'not_found', evidence: 'EGFR Not detected' },
      { test: 'KRAS', result: 'found', evidence: 'KRAS p.G12C detected' },
    ]);
    expect(read('Gene: ALK\nResult: fusion not detected')).toEqual(['ALK not_found']);
    expect(read('ROS1 rearrangement\nNegative')).toEqual(['ROS1 not_found']);
    // A line naming another test, a labelled line of something else, a value, or a hedge is not carried back.
    expect(read('EGFR\nALK: not detected')).toEqual(['ALK not_found']);
    expect(read('EGFR\nSpecimen: positive margin')).toEqual([]);
    expect(read('EGFR\nTumor content 40%')).toEqual([]);
    expect(read('EGFR\nMay not be detected below 5%')).toEqual([]);
    expect(read('KRAS')).toEqual([]);
    // Result words in a table cell, whatever their case.
    expect(read('EGFR\nDetected')).toEqual(['EGFR found']);
  });

  it('never pairs a table read column by column, and reads a change not found as nothing', () => {
    // Names down one column, results down the next: which result is whose cannot be told.
    expect(read('EGFR\nKRAS\nROS1\nNegative\nNegative\nPositive')).toEqual([]);
    expect(read('EGFR\nKRAS\nBRAF\nNot detected\nNot detected\nDetected')).toEqual([]);
    // A row of gene, change and result: the change was not found, which says nothing of the gene.
    expect(read('KRAS\tG12C\tNot detected')).toEqual([]);
    expect(read('EGFR | L858R | Not detected')).toEqual([]);
    expect(read('KRAS G12C\nNot detected')).toEqual([]);
    expect(read('BRAF V600E\nNot detected')).toEqual([]);
  });

  it('quotes a value stated for one test, without judging it', () => {
    expect(read('PD-L1 (22C3) tumor proportion score 30%.')).toEqual(['PD-L1 stated']);
    expect(read('Ki-67 proliferation index: 25%')).toEqual(['KI-67 stated']);
    // A value beside a plain result adds its words; found and not found still disagree.
    const f = findingsByTest([...resultsReported('PD-L1 TPS 60%'), ...resultsReported('PD-L1: positive')]);
    expect(f.get('PD-L1')).toEqual({ result: 'found', evidence: ['PD-L1 TPS 60%', 'PD-L1: positive'] });
    expect(read('')).toEqual([]);
  });

  it('gathers each test’s results across reports, and says when they disagree', () => {
    const findings = findingsByTest([...resultsReported('EGFR: no mutation detected.'), ...resultsReported('EGFR L858R detected'), ...resultsReported('ALK: negative')]);
    expect(findings.get('EGFR')).toEqual({ result: 'conflicting', evidence: ['EGFR: no mutation detected', 'EGFR L858R detected'] });
    expect(findings.get('ALK')).toEqual({ result: 'not_found', evidence: ['ALK: negative'] });
  });

  it('shortens a long statement kept as evidence', () => {
    const [r] = resultsReported(`KRAS G12C detected ${'with a long comment '.repeat(20)}`);
    expect(r!.evidence.length).toBeLessThanOrEqual(160);
    expect(r!.evidence.endsWith('…')).toBe(true);
  });
});

describe('a test’s gene as people write it (trial notes say "BRCA", not "GERMLINE BRCA")', () => {
  it('is the first alias, or the gene mentioned where that alias names more', () => {
    expect(['EGFR (including exon 20 insertions)', 'MET exon 14 skipping', 'ERBB2 (HER2) mutation', 'HER2 (IHC/ISH, including HER2-low)', 'Germline BRCA1/2', 'Somatic (tumor) BRCA1/2'].map((n) => TEST_GENE.get(n)))
      .toEqual(['EGFR', 'MET', 'ERBB2', 'HER2', 'BRCA', 'BRCA']);
  });
});
