import { registerHooks } from 'node:module';

/**
 * Run as a process of its own: imports what `src/main.ts` imports and builds the application as
 * it does (a new embedded database in memory, migrated, no demo data) and prints, as JSON, the packages under
 * node_modules that were loaded by then, through `import` or `require` alike.
 */
const loaded = new Set<string>();
registerHooks({
  resolve(specifier, context, next) {
    const resolved = next(specifier, context);
    const m = /\/node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(resolved.url);
    if (m) loaded.add(m[1]!);
    return resolved;
  },
});

// What src/main.ts imports before it starts.
await import('../../src/core/heapTuning.ts');
await import('../../src/core/mail.ts');
await import('../../src/demo/seed.ts');
const { buildApp } = await import('../../src/app.ts');
const { loadConfig } = await import('../../src/core/config.ts');
const { openDb } = await import('../../src/core/db.ts');
const { migrate } = await import('../../src/core/migrate.ts');
const config = loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent', DATA_DIR: process.argv[2]!, PORT: '0', JOBS_POLL_MS: '60000' });
const db = await openDb({ databaseUrl: undefined, dataDir: 'memory://' });
await migrate(db);
const app = await buildApp({ config, db });
await app.ready();
console.log(JSON.stringify([...loaded].sort()));
await app.close();
await db.close();
