import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import openapiTS, { astToString } from 'openapi-typescript';
import { buildApp } from '../app.ts';
import { loadConfig } from './config.ts';
import { openDb } from './db.ts';
import { migrate } from './migrate.ts';

/** Where the web app's types of the API live; `consilium api-types` writes it, a test checks it. */
export const WEB_API_TYPES = path.resolve(import.meta.dirname, '../../web/src/api/schema.d.ts');

/** The OpenAPI document exactly as the server publishes it, from a throwaway in-memory server. */
export async function openApiDocument(): Promise<Record<string, unknown>> {
  // A fixed folder, kept: the upload store creates its folder in the background (tus FileStore),
  // so a folder removed right after the server closes could fail that creation after the fact.
  const dir = path.join(os.tmpdir(), 'consilium-openapi');
  fs.mkdirSync(dir, { recursive: true });
  const config = loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent', DATA_DIR: dir, PORT: '0', WEB_DIST: path.join(dir, 'no-web'), JOBS_POLL_MS: '60000' });
  const db = await openDb({ dataDir: 'memory://' });
  try {
    await migrate(db);
    const app = await buildApp({ config, db });
    await app.ready();
    const doc = app.swagger() as unknown as Record<string, unknown>;
    await app.close();
    return doc;
  } finally {
    await db.close();
  }
}

/** TypeScript types of every path, operation and schema, for the web app's calls. */
export async function webApiTypes(): Promise<string> {
  const ast = await openapiTS(JSON.parse(JSON.stringify(await openApiDocument())), { alphabetize: true });
  return `// Generated from the server's OpenAPI document by \`npm run api:types\`. Do not edit.\n${astToString(ast)}`;
}
