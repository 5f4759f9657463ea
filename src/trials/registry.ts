import { z } from 'zod';

/**
 * The clinical-trial registry the trials of a case come from: ClinicalTrials.gov's data API
 * (version 2, `GET /api/v2/studies`), read page by page with its paging tokens. Only what
 * matching and the opinion need is kept of each study; a study the registry sends in a shape we
 * cannot read is skipped and counted, never guessed at.
 */
export interface TrialSite {
  facility: string | null;
  city: string | null;
  state: string | null;
  zip: string | null;
  country: string | null;
  /** The site's own recruitment status (RECRUITING, NOT_YET_RECRUITING, …). */
  status: string | null;
  lat: number | null;
  lon: number | null;
}

export interface TrialContact { name: string | null; phone: string | null; email: string | null }

export interface RegistryTrial {
  nctId: string;
  title: string;
  officialTitle: string | null;
  status: string;
  studyType: string | null;
  /** As the registry writes them: EARLY_PHASE1, PHASE1 … PHASE4, NA. */
  phases: string[];
  conditions: string[];
  keywords: string[];
  interventions: { type: string | null; name: string }[];
  eligibility: string;
  minAgeYears: number | null;
  maxAgeYears: number | null;
  sex: 'ALL' | 'FEMALE' | 'MALE';
  sites: TrialSite[];
  contacts: TrialContact[];
  lastUpdate: string | null;
}

export interface RegistryPage { trials: RegistryTrial[]; skipped: number; nextPageToken: string | null; totalCount: number | null }

export interface TrialRegistry {
  /** One page of recruiting interventional studies for a condition term. */
  recruiting(q: { condition: string; pageToken?: string | null; pageSize?: number }): Promise<RegistryPage>;
}

/** The registry could not be asked, or answered with an error or with something unreadable. */
export class RegistryError extends Error {
  readonly status: number | null;
  constructor(message: string, status: number | null = null) {
    super(message);
    this.status = status;
  }
}

export const NCT_ID = /^NCT[0-9]{8}$/;

const str = z.string().trim().min(1).max(4000);
/**
 * A field the study can do without: anything unreadable in it (empty, too long, a number) is
 * taken as absent, so one odd site or contact does not cost the whole study.
 */
const loose = z.string().trim().min(1).max(4000).nullish().catch(null);
const list = <T extends z.ZodType>(item: T) => z.array(z.unknown()).nullish().catch(null)
  .transform((xs) => (xs ?? []).flatMap((x) => {
    const r = item.safeParse(x);
    return r.success ? [r.data as z.output<T>] : [];
  }));
const Study = z.object({
  protocolSection: z.object({
    identificationModule: z.object({ nctId: z.string().regex(NCT_ID), briefTitle: str, officialTitle: loose }),
    statusModule: z.object({ overallStatus: str, lastUpdatePostDateStruct: z.object({ date: str }).nullish().catch(null) }),
    conditionsModule: z.object({ conditions: list(str), keywords: list(str) }).nullish().catch(null),
    designModule: z.object({ studyType: loose, phases: list(str) }).nullish().catch(null),
    armsInterventionsModule: z.object({ interventions: list(z.object({ type: loose, name: str })) }).nullish().catch(null),
    eligibilityModule: z.object({
      // Who may join: unreadable limits cost the study (counted as skipped), never read as "no limit".
      eligibilityCriteria: z.string().max(100_000).nullish(), sex: z.enum(['ALL', 'FEMALE', 'MALE']).nullish(),
      minimumAge: z.string().trim().max(40).nullish(), maximumAge: z.string().trim().max(40).nullish(),
    }).nullish(),
    contactsLocationsModule: z.object({
      centralContacts: list(z.object({ name: loose, phone: loose, email: loose })),
      locations: list(z.object({
        facility: loose, city: loose, state: loose, zip: loose, country: loose, status: loose,
        geoPoint: z.object({ lat: z.number().min(-90).max(90), lon: z.number().min(-180).max(180) }).nullish().catch(null),
      })),
    }).nullish().catch(null),
  }),
});
const Page = z.object({
  studies: z.array(z.unknown()),
  nextPageToken: z.string().max(1000).nullish(),
  totalCount: z.number().int().nullish(),
});

const UNIT_YEARS: Record<string, number> = { year: 1, years: 1, month: 1 / 12, months: 1 / 12, week: 1 / 52, weeks: 1 / 52, day: 1 / 365, days: 1 / 365 };

/** "18 Years", "6 Months": an age in years; "N/A" or nothing is no limit. */
export function ageInYears(text: string | null | undefined): number | null {
  const m = /^(\d+(?:\.\d+)?)\s+([A-Za-z]+)$/.exec(text?.trim() ?? '');
  const unit = m ? UNIT_YEARS[m[2]!.toLowerCase()] : undefined;
  return m && unit ? Math.round(Number(m[1]) * unit * 100) / 100 : null;
}

export function toTrial(raw: unknown): RegistryTrial | null {
  const parsed = Study.safeParse(raw);
  if (!parsed.success) return null;
  const p = parsed.data.protocolSection;
  const e = p.eligibilityModule;
  const unreadableAge = (a: string | null | undefined) => !!a && !/^N\/?A$/i.test(a) && ageInYears(a) === null;
  if (unreadableAge(e?.minimumAge) || unreadableAge(e?.maximumAge)) return null;
  return {
    nctId: p.identificationModule.nctId,
    title: p.identificationModule.briefTitle,
    officialTitle: p.identificationModule.officialTitle ?? null,
    status: p.statusModule.overallStatus,
    studyType: p.designModule?.studyType ?? null,
    phases: p.designModule?.phases ?? [],
    conditions: p.conditionsModule?.conditions ?? [],
    keywords: p.conditionsModule?.keywords ?? [],
    interventions: (p.armsInterventionsModule?.interventions ?? []).map((i) => ({ type: i.type ?? null, name: i.name })),
    eligibility: e?.eligibilityCriteria ?? '',
    minAgeYears: ageInYears(e?.minimumAge),
    maxAgeYears: ageInYears(e?.maximumAge),
    sex: e?.sex ?? 'ALL',
    sites: (p.contactsLocationsModule?.locations ?? []).map((l) => ({
      facility: l.facility ?? null, city: l.city ?? null, state: l.state ?? null, zip: l.zip ?? null, country: l.country ?? null,
      status: l.status ?? null, lat: l.geoPoint?.lat ?? null, lon: l.geoPoint?.lon ?? null,
    })),
    contacts: (p.contactsLocationsModule?.centralContacts ?? []).map((c) => ({ name: c.name ?? null, phone: c.phone ?? null, email: c.email ?? null })),
    lastUpdate: p.statusModule.lastUpdatePostDateStruct?.date ?? null,
  };
}

const nullableText = z.string().nullable();
/** A study as kept in the local copy (a row written by an older version, or by hand, may not be). */
const StoredTrial = z.object({
  nctId: z.string().regex(NCT_ID), title: z.string(), status: z.string(), phases: z.array(z.string()), conditions: z.array(z.string()), keywords: z.array(z.string()),
  interventions: z.array(z.object({ name: z.string() })), eligibility: z.string(), minAgeYears: z.number().nullable(), maxAgeYears: z.number().nullable(),
  sex: z.enum(['ALL', 'FEMALE', 'MALE']), lastUpdate: nullableText,
  sites: z.array(z.object({ facility: nullableText, city: nullableText, state: nullableText, country: nullableText, status: nullableText, lat: z.number().nullable(), lon: z.number().nullable() })),
  contacts: z.array(z.object({ name: nullableText, phone: nullableText, email: nullableText })),
});
/** The stored studies that are whole; the others are left out (and come back whole with the next refresh). */
export const wholeTrials = (records: unknown[]): RegistryTrial[] => records.filter((r): r is RegistryTrial => StoredTrial.safeParse(r).success);

/** The parts of each study asked for: nothing else is sent (the API's `fields` parameter). */
const FIELDS = ['identificationModule', 'statusModule', 'conditionsModule', 'designModule', 'armsInterventionsModule', 'eligibilityModule', 'contactsLocationsModule']
  .map((m) => `protocolSection.${m}`).join(',');

/** Why a request did not get through, in an operator's words rather than the HTTP client's. */
function unreachableWhy(err: unknown): string {
  const e = err as Error & { cause?: { code?: string } };
  if (e.name === 'TimeoutError') return 'no answer in time';
  const code = e.cause?.code;
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return 'its address could not be looked up: is this server connected to the internet?';
  if (code === 'ECONNREFUSED') return 'the connection was refused';
  if (code === 'ECONNRESET') return 'the connection was cut';
  if (code?.startsWith('CERT_') || code?.includes('TLS')) return 'its certificate could not be checked';
  return 'no connection';
}

/** The ClinicalTrials.gov client; `baseUrl` is the API root, e.g. https://clinicaltrials.gov/api/v2. */
export function clinicalTrialsGov(opts: { baseUrl: string; timeoutMs?: number; fetch?: typeof fetch }): TrialRegistry {
  const get = opts.fetch ?? fetch;
  return {
    async recruiting({ condition, pageToken, pageSize = 100 }) {
      const url = new URL(`${opts.baseUrl.replace(/\/+$/, '')}/studies`);
      url.searchParams.set('format', 'json');
      url.searchParams.set('query.cond', condition);
      url.searchParams.set('filter.overallStatus', 'RECRUITING');
      url.searchParams.set('filter.advanced', 'AREA[StudyType]INTERVENTIONAL');
      url.searchParams.set('fields', FIELDS);
      url.searchParams.set('pageSize', String(Math.min(Math.max(pageSize, 1), 1000)));
      url.searchParams.set('countTotal', 'true');
      if (pageToken) url.searchParams.set('pageToken', pageToken);
      let res: Response;
      try {
        res = await get(url, { headers: { accept: 'application/json' }, signal: AbortSignal.timeout(opts.timeoutMs ?? 30_000) });
      } catch (err) {
        throw new RegistryError(`The trial registry could not be reached (${unreachableWhy(err)}).`);
      }
      const body = await res.text();
      if (!res.ok) throw new RegistryError(`The trial registry answered ${res.status}: ${body.slice(0, 200).replace(/\s+/g, ' ')}`, res.status);
      let json: unknown;
      try {
        json = JSON.parse(body);
      } catch {
        throw new RegistryError('The trial registry answered with something that is not JSON.', res.status);
      }
      const page = Page.safeParse(json);
      if (!page.success) throw new RegistryError('The trial registry answered in a shape this version does not read.', res.status);
      const trials = page.data.studies.map(toTrial);
      return {
        trials: trials.filter((t): t is RegistryTrial => t !== null),
        skipped: trials.filter((t) => t === null).length,
        nextPageToken: page.data.nextPageToken ?? null,
        totalCount: page.data.totalCount ?? null,
      };
    },
  };
}
