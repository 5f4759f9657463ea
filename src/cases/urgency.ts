import type { Intake } from './intake.ts';

/**
 * Urgency rules as data. DOMAIN.md §1 (seed, "Urgency"): aggressive or rapidly progressive
 * disease, or treatment or surgery imminent, needs an expedited answer; everything else is
 * standard. The coordinator may override with a reason; the reason shown is the rule that fired.
 */
export const URGENCY_RULES = [
  {
    id: 'urgency.rapid_worsening',
    when: (i: Intake) => i.plan?.rapidWorsening === true,
    reason: 'The patient reports that the disease or breathing is getting worse quickly.',
    source: 'Seed article, Situation 4 "Aggressive Diseases" (rapidly progressive conditions, rapidly declining lung function); DOMAIN.md §1 Urgency',
    reviewedOn: '2026-11-25',
  },
  {
    id: 'urgency.treatment_imminent',
    when: (i: Intake) => i.plan?.treatmentStartsSoon === true,
    reason: 'Treatment or surgery is due to start soon.',
    source: 'DOMAIN.md §1 Urgency (expedited when treatment or surgery is imminent)',
    reviewedOn: '2026-11-25',
  },
] as const;

export interface UrgencyDecision {
  urgency: 'standard' | 'expedited';
  ruleIds: string[];
  reason: string;
}

/** Applies the urgency rules to an intake: expedited when any rule fires, with every reason. */
export function decideUrgency(intake: Intake): UrgencyDecision {
  const fired = URGENCY_RULES.filter((r) => r.when(intake));
  if (fired.length === 0) return { urgency: 'standard', ruleIds: [], reason: 'No sign of aggressive or rapidly worsening disease and no imminent treatment was reported.' };
  return { urgency: 'expedited', ruleIds: fired.map((r) => r.id), reason: fired.map((r) => r.reason).join(' ') };
}
