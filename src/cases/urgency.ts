import { answersFromCase } from '../assessment/fromIntake.ts';
import { assess } from '../assessment/engine.ts';
import type { AssessmentAnswers } from '../assessment/answers.ts';
import type { Intake } from './intake.ts';

export interface UrgencyDecision {
  urgency: 'standard' | 'expedited';
  ruleIds: string[];
  reason: string;
}

/**
 * The urgency of a submitted case comes from the assessment rules (data, with sources): the
 * same rules a patient sees on the public assessment, run on the case's intake.
 */
export function decideUrgency(intake: Intake, carried: AssessmentAnswers | null = null): UrgencyDecision {
  const u = assess(answersFromCase(intake, carried)).urgency;
  return {
    urgency: u.level,
    ruleIds: u.level === 'expedited' ? u.reasons.map((r) => r.ruleId) : [],
    reason: u.reasons.map((r) => r.text).join(' '),
  };
}
