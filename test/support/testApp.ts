import crypto from 'node:crypto';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../src/app.ts';
import { loadConfig, type Config } from '../../src/core/config.ts';
import { openDb, PgliteDb, type Db } from '../../src/core/db.ts';
import { listMigrations, migrate } from '../../src/core/migrate.ts';
import { currentTotp } from '../../src/core/auth/totp.ts';

export const PG_ADMIN_URL = process.env.TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

export interface TestDb {
  db: Db;
  url?: string;
  drop: () => Promise<void>;
}

/**
 * A fresh, migrated database for one test file: in-memory PGlite, or a new database on the local
 * PostgreSQL server (dropped afterwards), chosen by TEST_DB.
 */
export async function freshDb(backend = process.env.TEST_DB ?? 'pglite'): Promise<TestDb> {
  if (backend === 'postgres') {
    const name = `consilium_t_${crypto.randomBytes(6).toString('hex')}`;
    const admin = new pg.Client({ connectionString: PG_ADMIN_URL });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${name}`);
    await admin.end();
    const url = PG_ADMIN_URL.replace(/\/[^/]+$/, `/${name}`);
    const db = await openDb({ databaseUrl: url });
    await migrate(db);
    return {
      db, url,
      drop: async () => {
        await db.close().catch(() => undefined);
        const c = new pg.Client({ connectionString: PG_ADMIN_URL });
        await c.connect();
        await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
        await c.end();
      },
    };
  }
  const db = await openDb({ dataDir: 'memory://', startFrom: await migratedFiles() });
  await migrate(db);
  return { db, drop: () => db.close() };
}

let migrated: Promise<Blob> | undefined;
/**
 * The files of a freshly migrated PGlite database, made once per migration history and kept in
 * the system's temporary folder: a PGlite's initdb takes about two seconds, opening a copy half
 * a second, and a full run opens one for almost every test file. Written under a temporary name and renamed,
 * so test processes starting together never read half a file.
 */
function migratedFiles(): Promise<Blob> {
  migrated ??= (async () => {
    const pgliteVersion = JSON.parse(fs.readFileSync(path.resolve(import.meta.dirname, '../../node_modules/@electric-sql/pglite/package.json'), 'utf8')).version;
    const hash = crypto.createHash('sha256').update(pgliteVersion);
    for (const m of listMigrations()) hash.update(m.name).update(m.sql);
    const file = path.join(os.tmpdir(), `consilium-migrated-${hash.digest('hex').slice(0, 16)}.tar`);
    if (fs.existsSync(file)) return new Blob([await fsp.readFile(file)]);
    const db = await openDb({ dataDir: 'memory://' });
    await migrate(db);
    const files = await (db as PgliteDb).files();
    await db.close();
    const partial = `${file}.${process.pid}.${crypto.randomBytes(4).toString('hex')}`;
    await fsp.writeFile(partial, Buffer.from(await files.arrayBuffer()));
    await fsp.rename(partial, file);
    return files;
  })();
  return migrated;
}

export interface TestApp {
  app: FastifyInstance;
  db: Db;
  config: Config;
  baseUrl: string;
  /** Moves the application's clock (sessions, ages) forward. */
  advance: (ms: number) => void;
  /** The application's clock. */
  now: () => Date;
  close: () => Promise<void>;
}

const clocks = new Map<string, { now: () => Date; advance: (ms: number) => void }>();
/** The clock of the test application serving `baseUrl` (authenticator codes must follow it). */
export const serverNow = (baseUrl: string): Date => (clocks.get(baseUrl)?.now ?? (() => new Date()))();

const lastSteps = new Map<string, number>();
/**
 * A fresh authenticator code for the application at `baseUrl`, as a person would read one a
 * little later: a code is good once, so when this secret's newest code was used already the
 * application's clock moves on to the next 30-second step first.
 */
export function nextTotp(baseUrl: string, secret: string): string {
  const clock = clocks.get(baseUrl);
  if (!clock) throw new Error(`no test application at ${baseUrl}`);
  const step = Math.floor(clock.now().getTime() / 30_000);
  const last = lastSteps.get(secret) ?? -1;
  if (step <= last) clock.advance((last + 1 - step) * 30_000);
  lastSteps.set(secret, Math.max(step, last + 1));
  return currentTotp(secret, clock.now().getTime());
}

/** The whole application on a real port over a fresh database. */
export async function startTestApp(env: Record<string, string> = {}): Promise<TestApp> {
  const t = await freshDb();
  const app = await startOn(t.db, env);
  return { ...app, close: async () => {
    await app.close();
    await t.drop();
  } };
}

/**
 * The whole application over a named PostgreSQL database that outlives it (created when missing,
 * migrated, never dropped): for benchmarks that seed once and measure many times.
 */
export async function startTestAppOnKeptDb(name: string, env: Record<string, string> = {}): Promise<TestApp> {
  if (!/^[a-z0-9_]+$/.test(name)) throw new Error(`not a database name: ${name}`);
  const admin = new pg.Client({ connectionString: PG_ADMIN_URL });
  await admin.connect();
  const { rowCount } = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
  if (!rowCount) await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const db = await openDb({ databaseUrl: PG_ADMIN_URL.replace(/\/[^/]+$/, `/${name}`) });
  await migrate(db);
  const app = await startOn(db, env);
  return { ...app, close: async () => {
    await app.close();
    await db.close();
  } };
}

/**
 * Several instances of the application on one fresh PostgreSQL database, as behind a load
 * balancer: each with its own connection pool, port and data folder, so they share only what
 * `env` gives them all (S3_URL, BLOB_KEYS). Closing the last one drops the database.
 */
export async function startTestInstances(count: number, env: Record<string, string> = {}): Promise<{ instances: TestApp[]; close: () => Promise<void> }> {
  const t = await freshDb('postgres');
  const instances: TestApp[] = [];
  for (let i = 0; i < count; i++) instances.push(await startOn(i === 0 ? t.db : await openDb({ databaseUrl: t.url }), env));
  return {
    instances,
    close: async () => {
      for (const a of instances.slice(1)) {
        await a.close();
        await a.db.close();
      }
      await instances[0]?.close();
      await t.drop();
    },
  };
}

/** The application on a real port over `db`; `close` stops it and removes its data folder, not the database. */
async function startOn(db: Db, env: Record<string, string>): Promise<TestApp> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'consilium-test-'));
  let offset = 0;
  const config = loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent', DATA_DIR: dataDir, PORT: '0', WEB_DIST: path.join(dataDir, 'no-web'), ...env });
  const now = () => new Date(Date.now() + offset);
  const app = await buildApp({ config, db, now });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  const baseUrl = `http://127.0.0.1:${port}`;
  config.publicUrl = baseUrl;
  clocks.set(baseUrl, { now, advance: (ms) => { offset += ms; } });
  return {
    app, db, config, baseUrl,
    advance: (ms) => {
      offset += ms;
    },
    now,
    close: async () => {
      await app.close();
      // The upload library checks its folder in the background when it starts; an app closed
      // within milliseconds of starting lets that check finish before its folder goes.
      await fsp.mkdir(path.join(dataDir, 'uploads'), { recursive: true });
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
