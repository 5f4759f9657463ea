import { EventEmitter } from 'node:events';
import type { Db, Queryable } from '../core/db.ts';

/**
 * Live news for open pages: when the dispatcher gives someone a notice, every page they have open
 * hears "something changed on case X" at once and refreshes it. The signal travels through
 * PostgreSQL (pg_notify in the notice's own transaction, delivered at commit), so it reaches the
 * person whichever server their page is connected to, and never announces a change that rolled
 * back. It carries ids only; the page then reads (and the read is checked and audited as always).
 */
const CHANNEL = 'consilium_live';

export interface LiveSignal {
  caseId: string;
  kind: string;
}

/** Announces a notice to the person's open pages when the transaction commits. */
export async function announce(tx: Queryable, userId: string, signal: LiveSignal): Promise<void> {
  await tx.query('SELECT pg_notify($1, $2)', [CHANNEL, JSON.stringify({ u: userId, c: signal.caseId, k: signal.kind })]);
}

export interface LiveHub {
  /** Calls `fn` for each signal to this person; returns the function that stops it. */
  subscribe(userId: string, fn: (s: LiveSignal) => void): () => void;
  close(): Promise<void>;
}

export async function liveHub(db: Db): Promise<LiveHub> {
  const emitter = new EventEmitter();
  // One listener per open page: many pages are expected, so no leak warning.
  emitter.setMaxListeners(0);
  const stop = await db.listen(CHANNEL, (payload) => {
    try {
      const m = JSON.parse(payload) as { u?: unknown; c?: unknown; k?: unknown };
      if (typeof m.u === 'string' && typeof m.c === 'string' && typeof m.k === 'string') emitter.emit(m.u, { caseId: m.c, kind: m.k });
    } catch {
      // Not ours: ignore.
    }
  });
  return {
    subscribe(userId, fn) {
      emitter.on(userId, fn);
      return () => emitter.off(userId, fn);
    },
    close: stop,
  };
}
