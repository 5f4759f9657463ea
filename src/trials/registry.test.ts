import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { aTrialRegistry, registryPage } from '../../test/support/trialRegistry.ts';
import { ageInYears, clinicalTrialsGov, RegistryError, toTrial } from './registry.ts';

let registry: Awaited<ReturnType<typeof aTrialRegistry>>;
beforeAll(async () => (registry = await aTrialRegistry()));
afterAll(() => registry.close());

describe('ClinicalTrials.gov client', () => {
  it('asks for recruiting interventional studies of a condition, and reads each page with its paging token', async () => {
    const client = clinicalTrialsGov({ baseUrl: registry.url });
    const first = await client.recruiting({ condition: 'Non-small Cell Lung Cancer' });
    const q = registry.asked.at(-1)!;
    expect(q.get('query.cond')).toBe('Non-small Cell Lung Cancer');
    expect(q.get('filter.overallStatus')).toBe('RECRUITING');
    expect(q.get('filter.advanced')).toBe('AREA[StudyType]INTERVENTIONAL');
    expect(q.get('format')).toBe('json');
    expect(q.get('fields')).toContain('protocolSection.eligibilityModule');
    expect(q.has('pageToken')).toBe(false);
    expect(first.nextPageToken).toBe('synthetic-token-page-2');
    expect(first.totalCount).toBe(4);
    expect(first.trials.map((t) => t.nctId)).toEqual(['NCT09900001', 'NCT09900002']);
    const egfr = first.trials[0]!;
    expect(egfr).toMatchObject({ status: 'RECRUITING', studyType: 'INTERVENTIONAL', phases: ['PHASE3'], minAgeYears: 18, maxAgeYears: null, sex: 'ALL', lastUpdate: '2026-10-14' });
    expect(egfr.sites[0]).toEqual({ facility: 'Synthetic University Cancer Center', city: 'Boston', state: 'Massachusetts', zip: '02115', country: 'United States', status: 'RECRUITING', lat: 42.34, lon: -71.1 });
    expect(egfr.contacts[0]).toEqual({ name: 'Trial Office (synthetic)', phone: '555-0100', email: 'trials@example.test' });
    expect(egfr.eligibility).toMatch(/^Inclusion Criteria:/);

    const second = await client.recruiting({ condition: 'Non-small Cell Lung Cancer', pageToken: first.nextPageToken });
    expect(registry.asked.at(-1)!.get('pageToken')).toBe('synthetic-token-page-2');
    expect(second.nextPageToken).toBeNull();
    // The study the registry sent in a shape we cannot read is skipped and counted, not guessed at.
    expect(second.trials.map((t) => t.nctId)).toEqual(['NCT09900004']);
    expect(second.skipped).toBe(1);
    expect(second.trials[0]!.maxAgeYears).toBe(60);
  });

  it('turns registry errors, garbage and silence into a RegistryError that says which', async () => {
    const failing = await aTrialRegistry({ fail: 400 });
    try {
      const err = await clinicalTrialsGov({ baseUrl: failing.url }).recruiting({ condition: 'Lung Cancer' }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(RegistryError);
      expect((err as RegistryError).status).toBe(400);
      expect((err as Error).message).toMatch(/answered 400: Invalid value for parameter query.cond/);
    } finally {
      await failing.close();
    }
    const notJson = await clinicalTrialsGov({ baseUrl: registry.url, fetch: async () => new Response('<html>maintenance</html>', { status: 200 }) })
      .recruiting({ condition: 'Lung Cancer' }).catch((e: unknown) => e);
    expect((notJson as Error).message).toMatch(/not JSON/);
    const wrongShape = await clinicalTrialsGov({ baseUrl: registry.url, fetch: async () => Response.json({ studies: 'none' }) })
      .recruiting({ condition: 'Lung Cancer' }).catch((e: unknown) => e);
    expect((wrongShape as Error).message).toMatch(/shape/);
    const gone = http.createServer();
    await new Promise<void>((resolve) => gone.listen(0, '127.0.0.1', resolve));
    const port = (gone.address() as { port: number }).port;
    await new Promise((resolve) => gone.close(resolve));
    const closed = await clinicalTrialsGov({ baseUrl: `http://127.0.0.1:${port}/api/v2`, timeoutMs: 2000 }).recruiting({ condition: 'Lung Cancer' }).catch((e: unknown) => e);
    expect(closed).toBeInstanceOf(RegistryError);
    expect((closed as Error).message).toBe("The trial registry could not be reached (the connection was refused).");
  });

  it('keeps a study whose site or intervention is odd, leaving out only the odd part', () => {
    const page = registryPage('lung-page-1.json') as { studies: { protocolSection: Record<string, Record<string, unknown>> }[] };
    const study = structuredClone(page.studies[0]!);
    const places = study.protocolSection.contactsLocationsModule!.locations as Record<string, unknown>[];
    places[0]!.city = '';
    places[1]!.geoPoint = { lat: 'north', lon: 5 };
    (study.protocolSection.armsInterventionsModule!.interventions as unknown[]).push({ type: 'DRUG' }, 42);
    const trial = toTrial(study)!;
    expect(trial.nctId).toBe('NCT09900001');
    expect(trial.sites[0]).toMatchObject({ facility: 'Synthetic University Cancer Center', city: null });
    expect(trial.sites[1]).toMatchObject({ city: 'Chicago', lat: null, lon: null });
    expect(trial.interventions.map((i) => i.name)).toEqual(['Investigational EGFR inhibitor', 'Platinum-based chemotherapy']);
    expect(toTrial({ protocolSection: { identificationModule: { nctId: 'NCT09900001', briefTitle: '' }, statusModule: { overallStatus: 'RECRUITING' } } })).toBeNull();
  });

  it('reads the registry’s ages', () => {
    expect(ageInYears('18 Years')).toBe(18);
    expect(ageInYears('6 Months')).toBe(0.5);
    expect(ageInYears('N/A')).toBeNull();
    expect(ageInYears(undefined)).toBeNull();
    expect(ageInYears('eighteen')).toBeNull();
  });
});
