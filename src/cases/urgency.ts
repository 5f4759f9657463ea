import { answersFromCase } from '../assessment/fromIntake.ts';
import { assess } from '../assessment/engine.ts';
import type { AssessmentAnswers } from '../assessment/answers.ts';
import { KNOWLEDGE } from '../assessment/knowledge.ts';
import { knowledgeIn } from '../assessment/localized.ts';
import type { Locale } from '../core/locale.ts';
import { wordsIn } from '../core/i18n.ts';
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

/** How a coordinator's own reason is introduced when stored (in English) and when read. */
const setByCoordinator = (locale: Locale) => wordsIn(locale)('lifecycle:setByCoordinator');
/** A coordinator's reason as the case stores it. */
export const coordinatorUrgencyReason = (reason: string) => `${setByCoordinator('en')}${reason}`;

/**
 * A case's stored urgency reason in the reader's language: the rules' own words (stored in
 * English when the case was sent) are given in their translation; a coordinator's words stay as written.
 */
export function urgencyReasonIn(reason: string | null, locale: Locale): string | null {
  if (!reason || locale === 'en') return reason;
  const en = KNOWLEDGE.rules.urgency;
  const tr = knowledgeIn(locale).knowledge.rules.urgency;
  const pairs: [string, string][] = [...en.rules.map((r, i): [string, string] => [r.text, tr.rules[i]!.text]), [en.standard.text, tr.standard.text]];
  if (reason.startsWith(setByCoordinator('en'))) return setByCoordinator(locale) + reason.slice(setByCoordinator('en').length);
  let out = reason;
  for (const [english, translated] of pairs) out = out.split(english).join(translated);
  return out;
}
