import type { CaseStatus } from '../cases/lifecycle.ts';
import { statusLabelIn } from '../cases/lifecycleWords.ts';
import { specialtyName } from '../assessment/localized.ts';
import { wordsIn, hasWords } from '../core/i18n.ts';
import { asLocale, type Locale } from '../core/locale.ts';
import type { NoticeKind } from './rules.ts';

/**
 * The words of every notice (catalogue `notices`), chosen when it is shown or mailed, so a
 * person who changes language reads old notices in the new one. Notices name the case by its
 * reference and say what happened; they never carry health data, because mail leaves our hands.
 */

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

/** Times in mail are UTC, written out whole, so no reader's clock can shift them. */
const utc = (iso?: string) => (iso ? `${iso.slice(0, 16).replace('T', ' ')} UTC` : '');

/** An offer's role is a specialty: its name in the reader's language. */
const roleName = (role: string | undefined, locale: Locale) => (role ? specialtyName(role, locale) : wordsIn(locale)('notices:reviewer'));

/** Who acted, when the notice names them and no person's name is known. */
const SOMEONE: Partial<Record<NoticeKind, string>> = {
  'offer.answered': 'notices:theExpert', 'board.requested': 'notices:someone', 'glass.requested': 'notices:theReviewer',
};

export function renderNotice(kind: NoticeKind, asked: string | null, p: NoticeParams, c: NoticeContext): NoticeText {
  const locale = asLocale(asked);
  const t = wordsIn(locale);
  const notice = kind === 'offer.answered' ? `offer.answered.${p.outcome ?? 'accept'}` : kind;
  const values = {
    reference: c.reference, followupDays: c.followupDays, count: p.count ?? 1,
    actor: c.actorName ?? t(SOMEONE[kind] ?? 'notices:someone'),
    role: roleName(p.role, locale), status: statusLabelIn(p.status ?? 'submitted', locale),
    respondBy: utc(p.respondBy), dueAt: utc(p.dueAt),
    days: p.businessDays ?? t('notices:aFew'),
    next: t(p.reoffered ? 'notices:offer.answered.nextAutomatically' : 'notices:offer.answered.nextByHand'),
  };
  const title = t(`notices:${notice}.title`, values);
  const subject = hasWords(locale, `notices:${notice}.subject`) ? t(`notices:${notice}.subject`, values) : title;
  const text = [t(`notices:${notice}.text`, values), '', c.url, '', t('notices:privacy')].join('\n');
  return { title, subject, text };
}

/** Whether a notice has its words in a language (the tests check every kind in every language). */
export const hasNoticeWords = (kind: NoticeKind, locale: Locale) =>
  ['title', 'text'].every((part) => hasWords(locale, kind === 'offer.answered' ? `notices:offer.answered.accept.${part}` : `notices:${kind}.${part}`, { count: 1 }));
