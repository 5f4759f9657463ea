import type { Intake } from '../cases/intake.ts';
import type { AssessmentAnswers } from './answers.ts';
import { KNOWLEDGE } from './knowledge.ts';
import type { AssessmentResult } from './result.ts';

/**
 * Inside a case the same engine runs on what the case knows: the answers carried over from the
 * public assessment (if the patient started there), overridden by the intake where the intake
 * says more, plus the records on file. This is the one mapping between the two vocabularies.
 */
export function answersFromCase(intake: Intake, carried: AssessmentAnswers | null, recordsOnFile: string[] = []): AssessmentAnswers {
  const a: AssessmentAnswers = structuredClone(carried ?? {});
  const c = intake.condition;
  if (c?.icd10Code || c?.description) a.diagnosis = { code: c.icd10Code || a.diagnosis?.code, text: c.description || a.diagnosis?.text };
  if (c && typeof c.newDiagnosis === 'boolean') a.diagnosisStatus = c.newDiagnosis ? 'new' : 'established';
  const p = intake.plan;
  if (p) {
    if (p.surgeryProposed) a.surgery = { recommended: 'yes', operation: a.surgery?.operation ?? 'not_sure', approach: a.surgery?.approach };
    else if (p.surgeryProposed === false) a.surgery = { recommended: 'no' };
    // The intake is the later, confirmed answer, so it wins in both directions.
    if (typeof p.rapidWorsening === 'boolean') a.course = { ...a.course, rapidDecline: p.rapidWorsening };
    if (p.treatmentStartsSoon) a.timing = 'within_2_weeks';
    else if (p.treatmentStartsSoon === false && a.timing === 'within_2_weeks') a.timing = 'not_sure';
  }
  const treatments = intake.treatment?.treatments ?? [];
  if (treatments.length) {
    a.treatment = { ...a.treatment, received: a.treatment?.received?.length ? a.treatment.received : ['other'] };
    if (treatments.some((t) => t.response === 'not_working')) a.treatment.working = 'no';
    if (treatments.some((t) => t.response === 'side_effects')) a.treatment.sideEffectsIntolerable = true;
  }
  if (intake.priorities?.ranked?.length) a.priorities = intake.priorities.ranked as AssessmentAnswers['priorities'];
  const known = new Set(KNOWLEDGE.rules.checklist.map((i) => i.id));
  const have = new Set([...(a.records?.have ?? []), ...recordsOnFile.filter((r) => known.has(r))]);
  a.records = { ...a.records, have: [...have] as NonNullable<AssessmentAnswers['records']>['have'] };
  return a;
}

/** Prefills the intake wizard from a public assessment; sections stay incomplete until the patient finishes them. */
export function intakeFromAssessment(a: AssessmentAnswers, result: AssessmentResult): Intake {
  const intake: Record<string, unknown> = {};
  if (a.diagnosis?.code || a.diagnosis?.text) {
    intake.condition = {
      description: a.diagnosis.text || a.diagnosis.name || result.condition.codeDisplay || result.condition.label || '',
      icd10Code: result.condition.codeDisplay ? result.condition.code : '',
      newDiagnosis: a.diagnosisStatus !== 'established',
    };
  }
  if (result.situations.length) intake.situations = { situations: result.situations.map((s) => s.number).sort() };
  const op = KNOWLEDGE.operations.find((o) => o.id === a.surgery?.operation);
  intake.plan = {
    proposedPlan: '',
    surgeryProposed: a.surgery?.recommended === 'yes',
    surgeryDescription: a.surgery?.recommended === 'yes' && op && op.id !== 'not_sure' ? op.label : '',
    treatmentStartsSoon: a.timing === 'within_2_weeks',
    rapidWorsening: !!a.course?.rapidDecline,
  };
  if (a.priorities?.length) intake.priorities = { ranked: a.priorities, inOwnWords: '' };
  return intake as Intake;
}
