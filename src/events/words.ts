import { CASE_COMMANDS, type CaseStatus } from '../cases/lifecycle.ts';
import { statusLabelIn } from '../cases/lifecycleWords.ts';
import { hasWords, wordsIn, type Words } from '../core/i18n.ts';
import type { Locale } from '../core/locale.ts';
import type { CaseEventType } from './catalog.ts';

/**
 * The case timeline in words people use (catalogue `events`, keyed by the event type as stored,
 * dots and all). A run of the same event by the same person reads as one line with a count
 * ("Added 12 records"), so a busy upload does not bury the rest. Most events are one text (with
 * its plural forms); those whose words depend on what happened choose theirs here.
 */
const FLAT = { keySeparator: false } as const;
type Detail = Record<string, unknown>;

const CHOSEN: Partial<Record<CaseEventType, (t: Words, d: Detail, count: number) => string>> = {
  // The patient's side reads a file's name only under its own uploads (see the case timeline).
  'document.add': (t, d, count) => (count === 1 && typeof d.filename !== 'string' ? t('events:document.added', FLAT) : t('events:document.add', { ...FLAT, filename: d.filename, count })),
  'case.urgency': (t, d) => t('events:case.urgency', { ...FLAT, urgency: hasWords('en', `events:urgency.${d.to}`, FLAT) ? t(`events:urgency.${d.to}`, FLAT) : String(d.to) }),
  'intake.save': (t, d, count) => {
    const step = hasWords('en', `events:step.${d.section}`, FLAT) ? t(`events:step.${d.section}`, FLAT) : t('events:step.unknown', FLAT);
    return t('events:intake.save', { ...FLAT, count, step });
  },
  'specimen.step': (t, d) => {
    const status = hasWords('en', `lifecycle:specimen.${d.to}`) ? t(`lifecycle:specimen.${d.to}`).toLowerCase() : t('events:specimen.updated', FLAT);
    return t('events:specimen.step', { ...FLAT, label: d.label, status });
  },
  'imaging.study': (t, d, count) => (count === 1 && d.description ? t('events:imaging.study.described', { ...FLAT, description: d.description }) : t('events:imaging.study', { ...FLAT, count })),
  'invoice.assistance': (t, d) => t(`events:invoice.assistance.${d.outcome === 'granted' || d.outcome === 'partly_granted' ? d.outcome : 'declined'}`, { ...FLAT, number: d.number }),
  'invoice.close': (t, d) => t(`events:invoice.close.${d.status === 'paid' || d.status === 'void' ? d.status : 'written_off'}`, { ...FLAT, number: d.number }),
  'visit.interpreter': (t, d) => (d.booked ? t('events:visit.interpreter.booked', FLAT) : t('events:visit.interpreter.removed', FLAT)),
};

/** Whether an event type has its words (the test checks every type of the catalogue of events). */
export const hasEventWords = (type: string, locale: Locale) =>
  type in CHOSEN || hasWords(locale, `events:${type}`, { ...FLAT, count: 1 }) || (/^case\.(\w+)$/.test(type) && Object.hasOwn(CASE_COMMANDS, type.slice(5)));

/** One timeline line, in the reader's language: a change of state reads "from → to", anything else by its words. */
export function describeEvent(e: { type: string; detail: Detail; fromStatus: CaseStatus | null; toStatus: CaseStatus | null }, count = 1, locale: Locale = 'en'): string {
  if (e.fromStatus && e.toStatus && e.fromStatus !== e.toStatus) return `${statusLabelIn(e.fromStatus, locale)} → ${statusLabelIn(e.toStatus, locale)}`;
  const t = wordsIn(locale);
  const chosen = CHOSEN[e.type as CaseEventType];
  if (chosen) return chosen(t, e.detail, count);
  // A lifecycle step that left the status as it was is said as done ("Took the request off hold").
  const command = /^case\.(\w+)$/.exec(e.type)?.[1];
  if (command && Object.hasOwn(CASE_COMMANDS, command) && !hasWords('en', `events:${e.type}`, { ...FLAT, count: 1 })) return t(`audit:done.${command}`, FLAT);
  if (hasWords('en', `events:${e.type}`, { ...FLAT, count })) return t(`events:${e.type}`, { ...FLAT, filename: e.detail.filename, number: e.detail.number, count });
  return t('events:other', FLAT);
}
