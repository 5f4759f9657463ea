import { describe, expect, it } from 'vitest';
import { CASE_EVENT_TYPES } from '../events/catalog.ts';
import { NOTICE_PAGES, NOTIFICATION_RULES, type NoticeKind } from './rules.ts';
import { LOCALES } from '../core/locale.ts';
import { hasNoticeWords, renderNotice } from './templates.ts';

const KINDS = Object.keys(NOTICE_PAGES) as NoticeKind[];
const context = { reference: 'CNS-2026-0042', url: 'https://consilium.example/cases/x', followupDays: 30, actorName: 'Dr. Example' };

describe('notice templates', () => {
  it('every rule names a known event and a notice with words in every locale', () => {
    for (const [type, rules] of Object.entries(NOTIFICATION_RULES)) {
      expect(CASE_EVENT_TYPES).toContain(type);
      for (const r of rules!) for (const locale of LOCALES) expect(hasNoticeWords(r.notice, locale), `${r.notice} ${locale}`).toBe(true);
    }
  });

  it('names the case and links to it, with nothing left unfilled, and says mail holds no health data', () => {
    for (const kind of KINDS) {
      for (const params of [{}, { status: 'in_review' as const, outcome: 'decline' as const, role: 'thoracic_surgery', respondBy: '2026-12-01T10:00:00.000Z', dueAt: '2026-12-03T17:00:00.000Z', count: 3, reoffered: true }]) {
        const n = renderNotice(kind, 'en', params, context);
        for (const text of [n.title, n.subject, n.text]) expect(text).not.toMatch(/undefined|null|NaN|\[object/);
        expect(n.subject).toContain(context.reference);
        expect(n.text).toContain(context.url);
        expect(n.text).toMatch(/does not contain health information/);
      }
    }
  });

  it('falls back to English for a language without words yet', () => {
    expect(renderNotice('opinion.delivered', 'xx', {}, context).title).toBe(renderNotice('opinion.delivered', 'en', {}, context).title);
  });

  it('says who answered an offer and what happens next', () => {
    expect(renderNotice('offer.answered', 'en', { outcome: 'decline', role: 'pathology', reoffered: true }, context)).toMatchObject({
      subject: 'Dr. Example declined CNS-2026-0042',
      text: expect.stringContaining('It was offered to the next candidate automatically.'),
    });
    expect(renderNotice('offer.answered', 'en', { outcome: 'expire', role: 'pathology' }, context).text).toContain('Offer it to the next candidate.');
  });
});
