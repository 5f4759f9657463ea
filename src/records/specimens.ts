import { wordsIn } from '../core/i18n.ts';
/**
 * Physical pathology material as tracked items: requested → shipped (carrier, tracking) →
 * received (count and condition checked) → with the reviewer → returned (with tracking). A
 * pure state machine: each step names what it needs, and refuses in plain words.
 */
export const SPECIMEN_STATUSES = ['requested', 'shipped', 'received', 'with_reviewer', 'returned', 'not_needed'] as const;
export type SpecimenStatus = (typeof SPECIMEN_STATUSES)[number];
/** Material that has physically arrived: it counts as on file and can have been reviewed. */
const english = wordsIn('en');

export const ARRIVED_STATUSES: readonly SpecimenStatus[] = ['received', 'with_reviewer', 'returned'];

/** The statuses' names in English (the catalogue's `lifecycle:specimen`, as every language's are). */
export const SPECIMEN_STATUS_LABELS = Object.fromEntries(SPECIMEN_STATUSES.map((s) => [s, english(`lifecycle:specimen.${s}`)])) as Record<SpecimenStatus, string>;

export interface SpecimenStep {
  to: SpecimenStatus;
  carrier?: string;
  trackingNumber?: string;
  receivedCount?: number;
  condition?: 'intact' | 'damaged' | 'incomplete';
  note?: string;
}

const NEXT: Record<SpecimenStatus, SpecimenStatus[]> = {
  // Material not yet sent can be called off (the digital slides sufficed, or the facility has none).
  requested: ['shipped', 'received', 'not_needed'],
  shipped: ['received'],
  received: ['with_reviewer', 'returned'],
  with_reviewer: ['returned'],
  returned: [],
  not_needed: [],
};

/** What is missing for a step (empty when it may happen). */
export function specimenStepProblems(from: SpecimenStatus, step: SpecimenStep, expectedCount: number): string[] {
  if (!NEXT[from].includes(step.to)) return [`Material that is “${SPECIMEN_STATUS_LABELS[from].toLowerCase()}” cannot become “${SPECIMEN_STATUS_LABELS[step.to].toLowerCase()}”.`];
  const problems: string[] = [];
  if (step.to === 'shipped' || step.to === 'returned') {
    if (!step.carrier?.trim()) problems.push('Give the carrier.');
    if (!step.trackingNumber?.trim()) problems.push('Give the tracking number.');
  }
  if (step.to === 'received') {
    if (step.receivedCount == null || step.receivedCount < 0) problems.push('Count the pieces that arrived.');
    if (!step.condition) problems.push('Say what condition they arrived in.');
    if (step.receivedCount != null && step.receivedCount !== expectedCount && !step.note?.trim()) problems.push(`${expectedCount} were expected and ${step.receivedCount} arrived: add a note.`);
    if (step.condition && step.condition !== 'intact' && !step.note?.trim()) problems.push('Describe the damage or what is missing.');
  }
  if (step.to === 'not_needed' && !step.note?.trim()) problems.push('Say why it is no longer needed.');
  return problems;
}

export function nextSpecimenStatuses(from: SpecimenStatus): SpecimenStatus[] {
  return NEXT[from];
}
