import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { verifyAuditChain } from '../core/audit.ts';
import { hashPassword } from '../core/auth/passwords.ts';
import { loadConfig } from '../core/config.ts';
import { openDb } from '../core/db.ts';
import { migrate } from '../core/migrate.ts';
import { insertUser, findUserByEmail } from '../accounts/repository.ts';
import { accountsService } from '../accounts/service.ts';
import { secretBox } from '../core/secrets.ts';
import { recordAudit } from '../core/audit.ts';
import { SYSTEM_META } from '../core/context.ts';
import { seedDemo } from '../demo/seed.ts';
import { objectBackendFor } from '../core/storage.ts';
import { uploadDiscarderFor } from '../records/uploadStore.ts';
import { BlobStore, loadMasterKeys } from '../core/blobs.ts';
import { cleanUpStorage } from '../records/cleanup.ts';

const USAGE = `Usage: consilium <command> [options]

Commands:
  migrate                                   apply pending database migrations
  create-admin --email E --name N           create an administrator (password from CONSILIUM_ADMIN_PASSWORD or --password)
               [--password P]
  demo                                      load synthetic demo users and cases (refused in production)
  audit-verify                              recompute the audit trail's hash chain; exit 1 if broken
  blobs-rotate                              rewrap every file key, and reseal authenticator secrets, under the first key of BLOB_KEYS
  cleanup [--upload-days N] [--blob-hours N] remove uploads abandoned half-way and files no document holds
  api-types [--check]                       (development) write web/src/api/schema.d.ts from the OpenAPI document

The database comes from DATABASE_URL, or PGlite in DATA_DIR (default ./data).`;

/** Writes the web app's API types from the OpenAPI document, or (`--check`) says whether they are current. */
async function writeApiTypes(check: boolean): Promise<number> {
  const { webApiTypes, WEB_API_TYPES } = await import('../core/apiTypes.ts');
  const fresh = await webApiTypes();
  const current = fs.existsSync(WEB_API_TYPES) ? fs.readFileSync(WEB_API_TYPES, 'utf8') : '';
  if (check) {
    if (current === fresh) return 0;
    console.error(`${path.relative(process.cwd(), WEB_API_TYPES)} is out of date: run npm run api:types`);
    return 1;
  }
  fs.mkdirSync(path.dirname(WEB_API_TYPES), { recursive: true });
  fs.writeFileSync(WEB_API_TYPES, fresh);
  console.log(`Wrote ${path.relative(process.cwd(), WEB_API_TYPES)}`);
  return 0;
}

/** The operator's command line; returns the process exit code. */
export async function runCli(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (!command || command === 'help' || command === '--help') {
    console.log(USAGE);
    return command ? 0 : 2;
  }
  if (command === 'api-types') return writeApiTypes(rest.includes('--check'));
  const config = loadConfig();
  const db = await openDb({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, poolSize: config.databasePoolSize, keepPlans: config.databaseKeepPlans });
  try {
    switch (command) {
      case 'migrate': {
        const applied = await migrate(db);
        console.log(applied.length ? `Applied migrations: ${applied.join(', ')}` : 'The database is up to date.');
        return 0;
      }
      case 'create-admin': {
        const { values } = parseArgs({ args: rest, options: { email: { type: 'string' }, name: { type: 'string' }, password: { type: 'string' } } });
        const password = values.password ?? process.env.CONSILIUM_ADMIN_PASSWORD;
        if (!values.email || !values.name || !password) {
          console.error('create-admin needs --email, --name and a password (--password or CONSILIUM_ADMIN_PASSWORD).');
          return 2;
        }
        if (password.length < 10) {
          console.error('The password must have at least 10 characters.');
          return 2;
        }
        await migrate(db);
        const passwordHash = await hashPassword(password);
        const created = await db.transaction(async (tx) => {
          if (await findUserByEmail(tx, values.email!)) return null;
          const user = await insertUser(tx, { email: values.email!, name: values.name!, role: 'admin', passwordHash, verified: true });
          await recordAudit(tx, { actor: null, meta: SYSTEM_META, action: 'user.create', entityType: 'User', entityId: user.id, detail: { role: 'admin', via: 'cli' } });
          return user;
        });
        if (!created) {
          console.error(`An account with the email ${values.email} already exists.`);
          return 1;
        }
        console.log(`Administrator ${created.email} created. Two-step sign-in is set up at the first sign-in.`);
        return 0;
      }
      case 'demo': {
        if (config.env === 'production') {
          console.error('Demo data is refused when NODE_ENV=production.');
          return 1;
        }
        await migrate(db);
        const result = await seedDemo(db, config);
        console.log(result.created ? `Demo data loaded: ${result.users} users, ${result.cases} cases. Logins are listed in the README.` : 'Demo data was already loaded.');
        return 0;
      }
      case 'audit-verify': {
        const result = await verifyAuditChain(db);
        if (result.ok) {
          console.log(`Audit trail intact: ${result.checked} events checked.`);
          return 0;
        }
        console.error(`Audit trail BROKEN at event #${result.firstBrokenSeq}: ${result.reason}. ${result.checked} events before it are intact.`);
        return 1;
      }
      case 'blobs-rotate': {
        await migrate(db);
        const keys = loadMasterKeys(config.blobKeys, config.dataDir, config.env === 'production');
        const store = new BlobStore(objectBackendFor(config), keys);
        const n = await db.transaction((tx) => store.rotate(tx));
        const sealed = await accountsService({ config, db, now: () => new Date() }, secretBox(keys)).resealSecrets({ rotate: true });
        console.log(n ? `Rewrapped ${n} file keys under key “${keys[0]!.id}”.` : 'Every file key is already under the current key.');
        console.log(sealed ? `Resealed the authenticator secrets of ${sealed} accounts.` : 'Every authenticator secret is already under the current key.');
        return 0;
      }
      case 'cleanup': {
        const { values } = parseArgs({ args: rest, options: { 'upload-days': { type: 'string' }, 'blob-hours': { type: 'string' } } });
        await migrate(db);
        const r = await cleanUpStorage(db, { objects: objectBackendFor(config), uploads: await uploadDiscarderFor(config) }, { uploadDays: values['upload-days'] ? Number(values['upload-days']) : undefined, blobHours: values['blob-hours'] ? Number(values['blob-hours']) : undefined });
        console.log(`Removed ${r.abandonedUploads} abandoned uploads, ${r.orphanBlobs} unreferenced files, ${r.strayObjects} stored objects no file names and ${r.unfinishedWrites} unfinished writes.`);
        return 0;
      }
      default:
        console.error(`Unknown command “${command}”.\n\n${USAGE}`);
        return 2;
    }
  } finally {
    await db.close();
  }
}
