import type { AssessmentResult } from '../../src/assessment/result.ts';

/** Every rule id that contributed to a result (tests use it to show which rules fired). */
export function firedRuleIds(r: AssessmentResult): string[] {
  return [
    ...r.situations.flatMap((s) => s.reasons.map((x) => x.ruleId)),
    ...r.urgency.reasons.map((x) => x.ruleId),
    ...r.reviewers.flatMap((v) => v.reasons.map((x) => x.ruleId)),
    ...r.specialisedCenter.reasons.map((x) => x.ruleId),
    ...r.checklist.map((i) => i.ruleId),
    ...r.questions.map((q) => q.ruleId),
    ...r.coverage.map((c) => c.ruleId),
  ];
}
