import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../../test/support/testApp.ts';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(() => t.close());

describe('operations endpoints', () => {
  it('/healthz answers while the process lives; /readyz checks the database and migrations', async () => {
    expect((await fetch(`${t.baseUrl}/healthz`)).status).toBe(200);
    const ready = await fetch(`${t.baseUrl}/readyz`);
    expect(ready.status).toBe(200);
    expect(((await ready.json()) as { database: string }).database).toBe(process.env.TEST_DB ?? 'pglite');
  });

  it('/readyz answers 503 when a migration is missing', async () => {
    await t.db.query('DELETE FROM schema_migrations WHERE version = 1');
    try {
      expect((await fetch(`${t.baseUrl}/readyz`)).status).toBe(503);
    } finally {
      await t.db.query(`INSERT INTO schema_migrations (version, name) VALUES (1, '001_foundation')`);
    }
  });

  it('publishes OpenAPI 3.1 generated from the route schemas, with problem details', async () => {
    const doc = (await (await fetch(`${t.baseUrl}/api/openapi.json`)).json()) as any;
    expect(doc.openapi).toBe('3.1.0');
    for (const path of ['/api/auth/login', '/api/cases', '/api/cases/{id}', '/api/cases/{id}/commands/{command}', '/api/admin/audit']) expect(doc.paths[path], path).toBeTruthy();
    expect(doc.components.schemas.Problem).toBeTruthy();
    const register = doc.paths['/api/auth/register'].post;
    expect(register.requestBody.content['application/json'].schema.properties.password.minLength).toBe(10);
    expect(register.requestBody.content['application/json'].schema.additionalProperties).toBe(false);
  });

  it('answers unknown API paths with problem details and sets protective headers', async () => {
    const r = await fetch(`${t.baseUrl}/api/nothing-here`);
    expect(r.status).toBe(404);
    expect(r.headers.get('content-type')).toMatch(/application\/problem\+json/);
    expect(r.headers.get('x-content-type-options')).toBe('nosniff');
    expect(r.headers.get('cache-control')).toBe('no-store');
    const body = await r.json();
    expect(body).toMatchObject({ status: 404, code: 'NOT_FOUND', type: 'urn:consilium:problem:not-found' });
  });
});
