import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Bundle } from '@medplum/fhirtypes';
import { aStaff, type Person } from '../../test/support/builders.ts';
import { startTestApp, type TestApp } from '../../test/support/testApp.ts';
import { fhirValidationErrors } from '../fhir/validate.ts';

let t: TestApp;
let admin: Person;
beforeAll(async () => {
  t = await startTestApp();
  admin = await aStaff(t, 'admin');
});
afterAll(() => t.close());

const HEADER = 'email,name,npi,credentials,taxonomy_codes,focus_codes,licensure,languages,consult_modes,insurance_networks,capacity_max,fee_usd,institution_name,academic,tumor_boards,trials_open';
const csv = [
  HEADER,
  'ana.lung@example.test,Dr. Ana Lung,1234567893,MD PhD,207RP1001X,J84;C34,US-OH;US-MN,en;es,records_review;video,Medicare,8,900,"Synthetic University, Lung Center",yes,yes,no',
  'bad.npi@example.test,Dr. Bad Npi,1234567890,MD,207RP1001X,J84,US-OH,en,records_review,,5,,X,no,no,no',
  'bad.code@example.test,Dr. Bad Code,,MD,123456789X,C34,US-OH,en,video,,5,,X,no,no,no',
  'not-an-email,Dr. Nobody,,MD,207RP1001X,,US-OH,en,video,,5,,X,no,no,no',
  'sam.slides@example.test,Dr. Sam Slides,,MD,207ZP0101X,C49,US-CA,en,records_review,,3,,Synthetic Sarcoma Institute,yes,yes,yes',
].join('\n');

const importCsv = (body: string) => admin.client.request('POST', '/api/admin/experts/import', body, { 'content-type': 'text/csv' });

describe('directory exchange', () => {
  it('imports the good rows (creating accounts), and reports each bad row by line', async () => {
    const r = await importCsv(csv);
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ saved: 2, created: 2 });
    expect(r.body.errors.map((e: { line: number }) => e.line)).toEqual([3, 4, 5]);
    expect(r.body.errors[0].message).toMatch(/not a valid NPI/);
    expect(r.body.errors[1].message).toMatch(/Unknown NUCC taxonomy code/);
    expect(r.body.errors[2].message).toMatch(/email/);
    const [mail] = await t.db.query<{ subject: string }>(`SELECT subject FROM mail_outbox WHERE to_address = 'ana.lung@example.test'`);
    expect(mail!.subject).toBe('Your Consilium account');
    // Importing again updates the same profiles instead of creating accounts.
    expect((await importCsv(csv)).body).toMatchObject({ saved: 2, created: 0 });
  });

  it('refuses a file without the expected columns, and non-admins', async () => {
    expect((await importCsv('email,name\nx@y.z,X')).body.errors[0].message).toMatch(/Missing columns/);
    const coordinator = await aStaff(t, 'coordinator');
    expect((await coordinator.client.request('POST', '/api/admin/experts/import', csv, { 'content-type': 'text/csv' })).status).toBe(403);
  });

  it('exports CSV that imports back, and a FHIR Bundle that validates', async () => {
    const out = await fetch(`${t.baseUrl}/api/admin/experts/export.csv`, { headers: { cookie: admin.client.cookieHeader } });
    const text = await out.text();
    expect(text.split('\n')[0]).toBe(HEADER);
    expect(text).toContain('"Synthetic University, Lung Center"');
    expect((await importCsv(text)).body).toMatchObject({ saved: 2, errors: [] });

    const bundle = (await admin.client.get('/api/admin/experts/export.fhir.json')).body as Bundle;
    expect(fhirValidationErrors(bundle)).toEqual([]);
    const types = bundle.entry!.map((e) => e.resource!.resourceType);
    expect(types.filter((x) => x === 'Practitioner')).toHaveLength(2);
    expect(types).toContain('Organization');
    const role = bundle.entry!.find((e) => e.resource!.resourceType === 'PractitionerRole')!.resource as { specialty: { coding: { code: string }[] }[] };
    expect(role.specialty[0]!.coding[0]!.code).toMatch(/X$/);
  });
});
