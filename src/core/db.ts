import { execFile } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { PGlite } from '@electric-sql/pglite';
import { pg_trgm } from '@electric-sql/pglite/contrib/pg_trgm';
import pg from 'pg';

/** Something SQL can be sent to: the database itself or an open transaction. */
export interface Queryable {
  query<T = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<T[]>;
  /** Runs a script of several statements without parameters (migrations). */
  exec(sql: string): Promise<void>;
  /**
   * In a transaction: runs `hook` once, just before COMMIT (a second registration under the same
   * key is ignored). Absent outside transactions, where every statement commits on its own.
   */
  beforeCommit?(key: string, hook: () => Promise<void>): void;
  /**
   * In a transaction: runs `hook` once, right after COMMIT succeeded (not on rollback), for what
   * must follow the committed state, such as forgetting what a cache holds. Absent outside transactions.
   */
  afterCommit?(key: string, hook: () => void): void;
}

/** Hooks of one transaction, run in registration order right before it commits. */
class CommitHooks {
  private readonly hooks = new Map<string, () => Promise<void>>();
  add = (key: string, hook: () => Promise<void>) => {
    if (!this.hooks.has(key)) this.hooks.set(key, hook);
  };
  async run() {
    for (const hook of this.hooks.values()) await hook();
  }
}

/** Hooks of one transaction, run once it has committed; each runs whatever the others do. */
class AfterCommitHooks {
  private readonly hooks = new Map<string, () => void>();
  add = (key: string, hook: () => void) => {
    if (!this.hooks.has(key)) this.hooks.set(key, hook);
  };
  run() {
    for (const hook of this.hooks.values()) {
      try {
        hook();
      } catch {
        // The transaction is committed; a hook's failure must not turn it into an error.
      }
    }
  }
}

/** `Db.reading` on a connection: statements commit one by one, the hooks run once `fn` is done. */
async function readingOn<T>(query: <R>(sql: string, params?: unknown[]) => Promise<R[]>, exec: (sql: string) => Promise<void>, fn: (q: Queryable) => Promise<T>): Promise<T> {
  const hooks = new CommitHooks();
  const after = new AfterCommitHooks();
  const result = await fn({ query, exec, beforeCommit: hooks.add, afterCommit: after.add });
  await hooks.run();
  after.run();
  return result;
}

/**
 * The one database interface the store layer sees. Two backends implement it: PGlite (Postgres
 * compiled to WebAssembly, a folder on disk, nothing to install) and a PostgreSQL server.
 */
export interface Db extends Queryable {
  readonly kind: 'pglite' | 'postgres';
  /** Runs `fn` in one transaction: committed if it resolves, rolled back if it throws. */
  transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T>;
  /**
   * Runs `fn`, which only reads, on one connection without a transaction, then runs its
   * before-commit hooks (the audit events it recorded: one statement) and after-commit hooks.
   * A list request spent two of its seven round trips on BEGIN and COMMIT, which buy a read
   * nothing: under READ COMMITTED each statement takes its own snapshot either way. If `fn`
   * throws, no hook runs, as after a rollback.
   */
  reading<T>(fn: (q: Queryable) => Promise<T>): Promise<T>;
  /**
   * Calls `handler` with the payload of every `pg_notify(channel, …)` (sent when the notifying
   * transaction commits, by any server on the database). Resolves to a function that stops it.
   */
  listen(channel: string, handler: (payload: string) => void): Promise<() => Promise<void>>;
  /**
   * A new connection outside the pool, not yet connected (PostgreSQL only): for what belongs to a
   * session and outlives one query, such as advisory locks held while a request runs.
   */
  session?(): pg.Client;
  close(): Promise<void>;
}

export class PgliteDb implements Db {
  readonly kind = 'pglite' as const;
  private readonly pglite: PGlite;
  constructor(pglite: PGlite) {
    this.pglite = pglite;
  }
  /** The database's files as one uncompressed archive, which `openDb({ startFrom })` opens again. */
  async files(): Promise<Blob> {
    return this.pglite.dumpDataDir('none');
  }
  async query<T>(sql: string, params: unknown[] = []): Promise<T[]> {
    const res = await this.pglite.query<T>(sql, params);
    return res.rows;
  }
  async transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T> {
    const after = new AfterCommitHooks();
    const result = await this.pglite.transaction(async (tx) => {
      const hooks = new CommitHooks();
      const value = await fn({
        query: async <R>(sql: string, params: unknown[] = []) => (await tx.query<R>(sql, params)).rows,
        exec: async (sql: string) => {
          await tx.exec(sql);
        },
        beforeCommit: hooks.add,
        afterCommit: after.add,
      });
      await hooks.run();
      return value;
    });
    after.run();
    return result;
  }
  reading<T>(fn: (q: Queryable) => Promise<T>): Promise<T> {
    return readingOn((sql, params) => this.query(sql, params), (sql) => this.exec(sql), fn);
  }
  async exec(sql: string): Promise<void> {
    await this.pglite.exec(sql);
  }
  async listen(channel: string, handler: (payload: string) => void): Promise<() => Promise<void>> {
    const stop = await this.pglite.listen(channel, handler);
    return async () => {
      await stop();
    };
  }
  async close(): Promise<void> {
    await this.pglite.close();
  }
}

/**
 * Names for the statements a server sends again and again, so that PostgreSQL parses and plans
 * each once per connection and keeps the plan (a prepared statement), as pgx and postgres.js do.
 * Planning a queue page cost PostgreSQL more than running it (0.55 of 0.9 ms, and as much again
 * for the unread counts beside it); named, a list request took half the database's time.
 *
 * A text is named from its third use on (a one-off costs nothing to keep), up to `capacity`
 * texts in all; each connection keeps the ones it has used (a queue page's kept plan is a few
 * hundred kB of the server's memory per connection; idle connections close after ten seconds).
 * Off with `DATABASE_KEEP_PLANS=false`, for a pooler that hands each transaction another server
 * connection (PgBouncer in transaction mode before 1.21). Never named: statements that return `*`
 * (a migration adding a column would change a kept plan's result, which PostgreSQL refuses),
 * statements matching a parameter with LIKE (the plan depends on the pattern), and anything that
 * is not a plain query (BEGIN, EXPLAIN, LISTEN…).
 */
export class StatementNames {
  private readonly seen = new Map<string, number>();
  private readonly names = new Map<string, string>();
  /** Texts whose kept plan PostgreSQL refused: planned each time from then on. */
  private readonly unnamed = new Set<string>();
  private readonly capacity: number;
  private readonly afterUses: number;
  constructor(capacity = 200, afterUses = 3) {
    this.capacity = capacity;
    this.afterUses = afterUses;
  }

  nameOf(text: string): string | undefined {
    const known = this.names.get(text);
    if (known || this.names.size >= this.capacity || this.unnamed.has(text) || !PREPARABLE.test(text) || RETURNS_STAR.test(text) || matchesPattern(text)) return known;
    const uses = (this.seen.get(text) ?? 0) + 1;
    if (uses < this.afterUses) {
      // Texts built from values (a page number, an id spelled out) are counted, never kept long.
      if (this.seen.size >= this.capacity * 10) this.seen.clear();
      this.seen.set(text, uses);
      return undefined;
    }
    this.seen.delete(text);
    const name = `s${crypto.createHash('sha256').update(text).digest('base64url').slice(0, 24)}`;
    this.names.set(text, name);
    return name;
  }

  /** Runs `text` on `on` (the pool or one connection), named when it has earned a name. */
  async run(on: pg.Pool | pg.PoolClient, text: string, values: unknown[]): Promise<pg.QueryResult> {
    const name = this.nameOf(text);
    if (!name) return on.query(text, values);
    try {
      return await on.query({ name, text, values });
    } catch (err) {
      if (!isStalePlan(err)) throw err;
      // A column's type changed under a kept plan (a migration run by another instance): the
      // text goes back to being planned each time, on every connection (a connection keeps the
      // statement under its name, so the name is not given again). Outside a transaction the
      // statement is simply sent again; inside one, the error is the transaction's.
      this.names.delete(text);
      this.unnamed.add(text);
      if (on instanceof pg.Pool) return on.query(text, values);
      throw err;
    }
  }
}

const PREPARABLE = /^\s*(SELECT|INSERT|UPDATE|DELETE|WITH)\b/i;
// A `*` that is not `(*)` (as in count(*)).
const RETURNS_STAR = /(?<!\()\*|\*(?!\))/;
// A pattern decides the plan: a common word is best met walking the list in order, a rare one
// through the trigram index, a prefix through a range. A kept plan, made without the pattern,
// took a search of the open queue from 1 to 8 ms. Any LIKE in a statement with parameters counts
// (the pattern may be built around one: '%' || $1 || '%').
const matchesPattern = (text: string) => /\bI?LIKE\b/i.test(text) && /\$\d/.test(text);
// By the routine that raises it: the message is in the server's language.
const isStalePlan = (err: unknown) => (err as { code?: string }).code === '0A000' && (err as { routine?: string }).routine === 'RevalidateCachedQuery';

class PostgresDb implements Db {
  readonly kind = 'postgres' as const;
  private readonly pool: pg.Pool;
  private readonly url: string;
  private readonly statements: StatementNames;
  constructor(pool: pg.Pool, url: string, statements: StatementNames) {
    this.pool = pool;
    this.url = url;
    this.statements = statements;
  }
  async query<T>(sql: string, params: unknown[] = []): Promise<T[]> {
    const res = await this.statements.run(this.pool, sql, params);
    return res.rows as T[];
  }
  async transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      const hooks = new CommitHooks();
      const after = new AfterCommitHooks();
      const result = await fn({
        query: async <R>(sql: string, params: unknown[] = []) => (await this.statements.run(client, sql, params)).rows as R[],
        exec: async (sql: string) => {
          await client.query(sql);
        },
        beforeCommit: hooks.add,
        afterCommit: after.add,
      });
      await hooks.run();
      await client.query('COMMIT');
      after.run();
      return result;
    } catch (err) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw err;
    } finally {
      client.release();
    }
  }
  async reading<T>(fn: (q: Queryable) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    try {
      return await readingOn(async (sql, params) => (await this.statements.run(client, sql, params ?? [])).rows, async (sql) => {
        await client.query(sql);
      }, fn);
    } finally {
      client.release();
    }
  }
  async exec(sql: string): Promise<void> {
    await this.pool.query(sql);
  }
  async listen(channel: string, handler: (payload: string) => void): Promise<() => Promise<void>> {
    // A connection of its own, outside the pool, held while listening (LISTEN belongs to a
    // session); if it drops, a new one takes over after a pause, so a database restart does not
    // silence the server.
    let stopped = false;
    let client: pg.Client | null = null;
    const retry = () => {
      if (!stopped) setTimeout(() => connect().catch(retry), 1000).unref();
    };
    const connect = async (): Promise<void> => {
      const c = new pg.Client({ connectionString: this.url });
      c.on('notification', (msg) => {
        if (msg.channel === channel && msg.payload !== undefined) handler(msg.payload);
      });
      c.on('error', () => {
        if (client === c) client = null;
        void c.end().catch(() => undefined);
        retry();
      });
      await c.connect();
      await c.query(`LISTEN ${pg.escapeIdentifier(channel)}`);
      if (stopped) await c.end();
      else client = c;
    };
    await connect();
    return async () => {
      stopped = true;
      const c = client;
      client = null;
      await c?.end().catch(() => undefined);
    };
  }


  session(): pg.Client {
    return new pg.Client({ connectionString: this.url });
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}

// int8 (count(*), sequences) as JS numbers: our counters stay far below 2^53.
pg.types.setTypeParser(20, (v) => Number.parseInt(v, 10));

// Trigram indexes serve the queue's search box (migration 016).
const PGLITE_EXTENSIONS = { pg_trgm };

// The database's files sit in the operating system's file cache already; PGlite's default
// buffer pool (128 MB inside its WebAssembly memory, which never shrinks) held a second copy.
export const PGLITE_FOLDER_OPTIONS = { extensions: PGLITE_EXTENSIONS, postgresqlconf: 'shared_buffers = 32MB' };

/**
 * Opens the database: PostgreSQL when `databaseUrl` is set, otherwise PGlite in `dataDir/pglite`
 * (or in memory when `dataDir` is `memory://`, for tests, optionally from the files of
 * `PgliteDb.files()`).
 */
export async function openDb(opts: { databaseUrl?: string; dataDir?: string; poolSize?: number; keepPlans?: boolean; startFrom?: Blob }): Promise<Db> {
  if (opts.databaseUrl) {
    const pool = new pg.Pool({ connectionString: opts.databaseUrl, max: opts.poolSize ?? 10 });
    // An idle connection the server ends (a restart, a failover, an administrator) is dropped and
    // replaced by the pool; without a listener its error would bring the whole process down.
    pool.on('error', (err) => process.emitWarning(`PostgreSQL ended an idle connection: ${err.message}`));
    await pool.query('SELECT 1');
    return new PostgresDb(pool, opts.databaseUrl, new StatementNames(opts.keepPlans === false ? 0 : undefined));
  }
  if (!opts.dataDir || opts.dataDir === 'memory://') {
    // Starting from a copy of another database's files skips initdb, most of an opening's time.
    return new PgliteDb(await PGlite.create({ extensions: PGLITE_EXTENSIONS, ...(opts.startFrom ? { loadDataDir: opts.startFrom } : {}) }));
  }
  const dir = path.join(opts.dataDir, 'pglite');
  fs.mkdirSync(dir, { recursive: true });
  // Creating the database (initdb) grows PGlite's WebAssembly memory, which is never given back,
  // by about 450 MB: a first start held twice the memory of any later one. It is created by a
  // short-lived process of its own, then opened here like an existing one.
  if (!fs.existsSync(path.join(dir, 'PG_VERSION'))) {
    await promisify(execFile)(process.execPath, ['--disable-warning=ExperimentalWarning', path.join(import.meta.dirname, 'pgliteCreate.ts'), dir]);
  }
  return new PgliteDb(await PGlite.create(dir, PGLITE_FOLDER_OPTIONS));
}
