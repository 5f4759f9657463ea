import { describe, expect, it } from 'vitest';
import { composeTeam, loadMatchingConfig, rankExperts, type CaseNeeds, type ExpertCandidate } from './matching.ts';
import { isValidNpi } from './npi.ts';

const cfg = loadMatchingConfig();
const expert = (over: Partial<ExpertCandidate> = {}): ExpertCandidate => ({
  userId: over.userId ?? crypto.randomUUID(), name: 'Dr. Example', active: true, taxonomyCodes: ['208G00000X'], focusCodes: ['C34'],
  procedures: [{ operation: 'lobectomy', annualVolume: 30, source: 'self-reported 2025' }],
  institution: { name: 'Synthetic University Hospital', academic: true, tumorBoards: true, trialsOpen: true },
  licensure: ['US-OH', 'US-MN'], languages: ['en', 'es'], consultModes: ['records_review', 'video'], insuranceNetworks: ['Medicare'],
  capacityMax: 10, acceptingCases: true, openCases: 2, outOfOffice: [], conflicts: [], pastTurnaroundDays: 4, ...over,
});
const needs = (over: Partial<CaseNeeds> = {}): CaseNeeds => ({
  specialty: 'thoracic_surgery', icd10Code: 'C34.11', patientLocation: 'US-OH', consultMode: 'video', language: 'en', insurance: 'Medicare',
  operation: { id: 'lobectomy', surgeonMin: 15, role: 'thoracic_surgery' }, rareOrComplex: false, treatingInstitutions: ['Community Hospital'], today: '2026-11-25', ...over,
});
const only = (e: ExpertCandidate, n = needs()) => rankExperts([e], n, cfg)[0]!;

describe('NPI', () => {
  it('accepts a number whose Luhn check digit (with prefix 80840) is right, and nothing else', () => {
    expect(isValidNpi('1234567893')).toBe(true);
    expect(isValidNpi('1234567890')).toBe(false);
    expect(isValidNpi('123456789')).toBe(false);
    expect(isValidNpi('12345678a3')).toBe(false);
  });
});

describe('hard filters', () => {
  it('needs the specialty', () => expect(only(expert({ taxonomyCodes: ['207RP1001X'] })).excludedBecause[0]).toMatch(/Not a specialist in thoracic surgery/));
  it('needs a licence where the patient is for video, not for a records review', () => {
    expect(only(expert({ licensure: ['US-CA'] })).excludedBecause[0]).toMatch(/Not licensed in US-OH/);
    expect(only(expert({ licensure: ['US-CA'] }), needs({ consultMode: 'records_review' })).eligible).toBe(true);
  });
  it('excludes a conflict of interest: same institution, or one the expert declared', () => {
    expect(only(expert(), needs({ treatingInstitutions: ['synthetic university hospital'] })).excludedBecause[0]).toMatch(/Conflict of interest/);
    expect(only(expert({ conflicts: ['Community Hospital'] })).excludedBecause[0]).toMatch(/Conflict of interest/);
  });
  it('excludes the away and the full', () => {
    expect(only(expert({ outOfOffice: [{ from: '2026-11-20', to: '2026-11-30' }] })).excludedBecause[0]).toMatch(/Away until 2026-11-30/);
    expect(only(expert({ openCases: 10 })).excludedBecause[0]).toMatch(/At capacity/);
    expect(only(expert({ active: false })).eligible).toBe(false);
    expect(only(expert({ acceptingCases: false })).excludedBecause[0]).toMatch(/Not taking new cases/);
  });
});

describe('score factors', () => {
  const factor = (e: ExpertCandidate, name: string, n = needs()) => only(e, n).factors.find((f) => f.factor === name);
  it('condition focus: exact prefix, same group, none', () => {
    expect(factor(expert(), 'conditionFocus')!.value).toBe(1);
    expect(factor(expert({ focusCodes: ['C34.9'] }), 'conditionFocus')!.value).toBe(0.5);
    expect(factor(expert({ focusCodes: ['C50'] }), 'conditionFocus')!.value).toBe(0);
  });
  it('procedure volume against the high-volume threshold', () => {
    expect(factor(expert(), 'procedureVolume')!.value).toBe(1);
    expect(factor(expert({ procedures: [{ operation: 'lobectomy', annualVolume: 6, source: 'x' }] }), 'procedureVolume')!.value).toBeCloseTo(0.4);
    expect(factor(expert(), 'procedureVolume', needs({ operation: null }))).toBeUndefined();
    // A pathologist reviewing the same case is not judged by the surgeon's operation volume.
    expect(factor(expert({ taxonomyCodes: ['207ZP0101X'] }), 'procedureVolume', needs({ specialty: 'pathology' }))).toBeUndefined();
  });
  it('center only counts for rare or complex disease', () => {
    expect(factor(expert(), 'center')).toBeUndefined();
    expect(factor(expert({ institution: { name: 'X', academic: true, tumorBoards: false, trialsOpen: false } }), 'center', needs({ rareOrComplex: true }))!.value).toBeCloseTo(1 / 3);
  });
  it('language, consult mode, insurance, load and turnaround', () => {
    expect(factor(expert({ languages: ['fr'] }), 'language')!.value).toBe(0);
    // People read language names, not codes.
    expect(factor(expert({ languages: ['fr'] }), 'language')!.reason).toBe('Does not list English.');
    expect(factor(expert({ languages: ['es'] }), 'language', needs({ language: 'es' }))!.reason).toBe('Speaks Spanish.');
    // In the words of whoever reads them.
    expect(factor(expert({ languages: ['es'] }), 'language', needs({ language: 'es', locale: 'es' }))!.reason).toBe('Habla español.');
    expect(factor(expert({ consultModes: ['records_review'] }), 'consultMode', needs({ consultMode: 'video', patientLocation: null, locale: 'es' }))!.reason).toBe('No ofrece videoconsulta.');
    expect(only(expert({ taxonomyCodes: ['207RP1001X'] }), needs({ locale: 'es' })).excludedBecause[0]).toBe('No es especialista en cirugía torácica.');
    expect(factor(expert({ consultModes: ['records_review'] }), 'consultMode', needs({ consultMode: 'video', patientLocation: null }))!.value).toBe(0);
    expect(factor(expert({ insuranceNetworks: [] }), 'insurance')!.value).toBe(0);
    expect(factor(expert({ openCases: 5 }), 'load')!.value).toBe(0.5);
    expect(factor(expert({ pastTurnaroundDays: 2 }), 'turnaround')!.value).toBe(1);
    expect(factor(expert({ pastTurnaroundDays: 20 }), 'turnaround')!.value).toBe(0);
    expect(factor(expert({ pastTurnaroundDays: null }), 'turnaround')!.value).toBe(0.5);
  });
  it('ranks by the weighted score and explains it; weights come from configuration', () => {
    const strong = expert({ name: 'Dr. Strong' });
    const weak = expert({ name: 'Dr. Weak', focusCodes: [], procedures: [] });
    const r = rankExperts([weak, strong], needs(), cfg);
    expect(r.map((x) => x.name)).toEqual(['Dr. Strong', 'Dr. Weak']);
    expect(r[0]!.factors.every((f) => f.reason.length > 5 && f.weight === cfg.weights[f.factor])).toBe(true);
    const languageOnly = { ...cfg, weights: { ...cfg.weights, conditionFocus: 0, procedureVolume: 0, language: 100 } };
    const r2 = rankExperts([strong, expert({ name: 'Dr. Speaks', languages: ['pt'], focusCodes: [] })], needs({ language: 'pt' }), languageOnly);
    expect(r2[0]!.name).toBe('Dr. Speaks');
  });
});

describe('team composition', () => {
  it('proposes one different expert per role', () => {
    const surgeon = expert({ name: 'Dr. Surgeon' });
    const pulm = expert({ name: 'Dr. Lung', taxonomyCodes: ['207RP1001X'] });
    const onc = expert({ name: 'Dr. Onc', taxonomyCodes: ['207RX0202X'] });
    const path = expert({ name: 'Dr. Path', taxonomyCodes: ['207ZP0101X'] });
    const { specialty: _s, ...base } = needs();
    const team = composeTeam([surgeon, pulm, onc, path], ['pathology', 'medical_oncology', 'thoracic_surgery', 'pulmonology'], base, cfg);
    expect(team.map((t) => t.proposed?.name)).toEqual(['Dr. Path', 'Dr. Onc', 'Dr. Surgeon', 'Dr. Lung']);
    const short = composeTeam([surgeon], ['thoracic_surgery', 'pulmonology'], base, cfg);
    expect(short[1]!.proposed).toBeNull();
  });
});
