import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { aStaff } from '../../test/support/builders.ts';
import { Client } from '../../test/support/client.ts';
import { startTestApp, type TestApp } from '../../test/support/testApp.ts';

/**
 * The public description of the service the home page shows: the numbers come from the
 * operator's configuration, and nothing about any person in the directory is in it.
 */
let t: TestApp;
let levelsFile: string;

beforeAll(async () => {
  const bundled = JSON.parse(fs.readFileSync(new URL('../cases/data/service-levels.json', import.meta.url), 'utf8'));
  levelsFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'consilium-levels-')), 'levels.json');
  fs.writeFileSync(levelsFile, JSON.stringify({ ...bundled, businessDays: { expedited: 4, standard: 9 } }));
  t = await startTestApp({ SERVICE_LEVELS_FILE: levelsFile, FOLLOWUP_DAYS: '21', CONTACT_EMAIL: 'help@clinic.example', CONTACT_PHONE: '+1 555 010 0100' });
});
afterAll(async () => {
  await t.close();
  fs.rmSync(path.dirname(levelsFile), { recursive: true, force: true });
});

describe('GET /api/reference/service', () => {
  it('answers anyone with the configured turnaround, follow-up period and contact', async () => {
    const r = await new Client(t.baseUrl).get('/api/reference/service');
    expect(r.status).toBe(200);
    expect(r.body.turnaround).toEqual({ standardBusinessDays: 9, expeditedBusinessDays: 4 });
    expect(r.body.followupDays).toBe(21);
    expect(r.body.contact).toEqual({ email: 'help@clinic.example', phone: '+1 555 010 0100' });
  });

  it('names the service lines with their illnesses, and the kinds of specialists, from the bundled data', async () => {
    const r = await new Client(t.baseUrl).get('/api/reference/service');
    const thoracic = r.body.serviceLines.find((l: { id: string }) => l.id === 'thoracic_oncology');
    expect(thoracic.conditions).toContain('Lung cancer');
    expect(r.body.serviceLines.map((l: { id: string }) => l.id)).toEqual(expect.arrayContaining(['interstitial_lung_disease', 'hematologic', 'sarcoma_and_rare']));
    expect(r.body.specialists.map((s: { id: string }) => s.id)).toEqual(expect.arrayContaining(['pathology', 'radiology', 'pulmonology', 'thoracic_surgery']));
    expect(r.body.costNotes.map((n: { id: string }) => n.id)).toContain('cov.cancer');
    expect(r.body.costNotes.every((n: { sources: string[] }) => n.sources.length > 0)).toBe(true);
  });

  it('carries nothing about the experts in the directory', async () => {
    const expert = await aStaff(t, 'expert', 'Doctor Unlisted Example');
    const text = (await new Client(t.baseUrl).get('/api/reference/service')).text;
    expect(text).not.toContain(expert.name);
    expect(text).not.toContain(expert.email);
    expect(text).not.toContain(expert.id);
  });

  it('leaves the contact empty when the operator set none', async () => {
    const bare = await startTestApp();
    try {
      const r = await new Client(bare.baseUrl).get('/api/reference/service');
      expect(r.body.contact).toEqual({ email: null, phone: null });
      expect(r.body.turnaround).toEqual({ standardBusinessDays: 7, expeditedBusinessDays: 3 });
    } finally {
      await bare.close();
    }
  });
});
