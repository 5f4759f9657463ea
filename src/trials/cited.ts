import type { Queryable } from '../core/db.ts';
import { hasWords, wordsIn } from '../core/i18n.ts';
import type { Locale } from '../core/locale.ts';
import { nearestSites } from './matching.ts';
import { NCT_ID, wholeTrials, type RegistryTrial } from './registry.ts';

/** A trial as the opinion names it: the reviewer's identifier and reason; the rest filled here. */
export interface CitedTrial {
  identifier?: string | undefined;
  why?: string | undefined;
  title?: string | undefined;
  phases?: string[] | undefined;
  sites?: string[] | undefined;
  contact?: string | undefined;
  contactDetails?: { name?: string; phone?: string; email?: string } | undefined;
  registryStatus?: string | undefined;
  checkedOn?: string | undefined;
}

/** A study's phases in the reader's words ("Phase 2/Phase 3", "Fase 2/Fase 3"). */
export const phaseWords = (phases: string[], locale: Locale = 'en') => {
  const t = wordsIn(locale);
  return phases.map((p) => (hasWords('en', `report:trials.phase.${p}`) ? t(`report:trials.phase.${p}`) : p)).join('/');
};

/** A site as the opinion names it, in the patient's language, with its distance in miles and kilometres. */
export function siteLine(s: ReturnType<typeof nearestSites>[number], locale: Locale) {
  const t = wordsIn(locale);
  const tag = t('report:locale');
  const named = [s.facility, s.city, s.state, s.country].filter(Boolean).join(', ');
  const withDistance = s.distanceMiles !== null
    ? t('report:trials.siteAway', { place: named, miles: Math.round(s.distanceMiles).toLocaleString(tag), km: Math.round(s.distanceMiles * 1.609344).toLocaleString(tag) })
    : named;
  return s.status === 'NOT_YET_RECRUITING' ? t('report:trials.notYetOpen', { place: withDistance }) : withDistance;
}
const contactLine = (c: RegistryTrial['contacts'][number] | undefined) => (c ? [c.name, c.phone, c.email].filter(Boolean).join(', ') : '');
/** The contact's parts that the registry gives, each within the opinion's limits; undefined when it gives none. */
function contactParts(c: RegistryTrial['contacts'][number] | undefined): CitedTrial['contactDetails'] {
  const parts = Object.fromEntries(([['name', 200], ['phone', 60], ['email', 200]] as const).flatMap(([k, max]) => {
    const v = c?.[k]?.trim();
    return v ? [[k, v.slice(0, max)]] : [];
  }));
  return Object.keys(parts).length ? parts : undefined;
}

/**
 * Fills in each cited trial from the local copy of the registry (title, phase, the sites nearest
 * the patient, in their language, the study's contact), so the signed opinion names what the
 * registry says, not what a client sent. A trial not in the copy (registry out of reach, or no longer recruiting) keeps
 * only the reviewer's identifier and reason.
 */
export async function resolveCitedTrials<T extends CitedTrial>(tx: Queryable, home: { country: string | null; state: string | null; postalCode?: string | null; locale?: Locale }, trials: T[], today: Date): Promise<T[]> {
  const ids = trials.map((t) => t.identifier?.trim().toUpperCase()).filter((id): id is string => !!id && NCT_ID.test(id));
  const rows = ids.length ? await tx.query<{ nct_id: string; record: RegistryTrial }>(`SELECT nct_id, record FROM trials WHERE nct_id = ANY($1::text[])`, [ids]) : [];
  const byId = new Map(wholeTrials(rows.map((r) => r.record)).map((r) => [r.nctId, r]));
  return trials.map((t) => {
    const { title: _t, phases: _p, sites: _s, contact: _c, contactDetails: _cd, registryStatus: _r, checkedOn: _d, ...own } = t;
    const id = t.identifier?.trim().toUpperCase();
    const record = id ? byId.get(id) : undefined;
    // Not in the copy: said so in the report (the day it was looked for), never filled in.
    if (!record) return { ...own, ...(id && NCT_ID.test(id) ? { identifier: id } : {}), checkedOn: today.toISOString().slice(0, 10) } as T;
    const contact = contactLine(record.contacts[0]);
    const contactDetails = contactParts(record.contacts[0]);
    return {
      ...own, identifier: id, title: record.title.slice(0, 500), phases: record.phases.slice(0, 5),
      sites: nearestSites(record, home).slice(0, 3).map((site) => siteLine(site, home.locale ?? 'en')).filter(Boolean).map((s) => s.slice(0, 300)),
      ...(contact ? { contact: contact.slice(0, 300) } : {}),
      ...(contactDetails ? { contactDetails } : {}),
      registryStatus: record.status.slice(0, 40), checkedOn: today.toISOString().slice(0, 10),
    } as T;
  });
}
