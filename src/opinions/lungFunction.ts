import { wordsIn } from '../core/i18n.ts';
import type { Locale } from '../core/locale.ts';
/**
 * Physiological evaluation before lung resection, after the ACCP guideline (Brunelli et al.,
 * Chest 2013; DOMAIN.md §5). A pure function: the inputs the reviewer enters, the predicted
 * post-operative values, the next step of the algorithm and the risk it leads to, each with the
 * reason, so the opinion can quote both inputs and result.
 */

/** The guideline the steps follow; a published document keeps its own title in every language. */
const ACCP = {
  title: 'physiologic evaluation of the patient with lung cancer being considered for resectional surgery',
  citation: 'Brunelli A. et al., Chest 2013, https://doi.org/10.1378/chest.12-2395',
  reviewedOn: '2026-11-25',
};

/** Functional segments per lobe when none is obstructed (19 in all). */
export const LOBE_SEGMENTS = { rightUpper: 3, rightMiddle: 2, rightLower: 5, leftUpper: 3, lingula: 2, leftLower: 4 } as const;
export type Lobe = keyof typeof LOBE_SEGMENTS;
export const TOTAL_SEGMENTS = Object.values(LOBE_SEGMENTS).reduce((a, b) => a + b, 0);

export interface LungFunctionInput {
  fev1Percent: number;
  dlcoPercent: number;
  /** Lobes (or lingula) to be removed. */
  resected: Lobe[];
  /** Segments obstructed (not functional) within the resected part and elsewhere. */
  obstructedInResected?: number;
  obstructedElsewhere?: number;
  stairClimbMeters?: number | null;
  shuttleWalkMeters?: number | null;
  vo2peakMlKgMin?: number | null;
  vo2peakPercent?: number | null;
}

export type LungRisk = 'low' | 'moderate' | 'high';
export interface LungFunctionResult {
  functionalSegmentsRemoved: number;
  functionalSegmentsTotal: number;
  ppoFev1Percent: number;
  ppoDlcoPercent: number;
  /** The test the algorithm asks for next, when its answer is not yet known. */
  nextStep: 'none' | 'low_technology_exercise_test' | 'cardiopulmonary_exercise_test';
  risk: LungRisk | null;
  reasons: string[];
  source: string;
}

const round1 = (n: number) => Math.round(n * 10) / 10;

/** ppo = pre-operative × (1 − y / z). */
export function ppoPercent(preoperative: number, removed: number, total: number): number {
  if (total <= 0) throw new RangeError('There must be at least one functional segment.');
  return preoperative * (1 - removed / total);
}

/** The ACCP steps over the values (DOMAIN.md §5), each reason in the reader's words (catalogue `report:lung`). */
export function evaluateLungResection(input: LungFunctionInput, locale: Locale = 'en'): LungFunctionResult {
  const t = wordsIn(locale);
  const resectedSegments = input.resected.reduce((n, lobe) => n + LOBE_SEGMENTS[lobe], 0);
  const y = Math.max(0, resectedSegments - (input.obstructedInResected ?? 0));
  const z = TOTAL_SEGMENTS - (input.obstructedInResected ?? 0) - (input.obstructedElsewhere ?? 0);
  const ppoFev1 = round1(ppoPercent(input.fev1Percent, y, z));
  const ppoDlco = round1(ppoPercent(input.dlcoPercent, y, z));
  const reasons = [
    t('report:lung.cardiacFirst'),
    // A plain hyphen for minus: the report's standard PDF font has no minus sign.
    t('report:lung.formula', { fev1: input.fev1Percent, dlco: input.dlcoPercent, y, z, ppoFev1, ppoDlco }),
  ];
  const base = { functionalSegmentsRemoved: y, functionalSegmentsTotal: z, ppoFev1Percent: ppoFev1, ppoDlcoPercent: ppoDlco, source: t('report:lung.source', { ...ACCP, reviewedOn: new Date(`${ACCP.reviewedOn}T00:00:00Z`).toLocaleDateString(t('report:locale'), { dateStyle: 'long', timeZone: 'UTC' }) }) };

  if (ppoFev1 > 60 && ppoDlco > 60) {
    return { ...base, nextStep: 'none', risk: 'low', reasons: [...reasons, t('report:lung.bothAbove60')] };
  }
  // At exactly 30 % neither "> 30" nor "< 30" holds; the more thorough test is chosen.
  const needsCpetFirst = ppoFev1 <= 30 || ppoDlco <= 30;
  if (!needsCpetFirst) {
    reasons.push(t('report:lung.lowTechNext'));
    const stair = input.stairClimbMeters ?? null;
    const shuttle = input.shuttleWalkMeters ?? null;
    if (stair === null && shuttle === null) return { ...base, nextStep: 'low_technology_exercise_test', risk: null, reasons };
    if ((stair !== null && stair > 22) || (shuttle !== null && shuttle > 400)) {
      return { ...base, nextStep: 'none', risk: 'low', reasons: [...reasons, stair !== null && stair > 22 ? t('report:lung.stairLow', { meters: stair }) : t('report:lung.shuttleLow', { meters: shuttle })] };
    }
    reasons.push(stair !== null ? t('report:lung.stairNext', { meters: stair }) : t('report:lung.shuttleNext', { meters: shuttle }));
  } else {
    reasons.push(t('report:lung.cpetFirst'));
  }
  const vo2 = input.vo2peakMlKgMin ?? null;
  const vo2pct = input.vo2peakPercent ?? null;
  if (vo2 === null && vo2pct === null) return { ...base, nextStep: 'cardiopulmonary_exercise_test', risk: null, reasons };
  const shown = vo2 !== null ? t('report:lung.vo2', { value: vo2 }) : t('report:lung.vo2Percent', { value: vo2pct });
  if ((vo2 !== null && vo2 > 20) || (vo2pct !== null && vo2pct > 75)) return { ...base, nextStep: 'none', risk: 'low', reasons: [...reasons, t('report:lung.vo2Low', { shown })] };
  if ((vo2 !== null && vo2 < 10) || (vo2pct !== null && vo2pct < 35)) return { ...base, nextStep: 'none', risk: 'high', reasons: [...reasons, t('report:lung.vo2High', { shown })] };
  return { ...base, nextStep: 'none', risk: 'moderate', reasons: [...reasons, t('report:lung.vo2Moderate', { shown })] };
}
