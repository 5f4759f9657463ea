import { Client } from '../test/support/client.ts';
import { startTestApp } from '../test/support/testApp.ts';
import { queryCases } from '../src/cases/repository.ts';
import { CaseListQuery } from '../src/cases/schemas.ts';
import { DEMO_PASSWORD, seedDemo } from '../src/demo/seed.ts';
import { opsPerSecond, type BenchResult } from './harness.ts';

/**
 * The coordinator queue: `GET /api/cases` over HTTP (session, role and grant check, filters,
 * audit) beside the same repository query run directly on the same database. The ratio is the
 * share of throughput left after everything the API adds around the query.
 */
export async function queueBenchmark(backend: 'pglite' | 'postgres', iterations: number): Promise<BenchResult> {
  process.env.TEST_DB = backend;
  const t = await startTestApp({ DEMO: 'true' });
  try {
    await seedDemo(t.db, t.config);
    const client = new Client(t.baseUrl);
    const login = await client.post('/api/auth/login', { email: 'coordinator@demo.consilium.test', password: DEMO_PASSWORD });
    if (login.status !== 200) throw new Error(`login failed: ${login.text}`);
    const me = (await client.get('/api/auth/me')).body.user;
    const filter = CaseListQuery.parse({ sort: 'urgency', pageSize: '25' });
    const actor = { userId: me.id, role: me.role, name: me.name, email: me.email };
    const ours = await opsPerSecond(async () => {
      const r = await client.get('/api/cases?sort=urgency&pageSize=25');
      if (r.status !== 200) throw new Error(`queue: ${r.status}`);
    }, iterations);
    const reference = await opsPerSecond(() => queryCases(t.db, actor, filter, { now: new Date(), onTrackFrom: new Date() }), iterations);
    return { name: 'coordinator queue (page of 25)', backend, unit: 'req/s', ours, reference, referenceName: 'same SQL, no HTTP', ratio: ours / reference };
  } finally {
    await t.close();
  }
}
