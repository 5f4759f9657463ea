import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { DEFAULT_LOCALE, entryIn, type Locale } from '../core/locale.ts';

/**
 * What a request is likely to cost before it is sent: the program's services as data (fees,
 * what each includes, the billing codes it maps to), an itemised estimate from what is known of
 * the case, and coverage guidance as rules with sources. Pure functions over data; the case's
 * facts are gathered by the service.
 */

export const PLAN_TYPES = ['medicare', 'medicaid', 'commercial', 'none', 'international'] as const;
export type PlanType = (typeof PLAN_TYPES)[number];

const Source = z.object({ id: z.string(), title: z.string(), url: z.string().optional(), detail: z.string().optional(), es: z.object({ title: z.string() }).optional() });
const Dated = { reviewedOn: z.iso.date(), sources: z.array(z.string()).min(1) };

const Service = z.object({
  id: z.string().regex(/^[a-z_]+$/), name: z.string(), description: z.string(), feeCents: z.number().int().min(0),
  includes: z.string().optional(),
  /** When the service is part of the estimate: every request, cancers, when scans are on file, when expedited, or offered as an option. */
  when: z.enum(['always', 'cancer', 'imaging', 'expedited', 'board', 'visit']),
  /** Why it is included; why it may be (`whyNotYet`); why it may be chosen (`whyOptional`). */
  why: z.string(), whyNotYet: z.string().optional(), whyOptional: z.string().optional(),
  codes: z.array(z.object({ system: z.string(), code: z.string().regex(/^\d{4}[0-9A-Z]$/), display: z.string() })),
  codeNote: z.string().optional(),
  /** The read fields in Spanish, beside the English (the same fees, codes and sources). */
  es: z.object({ name: z.string(), description: z.string(), includes: z.string(), why: z.string(), whyNotYet: z.string(), whyOptional: z.string() }).partial().optional(),
  ...Dated,
});
export type ServiceEntry = z.infer<typeof Service>;

const Catalogue = z.object({
  reviewedOn: z.iso.date(), currency: z.string().regex(/^[A-Z]{3}$/), note: z.string(),
  /** Said under every estimate to the patient. */
  priceNote: z.string(), es: z.object({ priceNote: z.string() }).partial().optional(),
  sources: z.array(Source), services: z.array(Service).min(1),
});
export type ServiceCatalogue = z.infer<typeof Catalogue>;

const CoverageRule = z.object({
  id: z.string(), planTypes: z.array(z.enum(PLAN_TYPES).nullable()).min(1), surgeryProposed: z.boolean().optional(),
  /** Only for a cancer (a diagnosis code of one), or only for what is not known to be one. */
  cancer: z.boolean().optional(),
  text: z.string(), ask: z.string(), why: z.string(),
  /** What to ask once the request is sent, when it differs (the intake can no longer be changed then). */
  askOnceSent: z.string().optional(),
  /** What the estimate cannot say, in this plan's terms. */
  limits: z.string(),
  es: z.object({ text: z.string(), ask: z.string(), askOnceSent: z.string(), why: z.string(), limits: z.string() }).partial().optional(),
  ...Dated,
});
/**
 * Guidance from what the program itself knows of the request, beside the plan type's: whether
 * the experts reviewing it list the patient's plan among their networks, and what the insurer
 * told the coordinator (prior authorization).
 */
const CoverageSituation = z.object({
  id: z.string(), when: z.enum(['network_in', 'network_out', 'authorization_needed']),
  text: z.string(), ask: z.string(), why: z.string(), limits: z.string(),
  es: z.object({ text: z.string(), ask: z.string(), why: z.string(), limits: z.string() }).partial().optional(),
  ...Dated,
});
const Coverage = z.object({ reviewedOn: z.iso.date(), note: z.string(), sources: z.array(Source.extend({ reviewedOn: z.iso.date() })), rules: z.array(CoverageRule).min(1), situations: z.array(CoverageSituation).default([]) });
export type CoverageRules = z.infer<typeof Coverage>;

const DATA = path.join(import.meta.dirname, 'data');
const read = <T>(schema: z.ZodType<T>, file: string): T => schema.parse(JSON.parse(fs.readFileSync(path.join(DATA, file), 'utf8')));

/** The service catalogue and the coverage rules, checked: every source a rule or service names exists. */
export type Billing = { catalogue: ServiceCatalogue; coverage: CoverageRules };
export function loadBilling(): Billing {
  const catalogue = read(Catalogue, 'services.json');
  const coverage = read(Coverage, 'coverage.json');
  const known = (list: { id: string }[]) => new Set(list.map((s) => s.id));
  const check = (ids: Set<string>, entries: { id: string; sources: string[] }[], file: string) => {
    for (const e of entries) for (const s of e.sources) if (!ids.has(s)) throw new Error(`${file}: ${e.id} names an unknown source ${s}`);
  };
  check(known(catalogue.sources), catalogue.services, 'services.json');
  check(known(coverage.sources), coverage.rules, 'coverage.json');
  check(known(coverage.sources), coverage.situations, 'coverage.json');
  return { catalogue, coverage };
}

/** The catalogue and rules with their texts in `locale` (English where a translation is missing). */
export function billingIn(billing: { catalogue: ServiceCatalogue; coverage: CoverageRules }, locale: Locale) {
  if (locale === DEFAULT_LOCALE) return billing;
  return {
    catalogue: { ...entryIn(billing.catalogue, locale), sources: billing.catalogue.sources.map((s) => entryIn(s, locale)), services: billing.catalogue.services.map((s) => entryIn(s, locale)) },
    coverage: { ...billing.coverage, sources: billing.coverage.sources.map((s) => entryIn(s, locale)), rules: billing.coverage.rules.map((r) => entryIn(r, locale)), situations: billing.coverage.situations.map((r) => entryIn(r, locale)) },
  };
}

/** What is known of a request when its cost is estimated. */
export interface CostFacts {
  /** The ICD-10-CM code, when chosen. */
  conditionCode: string | null;
  surgeryProposed: boolean;
  planType: PlanType | null;
  expedited: boolean;
  /** Imaging studies on file for the case. */
  imagingStudies: number;
  /** The request went, or is going, to a tumor board. */
  atBoard: boolean;
  /** A video visit with the expert is booked or took place. */
  visitBooked: boolean;
  /** The diagnosis in the patient's words, when no code was picked (a cancer cannot be ruled out). */
  conditionWords: boolean;
  followupDays: number;
  /** The request has been sent (its intake is closed). */
  sent: boolean;
  /** Whether the experts reviewing the request list the patient's plan among their networks (null: not known yet). */
  network?: 'in' | 'out' | null;
  /** The insurer told the coordinator it must approve the opinion first. */
  authorizationNeeded?: boolean;
}

export interface EstimateLine {
  serviceId: string;
  name: string;
  description: string;
  includes: string | null;
  feeCents: number;
  /** In the total; possible (when the records hold scans); or an option the patient may choose. */
  part: 'included' | 'possible' | 'optional';
  why: string;
  codes: { system: string; code: string; display: string }[];
  codeNote: string | null;
  sources: { id: string; title: string; url: string | null }[];
}

export interface CostEstimate {
  currency: string;
  lines: EstimateLine[];
  /** The sum of the included lines. */
  totalCents: number;
  /** With the possible lines too (not the optional ones). */
  upToCents: number;
  guidance: { id: string; text: string; ask: string; why: string; limits: string; sources: { id: string; title: string; url: string | null }[]; reviewedOn: string }[];
  priceNote: string;
  reviewedOn: string;
}

// Malignant neoplasms (C00–C96) and in situ neoplasms (D00–D09) in ICD-10-CM.
const isCancerCode = (code: string | null) => !!code && (/^C/.test(code) || /^D0\d/.test(code));

function partOf(s: ServiceEntry, f: CostFacts): EstimateLine['part'] | null {
  switch (s.when) {
    case 'always': return 'included';
    // Without a code, only the patient's words: the slides may well be reviewed, so it is possible.
    case 'cancer': return isCancerCode(f.conditionCode) ? 'included' : !f.conditionCode && f.conditionWords ? 'possible' : null;
    case 'imaging': return f.imagingStudies > 0 ? 'included' : 'possible';
    case 'expedited': return f.expedited ? 'included' : null;
    case 'board': return f.atBoard ? 'included' : 'optional';
    case 'visit': return f.visitBooked ? 'included' : 'optional';
  }
}

/** The itemised estimate for one request, at the given fees, with the coverage guidance that fits its plan type. */
export function estimateCost(f: CostFacts, billing: { catalogue: ServiceCatalogue; coverage: CoverageRules }, prices?: { currency: string; fees: Record<string, number> }): CostEstimate {
  const { catalogue, coverage } = billing;
  // The fee schedule in force (a service it does not name yet keeps its starting fee).
  const feeOf = (s: ServiceEntry) => prices?.fees[s.id] ?? s.feeCents;
  const sourceList = (all: z.infer<typeof Source>[], ids: string[]) => ids.map((id) => all.find((s) => s.id === id)!).map((s) => ({ id: s.id, title: s.title, url: s.url ?? null }));
  const lines = catalogue.services.flatMap((s): EstimateLine[] => {
    const part = partOf(s, f);
    if (!part) return [];
    return [{
      serviceId: s.id, name: s.name, description: s.description, includes: s.includes?.replaceAll('{{followupDays}}', String(f.followupDays)) ?? null,
      feeCents: feeOf(s), part, why: (part === 'possible' ? s.whyNotYet : part === 'optional' ? s.whyOptional : undefined) ?? s.why,
      codes: s.codes, codeNote: s.codeNote ?? null, sources: sourceList(catalogue.sources, s.sources),
    }];
  });
  const sum = (parts: EstimateLine['part'][]) => lines.filter((l) => parts.includes(l.part)).reduce((n, l) => n + l.feeCents, 0);
  const cancer = isCancerCode(f.conditionCode);
  const rule = coverage.rules.find((r) => r.planTypes.includes(f.planType) && (r.surgeryProposed === undefined || r.surgeryProposed === f.surgeryProposed) && (r.cancer === undefined || r.cancer === cancer));
  return {
    currency: prices?.currency ?? catalogue.currency, lines, totalCents: sum(['included']), upToCents: sum(['included', 'possible']),
    guidance: [
      ...(rule ? [{ id: rule.id, text: rule.text, ask: (f.sent ? rule.askOnceSent : undefined) ?? rule.ask, why: rule.why, limits: rule.limits, sources: sourceList(coverage.sources, rule.sources), reviewedOn: rule.reviewedOn }] : []),
      ...coverage.situations.filter((s) => (s.when === 'network_in' && f.network === 'in') || (s.when === 'network_out' && f.network === 'out') || (s.when === 'authorization_needed' && f.authorizationNeeded))
        .map((s) => ({ id: s.id, text: s.text, ask: s.ask, why: s.why, limits: s.limits, sources: sourceList(coverage.sources, s.sources), reviewedOn: s.reviewedOn })),
    ],
    priceNote: catalogue.priceNote,
    reviewedOn: catalogue.reviewedOn,
  };
}
