import { describe, expect, it } from 'vitest';
import { firedRuleIds } from '../../test/support/assessment.ts';
import type { AssessmentAnswers } from './answers.ts';
import { assess } from './engine.ts';
import { lungFunctionNext } from './facts.ts';
import { KNOWLEDGE } from './knowledge.ts';

// One row per rule: answers that make it fire, and close answers that must not.
type A = AssessmentAnswers;
const lungCancer: A = { diagnosis: { code: 'C34.90' } };
const newLung: A = { ...lungCancer, diagnosisStatus: 'new' };
const lobectomy: A = { ...lungCancer, surgery: { recommended: 'yes', operation: 'lobectomy' } };
// Lung function before surgery, as the patient knows it (% of predicted).
const lowLung: A = { ...lobectomy, lungFunction: { fev1Percent: 55, dlcoPercent: 70 } };
const veryLowLung: A = { ...lobectomy, lungFunction: { fev1Percent: 65, dlcoPercent: 28 } };
const colectomy: A = { diagnosis: { code: 'C18.9' }, surgery: { recommended: 'yes', operation: 'colectomy' } };
const onChemo: A = { ...lungCancer, treatment: { received: ['chemotherapy'] } };
const ipf: A = { diagnosis: { code: 'J84.112' } };
const copd: A = { diagnosis: { code: 'J44.9' } };
const ph: A = { diagnosis: { code: 'I27.0' } };

const RULES: [id: string, fires: A, not?: A][] = [
  ['s1.new_cancer', newLung, { ...lungCancer, diagnosisStatus: 'established' }],
  ['s1.new_serious_lung', { ...ipf, diagnosisStatus: 'new' }, { diagnosis: { code: 'J47.9' }, diagnosisStatus: 'new' }],
  ['s2.major_surgery', lobectomy, { ...lungCancer, surgery: { recommended: 'yes', operation: 'minor_procedure' } }],
  ['s2.unclear_operation', { surgery: { recommended: 'yes' } }, { surgery: { recommended: 'not_sure' } }],
  ['s2.lung_resection', lobectomy, colectomy],
  ['s3.not_working', { ...onChemo, treatment: { received: ['chemotherapy'], working: 'no' } }, { ...onChemo, treatment: { received: ['chemotherapy'], working: 'yes' } }],
  ['s3.progressing', { ...onChemo, course: { progressing: true } }, { ...lungCancer, course: { progressing: true } }],
  ['s3.side_effects', { ...onChemo, treatment: { received: ['chemotherapy'], sideEffectsIntolerable: true } }, onChemo],
  ['s4.rare_cancer', { diagnosis: { code: 'C49.9' } }, lungCancer],
  ['s4.complex_lung', ipf, copd],
  ['s4.aggressive', { ...lungCancer, course: { toldAggressive: true } }, lungCancer],
  ['s4.rapid_decline', { ...copd, course: { rapidDecline: true } }, copd],
  ['s5.not_explained', { feelings: { explainedWell: 'no' } }, { feelings: { explainedWell: 'yes' } }],
  ['s5.no_alternatives', { feelings: { alternativesDiscussed: 'no' } }, { feelings: { alternativesDiscussed: 'yes' } }],
  ['s5.values', { feelings: { fitsPriorities: 'no' } }, { feelings: { fitsPriorities: 'yes' } }],
  ['s5.unsure', { feelings: { explainedWell: 'not_sure' } }, { feelings: { explainedWell: 'yes', alternativesDiscussed: 'yes', fitsPriorities: 'yes' } }],
  ['s5.confirmation', { feelings: { wantsConfirmation: true } }, { feelings: { wantsConfirmation: false } }],
  ['urgency.rapid_worsening', { course: { rapidDecline: true } }, {}],
  ['urgency.aggressive_disease', { course: { toldAggressive: true } }, lungCancer],
  ['urgency.treatment_imminent', { timing: 'within_2_weeks' }, { timing: 'within_2_months' }],
  ['urgency.standard', {}, { timing: 'within_2_weeks' }],
  ['rv.condition', lungCancer, { diagnosis: { notSure: true } }],
  ['rv.pathology', lungCancer, { diagnosis: { code: 'C91.40' } }],
  ['rv.radiology_new', newLung, { ...copd, diagnosisStatus: 'established' }],
  ['rv.surgeon', colectomy, { ...lungCancer, surgery: { recommended: 'no' } }],
  ['rv.lung_resection', lobectomy, colectomy],
  ['rv.lung_cancer_progression', { ...lungCancer, course: { progressing: true } }, { diagnosis: { code: 'C18.9' }, course: { progressing: true } }],
  ['center.rare', ipf, copd],
  ['center.fast_moving', { course: { rapidDecline: true } }, {}],
  // The volume standards count operations for cancer: a lobectomy for bronchiectasis has none.
  ['center.volume', lobectomy, { ...lobectomy, diagnosis: { code: 'J47.9' } }],
  ['center.major_surgery', { ...lobectomy, diagnosis: { code: 'J47.9' } }, lobectomy],
  ['checklist.pathology_report', lungCancer, copd],
  ['checklist.pathology_slides', lungCancer, copd],
  ['checklist.imaging_files', {}],
  ['checklist.imaging_reports', {}],
  ['checklist.operative_notes', { treatment: { received: ['surgery'] } }, { treatment: { received: ['radiation'] } }],
  ['checklist.treatment_history', onChemo, lungCancer],
  ['checklist.lab_results', {}],
  ['checklist.molecular_results', lungCancer, copd],
  ['checklist.ct_chest', lungCancer, copd],
  ['checklist.pet_ct', lungCancer, { diagnosis: { code: 'C50.911' } }],
  ['checklist.brain_mri', lungCancer, { diagnosis: { code: 'C50.911' } }],
  ['checklist.pft', lungCancer, { diagnosis: { code: 'C18.9' } }],
  ['checklist.exercise_test', lowLung, veryLowLung],
  ['checklist.cpet', veryLowLung, lowLung],
  ['checklist.smoking_history', lungCancer, copd],
  ['checklist.performance_status', lungCancer, copd],
  ['checklist.hrct', ipf, copd],
  ['checklist.six_minute_walk', ipf, copd],
  ['checklist.serologies', { diagnosis: { code: 'M34.81' } }, copd],
  ['checklist.exposure_history', ipf, copd],
  ['checklist.bal_biopsy', ipf, ph],
  ['checklist.spirometry_post_bd', copd, ipf],
  ['checklist.exacerbation_history', copd, ipf],
  ['checklist.blood_eosinophils', copd, { diagnosis: { code: 'E88.01' } }],
  ['checklist.aat_level', copd, ipf],
  ['checklist.echocardiogram', ph, copd],
  ['checklist.right_heart_cath', ph, copd],
  ['checklist.vq_scan', ph, copd],
  ['checklist.therapy_lines', { ...onChemo, treatment: { received: ['chemotherapy'], working: 'no' } }, onChemo],
  ['checklist.restaging_imaging', { ...onChemo, course: { progressing: true } }, onChemo],
  ['checklist.side_effect_history', { ...onChemo, treatment: { received: ['chemotherapy'], sideEffectsIntolerable: true } }, onChemo],
  ['checklist.current_medications', onChemo, lungCancer],
  ['q.slides_reviewed', newLung, { ...copd, diagnosisStatus: 'new' }],
  ['q.stage', newLung, { ...lungCancer, diagnosisStatus: 'established' }],
  ['q.biomarkers', lungCancer, { diagnosis: { code: 'C73' } }],
  ['q.surgery_needed', colectomy, { surgery: { recommended: 'no' } }],
  ['q.treatment_first', colectomy, { ...copd, surgery: { recommended: 'yes', operation: 'lung_transplant' } }],
  ['q.less_invasive', { ...colectomy, surgery: { recommended: 'yes', operation: 'colectomy', approach: 'open' } }, { ...colectomy, surgery: { recommended: 'yes', operation: 'colectomy', approach: 'robotic' } }],
  ['q.volume', lobectomy, { surgery: { recommended: 'yes', operation: 'minor_procedure' } }],
  ['q.lung_function', lobectomy, colectomy],
  ['q.exercise_test', veryLowLung, { ...lobectomy, lungFunction: { fev1Percent: 75, dlcoPercent: 80 } }],
  ['q.why_stopped', { ...onChemo, treatment: { received: ['chemotherapy'], working: 'no' } }, { ...copd, treatment: { received: ['inhalers'], working: 'no' } }],
  ['q.trials', { diagnosis: { code: 'C7A.00' } }, lungCancer],
  ['q.side_effects', { treatment: { received: ['chemotherapy'], sideEffectsIntolerable: true } }, onChemo],
  ['q.lung_not_responding', { ...copd, treatment: { received: ['inhalers'], working: 'no' } }, { ...onChemo, treatment: { received: ['chemotherapy'], working: 'no' } }],
  ['q.ild_team', ipf, copd],
  ['q.experienced_center', ph, copd],
  ['q.values', { priorities: ['comfort'] }, {}],
  ['q.alternatives', { feelings: { alternativesDiscussed: 'no' } }, { feelings: { alternativesDiscussed: 'yes' } }],
  ['q.explain', { feelings: { explainedWell: 'not_sure' } }, { feelings: { explainedWell: 'yes' } }],
  ['q.timing', { timing: 'within_2_weeks' }, { timing: 'later' }],
  ['cov.cancer', lungCancer, copd],
  ['cov.medicare_surgery', { surgery: { recommended: 'yes' } }, { surgery: { recommended: 'no' } }],
  ['cov.check_plan', copd, lungCancer],
  ['cov.costs', {}],
];

describe('every assessment rule', () => {
  it('has a row in this table (a new rule needs a test)', () => {
    const k = KNOWLEDGE.rules;
    const all = [
      ...k.situations, ...k.urgency.rules, ...k.reviewers, ...k.center, ...k.questions, ...k.coverage,
    ].map((r) => r.id).concat(k.checklist.map((c) => `checklist.${c.id}`), ['urgency.standard']);
    expect(RULES.map(([id]) => id).sort()).toEqual(all.sort());
  });

  it.each(RULES)('%s fires when it should and not otherwise', (id, fires, not) => {
    expect(firedRuleIds(assess(fires))).toContain(id);
    if (not) expect(firedRuleIds(assess(not))).not.toContain(id);
  });
});

describe('volume standards (Leapfrog, DOMAIN.md §5)', () => {
  it('gives the yearly numbers for an operation done for cancer only', () => {
    expect(assess(lobectomy).specialisedCenter.volumeStandard).toMatchObject({ procedure: 'Lung resection for cancer', hospitalMin: 40, surgeonMin: 15 });
    expect(assess({ ...lobectomy, diagnosis: { code: 'J47.9' } }).specialisedCenter.volumeStandard).toBeNull();
    expect(assess({ ...colectomy, diagnosis: { code: 'C20' }, surgery: { recommended: 'yes', operation: 'esophagectomy' } }).specialisedCenter.volumeStandard).toMatchObject({ procedure: 'Esophageal resection for cancer' });
  });
});

describe('lung function before a lung resection (ACCP, DOMAIN.md §5)', () => {
  const next = (lungFunction: A['lungFunction']) => lungFunctionNext({ ...lobectomy, lungFunction });
  it('asks for the test the algorithm needs next from the values before surgery, which the predicted values never exceed', () => {
    expect(next(undefined)).toBe('unknown');
    expect(next({ fev1Percent: 61, dlcoPercent: 90 })).toBe('ppo_needed');
    expect(next({ fev1Percent: 60, dlcoPercent: 90 })).toBe('exercise_test');
    expect(next({ dlcoPercent: 45 })).toBe('exercise_test');
    expect(next({ fev1Percent: 31, dlcoPercent: 30 })).toBe('cpet');
    // One value above 60 % and the other unknown: the question stays open.
    expect(next({ fev1Percent: 80 })).toBe('unknown');
  });

  it('asks for the exercise test only before a lung resection, and says why', () => {
    const r = assess(lowLung);
    expect(r.checklist.find((i) => i.id === 'exercise_test')).toMatchObject({ why: expect.stringContaining('60%') });
    expect(assess({ ...colectomy, lungFunction: { fev1Percent: 40, dlcoPercent: 40 } }).checklist.some((i) => i.id === 'exercise_test' || i.id === 'cpet')).toBe(false);
  });
});

describe('knowledge files', () => {
  it('give every rule and condition a source that exists and a review date', () => {
    const sources = new Set(KNOWLEDGE.sources.map((s) => s.id));
    const entries = [...KNOWLEDGE.conditions, ...KNOWLEDGE.rules.situations, ...KNOWLEDGE.rules.checklist, ...KNOWLEDGE.rules.questions];
    for (const e of entries) {
      expect(e.reviewedOn).toMatch(/^\d{4}-\d{2}-\d{2}$/);
      for (const s of e.sources) expect(sources.has(s), `${e.id} cites ${s}`).toBe(true);
    }
  });

  it('flags the numbers DOMAIN.md marks "verify" so users see the caveat', () => {
    expect(KNOWLEDGE.sources.find((s) => s.id === 'leapfrog')!.verify).toBeTruthy();
    expect(KNOWLEDGE.sources.find((s) => s.id === 'domain-biomarkers')!.verify).toBeTruthy();
  });
});
