import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { AUDIT_COLUMNS, recordAuditNow, toAuditEvent, verifyAuditChain } from '../core/audit.ts';
import type { Db } from '../core/db.ts';
import { describeAction } from './words.ts';
import { errorResponses, estimatedPageOf, pageOf, requestMeta } from '../core/http.ts';
import { cheapCount, exactWhenShort, RecentEstimates } from '../core/counting.ts';
import { mergedWalksSql, oneOf } from '../core/walks.ts';

const AuditEventView = z.object({
  seq: z.number(), id: z.string(), at: z.string(), actorId: z.string().nullable(), actorName: z.string().nullable(), actorRole: z.string().nullable(),
  action: z.string(), what: z.string().meta({ description: 'The action in words' }), entityType: z.string(), entityId: z.string().nullable(),
  caseId: z.string().nullable(), caseReference: z.string().nullable(), ip: z.string().nullable(),
  userAgent: z.string().nullable(), outcome: z.string(), detail: z.record(z.string(), z.unknown()),
  hash: z.string().nullable().meta({ description: 'The chain link sealing this event; null for the moments before the sealer links it' }),
}).meta({ id: 'AuditEvent' });

const AuditQuery = z.strictObject({
  actorId: z.uuid().optional(), caseId: z.uuid().optional(), action: z.string().max(100).optional(),
  caseReference: z.string().trim().toUpperCase().max(40).optional().meta({ description: 'A case by the reference people see (C-2026-000123)' }),
  outcome: z.enum(['success', 'denied', 'failure']).optional(), from: z.iso.datetime({ offset: true }).or(z.iso.date()).optional(), to: z.iso.datetime({ offset: true }).or(z.iso.date()).optional(),
  page: z.coerce.number().int().min(1).max(100_000).default(1), pageSize: z.coerce.number().int().min(1).max(200).default(50),
  before: z.coerce.number().int().min(1).optional().meta({ description: 'Events older than this one (the previous page\'s `nextCursor`): the next page, however deep, without counting the ones before; takes the place of `page`' }),
});

/**
 * The actions recorded whose name matches `pattern` (a LIKE prefix), in a few index probes: a skip
 * from one action to the next over the action index, not a scan of the trail.
 */
async function actionsStartingWith(db: Db, pattern: string): Promise<string[]> {
  const rows = await db.query<{ action: string }>(
    `WITH RECURSIVE acts(action) AS (
       SELECT min(action COLLATE "C") FROM audit_events WHERE action COLLATE "C" LIKE $1
       UNION ALL
       SELECT (SELECT min(e.action COLLATE "C") FROM audit_events e WHERE e.action COLLATE "C" > acts.action AND e.action COLLATE "C" LIKE $1)
       FROM acts WHERE acts.action IS NOT NULL)
     SELECT action FROM acts WHERE action IS NOT NULL`, [pattern]);
  return rows.map((r) => r.action);
}

/** Admin views of the audit trail and the mail outbox, and the chain check. */
export function auditRoutes(db: Db) {
  return async (fastify: FastifyInstance) => {
    const app = fastify.withTypeProvider<ZodTypeProvider>();
    const tags = ['admin'];
    const recentTotals = new RecentEstimates();

    app.get('/admin/audit', { config: { access: { permission: 'audit.read' } }, schema: { tags, summary: 'Browse the audit trail', querystring: AuditQuery, response: { 200: estimatedPageOf(AuditEventView).extend({ nextCursor: z.string().nullable().meta({ description: 'Pass as `before` for the next page; null on the last' }) }), ...errorResponses } } }, async (req) => {
      const actor = req.actor;
      const q = req.query;
      const where: string[] = [];
      const params: unknown[] = [];
      const add = (sql: string, v: unknown) => {
        params.push(v);
        where.push(sql.replace('?', `$${params.length}`));
      };
      if (q.actorId) add('a.actor_id = ?', q.actorId);
      if (q.caseId) add('a.case_id = ?', q.caseId);
      if (q.caseReference) add('a.case_id = (SELECT id FROM cases WHERE reference = ?)', q.caseReference);
      const actionPattern = q.action ? `${q.action.replace(/[\\%_]/g, (m) => `\\${m}`)}%` : undefined;
      if (actionPattern) add('a.action COLLATE "C" LIKE ?', actionPattern);
      if (q.outcome) add('a.outcome = ?', q.outcome);
      if (q.from) add('a.at >= ?', q.from);
      if (q.to) add('a.at <= ?', q.to.length === 10 ? `${q.to}T23:59:59.999Z` : q.to);
      const clause = where.length ? `WHERE ${where.join(' AND ')}` : '';
      const { total, estimated } = await cheapCount(db, `FROM audit_events a ${clause}`, params, undefined, { recent: recentTotals });
      if (q.before) add('a.seq < ?', q.before);
      const offset = q.before ? 0 : (q.page - 1) * q.pageSize;
      const cols = AUDIT_COLUMNS.split(',').map((c) => `a.${c.trim()}`).join(', ');
      // By action: one walk per action the prefix names (they are few; new events of any other
      // action would otherwise lie between the newest matches).
      const branches: string[] = [];
      const actions = actionPattern ? await actionsStartingWith(db, actionPattern) : null;
      if (actions?.length) branches.push(...oneOf('a.action COLLATE "C"', `$${params.push(actions)}`, 'text', actions.length).branches);
      const page = mergedWalksSql({ select: 'a.seq', from: 'FROM audit_events a', alias: 'a', where, branches, orderBy: 'a.seq DESC', limit: q.pageSize, offset });
      // The page is found on the events alone (index walks), then joined for the 50 rows shown.
      // No action recorded starts so: nothing to walk, and nothing to show.
      const rows = actions?.length === 0 ? [] : await db.query<Record<string, unknown>>(
        `SELECT ${cols}, u.name AS "actorName", c.reference AS "caseReference", l.hash
         FROM (${page}) page
         JOIN audit_events a ON a.seq = page.seq LEFT JOIN audit_links l ON l.event_seq = a.seq
         LEFT JOIN users u ON u.id = a.actor_id LEFT JOIN cases c ON c.id = a.case_id ORDER BY a.seq DESC`, params);
      const shown = q.before ? total : exactWhenShort(total, rows.length, q.pageSize, offset);
      const last = rows.length === q.pageSize ? Number(rows[rows.length - 1]!.seq) : null;
      await recordAuditNow(db, { actor, meta: requestMeta(req), action: 'audit.read', entityType: 'AuditEvent', detail: { count: rows.length } });
      return { items: rows.map((r) => ({ ...toAuditEvent(r), what: describeAction(String(r.action), requestMeta(req).locale ?? 'en'), actorName: (r.actorName as string | null) ?? null, caseReference: (r.caseReference as string | null) ?? null, hash: (r.hash as string | null) ?? null })), total: shown, totalIsEstimate: estimated && shown === total, page: q.page, pageSize: q.pageSize, nextCursor: last === null ? null : String(last) };
    });

    app.post('/admin/audit/verify', { config: { access: { permission: 'audit.read' } }, schema: { tags, summary: 'Recompute the hash chain of the whole trail', response: { 200: z.object({ ok: z.boolean(), checked: z.number(), unsealed: z.number().optional(), firstBrokenSeq: z.number().optional(), reason: z.string().optional() }), ...errorResponses } } }, async (req) => {
      const actor = req.actor;
      const result = await verifyAuditChain(db);
      await recordAuditNow(db, { actor, meta: requestMeta(req), action: 'audit.verify', entityType: 'AuditEvent', outcome: result.ok ? 'success' : 'failure', detail: { checked: result.checked } });
      return result;
    });

    const Mail = z.object({ id: z.string(), kind: z.string(), to: z.string(), subject: z.string(), body: z.string(), attachments: z.array(z.string()), createdAt: z.string(), sentAt: z.string().nullable(), attempts: z.number(), lastError: z.string().nullable() });
    app.get('/admin/outbox', { config: { access: { permission: 'mail.read' } }, schema: { tags, summary: 'The mail outbox (the mailbox when no SMTP server is configured)', querystring: z.strictObject({ to: z.string().max(254).optional(), page: z.coerce.number().int().min(1).default(1), pageSize: z.coerce.number().int().min(1).max(100).default(25) }), response: { 200: pageOf(Mail), ...errorResponses } } }, async (req) => {
      const actor = req.actor;
      const { to, page, pageSize } = req.query;
      const params = to ? [`%${to.toLowerCase()}%`] : [];
      const clause = to ? 'WHERE lower(to_address) LIKE $1' : '';
      const [count] = await db.query<{ total: number }>(`SELECT count(*)::int AS total FROM mail_outbox ${clause}`, params);
      const rows = await db.query<{ id: string; kind: string; to_address: string; subject: string; body_text: string; attachments: { filename: string }[] | null; created_at: Date; sent_at: Date | null; attempts: number; last_error: string | null }>(
        `SELECT * FROM mail_outbox ${clause} ORDER BY created_at DESC, id LIMIT ${pageSize} OFFSET ${(page - 1) * pageSize}`, params);
      await recordAuditNow(db, { actor, meta: requestMeta(req), action: 'mail.read', entityType: 'Mail', detail: { count: rows.length } });
      return {
        items: rows.map((r) => ({ id: r.id, kind: r.kind, to: r.to_address, subject: r.subject, body: r.body_text, attachments: (r.attachments ?? []).map((a) => a.filename), createdAt: new Date(r.created_at).toISOString(), sentAt: r.sent_at ? new Date(r.sent_at).toISOString() : null, attempts: r.attempts, lastError: r.last_error })),
        total: count?.total ?? 0, page, pageSize,
      };
    });
  };
}
