import { EventEmitter } from 'node:events';
import { recordAudit } from '../core/audit.ts';
import type { Actor, RequestMeta } from '../core/context.ts';
import type { Db, Queryable } from '../core/db.ts';

/**
 * A visit's room between servers: who is waiting and who is admitted (visit_presence), and the
 * WebRTC offers, answers and candidates between admitted participants (visit_signals, read once
 * by the server the addressee is connected to). PostgreSQL NOTIFY tells every server at commit;
 * it carries ids only. Media never passes through the server and nothing is recorded.
 */
const CHANNEL = 'consilium_visit';

export type RoomSignal = { kind: 'presence' } | { kind: 'signal'; to: string; id: string } | { kind: 'ended' };
/** `connection` names the person's current window: when it changes, the others connect to the new one. */
export interface Presence { userId: string; name: string; state: 'waiting' | 'admitted' | 'left'; expert: boolean; connection: string | null }

async function announce(tx: Queryable, visitId: string, signal: RoomSignal) {
  await tx.query('SELECT pg_notify($1, $2)', [CHANNEL, JSON.stringify({ v: visitId, m: signal })]);
}

/**
 * Someone no longer on the visit (an interpreter taken off it; everyone, when it is cancelled)
 * leaves the room at once: each server re-checks its people at the presence change and closes
 * the windows of those no longer allowed.
 */
export async function removeFromRoom(tx: Queryable, visitId: string, userId: string | null) {
  await tx.query(`UPDATE visit_presence SET state = 'left', updated_at = now() WHERE visit_id = $1 AND ($2::uuid IS NULL OR user_id = $2)`, [visitId, userId]);
  await announce(tx, visitId, { kind: 'presence' });
}

export function roomStore(db: Db) {
  return {
    async presence(visitId: string, expertId: string): Promise<Presence[]> {
      const rows = await db.query<{ user_id: string; name: string; state: Presence['state']; connection: string | null }>(
        `SELECT p.user_id, u.name, p.state, p.connection FROM visit_presence p JOIN users u ON u.id = p.user_id WHERE p.visit_id = $1 AND p.state <> 'left' ORDER BY p.updated_at`, [visitId]);
      return rows.map((r) => ({ userId: r.user_id, name: r.name, state: r.state, expert: r.user_id === expertId, connection: r.connection }));
    },
    /**
     * Enters the room: the expert is admitted at once, anyone else waits to be admitted. This
     * connection becomes the person's presence; a window they had open before is replaced.
     */
    async enter(visitId: string, actor: Actor, expert: boolean, connection: string) {
      await db.transaction(async (tx) => {
        await tx.query(
          `INSERT INTO visit_presence (visit_id, user_id, state, connection) VALUES ($1,$2,$3,$4)
           ON CONFLICT (visit_id, user_id) DO UPDATE SET state = CASE WHEN visit_presence.state = 'admitted' OR $3 = 'admitted' THEN 'admitted' ELSE 'waiting' END, connection = $4, updated_at = now()`,
          [visitId, actor.userId, expert ? 'admitted' : 'waiting', connection]);
        if (expert) await tx.query('UPDATE visits SET started_at = coalesce(started_at, now()) WHERE id = $1', [visitId]);
        await announce(tx, visitId, { kind: 'presence' });
      });
    },
    /** Whether this connection is still the person's presence in the room (not replaced by a newer window). */
    async isCurrent(visitId: string, userId: string, connection: string): Promise<boolean> {
      return (await db.query('SELECT 1 FROM visit_presence WHERE visit_id = $1 AND user_id = $2 AND connection = $3', [visitId, userId, connection])).length > 0;
    },
    /** Leaves the room, unless a newer window of the same person took over meanwhile. */
    async leave(visitId: string, actor: Actor, meta: RequestMeta, caseId: string, connection: string) {
      await db.transaction(async (tx) => {
        const left = await tx.query(`UPDATE visit_presence SET state = 'left', updated_at = now() WHERE visit_id = $1 AND user_id = $2 AND connection = $3 RETURNING user_id`, [visitId, actor.userId, connection]);
        if (!left.length) return;
        // What was not delivered to or from them is of no use any more (it names network addresses).
        await tx.query('DELETE FROM visit_signals WHERE visit_id = $1 AND (to_user = $2 OR from_user = $2)', [visitId, actor.userId]);
        await recordAudit(tx, { actor, meta, action: 'visit.room.leave', entityType: 'Appointment', entityId: visitId, caseId });
        await announce(tx, visitId, { kind: 'presence' });
      });
    },
    /** The expert admits someone waiting (only someone on the visit's case could be waiting). */
    async admit(visitId: string, actor: Actor, meta: RequestMeta, caseId: string, userId: string): Promise<boolean> {
      return db.transaction(async (tx) => {
        const rows = await tx.query(`UPDATE visit_presence SET state = 'admitted', updated_at = now() WHERE visit_id = $1 AND user_id = $2 AND state = 'waiting' RETURNING user_id`, [visitId, userId]);
        if (!rows.length) return false;
        await recordAudit(tx, { actor, meta, action: 'visit.room.admit', entityType: 'Appointment', entityId: visitId, caseId, detail: { userId } });
        await announce(tx, visitId, { kind: 'presence' });
        return true;
      });
    },
    /** Passes a WebRTC message between two admitted participants of the visit. */
    async signal(visitId: string, from: string, to: string, payload: unknown): Promise<boolean> {
      return db.transaction(async (tx) => {
        const both = await tx.query(`SELECT 1 FROM visit_presence WHERE visit_id = $1 AND user_id = ANY($2::uuid[]) AND state = 'admitted'`, [visitId, [from, to]]);
        if (both.length !== 2) return false;
        const [row] = await tx.query<{ id: string }>('INSERT INTO visit_signals (visit_id, from_user, to_user, payload) VALUES ($1,$2,$3,$4) RETURNING id', [visitId, from, to, JSON.stringify(payload)]);
        await announce(tx, visitId, { kind: 'signal', to, id: String(row!.id) });
        return true;
      });
    },
    /** Takes a message addressed to the user (once: it is deleted as it is read). */
    async take(id: string, to: string): Promise<{ from: string; payload: unknown } | null> {
      const [row] = await db.query<{ from_user: string; payload: unknown }>('DELETE FROM visit_signals WHERE id = $1 AND to_user = $2 RETURNING from_user, payload', [id, to]);
      return row ? { from: row.from_user, payload: row.payload } : null;
    },
    async ended(visitId: string) {
      await db.transaction(async (tx) => {
        await tx.query(`UPDATE visit_presence SET state = 'left', updated_at = now() WHERE visit_id = $1`, [visitId]);
        await tx.query('DELETE FROM visit_signals WHERE visit_id = $1', [visitId]);
        await announce(tx, visitId, { kind: 'ended' });
      });
    },
  };
}
export type RoomStore = ReturnType<typeof roomStore>;

export interface RoomHub {
  subscribe(visitId: string, fn: (s: RoomSignal) => void): () => void;
  close(): Promise<void>;
}

export async function roomHub(db: Db): Promise<RoomHub> {
  const emitter = new EventEmitter();
  emitter.setMaxListeners(0);
  const stop = await db.listen(CHANNEL, (payload) => {
    try {
      const m = JSON.parse(payload) as { v?: unknown; m?: RoomSignal };
      if (typeof m.v === 'string' && m.m) emitter.emit(m.v, m.m);
    } catch {
      // Not ours: ignore.
    }
  });
  return {
    subscribe(visitId, fn) {
      emitter.on(visitId, fn);
      return () => emitter.off(visitId, fn);
    },
    close: stop,
  };
}
