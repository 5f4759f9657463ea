import type { Queryable } from '../core/db.ts';
import { PATIENT_SIDE_RELATIONS } from '../cases/lifecycle.ts';

/**
 * Messages others wrote on each of `caseIds` since the person last read that conversation, for a
 * list of cases (the queue, a patient's requests). Counted only where the person takes part in the
 * case's conversations (see careTeam.ts): a board member sees no count for a case they only read.
 * One query for the whole page, on the messages' case index.
 */
export async function unreadByCase(tx: Queryable, userId: string, caseIds: string[]): Promise<Map<string, number>> {
  if (!caseIds.length) return new Map();
  const rows = await tx.query<{ case_id: string; n: number }>(
    `SELECT m.case_id, count(*)::int AS n
     FROM case_messages m
     JOIN cases c ON c.id = m.case_id
     LEFT JOIN thread_reads r ON r.thread_id = m.thread_id AND r.user_id = $2
     WHERE m.case_id = ANY($1::uuid[]) AND m.author_id <> $2 AND m.created_at > coalesce(r.read_at, '-infinity'::timestamptz)
       AND (c.coordinator_id = $2 OR EXISTS (SELECT 1 FROM case_members cm WHERE cm.case_id = m.case_id AND cm.user_id = $2 AND cm.revoked_at IS NULL
                                             AND cm.relation = ANY($3::text[]) AND (cm.expires_at IS NULL OR cm.expires_at > now())))
     GROUP BY m.case_id`, [caseIds, userId, [...PATIENT_SIDE_RELATIONS, 'expert']]);
  return new Map(rows.map((r) => [r.case_id, r.n]));
}
