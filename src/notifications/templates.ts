import { STATUS_LABELS, type CaseStatus } from '../cases/lifecycle.ts';
import type { NoticeKind } from './rules.ts';

/**
 * The words of every notice, per locale, chosen when it is shown or mailed (so a person who
 * changes language reads old notices in the new one). Notices name the case by its reference and
 * say what happened; they never carry health data, because mail leaves our hands.
 */
export const LOCALES = ['en'] as const;
export type Locale = (typeof LOCALES)[number];

export interface NoticeParams {
  status?: CaseStatus;
  outcome?: 'accept' | 'decline' | 'expire';
  role?: string;
  respondBy?: string;
  dueAt?: string;
  count?: number;
  /** After a decline or expiry, the role was offered to the next candidate automatically. */
  reoffered?: boolean;
  /** Business days from complete records to the opinion (service levels). */
  businessDays?: number;
}

export interface NoticeContext {
  reference: string;
  /** The page the notice opens, as an absolute address for mail. */
  url: string;
  followupDays: number;
  /** The name of the person who acted, when a person did. */
  actorName: string | null;
}

export interface NoticeText {
  title: string;
  subject: string;
  text: string;
}

type Template = (p: NoticeParams, c: NoticeContext) => NoticeText;

const utc = (iso?: string) => (iso ? `${iso.slice(0, 16).replace('T', ' ')} UTC` : '');
const role = (r?: string) => (r ?? 'reviewer').replaceAll('_', ' ');
const PRIVACY = 'For your privacy, this message does not contain health information.';
const mail = (lines: string[], c: NoticeContext) => [...lines, '', c.url, '', PRIVACY].join('\n');
const plain = (title: string, lines: string[], c: NoticeContext, subject = title): NoticeText => ({ title, subject, text: mail(lines, c) });

function offerAnswered(p: NoticeParams, c: NoticeContext): NoticeText {
  const next = p.reoffered ? 'It was offered to the next candidate automatically.' : 'Offer it to the next candidate.';
  if (p.outcome === 'expire') return plain(`No answer on ${c.reference}`, [`The offer of case ${c.reference} (${role(p.role)}) expired without an answer. ${next}`], c);
  const who = c.actorName ?? 'The expert';
  if (p.outcome === 'decline') return plain(`${who} declined ${c.reference}`, [`${who} declined case ${c.reference} (${role(p.role)}).`, next], c);
  return plain(`${who} accepted ${c.reference}`, [`${who} accepted case ${c.reference} as ${role(p.role)}.`], c);
}

const en: Record<NoticeKind, Template> = {
  'case.submitted': (_p, c) => plain(`New request ${c.reference} was sent in`, [`A new second-opinion request, ${c.reference}, is waiting to be taken.`], c),
  'case.received': (p, c) => plain(`We received your request ${c.reference}`, [
    `Thank you. We received your second-opinion request ${c.reference}.`,
    'What happens next: a coordinator gathers your medical records. You can upload the records you have at any time.',
    `Once your records are complete, the expert's written opinion takes about ${p.businessDays ?? 'a few'} working days. We will e-mail you at each step.`,
  ], c),
  'case.status': (p, c) => plain(`Request ${c.reference} is now “${STATUS_LABELS[p.status ?? 'submitted']}”`,
    [`Request ${c.reference} moved to “${STATUS_LABELS[p.status ?? 'submitted']}”. Sign in to see what happens next.`], c),
  'case.recordsNeeded': (_p, c) => plain(`We are gathering the records for ${c.reference}`,
    ['Your coordinator is gathering the records the expert needs. Sign in to see which are still missing and to upload what you have.'], c),
  'case.assigned': (_p, c) => plain(`Case ${c.reference} is assigned to you`, [`You are assigned to case ${c.reference}. Sign in to start the review.`], c),
  'case.lead': (_p, c) => plain(`You lead the review of ${c.reference}`, [`You are now the lead reviewer of case ${c.reference}: once every reviewer has signed, you issue the combined report.`], c),
  'offer.received': (p, c) => plain(`A case is offered to you (${c.reference})`,
    [`You are offered case ${c.reference} as ${role(p.role)}. Please accept or decline by ${utc(p.respondBy)}.`], c),
  'offer.answered': offerAnswered,
  'opinion.issued': (_p, c) => plain(`The opinion on ${c.reference} is signed`, [`The expert signed the opinion on case ${c.reference}. It is ready for you to check and deliver.`], c),
  'opinion.delivered': (_p, c) => plain(`Your second opinion is ready (${c.reference})`,
    [`The expert opinion on request ${c.reference} is ready. Sign in to read it, download the PDF, and ask follow-up questions for the next ${c.followupDays} days.`], c),
  'opinion.updated': (_p, c) => plain(`The opinion on ${c.reference} was updated`, [`The expert added to or corrected the opinion on ${c.reference}. Sign in to read the new version.`], c),
  'followup.posted': (p, c) => plain(p.count && p.count > 1 ? `${p.count} new follow-up messages on ${c.reference}` : `New follow-up message on ${c.reference}`,
    [`There is a new follow-up message on ${c.reference}. Sign in to read and answer it.`], c, `New follow-up message on ${c.reference}`),
  'sla.atRisk': (p, c) => plain(`Opinion due soon: ${c.reference}`, [`The opinion on ${c.reference} is due by ${utc(p.dueAt)}.`], c, `Opinion due soon: ${c.reference} (by ${utc(p.dueAt)})`),
  'sla.breached': (p, c) => plain(`Opinion overdue: ${c.reference}`, [`The opinion on ${c.reference} was due by ${utc(p.dueAt)}.`], c, `Opinion overdue: ${c.reference} (was due ${utc(p.dueAt)})`),
  'records.added': (p, c) => plain(p.count && p.count > 1 ? `${p.count} new records on ${c.reference}` : `A new record on ${c.reference}`,
    [`New records were added to ${c.reference}.`], c),
  'proxy.accepted': (_p, c) => plain(`Your caregiver joined ${c.reference}`, [`The person you invited can now help with request ${c.reference}.`], c),
  'message.posted': (p, c) => plain(p.count && p.count > 1 ? `${p.count} new messages on ${c.reference}` : `New message on ${c.reference}`,
    [`There is a new message about request ${c.reference}. Sign in to read and answer it.`], c, `New message on ${c.reference}`),
  'board.requested': (_p, c) => plain(`A tumor board was asked for on ${c.reference}`, [`${c.actorName ?? 'Someone on the case'} asked for a tumor board discussion of ${c.reference}. Sign in to confirm it or say why it is not needed.`], c),
  'board.discussed': (_p, c) => plain(`The tumor board discussed ${c.reference}`, [
    `A team of specialists discussed request ${c.reference} together and agreed on a recommendation.`,
    'Sign in to read it. Your expert uses it in the written opinion.',
  ], c),
  'glass.requested': (_p, c) => plain(`Glass slides asked for on ${c.reference}`,
    [`${c.actorName ?? 'The reviewer'} asked for the glass slides of case ${c.reference}. Sign in to have the laboratory ship them; the request and its label are on the Records tab.`], c),
  'material.received': (_p, c) => plain(`Slides or samples arrived for ${c.reference}`,
    [`Slides or samples for case ${c.reference} have arrived. Sign in to see what came and when it reaches you.`], c),
};

export const TEMPLATES: Record<Locale, Record<NoticeKind, Template>> = { en };

export function renderNotice(kind: NoticeKind, locale: string, p: NoticeParams, c: NoticeContext): NoticeText {
  const table = TEMPLATES[(LOCALES as readonly string[]).includes(locale) ? (locale as Locale) : 'en'];
  return table[kind](p, c);
}
