import { AccessDenied, withCaseTx } from '../core/access.ts';
import type { Actor, RequestMeta } from '../core/context.ts';
import type { Queryable } from '../core/db.ts';
import type { Deps } from '../core/deps.ts';
import { AppError, notFound } from '../core/errors.ts';
import { inCareTeamConversation } from '../cases/careTeam.ts';
import { isPatientSide } from '../cases/lifecycle.ts';
import type { CasesService } from '../cases/service.ts';
import { addMessage, markRead, threadMessages } from './repository.ts';

/**
 * The case's message centre: threads between the patient's side (patient, caregivers, referring
 * physician) and the care team (the case's coordinator, and its experts once assigned). The
 * follow-up questions after delivery are one of its threads (posted under their own rule, in the
 * opinion service). A message may point at a record of the case, which went through the records
 * pipeline (type check, encryption, audit) when it was uploaded.
 */

interface ThreadRow { id: string; case_id: string; kind: 'followup' | 'care_team'; subject: string; created_at: Date; last_message_at: Date; unread: number; messages: number }

const iso = (d: Date | string) => new Date(d).toISOString();


export function messagesService(deps: Deps & { cases: CasesService }) {
  const { db, cases } = deps;

  async function open(tx: Queryable, actor: Actor, meta: RequestMeta, caseId: string, action: string, forUpdate = false) {
    const opened = await cases.open(tx, actor, caseId, 'case.read', meta, { forUpdate });
    if (!inCareTeamConversation(actor, opened)) throw new AccessDenied({ actor, meta, action, entityType: 'Communication', caseId, outcome: 'denied' });
    return opened;
  }
  async function threadOf(tx: Queryable, caseId: string, threadId: string) {
    const [t] = /^[0-9a-f-]{36}$/i.test(threadId) ? await tx.query<{ id: string; kind: ThreadRow['kind']; subject: string }>('SELECT id, kind, subject FROM case_threads WHERE id = $1 AND case_id = $2', [threadId, caseId]) : [];
    if (!t) throw notFound('This conversation');
    return t;
  }
  async function checkDocument(tx: Queryable, caseId: string, documentId: string | undefined) {
    if (!documentId) return;
    const ok = await tx.query(`SELECT 1 FROM documents WHERE id = $1 AND case_id = $2 AND status IN ('ready', 'needs_review')`, [documentId, caseId]);
    if (!ok.length) throw new AppError('VALIDATION_FAILED', 'Attach a record of this request that has finished uploading.', { errors: [{ path: '/documentId', message: 'is not a record of this request' }] });
  }

  return {
    /** The case's conversations, newest first, with how many messages each has that the caller has not read. */
    async threads(actor: Actor, meta: RequestMeta, caseId: string) {
      return withCaseTx(db, async (tx) => {
        const opened = await open(tx, actor, meta, caseId, 'message.threads.read');
        await opened.audit('message.threads.read', { entityType: 'Communication' });
        const rows = await tx.query<ThreadRow>(
          `SELECT t.*, (SELECT count(*)::int FROM case_messages m WHERE m.thread_id = t.id) AS messages,
             (SELECT count(*)::int FROM case_messages m WHERE m.thread_id = t.id AND m.author_id <> $2
                AND m.created_at > coalesce((SELECT r.read_at FROM thread_reads r WHERE r.thread_id = t.id AND r.user_id = $2), '-infinity'::timestamptz)) AS unread
           FROM case_threads t WHERE t.case_id = $1 ORDER BY t.last_message_at DESC`, [caseId, actor.userId]);
        return rows.map((t) => ({ id: t.id, kind: t.kind, subject: t.subject, lastMessageAt: iso(t.last_message_at), messages: t.messages, unread: t.unread }));
      });
    },

    /** One conversation's messages; reading it marks it read for the caller. */
    async thread(actor: Actor, meta: RequestMeta, caseId: string, threadId: string) {
      return withCaseTx(db, async (tx) => {
        const opened = await open(tx, actor, meta, caseId, 'message.read');
        const t = await threadOf(tx, caseId, threadId);
        const messages = await threadMessages(tx, t.id);
        await markRead(tx, t.id, actor.userId);
        await opened.audit('message.read', { entityType: 'Communication', entityId: t.id });
        // An attached record is named as the Records tab names it: by its file only for staff or
        // for the patient's side's own uploads (the web app names the others by kind and date).
        const patientSide = isPatientSide(opened.relations);
        const named = (m: (typeof messages)[number]) => !patientSide || m.document_uploaded_by === actor.userId;
        return {
          id: t.id, kind: t.kind, subject: t.subject,
          messages: messages.map((m) => ({ id: m.id, body: m.body, author: m.name, authorRole: m.role, mine: m.author_id === actor.userId, documentId: m.document_id, documentName: named(m) ? m.document_name : null, createdAt: iso(m.created_at) })),
        };
      });
    },

    /** Starts a conversation with the care team (or, from the care team, with the patient's side). */
    async start(actor: Actor, meta: RequestMeta, caseId: string, input: { subject: string; body: string; documentId?: string }) {
      return withCaseTx(db, async (tx) => {
        const opened = await open(tx, actor, meta, caseId, 'message.create', true);
        await checkDocument(tx, caseId, input.documentId);
        const [t] = await tx.query<{ id: string }>(`INSERT INTO case_threads (case_id, kind, subject, created_by) VALUES ($1, 'care_team', $2, $3) RETURNING id`, [caseId, input.subject, actor.userId]);
        const m = await addMessage(tx, { threadId: t!.id, caseId, authorId: actor.userId, body: input.body, documentId: input.documentId });
        await opened.emit('message.post', { threadId: t!.id, messageId: m.id });
        await opened.audit('message.create', { entityType: 'Communication', entityId: t!.id });
        return { threadId: t!.id };
      });
    },

    /** Writes in a care-team conversation (the follow-up thread has its own rule: see the opinion service). */
    async post(actor: Actor, meta: RequestMeta, caseId: string, threadId: string, input: { body: string; documentId?: string }) {
      return withCaseTx(db, async (tx) => {
        const opened = await open(tx, actor, meta, caseId, 'message.create', true);
        const t = await threadOf(tx, caseId, threadId);
        if (t.kind !== 'care_team') throw new AppError('CONFLICT', 'Answer follow-up questions in the opinion’s follow-up.');
        await checkDocument(tx, caseId, input.documentId);
        const m = await addMessage(tx, { threadId: t.id, caseId, authorId: actor.userId, body: input.body, documentId: input.documentId });
        await opened.emit('message.post', { threadId: t.id, messageId: m.id });
        await opened.audit('message.create', { entityType: 'Communication', entityId: t.id });
        return { id: m.id, createdAt: iso(m.created_at) };
      });
    },
  };
}

export type MessagesService = ReturnType<typeof messagesService>;
