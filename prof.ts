import { buildApp } from './src/app.ts';
import { loadConfig } from './src/core/config.ts';
import { openDb } from './src/core/db.ts';
import { migrate } from './src/core/migrate.ts';
import { Client } from './test/support/client.ts';
import fs from 'node:fs'; import os from 'node:os'; import path from 'node:path';
const url = 'postgres://postgres@127.0.0.1:5432/consilium_t_57baf5a19ea8';
const db = await openDb({ databaseUrl: url });
await migrate(db);
const stats = new Map<string, { n: number; ms: number }>();
const wrap = (o: any) => { const q = o.query.bind(o); o.query = async (sql: string, params?: unknown[]) => { const t = performance.now(); try { return await q(sql, params); } finally { const k = sql.replace(/\s+/g, ' ').slice(0, 90); const e = stats.get(k) ?? { n: 0, ms: 0 }; e.n++; e.ms += performance.now() - t; stats.set(k, e); } }; };
wrap(db); const tx0 = db.transaction.bind(db); (db as any).transaction = (fn: any) => tx0((tx: any) => { wrap(tx); return fn(tx); });
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'prof-'));
const config = loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent', DATA_DIR: dataDir, PORT: '0', WEB_DIST: path.join(dataDir, 'x'), DATABASE_URL: url, DEMO: 'true' });
const app = await buildApp({ config, db, now: () => new Date() });
await app.listen({ port: 0, host: '127.0.0.1' });
const a = app.server.address() as { port: number };
config.publicUrl = `http://127.0.0.1:${a.port}`;
const c = new Client(config.publicUrl);
console.log((await c.post('/api/auth/login', { email: 'coordinator@demo.consilium.test', password: 'Consilium-demo-1' })).status);
for (const p of (process.argv[2] ?? '/api/cases?sort=urgency').split(',')) {
  for (let i = 0; i < 20; i++) await c.get(p);
  const t0 = performance.now();
  for (let i = 0; i < 200; i++) { const r = await c.get(p); if (r.status !== 200) throw new Error(r.text); }
  console.log(p, ((performance.now() - t0) / 200).toFixed(2), 'ms/req');
}
for (const [k, v] of [...stats.entries()].sort((a, b) => b[1].ms - a[1].ms).slice(0, 15)) console.log((v.ms / v.n).toFixed(2), 'ms x', v.n, k);
await app.close(); await db.close();
