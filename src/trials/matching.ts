import { changesNamed, criteriaChecks, criteriaLines, findingWords, mentions, mentionsMarker, mentionsWhole, studyWants, type CaseTrialFacts, type CriterionCheck } from './criteria.ts';
import type { TestFinding } from '../records/testResults.ts';
import type { TrialsKnowledge } from './knowledge.ts';
import type zipcodesModule from 'zipcodes';
import type { RegistryTrial, TrialContact, TrialSite } from './registry.ts';
import { onFirstUse } from '../core/onFirstUse.ts';

const zipcodes = onFirstUse<typeof zipcodesModule>('zipcodes');

/**
 * Trials for one case: recruiting studies of the case's condition, ranked by what they share
 * with the case (biomarkers, place), each with the reasons it was suggested and the eligibility
 * lines to check. Studies the case plainly falls outside of (age, sex) are set aside with the
 * reason, not hidden. Suggesting a study never says the patient can join it.
 */
export interface CaseForTrials extends CaseTrialFacts {
  conditionId: string | null;
  ageYears: number | null;
  sex: 'female' | 'male' | 'other' | 'unknown' | null;
  /** ISO 3166 two-letter country, and the state as the intake has it (US: the postal code). */
  country: string | null;
  state: string | null;
  /** The patient's ZIP or postal code, for distances to sites. */
  postalCode: string | null;
  /** How far the patient could travel for a study: miles, "any", or not said. */
  travelMiles: number | 'any' | null;
  /** Whether the cancer has spread, as the request says (the assessment's stage). */
  stage?: 'advanced' | 'early' | 'unknown';
}

/** A site with its distance from the patient, when both places are known. */
export type SiteNearby = TrialSite & { distanceMiles: number | null };

export interface TrialCandidate {
  nctId: string;
  title: string;
  phases: string[];
  conditions: string[];
  interventions: string[];
  reasons: string[];
  checks: CriterionCheck[];
  /** Open sites, nearest the patient first (by distance, else their state, then country); at most five. */
  sites: SiteNearby[];
  contact: TrialContact | null;
  lastUpdate: string | null;
  score: number;
  /** A report on file states a result the study does not ask for (its reasons say which). */
  mayNotFit: boolean;
}

export interface SetAside { nctId: string; title: string; why: string }

export interface TrialMatches {
  conditionTerms: string[];
  candidates: TrialCandidate[];
  setAside: SetAside[];
  /** Why distances are not shown though the patient gave a code (it was not found); null otherwise. */
  placeNote: string | null;
}

/** Suggestions shown for one case, best first. */
export const MAX_CANDIDATES = 25;

const US_STATES: Record<string, string> = {
  AL: 'Alabama', AK: 'Alaska', AZ: 'Arizona', AR: 'Arkansas', CA: 'California', CO: 'Colorado', CT: 'Connecticut', DE: 'Delaware', DC: 'District of Columbia',
  FL: 'Florida', GA: 'Georgia', HI: 'Hawaii', ID: 'Idaho', IL: 'Illinois', IN: 'Indiana', IA: 'Iowa', KS: 'Kansas', KY: 'Kentucky', LA: 'Louisiana', ME: 'Maine',
  MD: 'Maryland', MA: 'Massachusetts', MI: 'Michigan', MN: 'Minnesota', MS: 'Mississippi', MO: 'Missouri', MT: 'Montana', NE: 'Nebraska', NV: 'Nevada',
  NH: 'New Hampshire', NJ: 'New Jersey', NM: 'New Mexico', NY: 'New York', NC: 'North Carolina', ND: 'North Dakota', OH: 'Ohio', OK: 'Oklahoma', OR: 'Oregon',
  PA: 'Pennsylvania', RI: 'Rhode Island', SC: 'South Carolina', SD: 'South Dakota', TN: 'Tennessee', TX: 'Texas', UT: 'Utah', VT: 'Vermont', VA: 'Virginia',
  WA: 'Washington', WV: 'West Virginia', WI: 'Wisconsin', WY: 'Wyoming', PR: 'Puerto Rico',
};
const countryName = (iso: string | null) => {
  if (!iso) return null;
  try {
    return new Intl.DisplayNames('en', { type: 'region' }).of(iso) ?? null;
  } catch {
    return null;
  }
};
const same = (a: string | null, b: string | null) => !!a && !!b && a.trim().toLowerCase() === b.trim().toLowerCase();

const OPEN_SITE = new Set(['RECRUITING', 'NOT_YET_RECRUITING', 'ENROLLING_BY_INVITATION']);

/**
 * `search`: the trials were found by a reviewer's words rather than by the case's condition, and
 * come in the order of how well they matched the words; each is still read against the case (a
 * study of another condition says so), and set aside when the case is outside its limits.
 */
export function matchTrials(facts: CaseForTrials, trials: RegistryTrial[], k: TrialsKnowledge, opts: { search?: boolean } = {}): TrialMatches {
  const entry = k.registryTerms.find((t) => t.condition === facts.conditionId);
  const conditionTerms = entry?.terms ?? [];
  const aliases = entry?.aliases ?? [];
  const home = homeOf(facts);
  const placeNote = facts.postalCode && !home.at
    ? `The patient's ZIP or postal code (${facts.postalCode}) was not found${facts.country === 'US' || facts.country === 'CA' ? '' : ' (distances are worked out for the United States and Canada)'}, so distances are not shown; sites in their state and country come first.`
    : null;
  const out: { conditionTerms: string[]; candidates: (TrialCandidate & { eligibility?: string })[]; setAside: SetAside[]; placeNote: string | null } = { conditionTerms, candidates: [], setAside: [], placeNote };
  if (!conditionTerms.length && !opts.search) return { ...out, candidates: [] };
  for (const trial of trials) {
    const studied = [...trial.conditions, ...trial.keywords, trial.title].join(' \n ');
    // The most specific name; else another spelling of it ("COPD"), said with the first name.
    const term = [...conditionTerms].sort((a, b) => b.length - a.length).find((t) => mentions(studied, t.toLowerCase()))
      ?? (aliases.some((a) => mentionsWhole(studied, a)) ? conditionTerms[0] : undefined);
    if (!term && !opts.search) continue;
    const outside = outsideLimits(trial, facts);
    if (outside) {
      out.setAside.push({ nctId: trial.nctId, title: trial.title, why: outside });
      continue;
    }
    const reasons = [term ? `Studies ${term.toLowerCase()}, the condition of this request.` : 'Found by the search: its conditions do not name the condition of this request.'];
    let score = term ? 3 : 0;
    let mayNotFit = false;
    const text = [studied, trial.interventions.map((i) => i.name).join(' '), trial.eligibility].join(' \n ');
    const askedText = [studied, ...criteriaLines(trial.eligibility).inclusion].join(' \n ');
    for (const b of facts.biomarkers) {
      if (!b.aliases.some((a) => mentionsMarker(text, a, k.ignoredAliases.aliases))) continue;
      // What the study asks for is read where it says what it is for: not in its exclusion lines.
      const read = b.finding ? biomarkerFit(b.name, b.finding, askedText, b.aliases, k) : null;
      if (read) {
        reasons.push(read.reason);
        score += read.score;
        mayNotFit ||= read.mayNotFit === true;
      } else {
        reasons.push(b.done ? `Concerns ${b.name}, which was tested for this request (check the result).` : `Concerns ${b.name}, which is not yet tested on file.`);
        score += b.done ? 2 : 1;
      }
    }
    const setting = stageFit(trial, facts.stage ?? 'unknown', k);
    if (setting) {
      reasons.push(setting.reason);
      score += setting.fits ? 1 : -1;
      mayNotFit ||= !setting.fits;
    }
    const sites = rankSites(trial, home);
    const nearest = sites[0];
    if (nearest?.s.distanceMiles != null) {
      const miles = Math.round(nearest.s.distanceMiles).toLocaleString('en-US');
      const where = [nearest.s.city, nearest.s.state].filter(Boolean).join(', ');
      const limit = typeof facts.travelMiles === 'number' ? facts.travelMiles : null;
      if (limit !== null && nearest.s.distanceMiles > limit) {
        reasons.push(`Its nearest open site (${where}) is about ${miles} miles away, farther than the patient could travel (${limit} miles).`);
        score -= 1;
      } else {
        reasons.push(`Its nearest open site (${where}) is about ${miles} miles from the patient${limit !== null ? ', within the distance they could travel' : ''}.`);
        score += nearest.s.distanceMiles <= (limit ?? 100) ? 2 : 1;
      }
    } else if (nearest?.near === 2) {
      reasons.push(`Has a site in the patient's state (${home.state}).`);
      score += 2;
    } else if (nearest?.near === 1) {
      reasons.push(`Has a site in the patient's country (${home.country}).`);
      score += 1;
    }
    out.candidates.push({
      nctId: trial.nctId, title: trial.title, phases: trial.phases, conditions: trial.conditions, interventions: trial.interventions.map((i) => i.name),
      reasons, checks: [], eligibility: trial.eligibility, sites: sites.slice(0, 5).map((x) => x.s),
      contact: trial.contacts[0] ?? null, lastUpdate: trial.lastUpdate, score, mayNotFit,
    });
  }
  if (!opts.search) out.candidates.sort((a, b) => b.score - a.score || (b.lastUpdate ?? '').localeCompare(a.lastUpdate ?? '') || a.nctId.localeCompare(b.nctId));
  // The best ones, with their eligibility lines read (a common cancer has thousands of studies).
  out.candidates = out.candidates.slice(0, MAX_CANDIDATES).map(({ eligibility, ...c }) => ({ ...c, checks: criteriaChecks(criteriaLines(eligibility ?? ''), facts, k) }));
  return out;
}

/** The patient's place as the registry writes it ("United States", "Ohio"), with coordinates when the ZIP code is known. */
function homeOf(p: { country: string | null; state: string | null; postalCode?: string | null }) {
  // US: the five digits of a ZIP (a ZIP+4 too); Canada: the forward sortation area ("M5V").
  const code = p.country === 'US' ? /^\d{5}/.exec(p.postalCode?.trim() ?? '')?.[0] : p.country === 'CA' ? p.postalCode?.trim().toUpperCase().slice(0, 3) : undefined;
  const found = code ? zipcodes().lookup(code) : undefined;
  const place = found && found.country === p.country ? found : undefined;
  return {
    country: countryName(p.country),
    state: p.country === 'US' && p.state ? US_STATES[p.state.toUpperCase()] ?? p.state : p.state,
    at: place && Number.isFinite(place.latitude) && Number.isFinite(place.longitude) ? { lat: place.latitude, lon: place.longitude } : null,
  };
}
type Home = ReturnType<typeof homeOf>;

/** Great-circle distance in miles (haversine, mean Earth radius 3,958.8 miles). */
function milesBetween(a: { lat: number; lon: number }, b: { lat: number; lon: number }): number {
  const rad = (d: number) => (d * Math.PI) / 180;
  const h = Math.sin(rad(b.lat - a.lat) / 2) ** 2 + Math.cos(rad(a.lat)) * Math.cos(rad(b.lat)) * Math.sin(rad(b.lon - a.lon) / 2) ** 2;
  return 2 * 3958.8 * Math.asin(Math.min(1, Math.sqrt(h)));
}

/** Miles to a site, or a stand-in when unknown: in the patient's state as near, in their country as middling. */
const reach = (x: { s: SiteNearby; near: number }) => x.s.distanceMiles ?? (x.near === 2 ? 100 : x.near === 1 ? 1000 : Infinity);

/** Open sites, nearest first: by distance when both places are known, else the patient's state, then country. */
function rankSites(trial: RegistryTrial, home: Home): { s: SiteNearby; near: number }[] {
  return trial.sites.filter((s) => !s.status || OPEN_SITE.has(s.status))
    .map((s) => ({
      s: { ...s, distanceMiles: home.at && s.lat !== null && s.lon !== null ? Math.round(milesBetween(home.at, { lat: s.lat, lon: s.lon }) * 10) / 10 : null },
      near: same(s.state, home.state) && same(s.country, home.country) ? 2 : same(s.country, home.country) ? 1 : 0,
    }))
    // A site without coordinates is placed as its state or country suggests, not after every other.
    .sort((a, b) => reach(a) - reach(b) || b.near - a.near);
}

/** A study's open sites nearest the patient (country, state and ZIP code as the intake has them). */
export const nearestSites = (trial: RegistryTrial, patient: { country: string | null; state: string | null; postalCode?: string | null }): SiteNearby[] => rankSites(trial, homeOf(patient)).map((x) => x.s);

/** Why the case is plainly outside the study's own age or sex limits; null when it is not. */
function outsideLimits(trial: RegistryTrial, facts: CaseForTrials): string | null {
  if (facts.ageYears !== null && trial.minAgeYears !== null && facts.ageYears < trial.minAgeYears) return `Takes people aged ${trial.minAgeYears} and over.`;
  if (facts.ageYears !== null && trial.maxAgeYears !== null && facts.ageYears > trial.maxAgeYears) return `Takes people up to age ${trial.maxAgeYears}.`;
  if (trial.sex === 'FEMALE' && facts.sex === 'male') return 'Takes women only.';
  if (trial.sex === 'MALE' && facts.sex === 'female') return 'Takes men only.';
  return null;
}

/** Age in whole years on a day, as a calendar counts it (a birthday passed this year or not). */
export function ageOn(birthDate: string, now: Date): number {
  const [y, m, d] = birthDate.split('-').map(Number) as [number, number, number];
  const birthdayPassed = now.getUTCMonth() + 1 > m || (now.getUTCMonth() + 1 === m && now.getUTCDate() >= d);
  return now.getUTCFullYear() - y - (birthdayPassed ? 0 : 1);
}

/**
 * How a test's stated result bears on a study that names the test: what the study asks for
 * (found, as "KRAS G12C"; not found, as "KRAS wild-type") beside what the reports say, with
 * their words. It moves the study up or down the list; it never decides eligibility.
 */
function biomarkerFit(name: string, f: TestFinding, studyText: string, aliases: string[], k: TrialsKnowledge): { reason: string; score: number; mayNotFit?: boolean } {
  const said = findingWords(f);
  if (f.result === 'conflicting') return { reason: `Concerns ${name}; ${said}: check which is right.`, score: 1 };
  if (f.result === 'stated') return { reason: `Concerns ${name}; ${said}: check the value against the study.`, score: 2 };
  const wants = studyWants(studyText, aliases, k.ignoredAliases.aliases);
  if (wants === 'unclear') return { reason: `Concerns ${name}; ${said}: check what the study asks for.`, score: f.result === 'found' ? 2 : 1 };
  // The gene as written ("KRAS"), with the change the study names ("KRAS G12C"), not the panel's test name.
  const asked = changesNamed(studyText, aliases);
  const gene = aliases[0]!.toUpperCase();
  const asks = wants === 'found' ? `The study asks for ${asked.length ? `${gene} ${asked.join(' or ')}` : `a positive ${gene} result`}` : `The study asks for a negative (or wild-type) ${gene} result`;
  if (wants !== f.result) return { reason: `${asks}, but ${said}: it may not fit.`, score: -1, mayNotFit: true };
  // Both found: the change matters when the study names one ("KRAS G12C") and the report another.
  const reported = f.evidence.flatMap((e) => changesNamed(e, aliases));
  if (f.result === 'found' && asked.length && reported.length && !reported.some((c) => asked.includes(c))) {
    return { reason: `The study asks for ${gene} ${asked.join(' or ')}, but ${said}, another change: it may not fit.`, score: 0, mayNotFit: true };
  }
  return { reason: `${asks}, and ${said}: check the details against the study.`, score: 3 };
}

/**
 * The cancer's extent a study is for (metastatic, or early-stage and operable), by the words of
 * its title, conditions and inclusion lines, beside what the request says (spread or not). A
 * study that names both, or neither, says nothing here; exclusion lines are not read for it.
 */
function stageFit(trial: RegistryTrial, stage: 'advanced' | 'early' | 'unknown', k: TrialsKnowledge): { reason: string; fits: boolean } | null {
  if (stage === 'unknown') return null;
  const text = [trial.title, ...trial.conditions, ...trial.keywords, ...criteriaLines(trial.eligibility).inclusion].join(' \n ');
  const named = k.settings.map((s) => ({ s, word: s.inStudy.find((w) => mentions(text, w)) })).filter((x) => x.word);
  if (named.length !== 1) return null;
  const { s, word } = named[0]!;
  const said = stage === 'advanced' ? 'the request says the cancer has spread' : 'the request says the cancer has not spread';
  return s.id === stage
    ? { reason: `It is for ${s.label} (it says “${word}”), and ${said}.`, fits: true }
    : { reason: `It is for ${s.label} (it says “${word}”), but ${said}: it may not fit.`, fits: false };
}
