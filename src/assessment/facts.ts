import type { AssessmentAnswers } from './answers.ts';
import type { ConditionMatch } from './conditionMatch.ts';
import type { Condition, Knowledge, Operation } from './knowledge.ts';
import type { Facts } from './predicate.ts';

/** The cancer's extent as the biomarker panels see it. */
export type Stage = 'advanced' | 'early' | 'unknown';

export function stageOf(a: AssessmentAnswers): Stage {
  return a.spread === 'yes' ? 'advanced' : a.spread === 'no' ? 'early' : 'unknown';
}

export function operationOf(k: Knowledge, a: AssessmentAnswers): Operation | null {
  if (a.surgery?.recommended !== 'yes' || !a.surgery.operation) return null;
  return k.operations.find((o) => o.id === a.surgery!.operation) ?? null;
}

/**
 * The yearly volume standard for the operation, when it is done for cancer: the published numbers
 * (Leapfrog: "lung resection for cancer", "esophageal resection for cancer", …) are counted for
 * cancer operations only, so a lobectomy for bronchiectasis, or for a condition not recognised, has none.
 */
export function volumeStandardOf(k: Knowledge, op: Operation | null, condition: Condition | null | undefined) {
  if (!op?.volumeStandard || condition?.kind !== 'cancer') return undefined;
  return k.volumeStandards.find((v) => v.id === op.volumeStandard);
}

/**
 * What the ACCP algorithm asks for next before a lung resection (DOMAIN.md §5, accp-2013), from
 * the values before surgery the patient knows. The predicted post-operative values are these
 * times (1 − y/z), so never above them: a value of 60 % or less already calls for an exercise
 * test, and of 30 % or less for a cardiopulmonary one. Values above 60 % leave it to how much
 * lung is removed, which the reviewer works out (`ppo_needed`).
 */
export type LungFunctionNext = 'unknown' | 'ppo_needed' | 'exercise_test' | 'cpet';
export function lungFunctionNext(a: AssessmentAnswers): LungFunctionNext {
  const known = [a.lungFunction?.fev1Percent, a.lungFunction?.dlcoPercent].filter((v): v is number => typeof v === 'number');
  if (!known.length) return 'unknown';
  const lowest = Math.min(...known);
  if (lowest <= 30) return 'cpet';
  if (lowest <= 60) return 'exercise_test';
  // Both above 60 % before surgery; one unknown leaves the question open.
  return known.length === 2 ? 'ppo_needed' : 'unknown';
}

/**
 * Turns answers into the flat facts that rule predicates read. Unanswered questions become the
 * "not sure" value of their fact, never a guess in either direction.
 */
export function baseFacts(k: Knowledge, a: AssessmentAnswers, m: ConditionMatch): Record<string, Facts[string]> {
  const c = m.condition;
  const op = operationOf(k, a);
  const received = a.treatment?.received ?? [];
  return {
    'condition.kind': c?.kind ?? 'unknown',
    'condition.id': c?.id ?? null,
    'condition.tags': c?.tags ?? [],
    'condition.serious': c?.serious ?? false,
    'condition.rareOrComplex': c?.rareOrComplex ?? false,
    // Aggressive by the catalogue, or because the patient's doctor called it so.
    'condition.aggressive': (c?.aggressive ?? false) || (a.course?.toldAggressive ?? false),
    'condition.hasPanel': (c?.panels.length ?? 0) > 0,
    'diagnosis.status': a.diagnosisStatus ?? 'not_sure',
    spread: a.spread ?? 'not_sure',
    'surgery.recommended': a.surgery?.recommended ?? 'no',
    'surgery.operation': a.surgery?.recommended === 'yes' ? (a.surgery.operation ?? null) : null,
    'surgery.major': op?.major ?? false,
    'surgery.lungResection': op?.lungResection ?? false,
    'surgery.approach': a.surgery?.recommended === 'yes' ? (a.surgery.approach ?? null) : null,
    'surgery.hasVolumeStandard': volumeStandardOf(k, op, c) !== undefined,
    'lungFunction.next': lungFunctionNext(a),
    'treatment.received': received,
    'treatment.any': received.length > 0,
    'treatment.working': received.length > 0 ? (a.treatment?.working ?? 'not_sure') : (a.treatment?.working ?? 'none'),
    'treatment.sideEffects': a.treatment?.sideEffectsIntolerable ?? false,
    'course.progressing': a.course?.progressing ?? false,
    'course.rapidDecline': a.course?.rapidDecline ?? false,
    timing: a.timing ?? 'not_sure',
    'feelings.explained': a.feelings?.explainedWell ?? 'unanswered',
    'feelings.alternatives': a.feelings?.alternativesDiscussed ?? 'unanswered',
    'feelings.fitsPriorities': a.feelings?.fitsPriorities ?? 'unanswered',
    'feelings.wantsConfirmation': a.feelings?.wantsConfirmation ?? false,
    'priorities.any': (a.priorities?.length ?? 0) > 0,
    'records.have': a.records?.have ?? [],
  };
}
