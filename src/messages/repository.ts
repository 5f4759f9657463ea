import type { Queryable } from '../core/db.ts';

/** The case's threads and messages in SQL; the follow-up questions are the case's `followup` thread. */
export const FOLLOWUP_SUBJECT = 'Questions about the opinion';

export interface MessageRow { id: string; thread_id: string; body: string; document_id: string | null; document_name: string | null; document_uploaded_by: string | null; created_at: Date; author_id: string; name: string; role: string }

export async function followupThreadId(tx: Queryable, caseId: string, createdBy?: string): Promise<string | null> {
  const [t] = await tx.query<{ id: string }>(`SELECT id FROM case_threads WHERE case_id = $1 AND kind = 'followup'`, [caseId]);
  if (t || !createdBy) return t?.id ?? null;
  const [n] = await tx.query<{ id: string }>(
    `INSERT INTO case_threads (case_id, kind, subject, created_by) VALUES ($1, 'followup', $2, $3)
     ON CONFLICT (case_id) WHERE kind = 'followup' DO UPDATE SET last_message_at = case_threads.last_message_at RETURNING id`, [caseId, FOLLOWUP_SUBJECT, createdBy]);
  return n!.id;
}

export async function threadMessages(tx: Queryable, threadId: string): Promise<MessageRow[]> {
  return tx.query<MessageRow>(
    `SELECT m.id, m.thread_id, m.body, m.document_id, d.filename AS document_name, d.uploaded_by AS document_uploaded_by, m.created_at, m.author_id, u.name, u.role
     FROM case_messages m JOIN users u ON u.id = m.author_id LEFT JOIN documents d ON d.id = m.document_id
     WHERE m.thread_id = $1 ORDER BY m.created_at, m.id`, [threadId]);
}

export async function addMessage(tx: Queryable, m: { threadId: string; caseId: string; authorId: string; body: string; documentId?: string | null }): Promise<{ id: string; created_at: Date }> {
  const [row] = await tx.query<{ id: string; created_at: Date }>(
    'INSERT INTO case_messages (thread_id, case_id, author_id, body, document_id) VALUES ($1,$2,$3,$4,$5) RETURNING id, created_at',
    [m.threadId, m.caseId, m.authorId, m.body, m.documentId ?? null]);
  await tx.query('UPDATE case_threads SET last_message_at = $2 WHERE id = $1', [m.threadId, row!.created_at]);
  // Writing in a thread is reading it up to there.
  await markRead(tx, m.threadId, m.authorId);
  return row!;
}

/** Marks the thread read up to its newest message (the database's own time: no precision lost on the way). */
export async function markRead(tx: Queryable, threadId: string, userId: string): Promise<void> {
  await tx.query(
    `INSERT INTO thread_reads (thread_id, user_id, read_at)
     SELECT $1, $2, coalesce(max(created_at), now()) FROM case_messages WHERE thread_id = $1
     ON CONFLICT (thread_id, user_id) DO UPDATE SET read_at = greatest(thread_reads.read_at, EXCLUDED.read_at)`, [threadId, userId]);
}
