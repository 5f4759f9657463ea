import type { AssessmentAnswers } from './answers.ts';
import type { ConditionMatch } from './conditionMatch.ts';
import type { Knowledge, Operation } from './knowledge.ts';
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
    'surgery.hasVolumeStandard': !!op?.volumeStandard,
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
