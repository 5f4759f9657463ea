import { EventEmitter } from 'node:events';
import type { Db, Queryable } from '../core/db.ts';
import type { PresentationState } from './schemas.ts';

/**
 * The board room's live channel between servers: a change (the presenter moved, the agenda or
 * the minutes changed) is announced through PostgreSQL in the change's own transaction, so every
 * server hears it at commit, whichever server each member's page is connected to, and never hears
 * a change that rolled back. Announcements carry ids and positions, never health data.
 */
const CHANNEL = 'consilium_board';

export type BoardSignal =
  | { kind: 'state'; seq: number; state: PresentationState; presenterId: string }
  | { kind: 'agenda' | 'members' | 'session' }
  | { kind: 'minutes'; caseId: string }
  | { kind: 'presenter'; presenterId: string };

export async function announceBoard(tx: Queryable, sessionId: string, signal: BoardSignal): Promise<void> {
  await tx.query('SELECT pg_notify($1, $2)', [CHANNEL, JSON.stringify({ s: sessionId, m: signal })]);
}

export interface BoardHub {
  /** Calls `fn` with each signal of the session and who may still receive it; returns the stop function. */
  subscribe(sessionId: string, fn: (signal: BoardSignal, allowed: ReadonlySet<string>) => void): () => void;
  close(): Promise<void>;
}

export async function boardHub(db: Db): Promise<BoardHub> {
  const emitter = new EventEmitter();
  emitter.setMaxListeners(0);
  // Who may receive a session's signals, read once per signal on this server (not once per page):
  // a member removed, or a cancelled session, stops receiving at the next signal.
  const allowed = async (sessionId: string) => new Set((await db.query<{ user_id: string }>(
    `SELECT s.chair_id AS user_id FROM board_sessions s WHERE s.id = $1 AND s.status = 'scheduled'
     UNION SELECT m.user_id FROM board_members m JOIN board_sessions s ON s.id = m.session_id AND s.status = 'scheduled' WHERE m.session_id = $1 AND m.removed_at IS NULL`,
    [sessionId])).map((r) => r.user_id));
  const stop = await db.listen(CHANNEL, (payload) => {
    let m: { s?: unknown; m?: BoardSignal };
    try {
      m = JSON.parse(payload);
    } catch {
      return;
    }
    const sessionId = m.s;
    if (typeof sessionId !== 'string' || !m.m || emitter.listenerCount(sessionId) === 0) return;
    allowed(sessionId).then((who) => emitter.emit(sessionId, m.m, who), () => emitter.emit(sessionId, m.m, new Set()));
  });
  return {
    subscribe(sessionId, fn) {
      emitter.on(sessionId, fn);
      return () => emitter.off(sessionId, fn);
    },
    close: stop,
  };
}
