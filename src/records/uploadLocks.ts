import { ERRORS, type Lock, type Locker, type RequestRelease } from '@tus/server';
import type pg from 'pg';
import type { Db } from '../core/db.ts';

const CHANNEL = 'upload_lock_release';
const POLL_MS = 100;

/**
 * One request at a time per upload, across every instance on the database. tus's own lock lives
 * in one process's memory: behind a load balancer, a client retrying a PATCH that another
 * instance still serves would write the same bytes twice. Here the lock is a PostgreSQL advisory
 * lock, held by one connection per instance (not one per request, which would drain the pool
 * while large uploads run). Within the instance a map keeps requests apart, since a session may
 * take its own advisory lock again. As tus asks, a request that wants a held lock asks the holder
 * to let go: in this process directly, on another instance through NOTIFY.
 *
 * If the locking connection drops, PostgreSQL releases its locks; requests under way finish
 * unaware, and the next lock opens a new connection.
 */
export function postgresUploadLocker(db: Db, acquireTimeoutMs = 30_000): Locker & { close: () => Promise<void> } {
  if (!db.session) throw new Error('Upload locks across instances need PostgreSQL');
  const held = new Map<string, RequestRelease>();
  let session: Promise<pg.Client> | null = null;
  let closed = false;

  const connection = () => {
    session ??= (async () => {
      const c = db.session!();
      c.on('notification', (n) => {
        if (n.channel === CHANNEL && n.payload) void held.get(n.payload.replace(/^upload:/, ''))?.();
      });
      c.on('error', () => {
        session = null;
        void c.end().catch(() => undefined);
      });
      await c.connect();
      await c.query(`LISTEN ${CHANNEL}`);
      return c;
    })().catch((err) => {
      session = null;
      throw err;
    });
    return session;
  };
  const sql = async (text: string, id: string) => (await (await connection()).query<{ ok: boolean }>(text, [`upload:${id}`]))?.rows[0]?.ok;

  const sleep = (ms: number, signal: AbortSignal) => new Promise<void>((resolve) => {
    const t = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => {
      clearTimeout(t);
      resolve();
    }, { once: true });
  });

  function newLock(id: string): Lock {
    let mine = false;
    return {
      async lock(stop, requestRelease) {
        const deadline = Date.now() + acquireTimeoutMs;
        let asked = false;
        while (!stop.aborted && Date.now() < deadline) {
          const local = held.get(id);
          if (!local) {
            held.set(id, requestRelease);
            if (await sql('SELECT pg_try_advisory_lock(hashtextextended($1, 0)) AS ok', id).catch(() => false)) {
              mine = true;
              return;
            }
            held.delete(id);
            // Held on another instance: ask it once to finish its request early.
            if (!asked) await sql(`SELECT pg_notify('${CHANNEL}', $1) IS NULL AS ok`, id).catch(() => undefined);
            asked = true;
          } else if (!asked) {
            await local();
            asked = true;
          }
          await sleep(POLL_MS, stop);
        }
        throw ERRORS.ERR_LOCK_TIMEOUT;
      },
      async unlock() {
        if (!mine) throw new Error('Releasing an unlocked lock!');
        mine = false;
        held.delete(id);
        await sql('SELECT pg_advisory_unlock(hashtextextended($1, 0)) AS ok', id).catch(() => undefined);
      },
    };
  }

  return {
    newLock,
    async close() {
      if (closed) return;
      closed = true;
      const c = await session?.catch(() => null);
      session = null;
      await c?.end().catch(() => undefined);
    },
  };
}
