import crypto from 'node:crypto';
import type { Actor, RequestMeta } from './context.ts';
import { v7 as uuidv7 } from 'uuid';
import type { Db, Queryable } from './db.ts';
import { checkedAuditDetail } from './auditDetail.ts';
import { pollEvery } from './jobs.ts';

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
}

export const GENESIS_HASH = '0'.repeat(64);
// One sealer at a time across every instance links new events into the chain.
const AUDIT_SEAL_LOCK = 7261002;
// Events hashed between two turns of the event loop while sealing.
const HASH_SLICE = 100;

/** JSON with keys sorted at every level, so the hash does not depend on jsonb's key order. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value ?? null);
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
}

type Hashable = Omit<AuditEvent, 'seq'> & { prevHash: string };

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

/**
 * Sixteen random bytes from a pool refilled 4 KB at a time: a list records 25 events, and one
 * system call per id was a few percent of the request's CPU (as `crypto.randomUUID` pools too).
 */
let randomPool = new Uint8Array(0);
let randomAt = 0;
function pooledRandom16(): Uint8Array {
  if (randomAt + 16 > randomPool.length) {
    randomPool = crypto.randomBytes(4096);
    randomAt = 0;
  }
  randomAt += 16;
  return randomPool.subarray(randomAt - 16, randomAt);
}

type PendingEvent = Omit<AuditEvent, 'seq'>;
const pending = new WeakMap<Queryable, PendingEvent[]>();

/**
 * Appends several events in order. In a transaction they are kept until just before it commits
 * and then written in one statement, unchained, stamped with the transaction's id; the sealer
 * (`sealAuditTrail`) links them into the hash chain later. No writer waits for another.
 */
export async function recordAudits(tx: Queryable, inputs: AuditInput[]): Promise<void> {
  if (inputs.length === 0) return;
  // Built (and the detail checked) now: a careless caller fails where it calls, not at commit.
  const events = inputs.map((input): PendingEvent => ({
    // Time-ordered to the millisecond (UUIDv7; within one millisecond, random): new ids go to the end of the id index. Random ids landed on a random
    // page of it each, which at millions of events meant reading (and writing back) a page for
    // nearly every event a list recorded.
    id: uuidv7({ rng: pooledRandom16 }),
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
  if (!tx.beforeCommit) return insertEvents(tx, events);
  const buffer = pending.get(tx) ?? [];
  pending.set(tx, buffer);
  buffer.push(...events);
  tx.beforeCommit('audit', async () => {
    pending.delete(tx);
    await insertEvents(tx, buffer);
  });
}

async function insertEvents(tx: Queryable, events: PendingEvent[]): Promise<void> {
  // One statement for the whole batch (a page of a list is one event per case).
  await tx.query(
    `INSERT INTO audit_events (id, at, actor_id, actor_role, action, entity_type, entity_id, case_id, ip, user_agent, outcome, detail)
     SELECT id, at, "actorId", "actorRole", action, "entityType", "entityId", "caseId", ip, "userAgent", outcome, detail
     FROM ROWS FROM (jsonb_to_recordset($1::jsonb) AS (id uuid, at timestamptz, "actorId" uuid, "actorRole" text, action text, "entityType" text, "entityId" text, "caseId" uuid,
       ip text, "userAgent" text, outcome text, detail jsonb)) WITH ORDINALITY AS t(id, at, "actorId", "actorRole", action, "entityType", "entityId", "caseId",
       ip, "userAgent", outcome, detail, n) ORDER BY n`,
    [JSON.stringify(events)],
  );
}

export const AUDIT_COLUMNS = `seq, id, at, actor_id AS "actorId", actor_role AS "actorRole", action, entity_type AS "entityType",
  entity_id AS "entityId", case_id AS "caseId", ip, user_agent AS "userAgent", outcome, detail`;

/**
 * Links new events into the chain, in batches; returns how many it sealed. It takes the events of
 * transactions that have all finished (below the oldest transaction still running, so none of them
 * can still add an event), in transaction then event order, and moves its mark past them once
 * they are all linked. One instance seals at a time: the others return 0 at once, or wait their
 * turn with `wait` (a check that must see everything committed before it).
 */
export async function sealAuditTrail(db: Db, opts: { wait?: boolean; batchSize?: number } = {}): Promise<number> {
  const batchSize = opts.batchSize ?? 2000;
  let sealed = 0;
  // Where the previous batch of this call ended: a transaction with many events is read on from
  // there, not from its start again.
  let after = { tx: '0', seq: 0 };
  for (;;) {
    const n = await db.transaction(async (tx) => {
      if (opts.wait) await tx.query('SELECT pg_advisory_xact_lock($1)', [AUDIT_SEAL_LOCK]);
      else {
        const [lock] = await tx.query<{ ok: boolean }>('SELECT pg_try_advisory_xact_lock($1) AS ok', [AUDIT_SEAL_LOCK]);
        if (!lock?.ok) return 0;
      }
      const [mark] = await tx.query<{ below: string; upto: string }>(
        'SELECT sealed_below::text AS below, pg_snapshot_xmin(pg_current_snapshot())::text AS upto FROM audit_seal_state');
      // One lower bound only: given both, PostgreSQL starts the index walk at the row comparison's
      // and passes every sealed event below the mark on its way.
      const from = after.tx === '0' ? { sql: 'e.tx >= $1::xid8', params: [mark!.below] } : { sql: '(e.tx, e.seq) > ($1::xid8, $4::bigint)', params: [after.tx] };
      // The next events in order, by the index alone; then those a sealer that stopped half-way
      // already linked are left out. (As one anti-join, a backlog of millions made the planner
      // hash both tables whole for every batch.)
      const candidates = await tx.query<Record<string, unknown>>(
        `SELECT ${AUDIT_COLUMNS}, tx::text AS tx FROM audit_events e
         WHERE ${from.sql} AND e.tx < $2::xid8
         ORDER BY e.tx, e.seq LIMIT $3`, [...from.params, mark!.upto, batchSize, ...(after.tx === '0' ? [] : [after.seq])]);
      const linked = new Set(candidates.length ? (await tx.query<{ seq: string }>(
        'SELECT event_seq::text AS seq FROM audit_links WHERE event_seq = ANY($1::bigint[])', [candidates.map((r) => String(r.seq))])).map((r) => Number(r.seq)) : []);
      const rows = candidates.filter((r) => !linked.has(Number(r.seq)));
      if (rows.length > 0) await appendLinks(tx, rows);
      const last = candidates[candidates.length - 1];
      if (last) after = { tx: String(last.tx), seq: Number(last.seq) };
      // Every event below the mark is linked: the next round starts there.
      if (candidates.length < batchSize && mark!.below !== mark!.upto) await tx.query('UPDATE audit_seal_state SET sealed_below = $1::xid8', [mark!.upto]);
      sealed += rows.length;
      return candidates.length;
    });
    if (n < batchSize) return sealed;
  }
}

async function appendLinks(tx: Queryable, rows: Record<string, unknown>[]): Promise<void> {
  const [last] = await tx.query<{ pos: number; hash: string }>('SELECT pos, hash FROM audit_links ORDER BY pos DESC LIMIT 1');
  let pos = Number(last?.pos ?? 0);
  let prevHash = last?.hash ?? GENESIS_HASH;
  const links: { pos: number; seq: number; prevHash: string; hash: string }[] = [];
  for (const row of rows) {
    // The transaction id only orders sealing; the link covers the event itself.
    const { seq, tx: _tx, ...content } = toAuditEvent(row) as AuditEvent & { tx?: string };
    const hash = auditHash({ ...content, prevHash });
    links.push({ pos: ++pos, seq, prevHash, hash });
    prevHash = hash;
    // Requests go on between slices: a batch hashed in one go held the event loop for tens of
    // milliseconds, every request waiting behind it.
    if (links.length % HASH_SLICE === 0) await new Promise((r) => setImmediate(r));
  }
  await tx.query(
    `INSERT INTO audit_links (pos, event_seq, prev_hash, hash)
     SELECT pos, seq, "prevHash", hash FROM jsonb_to_recordset($1::jsonb) AS t(pos bigint, seq bigint, "prevHash" text, hash text)`,
    [JSON.stringify(links)]);
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

/**
 * Records an event on its own (reads, and denied attempts that change nothing): one statement,
 * which commits by itself; a transaction around it would only add BEGIN and COMMIT round trips.
 */
export function recordAuditNow(db: Db, input: AuditInput): Promise<void> {
  return recordAudit(db, input);
}

/** Normalises a row from either backend (Date or string timestamps) to the hashed shape. */
export function toAuditEvent(row: Record<string, unknown>): AuditEvent {
  const at = row.at instanceof Date ? row.at.toISOString() : new Date(String(row.at)).toISOString();
  return { ...(row as unknown as AuditEvent), seq: Number(row.seq), at };
}

export interface VerifyResult {
  ok: boolean;
  /** Links checked, in chain order. */
  checked: number;
  /** Events written but not yet linked (after sealing, only those committed meanwhile). */
  unsealed?: number;
  firstBrokenSeq?: number;
  reason?: string;
}

/**
 * Seals what is waiting, then walks the whole chain in order and recomputes every link. An
 * edited event, a deleted or reordered one, or an event that is neither linked nor waiting to be
 * shows up as the first event whose link does not hold.
 */
export async function verifyAuditChain(db: Db, batchSize = 5000): Promise<VerifyResult> {
  await sealEverythingBefore(db);
  let prevHash = GENESIS_HASH;
  let lastPos = 0;
  let checked = 0;
  for (;;) {
    const rows = await db.query<Record<string, unknown> & { link_pos: number; link_seq: number; link_prev: string; link_hash: string }>(
      `SELECT l.pos AS link_pos, l.event_seq AS link_seq, l.prev_hash AS link_prev, l.hash AS link_hash, e.*
       FROM audit_links l LEFT JOIN LATERAL (SELECT ${AUDIT_COLUMNS} FROM audit_events WHERE seq = l.event_seq) e ON true
       WHERE l.pos > $1 ORDER BY l.pos LIMIT $2`, [lastPos, batchSize]);
    if (rows.length === 0) break;
    for (const { link_pos, link_seq, link_prev, link_hash, ...row } of rows) {
      const at = Number(link_seq);
      if (Number(link_pos) !== lastPos + 1 || link_prev !== prevHash) return { ok: false, checked, firstBrokenSeq: at, reason: 'link to the previous event does not match (an event was removed or reordered)' };
      if (row.seq == null) return { ok: false, checked, firstBrokenSeq: at, reason: 'the event this link seals is missing (it was deleted)' };
      const { seq: _seq, ...content } = toAuditEvent(row);
      if (auditHash({ ...content, prevHash }) !== link_hash) return { ok: false, checked, firstBrokenSeq: at, reason: 'content does not match its hash (the event was altered)' };
      prevHash = link_hash;
      lastPos = Number(link_pos);
      checked++;
    }
  }
  // Events not linked: those of transactions that finished after the seal are still to come;
  // one below the sealer's mark was never going to be sealed (written around the trail).
  const [rest] = await db.query<{ waiting: number; stray: number | null }>(
    `SELECT count(*) FILTER (WHERE e.tx >= s.sealed_below)::int AS waiting, min(e.seq) FILTER (WHERE e.tx < s.sealed_below) AS stray
     FROM audit_events e CROSS JOIN audit_seal_state s WHERE NOT EXISTS (SELECT 1 FROM audit_links l WHERE l.event_seq = e.seq)`);
  const unsealed = rest?.waiting ?? 0;
  if (rest?.stray != null) return { ok: false, checked, unsealed, firstBrokenSeq: Number(rest.stray), reason: 'an event is outside the chain (written around the trail, never to be sealed)' };
  return { ok: true, checked, unsealed };
}

/**
 * Seals until every transaction that had begun when this was called has finished and its events
 * are linked (a transaction still running holds the sealer's mark back; a check waits for it, up
 * to `timeoutMs`, then reports what is left as not yet sealed).
 */
async function sealEverythingBefore(db: Db, timeoutMs = 10_000): Promise<void> {
  const [start] = await db.query<{ xmax: string }>('SELECT pg_snapshot_xmax(pg_current_snapshot())::text AS xmax');
  const until = Date.now() + timeoutMs;
  for (;;) {
    await sealAuditTrail(db, { wait: true });
    const [done] = await db.query<{ ok: boolean }>('SELECT sealed_below >= $1::xid8 AS ok FROM audit_seal_state', [start!.xmax]);
    if (done?.ok || Date.now() > until) return;
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Seals the trail every `intervalMs` in the background; returns a stop function that seals once more. */
export function startAuditSealer(db: Db, onError: (err: Error) => void, intervalMs: number): () => Promise<void> {
  const stop = pollEvery(() => sealAuditTrail(db), intervalMs, onError);
  return async () => {
    await stop();
    await sealAuditTrail(db).catch(onError);
  };
}
