import './core/heapTuning.ts';
import { buildApp } from './app.ts';
import { loadConfig } from './core/config.ts';
import { openDb } from './core/db.ts';
import { startMailSender } from './core/mail.ts';
import { migrate } from './core/migrate.ts';
import { seedDemo, seedDemoSlide } from './demo/seed.ts';

/** Starts the server: open the database, migrate, (demo data), listen, and stop cleanly. */
async function main() {
  const config = loadConfig();
  const db = await openDb({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, poolSize: config.databasePoolSize, keepPlans: config.databaseKeepPlans });
  await migrate(db);
  if (config.demo) await seedDemo(db, config);
  const app = await buildApp({ config, db });
  const stopMail = startMailSender(db, config.smtpUrl, config.mailFrom, app.log);
  await app.listen({ port: config.port, host: config.host });
  app.log.info({ database: db.kind, demo: config.demo }, `Consilium listening on ${config.publicUrl}`);
  // The demo's slide takes a few seconds to make: after start, so the server answers at once.
  if (config.demo) void seedDemoSlide(db, config).catch((err: Error) => app.log.warn({ err: err.message }, 'the demo slide was not added'));
  const stop = async () => {
    stopMail();
    await app.close();
    await db.close();
    process.exit(0);
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((err: Error) => {
  console.error(err.message);
  process.exit(1);
});
