import { describe, expect, it } from 'vitest';
import type { AssessmentAnswers } from './answers.ts';
import { assess } from './engine.ts';

/**
 * Synthetic clinical vignettes (invented people, not cases) across the five situations and the
 * cancers and lung diseases of DOMAIN.md, including combinations and cases where nothing applies.
 */
interface Vignette {
  name: string;
  answers: AssessmentAnswers;
  situations: number[];
  urgency?: 'standard' | 'expedited';
  reviewers?: string[];
  checklist?: string[];
  missing?: string[];
  center?: boolean;
  condition?: string | null;
}

const V: Vignette[] = [
  // Situation 1 and 2 together: the issue's own example.
  { name: '67-year-old, new right-upper-lobe adenocarcinoma, open lobectomy proposed', answers: { diagnosis: { code: 'C34.11' }, diagnosisStatus: 'new', spread: 'no', surgery: { recommended: 'yes', operation: 'lobectomy', approach: 'open' } },
    situations: [1, 2], urgency: 'standard', reviewers: ['thoracic_surgery', 'pulmonology', 'pathology', 'medical_oncology'], checklist: ['pft', 'pathology_slides', 'imaging_files', 'ct_chest'], missing: ['EGFR', 'ALK', 'PD-L1 (IHC)'], center: true },
  { name: 'new lung cancer, spread to the bones, typed in words only', answers: { diagnosis: { text: 'Stage 4 non-small cell lung cancer' }, diagnosisStatus: 'new', spread: 'yes' },
    situations: [1], condition: 'lung_cancer', missing: ['EGFR (including exon 20 insertions)', 'ALK', 'ROS1', 'BRAF V600E', 'KRAS G12C', 'MET exon 14 skipping', 'RET', 'NTRK1/2/3', 'ERBB2 (HER2) mutation', 'PD-L1 (IHC)'] },
  { name: 'advanced lung cancer with broad NGS done: genes to check on the report, PD-L1 still missing', answers: { diagnosis: { code: 'C34.90' }, spread: 'yes', diagnosisStatus: 'established', records: { molecularTestsDone: ['Comprehensive NGS panel'] } },
    situations: [], missing: ['PD-L1 (IHC)'] },
  { name: 'advanced lung cancer, EGFR and PD-L1 done', answers: { diagnosis: { code: 'C34.90' }, spread: 'yes', diagnosisStatus: 'new', records: { molecularTestsDone: ['EGFR', 'PD-L1'] } },
    situations: [1], missing: ['ALK', 'ROS1', 'BRAF V600E', 'KRAS G12C', 'MET exon 14 skipping', 'RET', 'NTRK1/2/3', 'ERBB2 (HER2) mutation'] },
  { name: 'lung cancer progressing on osimertinib', answers: { diagnosis: { code: 'C34.31' }, diagnosisStatus: 'established', spread: 'yes', treatment: { received: ['targeted_therapy'], working: 'no' }, course: { progressing: true } },
    situations: [3], reviewers: ['pulmonology', 'medical_oncology'], checklist: ['therapy_lines', 'restaging_imaging', 'current_medications'] },
  { name: 'lung cancer, immunotherapy working but side effects are unbearable', answers: { diagnosis: { code: 'C34.90' }, diagnosisStatus: 'established', treatment: { received: ['immunotherapy'], working: 'yes', sideEffectsIntolerable: true } },
    situations: [3], checklist: ['side_effect_history'] },
  { name: 'lung cancer, pneumonectomy in 10 days', answers: { diagnosis: { code: 'C34.12' }, diagnosisStatus: 'new', surgery: { recommended: 'yes', operation: 'pneumonectomy' }, timing: 'within_2_weeks' },
    situations: [1, 2], urgency: 'expedited', reviewers: ['thoracic_surgery', 'pulmonology'] },
  { name: 'wedge resection by VATS for a small lung cancer', answers: { diagnosis: { code: 'C34.10' }, diagnosisStatus: 'new', spread: 'no', surgery: { recommended: 'yes', operation: 'sublobar_resection', approach: 'minimally_invasive' } },
    situations: [1, 2], checklist: ['pft'], center: true },
  { name: 'pleural mesothelioma, new', answers: { diagnosis: { code: 'C45.0' }, diagnosisStatus: 'new' }, situations: [1], reviewers: ['pathology', 'medical_oncology', 'radiology'] },
  // Other cancers and their biomarkers.
  { name: 'new breast cancer, HER2 unclear, lumpectomy offered', answers: { diagnosis: { code: 'C50.912' }, diagnosisStatus: 'new', spread: 'no', surgery: { recommended: 'yes', operation: 'mastectomy' }, records: { molecularTestsDone: ['ER', 'PR'] } },
    situations: [1, 2], reviewers: ['breast_surgery'], missing: ['HER2 (IHC/ISH, including HER2-low)', 'Ki-67', 'Germline BRCA1/2'] },
  { name: 'metastatic hormone-positive breast cancer on hormone therapy, progressing', answers: { diagnosis: { code: 'C50.911' }, diagnosisStatus: 'established', spread: 'yes', treatment: { received: ['hormone_therapy'], working: 'no' }, records: { molecularTestsDone: ['ER', 'PR', 'HER2', 'Ki-67', 'BRCA'] } },
    situations: [3], missing: ['PIK3CA', 'AKT1', 'PTEN', 'ESR1'] },
  { name: 'metastatic colon cancer progressing on chemotherapy', answers: { diagnosis: { code: 'C18.9' }, diagnosisStatus: 'established', spread: 'yes', treatment: { received: ['chemotherapy'], working: 'no' }, course: { progressing: true } },
    situations: [3], missing: ['MMR / MSI', 'KRAS (extended RAS testing)', 'NRAS (extended RAS testing)', 'BRAF V600E', 'HER2 amplification', 'NTRK fusions'] },
  { name: 'early colon cancer: no panel until it spreads', answers: { diagnosis: { code: 'C18.9' }, diagnosisStatus: 'new', spread: 'no', surgery: { recommended: 'yes', operation: 'colectomy', approach: 'robotic' } },
    situations: [1, 2], reviewers: ['colorectal_surgery'], missing: undefined },
  { name: 'rectal cancer surgery proposed at a small hospital', answers: { diagnosis: { code: 'C20' }, diagnosisStatus: 'new', surgery: { recommended: 'yes', operation: 'rectal_resection' } },
    situations: [1, 2], center: true },
  { name: 'pancreatic cancer, Whipple proposed', answers: { diagnosis: { code: 'C25.9' }, diagnosisStatus: 'new', surgery: { recommended: 'yes', operation: 'pancreatectomy' } },
    situations: [1, 2], reviewers: ['hpb_surgery'], missing: ['Germline genetic testing', 'Somatic KRAS', 'Somatic BRCA', 'NTRK', 'MSI'], center: true },
  { name: 'esophageal cancer, esophagectomy proposed', answers: { diagnosis: { code: 'C15.9' }, diagnosisStatus: 'new', surgery: { recommended: 'yes', operation: 'esophagectomy' } },
    situations: [1, 2], reviewers: ['upper_gi_surgery'], center: true },
  { name: 'stomach cancer, new', answers: { diagnosis: { code: 'C16.9' }, diagnosisStatus: 'new' }, situations: [1], missing: ['HER2', 'PD-L1 (CPS)', 'MSI / MMR', 'Claudin 18.2'] },
  { name: 'bile duct cancer with FGFR2 tested', answers: { diagnosis: { code: 'C22.1' }, diagnosisStatus: 'new', records: { molecularTestsDone: ['FGFR2 fusion'] } }, situations: [1], missing: ['IDH1', 'HER2', 'MSI', 'NTRK', 'BRAF V600E'] },
  { name: 'melanoma, BRAF done', answers: { diagnosis: { code: 'C43.9' }, diagnosisStatus: 'new', records: { molecularTestsDone: ['BRAF V600E'] } }, situations: [1], missing: [] },
  { name: 'advanced prostate cancer', answers: { diagnosis: { code: 'C61' }, diagnosisStatus: 'established', spread: 'yes', feelings: { alternativesDiscussed: 'no' } },
    situations: [5], missing: ['Germline HRR genes (BRCA1/2, ATM and others)', 'Somatic (tumor) HRR genes', 'MSI / MMR'] },
  { name: 'localised prostate cancer, surgery or radiation?', answers: { diagnosis: { code: 'C61' }, diagnosisStatus: 'new', spread: 'no', surgery: { recommended: 'yes', operation: 'prostatectomy' }, feelings: { alternativesDiscussed: 'not_sure', fitsPriorities: 'not_sure' }, priorities: ['function'] },
    situations: [1, 2, 5], reviewers: ['urology'] },
  { name: 'ovarian cancer, new', answers: { diagnosis: { code: 'C56.9' }, diagnosisStatus: 'new' }, situations: [1], reviewers: ['gynecologic_oncology'], missing: ['Germline BRCA1/2', 'Somatic (tumor) BRCA1/2', 'HRD (homologous recombination deficiency)'] },
  // Rare and aggressive: situation 4.
  { name: 'soft-tissue sarcoma of the thigh', answers: { diagnosis: { code: 'C49.9' }, diagnosisStatus: 'new', surgery: { recommended: 'yes', operation: 'sarcoma_resection' } },
    situations: [1, 2, 4], reviewers: ['sarcoma_surgery'], center: true, missing: ['Molecular tests that define the sarcoma type (for example MDM2 amplification, SS18 or EWSR1 rearrangement)'] },
  { name: 'GIST of the stomach', answers: { diagnosis: { code: 'C49.A0' }, diagnosisStatus: 'new' }, situations: [1, 4], condition: 'gist', missing: ['KIT', 'PDGFRA'] },
  { name: 'osteosarcoma typed in words', answers: { diagnosis: { text: 'osteosarcoma of the femur' }, diagnosisStatus: 'new' }, situations: [1, 4], condition: 'bone_sarcoma' },
  { name: 'hairy cell leukemia, established, stable', answers: { diagnosis: { code: 'C91.40' }, diagnosisStatus: 'established' }, situations: [4], reviewers: ['hematopathology', 'hematology_oncology'], missing: ['BRAF V600E'], center: true },
  { name: 'neuroendocrine tumor', answers: { diagnosis: { code: 'C7A.00' }, diagnosisStatus: 'new' }, situations: [1, 4], missing: ['Ki-67 index and grade', 'SSTR imaging (Ga-68 or Cu-64 DOTATATE PET)'] },
  { name: 'glioma, doctor says it is fast-growing, surgery in days', answers: { diagnosis: { code: 'C71.9' }, diagnosisStatus: 'new', course: { toldAggressive: true }, surgery: { recommended: 'yes', operation: 'brain_tumor_surgery' }, timing: 'within_2_weeks' },
    situations: [1, 2, 4], urgency: 'expedited', reviewers: ['neurosurgery', 'neuro_oncology'], missing: ['IDH1/2', '1p/19q codeletion', 'MGMT promoter methylation'] },
  { name: 'testicular cancer', answers: { diagnosis: { code: 'C62.90' }, diagnosisStatus: 'new' }, situations: [1, 4], condition: 'rare_gu_cancer' },
  { name: 'acute leukemia getting worse fast', answers: { diagnosis: { code: 'C92.00' }, diagnosisStatus: 'new', course: { rapidDecline: true } }, situations: [1, 4], urgency: 'expedited', reviewers: ['hematology_oncology'] },
  // Lung diseases.
  { name: 'suspected IPF, new', answers: { diagnosis: { code: 'J84.112' }, diagnosisStatus: 'new' },
    situations: [1, 4], reviewers: ['pulmonology_ild', 'radiology'], checklist: ['hrct', 'pft', 'six_minute_walk', 'serologies', 'exposure_history', 'bal_biopsy'], center: true },
  { name: 'IPF with breathing declining fast', answers: { diagnosis: { code: 'J84.112' }, diagnosisStatus: 'established', course: { rapidDecline: true }, treatment: { received: ['antifibrotic'], working: 'no' } },
    situations: [3, 4], urgency: 'expedited' },
  { name: 'systemic sclerosis with lung involvement', answers: { diagnosis: { code: 'M34.81' }, diagnosisStatus: 'new' }, situations: [1, 4], condition: 'ild', checklist: ['serologies'] },
  { name: 'hypersensitivity pneumonitis described in words', answers: { diagnosis: { text: 'bird fancier pneumonitis' }, diagnosisStatus: 'new' }, situations: [1, 4], condition: 'ild' },
  { name: 'COPD not responding to inhalers', answers: { diagnosis: { code: 'J44.9' }, diagnosisStatus: 'established', treatment: { received: ['inhalers'], working: 'no' } },
    situations: [3], reviewers: ['pulmonology'], checklist: ['spirometry_post_bd', 'exacerbation_history', 'blood_eosinophils', 'aat_level'] },
  { name: 'new COPD diagnosis', answers: { diagnosis: { code: 'J44.1' }, diagnosisStatus: 'new' }, situations: [1] },
  { name: 'alpha-1 antitrypsin deficiency', answers: { diagnosis: { code: 'E88.01' }, diagnosisStatus: 'established' }, situations: [4], checklist: ['aat_level'] },
  { name: 'pulmonary arterial hypertension, new', answers: { diagnosis: { code: 'I27.0' }, diagnosisStatus: 'new' }, situations: [1, 4], reviewers: ['pulmonology_ph'], checklist: ['echocardiogram', 'right_heart_cath', 'vq_scan', 'pft'] },
  { name: 'CTEPH, lung transplant discussed', answers: { diagnosis: { code: 'I27.24' }, diagnosisStatus: 'established', surgery: { recommended: 'yes', operation: 'lung_transplant' } }, situations: [2, 4], reviewers: ['thoracic_surgery'] },
  { name: 'cystic fibrosis', answers: { diagnosis: { code: 'E84.0' }, diagnosisStatus: 'established' }, situations: [4] },
  // Situation 5 and the feelings questions.
  { name: 'lung cancer, plan never explained, wants confirmation', answers: { diagnosis: { code: 'C34.90' }, diagnosisStatus: 'established', feelings: { explainedWell: 'no', wantsConfirmation: true } }, situations: [5] },
  { name: 'breast cancer, chemo plan does not fit priorities', answers: { diagnosis: { code: 'C50.919' }, diagnosisStatus: 'established', feelings: { fitsPriorities: 'no' }, priorities: ['time_at_home', 'comfort'] }, situations: [5] },
  // Nothing applies, kindly.
  { name: 'established COPD, treatment working, happy with the plan', answers: { diagnosis: { code: 'J44.9' }, diagnosisStatus: 'established', treatment: { received: ['inhalers'], working: 'yes' }, feelings: { explainedWell: 'yes', alternativesDiscussed: 'yes', fitsPriorities: 'yes' } }, situations: [], urgency: 'standard' },
  { name: 'a lung nodule being watched', answers: { diagnosis: { code: 'R91.1' }, diagnosisStatus: 'new' }, situations: [], reviewers: ['pulmonology', 'radiology'] },
  { name: 'bronchiectasis, stable', answers: { diagnosis: { code: 'J47.9' }, diagnosisStatus: 'established', treatment: { received: ['other'], working: 'yes' } }, situations: [] },
  { name: 'not sure of anything', answers: { diagnosis: { notSure: true } }, situations: [], condition: null, urgency: 'standard' },
  { name: 'unknown code, vague words', answers: { diagnosis: { code: 'Z99.9', text: 'something in my chest' } }, situations: [], condition: null },
  { name: 'unknown diagnosis but surgery booked in a week', answers: { diagnosis: { notSure: true }, surgery: { recommended: 'yes', operation: 'not_sure' }, timing: 'within_2_weeks' }, situations: [2], urgency: 'expedited' },
];

describe('clinical vignettes', () => {
  it('number at least 40', () => expect(V.length).toBeGreaterThanOrEqual(40));

  it.each(V.map((v) => [v.name, v] as const))('%s', (_name, v) => {
    const r = assess(v.answers);
    expect(r.situations.map((s) => s.number).sort()).toEqual([...v.situations].sort());
    if (v.situations.length === 0) expect(r.noneApply?.text).toMatch(/none of the five/);
    if (v.urgency) expect(r.urgency.level).toBe(v.urgency);
    if (v.reviewers) expect(r.reviewers.map((x) => x.specialty)).toEqual(expect.arrayContaining(v.reviewers));
    if (v.checklist) expect(r.checklist.map((x) => x.id)).toEqual(expect.arrayContaining(v.checklist));
    if (v.missing) expect(r.biomarkers?.missing ?? []).toEqual(v.missing);
    if ('missing' in v && v.missing === undefined) expect(r.biomarkers).toBeNull();
    if (v.center !== undefined) expect(r.specialisedCenter.matters).toBe(v.center);
    if (v.condition !== undefined) expect(r.condition.id).toBe(v.condition);
    expect(r.urgency.reminder.text).toMatch(/Do not stop or put off urgent treatment/);
    expect(r.disclaimer).toMatch(/not medical advice/);
  });
});
