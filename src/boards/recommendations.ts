import type { Queryable } from '../core/db.ts';
import type { Locale } from '../core/locale.ts';
import { wordsIn } from '../core/i18n.ts';
import { boardLabelIn, boardTypeById, seatIn } from './rules.ts';
import type { BoardRecommendation, MinutesDraft } from './schemas.ts';

/**
 * A case's confirmed board recommendations, as the opinion carries them: which board, when, who
 * attended, the consensus, dissent with its holders and the actions with their owners.
 */
interface MinutesRow { session_id: string; content: MinutesDraft; attendees: { userId: string; name: string; seat: string | null }[] | null; confirmed_at: Date }

/** A board's name in the reader's language, from its type. */
export function boardLabel(type: string, locale: Locale = 'en') {
  const board = boardTypeById(type);
  return board ? boardLabelIn(board, locale) : wordsIn(locale)('report:tumorBoard');
}
const iso = (d: Date | string) => new Date(d).toISOString();

/** The recommendations, with the board's name and the seats in `locale` (the report keeps English: it is for physicians). */
export async function boardRecommendations(tx: Queryable, caseId: string, locale: Locale = 'en'): Promise<BoardRecommendation[]> {
  const rows = await tx.query<MinutesRow & { board_type: string; chair_name: string }>(
    `SELECT m.*, s.board_type, u.name AS chair_name FROM board_minutes m JOIN board_sessions s ON s.id = m.session_id JOIN users u ON u.id = s.chair_id
     WHERE m.case_id = $1 AND m.confirmed_at IS NOT NULL ORDER BY m.confirmed_at`, [caseId]);
  const ids = [...new Set(rows.flatMap((r) => [...(r.content.dissent ?? []).map((d) => d.memberId), ...(r.content.actions ?? []).map((a) => a.ownerId)]))];
  const names = new Map((ids.length ? await tx.query<{ id: string; name: string }>('SELECT id, name FROM users WHERE id = ANY($1::uuid[])', [ids]) : []).map((u) => [u.id, u.name]));
  return rows.map((r) => ({
    sessionId: r.session_id, boardType: r.board_type, boardLabel: boardLabel(r.board_type, locale), discussedAt: iso(r.confirmed_at!), chairName: r.chair_name,
    attendees: (r.attendees ?? []).map((a) => ({ name: a.name, seat: a.seat && seatIn(a.seat, locale) })), minutes: r.content,
    dissent: (r.content.dissent ?? []).map((d) => ({ name: names.get(d.memberId) ?? 'A member', text: d.text })),
    actions: (r.content.actions ?? []).map((a) => ({ kind: a.kind, text: a.text, owner: names.get(a.ownerId) ?? 'A member' })),
    confirmedAt: iso(r.confirmed_at!),
  }));
}


/**
 * Board figures for the outcomes page: cases discussed, days from the coordinator's confirmation
 * to the confirmed minutes (median), and how often the board changed the plan (its consensus
 * modifies it or proposes an alternative).
 */
export async function boardFigures(tx: Queryable) {
  const [r] = await tx.query<{ discussed: number; median_days: number | null; changed: number }>(
    `WITH d AS (
       SELECT m.case_id, min(m.confirmed_at) AS discussed_at, (array_agg(m.content ORDER BY m.confirmed_at))[1] AS content, min(p.confirmed_at) AS proposed_at
       FROM board_minutes m JOIN board_proposals p ON p.case_id = m.case_id WHERE m.confirmed_at IS NOT NULL GROUP BY m.case_id)
     SELECT count(*)::int AS discussed,
       percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM d.discussed_at - d.proposed_at) / 86400) AS median_days,
       count(*) FILTER (WHERE d.content->'consensus'->>'treatmentStance' IN ('modify', 'alternative'))::int AS changed
     FROM d`);
  const discussed = r?.discussed ?? 0;
  return {
    casesDiscussed: discussed,
    medianDaysProposalToDiscussion: r?.median_days === null || r?.median_days === undefined ? null : Math.round(Number(r.median_days) * 10) / 10,
    changedPlanShare: discussed ? Math.round(((r?.changed ?? 0) / discussed) * 1000) / 1000 : null,
  };
}
