import { describe, expect, it } from 'vitest';
import { evaluateLungResection, ppoPercent, TOTAL_SEGMENTS } from './lungFunction.ts';

// Worked examples computed by hand from the formula and thresholds in DOMAIN.md §5.
describe('ACCP lung resection evaluation', () => {
  it('counts 19 functional segments in two healthy lungs', () => {
    expect(TOTAL_SEGMENTS).toBe(19);
    expect(ppoPercent(80, 5, 19)).toBeCloseTo(58.95, 2);
  });

  it('right upper lobectomy, FEV1 90 % and DLCO 85 %: both above 60 %, low risk without exercise tests', () => {
    const r = evaluateLungResection({ fev1Percent: 90, dlcoPercent: 85, resected: ['rightUpper'] });
    expect([r.ppoFev1Percent, r.ppoDlcoPercent]).toEqual([75.8, 71.6]); // 90 × 16/19, 85 × 16/19
    expect(r).toMatchObject({ nextStep: 'none', risk: 'low' });
  });

  it('right lower lobectomy, FEV1 80 % and DLCO 75 %: asks for a stair climb, then decides on it', () => {
    const input = { fev1Percent: 80, dlcoPercent: 75, resected: ['rightLower' as const] };
    const r = evaluateLungResection(input);
    expect([r.ppoFev1Percent, r.ppoDlcoPercent]).toEqual([58.9, 55.3]); // 80 × 14/19, 75 × 14/19
    expect(r).toMatchObject({ nextStep: 'low_technology_exercise_test', risk: null });
    expect(evaluateLungResection({ ...input, stairClimbMeters: 25 })).toMatchObject({ nextStep: 'none', risk: 'low' });
    expect(evaluateLungResection({ ...input, shuttleWalkMeters: 450 })).toMatchObject({ risk: 'low' });
    const short = evaluateLungResection({ ...input, stairClimbMeters: 18 });
    expect(short).toMatchObject({ nextStep: 'cardiopulmonary_exercise_test', risk: null });
    expect(evaluateLungResection({ ...input, stairClimbMeters: 18, vo2peakMlKgMin: 15 })).toMatchObject({ risk: 'moderate' });
  });

  it('left pneumonectomy, FEV1 45 % and DLCO 40 %: straight to CPET; VO2peak decides', () => {
    const input = { fev1Percent: 45, dlcoPercent: 40, resected: ['leftUpper' as const, 'lingula' as const, 'leftLower' as const] };
    const r = evaluateLungResection(input);
    expect([r.ppoFev1Percent, r.ppoDlcoPercent]).toEqual([23.7, 21.1]); // 45 × 10/19, 40 × 10/19
    expect(r).toMatchObject({ nextStep: 'cardiopulmonary_exercise_test', risk: null });
    expect(evaluateLungResection({ ...input, vo2peakMlKgMin: 8 })).toMatchObject({ risk: 'high' });
    expect(evaluateLungResection({ ...input, vo2peakMlKgMin: 22 })).toMatchObject({ risk: 'low' });
    expect(evaluateLungResection({ ...input, vo2peakPercent: 30 })).toMatchObject({ risk: 'high' });
    expect(evaluateLungResection({ ...input, vo2peakPercent: 80 })).toMatchObject({ risk: 'low' });
  });

  it('takes obstructed segments out of both the removed and the total count', () => {
    // Right lower lobe with 2 of its 5 segments obstructed: y = 3, z = 17.
    const r = evaluateLungResection({ fev1Percent: 70, dlcoPercent: 70, resected: ['rightLower'], obstructedInResected: 2 });
    expect(r.functionalSegmentsRemoved).toBe(3);
    expect(r.functionalSegmentsTotal).toBe(17);
    expect(r.ppoFev1Percent).toBe(57.6); // 70 × 14/17
  });

  it('explains every step with the numbers it used, and cites its source', () => {
    const r = evaluateLungResection({ fev1Percent: 80, dlcoPercent: 75, resected: ['rightLower'], stairClimbMeters: 25 });
    expect(r.reasons.join(' ')).toMatch(/ppoFEV1 = 80 % × \(1 - 5\/19\) = 58.9 %/);
    expect(r.reasons.join(' ')).toMatch(/Stair climb 25 m/);
    expect(r.source).toBe('ACCP guideline: physiologic evaluation of the patient with lung cancer being considered for resectional surgery (Brunelli A. et al., Chest 2013, https://doi.org/10.1378/chest.12-2395); reviewed November 25, 2026');
  });

  it('explains the steps and cites the guideline in Spanish, the guideline keeping its own title', () => {
    const r = evaluateLungResection({ fev1Percent: 80, dlcoPercent: 75, resected: ['rightLower'], stairClimbMeters: 25 }, 'es');
    expect(r.reasons[0]).toBe('Primero se evalúa el riesgo cardíaco (índice de riesgo cardíaco revisado para cirugía torácica).');
    expect(r.reasons.join(' ')).not.toMatch(/Stair climb|low risk/);
    expect(r.source).toBe('Guía del ACCP: physiologic evaluation of the patient with lung cancer being considered for resectional surgery (Brunelli A. et al., Chest 2013, https://doi.org/10.1378/chest.12-2395); revisada el 25 de noviembre de 2026');
  });

  it('treats exactly 30 % and exactly 22 m conservatively (the next, more thorough test)', () => {
    expect(evaluateLungResection({ fev1Percent: 57, dlcoPercent: 80, resected: ['leftUpper', 'lingula', 'leftLower'] }).nextStep).toBe('cardiopulmonary_exercise_test'); // 57 × 10/19 = 30.0
    expect(evaluateLungResection({ fev1Percent: 80, dlcoPercent: 75, resected: ['rightLower'], stairClimbMeters: 22 }).nextStep).toBe('cardiopulmonary_exercise_test');
  });
});
