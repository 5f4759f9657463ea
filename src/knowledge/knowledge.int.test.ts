import { afterAll, beforeAll, expect, it } from 'vitest';
import { aStaff } from '../../test/support/builders.ts';
import { startTestApp, type TestApp } from '../../test/support/testApp.ts';

let t: TestApp;
beforeAll(async () => (t = await startTestApp({ JOBS_POLL_MS: '60000' })));
afterAll(() => t.close());

it('shows administrators when each piece of knowledge was last reviewed, and what is due a year on', async () => {
  const admin = await aStaff(t, 'admin');
  const now = await admin.client.get('/api/admin/knowledge/review');
  expect(now.status).toBe(200);
  expect(now.body.reviewEveryDays).toBe(365);
  expect(now.body.entries.find((e: { id: string }) => e.id === 'ctgov-api')).toMatchObject({ area: 'Clinical trials', kind: 'sources', due: false });
  t.advance(2 * 365 * 86_400_000);
  // Two years on (the first session has long ended), every entry is due.
  const later = await (await aStaff(t, 'admin', 'Admin Later')).client.get('/api/admin/knowledge/review');
  expect(later.body.entries.every((e: { due: boolean }) => e.due)).toBe(true);
  expect((await (await aStaff(t, 'coordinator')).client.get('/api/admin/knowledge/review')).status).toBe(403);
});
