import { describe, expect, it } from 'vitest';
import { anIntake } from '../../test/support/builders.ts';
import { ConditionSection, intakeForRole, missingIntakeSections, type Intake, PatientSection, PlanSection, PrioritiesSection, SituationsSection, TreatmentSection } from './intake.ts';
import { KNOWLEDGE } from '../assessment/knowledge.ts';
import { decideUrgency } from './urgency.ts';

describe('intake sections', () => {
  it('a complete intake has nothing missing; an empty one misses every step in order', () => {
    expect(missingIntakeSections(anIntake())).toEqual([]);
    expect(missingIntakeSections({})).toEqual(['patient', 'condition', 'situations', 'plan', 'treatment', 'questions', 'priorities']);
  });

  it('needs the state for US patients (licensure) but not elsewhere', () => {
    const p = anIntake().patient;
    expect(PatientSection.safeParse({ ...p, state: undefined }).success).toBe(false);
    expect(PatientSection.safeParse({ ...p, state: undefined, country: 'DE' }).success).toBe(true);
    expect(PatientSection.safeParse({ ...p, country: 'usa' }).success).toBe(false);
  });

  it('accepts only bundled ICD-10-CM codes, in any letter case', () => {
    const c = anIntake().condition;
    expect(ConditionSection.parse({ ...c, icd10Code: 'j84.112' }).icd10Code).toBe('J84.112');
    expect(ConditionSection.safeParse({ ...c, icd10Code: 'C34' }).success).toBe(false);
  });

  it('situations are 1–5, each once; priorities each once', () => {
    expect(SituationsSection.safeParse({ situations: [1, 1] }).success).toBe(false);
    expect(SituationsSection.safeParse({ situations: [6] }).success).toBe(false);
    expect(SituationsSection.safeParse({ situations: [] }).success).toBe(false);
    expect(PrioritiesSection.safeParse({ ranked: ['cost', 'cost'] }).success).toBe(false);
    expect(PrioritiesSection.safeParse({ ranked: ['wealth'] }).success).toBe(false);
  });

  it('a proposed surgery must be named; a treatment cannot end before it starts', () => {
    expect(PlanSection.safeParse({ ...anIntake().plan, surgeryDescription: undefined }).success).toBe(false);
    expect(TreatmentSection.safeParse({ treatments: [{ description: 'Chemo', startedOn: '2026-05-01', endedOn: '2026-01-01', response: 'working' }] }).success).toBe(false);
  });
});

describe('urgency rules', () => {
  it('is standard when no rule fires, with a reason', () => {
    expect(decideUrgency(anIntake())).toMatchObject({ urgency: 'standard', ruleIds: [] });
  });
  it('is expedited for rapid worsening or imminent treatment, naming each rule', () => {
    const d = decideUrgency(anIntake({ plan: { ...anIntake().plan, rapidWorsening: true, treatmentStartsSoon: true } }));
    expect(d.urgency).toBe('expedited');
    expect(d.ruleIds).toEqual(['urgency.rapid_worsening', 'urgency.treatment_imminent']);
  });
  it('every rule carries a source and a review date', () => {
    for (const r of KNOWLEDGE.rules.urgency.rules) {
      expect(r.sources.length).toBeGreaterThan(0);
      expect(r.reviewedOn).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    }
  });
});

describe('the intake as each role sees it', () => {
  it('keeps the health plan and the card’s numbers for those who see billing, and the rest for everyone on the case', () => {
    const intake = { patient: { givenName: 'Robin', familyName: 'Testperson', birthDate: '1962-05-04', sex: 'female', country: 'US', state: 'OH', preferredLanguage: 'en', planType: 'commercial', insurancePlan: 'Synthetic Health', insuranceMemberId: 'SYN1', insuranceGroupNumber: 'G1' } } as Intake;
    expect(intakeForRole(intake, true)).toBe(intake);
    const reviewer = intakeForRole(intake, false);
    expect(reviewer.patient).not.toHaveProperty('insuranceMemberId');
    expect(reviewer.patient).not.toHaveProperty('insuranceGroupNumber');
    expect(reviewer.patient).not.toHaveProperty('insurancePlan');
    expect(reviewer.patient).not.toHaveProperty('planType');
    expect(reviewer.patient).toMatchObject({ givenName: 'Robin', state: 'OH' });
    expect(intakeForRole({}, false)).toEqual({});
  });
});

describe('the insurance card’s numbers', () => {
  it('are taken as printed, and anything else is refused in plain words', () => {
    const patient = { ...anIntake().patient, planType: 'commercial' as const };
    expect(PatientSection.safeParse({ ...patient, insuranceMemberId: 'XYZ 123456789-01', insuranceGroupNumber: '0042*A' }).success).toBe(true);
    const bad = PatientSection.safeParse({ ...patient, insuranceMemberId: '<script>' });
    expect(bad.success).toBe(false);
    expect(bad.error!.issues[0]!.message).toBe('Type the member ID as it is printed on the card: letters and digits.');
  });
});
