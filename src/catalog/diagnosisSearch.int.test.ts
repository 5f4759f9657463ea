import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../../test/support/testApp.ts';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(() => t.close());

const search = (query: string) => fetch(`${t.baseUrl}/api/reference/icd10?${query}`);

describe('GET /api/reference/icd10', () => {
  it('answers plain names first, each with its code and the official wording', async () => {
    const r = await search('q=lung%20cancr&limit=3');
    expect(r.status).toBe(200);
    const body = await r.json();
    expect(body.source).toMatch(/ICD-10-CM/);
    expect(body.items[0]).toEqual({ id: 'lung_cancer', name: 'Lung cancer', matched: null, code: 'C34.90', display: 'Malignant neoplasm of unspecified part of unspecified bronchus or lung', group: 'lung_cancer', kind: 'name' });
  });

  it('answers an empty list when nothing matches', async () => {
    const r = await search('q=qwzx');
    expect(r.status).toBe(200);
    expect((await r.json()).items).toEqual([]);
  });

  it('refuses a bad limit or an unknown parameter with problem details', async () => {
    for (const q of ['q=copd&limit=0', 'q=copd&limit=500', 'q=copd&sort=name']) {
      const r = await search(q);
      expect(r.status, q).toBe(400);
      expect(r.headers.get('content-type')).toMatch(/application\/problem\+json/);
    }
  });
});
