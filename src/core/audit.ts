import crypto from 'node:crypto';
import type { Actor, RequestMeta } from './context.ts';
import type { Db, Queryable } from './db.ts';
import { checkedAuditDetail } from './auditDetail.ts';

export type AuditOutcome = 'success' | 'denied' | 'failure';

/** One audit event as the services describe it. `detail` must never carry health data. */
export interface AuditInput {
  actor: Actor | null;
  meta: RequestMeta;
  action: string;
  entityType: string;
  entityId?: string | null;
  caseId?: string | null;
  outcome?: AuditOutcome;
  detail?: Record<string, unknown>;
}

export interface AuditEvent {
  seq: number;
  id: string;
  at: string;
  actorId: string | null;
  actorRole: string | null;
  action: string;
  entityType: string;
  entityId: string | null;
  caseId: string | null;
  ip: string | null;
  userAgent: string | null;
  outcome: AuditOutcome;
  detail: Record<string, unknown>;
  prevHash: string;
  hash: string;
}

export const GENESIS_HASH = '0'.repeat(64);
// Serialises writers of the chain: each new link must see the previous one.
const AUDIT_CHAIN_LOCK = 7261002;

/** JSON with keys sorted at every level, so the hash does not depend on jsonb's key order. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value ?? null);
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
}

type Hashable = Omit<AuditEvent, 'seq' | 'hash'>;

/** The link hash: SHA-256 over the previous hash and the event's content. */
export function auditHash(e: Hashable): string {
  const { prevHash, ...content } = e;
  return crypto.createHash('sha256').update(prevHash).update('\n').update(canonicalJson(content)).digest('hex');
}

/**
 * Appends an event to the trail inside the caller's transaction, so the event and the change it
 * describes commit or roll back together.
 */
export async function recordAudit(tx: Queryable, input: AuditInput): Promise<void> {
  await recordAudits(tx, [input]);
}

type PendingEvent = Omit<Hashable, 'prevHash'>;
const pending = new WeakMap<Queryable, PendingEvent[]>();

/**
 * Appends several events in order. In a transaction they are kept until just before it commits
 * and then chained in one statement, so the chain lock (which serialises every writer of the
 * trail) is held for milliseconds, not for the whole of a slow request.
 */
export async function recordAudits(tx: Queryable, inputs: AuditInput[]): Promise<void> {
  if (inputs.length === 0) return;
  // Built (and the detail checked) now: a careless caller fails where it calls, not at commit.
  const events = inputs.map((input): PendingEvent => ({
    id: crypto.randomUUID(),
    at: new Date().toISOString(),
    actorId: input.actor?.userId ?? null,
    actorRole: input.actor?.role ?? null,
    action: input.action,
    entityType: input.entityType,
    entityId: input.entityId ?? null,
    caseId: input.caseId ?? null,
    ip: input.meta.ip,
    userAgent: input.meta.userAgent,
    outcome: input.outcome ?? 'success',
    detail: checkedAuditDetail(input.action, input.detail),
  }));
  if (!tx.beforeCommit) return appendToChain(tx, events);
  const buffer = pending.get(tx) ?? [];
  pending.set(tx, buffer);
  buffer.push(...events);
  tx.beforeCommit('audit', async () => {
    pending.delete(tx);
    await appendToChain(tx, buffer);
  });
}

async function appendToChain(tx: Queryable, events: PendingEvent[]): Promise<void> {
  await tx.query('SELECT pg_advisory_xact_lock($1)', [AUDIT_CHAIN_LOCK]);
  const last = await tx.query<{ hash: string }>('SELECT hash FROM audit_events ORDER BY seq DESC LIMIT 1');
  let prevHash = last[0]?.hash ?? GENESIS_HASH;
  const rows: (Hashable & { hash: string })[] = [];
  for (const e of events) {
    const event: Hashable = { ...e, prevHash };
    prevHash = auditHash(event);
    rows.push({ ...event, hash: prevHash });
  }
  // One statement for the whole chain segment (a page of a list is one event per case).
  await tx.query(
    `INSERT INTO audit_events (id, at, actor_id, actor_role, action, entity_type, entity_id, case_id, ip, user_agent, outcome, detail, prev_hash, hash)
     SELECT id, at, "actorId", "actorRole", action, "entityType", "entityId", "caseId", ip, "userAgent", outcome, detail, "prevHash", hash
     FROM ROWS FROM (jsonb_to_recordset($1::jsonb) AS (id uuid, at timestamptz, "actorId" uuid, "actorRole" text, action text, "entityType" text, "entityId" text, "caseId" uuid,
       ip text, "userAgent" text, outcome text, detail jsonb, "prevHash" text, hash text)) WITH ORDINALITY AS t(id, at, "actorId", "actorRole", action, "entityType", "entityId", "caseId",
       ip, "userAgent", outcome, detail, "prevHash", hash, n) ORDER BY n`,
    [JSON.stringify(rows)],
  );
}

/**
 * A read that touched several cases (a list, a search) leaves one event per case, so each
 * patient's access log shows it; a read that touched none leaves one event without a case.
 */
export async function recordCaseReads(tx: Queryable, input: Omit<AuditInput, 'caseId'>, caseIds: Iterable<string>): Promise<void> {
  const distinct = [...new Set(caseIds)];
  if (distinct.length === 0) return recordAudit(tx, { ...input, detail: { ...input.detail, cases: 0 } });
  await recordAudits(tx, distinct.map((caseId) => ({ ...input, caseId, entityId: input.entityId ?? caseId })));
}

/** Records an event in a transaction of its own (reads, and denied attempts that change nothing). */
export function recordAuditNow(db: Db, input: AuditInput): Promise<void> {
  return db.transaction((tx) => recordAudit(tx, input));
}

export const AUDIT_COLUMNS = `seq, id, at, actor_id AS "actorId", actor_role AS "actorRole", action, entity_type AS "entityType",
  entity_id AS "entityId", case_id AS "caseId", ip, user_agent AS "userAgent", outcome, detail, prev_hash AS "prevHash", hash`;

/** Normalises a row from either backend (Date or string timestamps) to the hashed shape. */
export function toAuditEvent(row: Record<string, unknown>): AuditEvent {
  const at = row.at instanceof Date ? row.at.toISOString() : new Date(String(row.at)).toISOString();
  return { ...(row as unknown as AuditEvent), seq: Number(row.seq), at };
}

export interface VerifyResult {
  ok: boolean;
  checked: number;
  firstBrokenSeq?: number;
  reason?: string;
}

/**
 * Walks the whole chain in order and recomputes every link. Any edited, deleted or reordered
 * event shows up as the first sequence number whose link does not hold.
 */
export async function verifyAuditChain(db: Db, batchSize = 5000): Promise<VerifyResult> {
  let prevHash = GENESIS_HASH;
  let lastSeq = 0;
  let checked = 0;
  for (;;) {
    const rows = await db.query<Record<string, unknown>>(
      `SELECT ${AUDIT_COLUMNS} FROM audit_events WHERE seq > $1 ORDER BY seq LIMIT $2`, [lastSeq, batchSize]);
    if (rows.length === 0) return { ok: true, checked };
    for (const row of rows) {
      const e = toAuditEvent(row);
      if (e.prevHash !== prevHash) return { ok: false, checked, firstBrokenSeq: e.seq, reason: 'link to the previous event does not match (an event was removed or reordered)' };
      const { seq: _seq, hash, ...content } = e;
      if (auditHash(content) !== hash) return { ok: false, checked, firstBrokenSeq: e.seq, reason: 'content does not match its hash (the event was altered)' };
      prevHash = hash;
      lastSeq = e.seq;
      checked++;
    }
  }
}
