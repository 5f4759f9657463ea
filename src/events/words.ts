import { SPECIMEN_STATUS_LABELS, type SpecimenStatus } from '../records/specimens.ts';
import { CASE_COMMANDS, type CaseCommand, type CaseStatus } from '../cases/lifecycle.ts';
import { statusLabelIn } from '../cases/lifecycleWords.ts';
import { COMMANDS_DONE_ES } from '../audit/words.es.ts';
import type { Locale } from '../core/locale.ts';
import { EVENT_WORDS_ES, OTHER_ACTIVITY_ES } from './words.es.ts';
import type { IntakeSectionName } from '../cases/intake.ts';
import type { CaseEventDetail, CaseEventType } from './catalog.ts';

/**
 * The case timeline in words people use. Every event type has its words here (the type makes
 * a missing one a compile error); a run of the same event by the same person reads as one line
 * with a count ("Added 12 records"), so a busy upload does not bury the rest.
 */
export type Words = { [K in CaseEventType]: (d: CaseEventDetail<K>, count: number) => string };

const plural = (n: number, one: string, many: string) => (n === 1 ? one : `${n} ${many}`);
const INTAKE_STEPS: Record<IntakeSectionName, string> = {
  patient: 'personal details', condition: 'diagnosis', situations: 'situation', treatment: 'treatment so far', plan: 'proposed plan',
  questions: 'questions', priorities: 'priorities',
};

const transitionWords = Object.fromEntries(Object.entries(CASE_COMMANDS).map(([name, def]) => [`case.${name}`, (): string => def.label])) as Record<`case.${keyof typeof CASE_COMMANDS}`, () => string>;

export const EVENT_WORDS: Words = {
  ...transitionWords,
  'case.create': () => 'Started the request',
  'case.lead': () => 'Named the lead reviewer',
  'case.urgency': (d) => `Changed the urgency to ${d.to}`,
  'intake.save': (d, n) => (n === 1 ? `Filled in the ${INTAKE_STEPS[d.section as IntakeSectionName] ?? 'request'} step` : `Filled in ${n} steps of the request`),
  'consent.sign': () => 'Signed a consent form',
  'proxy.invite': () => 'Invited a caregiver',
  'proxy.revoke': () => 'Removed a caregiver',
  'proxy.invitation.withdraw': () => 'Withdrew a caregiver invitation',
  'proxy.accept': () => 'A caregiver joined',
  'document.add': (d, n) => (n === 1 ? `Added a record: ${d.filename}` : `Added ${n} records`),
  'document.classify': (_d, n) => (n === 1 ? 'Sorted a record' : `Sorted ${n} records`),
  'checklist.waive': (_d, n) => (n === 1 ? 'Marked a checklist item as not needed' : `Marked ${n} checklist items as not needed`),
  'checklist.unwaive': () => 'Asked again for a checklist item',
  'specimen.request': () => 'Asked for tissue samples or slides',
  'specimen.step': (d) => `Slides or samples: ${d.label} (${SPECIMEN_STATUS_LABELS[d.to as SpecimenStatus]?.toLowerCase() ?? 'updated'})`,
  'roi.create': () => 'Asked a hospital for records',
  'roi.status': () => 'A records request moved on',
  'pathology.slide.failed': (_d, n) => (n === 1 ? 'A digital slide could not be read' : `${n} digital slides could not be read`),
  'pathology.slide.ready': (_d, n) => (n === 1 ? 'A digital slide is ready to view' : `${n} digital slides are ready to view`),
  'imaging.study': (d, n) => (n === 1 ? `Added images${d.description ? `: ${d.description}` : ''}` : `Added ${n} imaging studies`),
  'offer.create': (_d, n) => plural(n, 'Offered the case to an expert', 'offers sent to experts'),
  'offer.accept': () => 'An expert accepted the case',
  'offer.decline': () => 'An expert declined the case',
  'offer.expire': () => 'An offer to an expert ran out of time',
  'opinion.original': () => 'The opinion was issued',
  'opinion.addendum': () => 'An addendum was added to the opinion',
  'opinion.amendment': () => 'The opinion was corrected',
  'opinion.part.sign': () => 'An expert signed their part of the opinion',
  'opinion.translate': () => 'A reviewed translation of the summary was added',
  'invoice.issue': (d) => `Bill ${d.number} was issued`,
  'invoice.hardship': (d) => `Help with paying bill ${d.number} was asked for`,
  'invoice.assistance': (d) => d.outcome === 'granted' ? `Help with bill ${d.number} was granted: nothing more is owed` : d.outcome === 'partly_granted' ? `Help with bill ${d.number} was granted in part: less is owed` : `Help with bill ${d.number} was not granted`,
  'invoice.payment': (d) => `A payment on bill ${d.number} was received`,
  'coverage.numbers': () => 'The insurance card’s numbers were put on the request',
  'invoice.overpaid': (d) => `A payment online for bill ${d.number} was more than was owed: the difference is to be refunded`,
  'invoice.close': (d) => (d.status === 'paid' ? `Bill ${d.number} was paid` : d.status === 'void' ? `Bill ${d.number} was cancelled` : `What was owed on bill ${d.number} was waived`),
  'opinion.followup': (_d, n) => plural(n, 'A follow-up message', 'follow-up messages'),
  'board.request': () => 'Asked for a tumor board discussion',
  'board.confirm': () => 'The case was confirmed for a tumor board',
  'board.decline': () => 'A tumor board was not needed',
  'board.schedule': () => 'The case was put on a tumor board agenda',
  'board.discuss': () => 'The tumor board discussed the case',
  'message.post': (_d, n) => plural(n, 'A message in the message centre', 'messages in the message centre'),
  'visit.book': () => 'Booked a video visit with the expert',
  'visit.interpreter': (d) => (d.booked ? 'An interpreter was booked for the video visit' : 'The interpreter was taken off the video visit'),
  'visit.move': () => 'A video visit was moved to another time',
  'visit.cancel': () => 'A video visit was cancelled',
  'visit.end': () => 'A video visit took place',
  'sla.atRisk': () => 'The opinion may be late',
  'sla.breached': () => 'The opinion is late',
};

/** One timeline line, in the reader's language: a change of state reads "from → to", anything else by its words. */
export function describeEvent(e: { type: string; detail: Record<string, unknown>; fromStatus: CaseStatus | null; toStatus: CaseStatus | null }, count = 1, locale: Locale = 'en'): string {
  if (e.fromStatus && e.toStatus && e.fromStatus !== e.toStatus) return `${statusLabelIn(e.fromStatus, locale)} → ${statusLabelIn(e.toStatus, locale)}`;
  if (locale === 'es') {
    const command = /^case\.(\w+)$/.exec(e.type)?.[1];
    if (command && command in CASE_COMMANDS) return COMMANDS_DONE_ES[command as CaseCommand];
    const es = (EVENT_WORDS_ES as unknown as Record<string, ((d: Record<string, unknown>, n: number) => string) | undefined>)[e.type];
    return es ? es(e.detail, count) : OTHER_ACTIVITY_ES;
  }
  const words = EVENT_WORDS[e.type as CaseEventType] as ((d: Record<string, unknown>, n: number) => string) | undefined;
  return words ? words(e.detail, count) : 'Other activity';
}
