import { changesNamed, criteriaChecks, criteriaLines, findingWords, mentions, mentionsMarker, mentionsWhole, studyWants, type CaseTrialFacts, type CriterionCheck } from './criteria.ts';
import type { TestFinding } from '../records/testResults.ts';
import { termIn, type TrialsKnowledge } from './knowledge.ts';
import type zipcodesModule from 'zipcodes';
import type { RegistryTrial, TrialContact, TrialSite } from './registry.ts';
import { onFirstUse } from '../core/onFirstUse.ts';
import { wordsIn, type Words } from '../core/i18n.ts';
import { entryIn, type Locale } from '../core/locale.ts';

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
  /** The same conditions in the reader's language, for the reader (the registry is searched with the terms). */
  conditionNames: string[];
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
const countryName = (iso: string | null, locale: Locale = 'en') => {
  if (!iso) return null;
  try {
    return new Intl.DisplayNames(locale, { type: 'region' }).of(iso) ?? null;
  } catch {
    return null;
  }
};
const same = (a: string | null, b: string | null) => !!a && !!b && a.trim().toLowerCase() === b.trim().toLowerCase();

const OPEN_SITE = new Set(['RECRUITING', 'NOT_YET_RECRUITING', 'ENROLLING_BY_INVITATION']);

/**
 * A reason, written when asked for: every study of the condition is weighed, but only the best
 * are shown, and writing a catalogue text for each of thousands of studies doubled the time.
 */
type Reason = () => string;
/** The reader's language and its words, asked for once per match. */
interface Reader { locale: Locale; t: Words }

/**
 * `search`: the trials were found by a reviewer's words rather than by the case's condition, and
 * come in the order of how well they matched the words; each is still read against the case (a
 * study of another condition says so), and set aside when the case is outside its limits.
 * `locale`: the reader's language, for the reasons and notes (the registry's own words stay as written).
 */
export function matchTrials(facts: CaseForTrials, trials: RegistryTrial[], k: TrialsKnowledge, opts: { search?: boolean; locale?: Locale } = {}): TrialMatches {
  const locale = opts.locale ?? 'en';
  const t = wordsIn(locale);
  const reader: Reader = { locale, t };
  const outsideWords = wordsOnce(t);
  const entry = k.registryTerms.find((r) => r.condition === facts.conditionId);
  const conditionTerms = entry?.terms ?? [];
  const aliases = entry?.aliases ?? [];
  const home = homeOf(facts);
  const placeNote = facts.postalCode && !home.at ? placeNotFound(facts.postalCode, facts.country, t) : null;
  const conditionNames = entry ? conditionTerms.map((term) => termIn(entry, term, locale)) : [];
  const out: { conditionTerms: string[]; conditionNames: string[]; candidates: (Omit<TrialCandidate, 'reasons'> & { reasons: Reason[]; eligibility?: string })[]; setAside: SetAside[]; placeNote: string | null } = { conditionTerms, conditionNames, candidates: [], setAside: [], placeNote };
  if (!conditionTerms.length && !opts.search) return { ...out, candidates: [] };
  for (const trial of trials) {
    const studied = [...trial.conditions, ...trial.keywords, trial.title].join(' \n ');
    // The most specific name; else another spelling of it ("COPD"), said with the first name.
    const term = [...conditionTerms].sort((a, b) => b.length - a.length).find((name) => mentions(studied, name.toLowerCase()))
      ?? (aliases.some((a) => mentionsWhole(studied, a)) ? conditionTerms[0] : undefined);
    if (!term && !opts.search) continue;
    const outside = outsideLimits(trial, facts, outsideWords);
    if (outside) {
      out.setAside.push({ nctId: trial.nctId, title: trial.title, why: outside });
      continue;
    }
    const reasons: Reason[] = [term && entry ? () => t('trials:reason.condition', { condition: termIn(entry, term, locale) }) : () => t('trials:reason.foundBySearch')];
    let score = term ? 3 : 0;
    let mayNotFit = false;
    const text = [studied, trial.interventions.map((i) => i.name).join(' '), trial.eligibility].join(' \n ');
    const askedText = [studied, ...criteriaLines(trial.eligibility).inclusion].join(' \n ');
    for (const b of facts.biomarkers) {
      if (!b.aliases.some((a) => mentionsMarker(text, a, k.ignoredAliases.aliases))) continue;
      // What the study asks for is read where it says what it is for: not in its exclusion lines.
      const read = b.finding ? biomarkerFit(b.name, b.gene ?? b.aliases[0]!.toUpperCase(), b.finding, askedText, b.aliases, k, reader) : null;
      if (read) {
        reasons.push(read.reason);
        score += read.score;
        mayNotFit ||= read.mayNotFit === true;
      } else {
        reasons.push(b.done ? () => t('trials:reason.tested', { name: b.name }) : () => t('trials:reason.notTested', { name: b.name }));
        score += b.done ? 2 : 1;
      }
    }
    const setting = stageFit(trial, facts.stage ?? 'unknown', k, reader);
    if (setting) {
      reasons.push(setting.reason);
      score += setting.fits ? 1 : -1;
      mayNotFit ||= !setting.fits;
    }
    const sites = rankSites(trial, home);
    const nearest = sites[0];
    if (nearest?.s.distanceMiles != null) {
      const distance = nearest.s.distanceMiles;
      const miles = () => Math.round(distance).toLocaleString(t('report:locale'));
      const place = [nearest.s.city, nearest.s.state].filter(Boolean).join(', ');
      const limit = typeof facts.travelMiles === 'number' ? facts.travelMiles : null;
      if (limit !== null && nearest.s.distanceMiles > limit) {
        reasons.push(() => t('trials:reason.siteTooFar', { place, miles: miles(), limit }));
        score -= 1;
      } else {
        reasons.push(limit !== null ? () => t('trials:reason.siteWithinReach', { place, miles: miles() }) : () => t('trials:reason.siteAway', { place, miles: miles() }));
        score += nearest.s.distanceMiles <= (limit ?? 100) ? 2 : 1;
      }
    } else if (nearest?.near === 2) {
      reasons.push(() => t('trials:reason.siteInState', { state: home.state }));
      score += 2;
    } else if (nearest?.near === 1) {
      // The registry names countries in English (matched above); the reader reads theirs.
      reasons.push(() => t('trials:reason.siteInCountry', { country: countryName(facts.country, locale) ?? home.country }));
      score += 1;
    }
    out.candidates.push({
      nctId: trial.nctId, title: trial.title, phases: trial.phases, conditions: trial.conditions, interventions: trial.interventions.map((i) => i.name),
      reasons, checks: [], eligibility: trial.eligibility, sites: sites.slice(0, 5).map((x) => x.s),
      contact: trial.contacts[0] ?? null, lastUpdate: trial.lastUpdate, score, mayNotFit,
    });
  }
  if (!opts.search) out.candidates.sort((a, b) => b.score - a.score || (b.lastUpdate ?? '').localeCompare(a.lastUpdate ?? '') || a.nctId.localeCompare(b.nctId));
  // The best ones, with their reasons written and their eligibility lines read (a common cancer has thousands of studies).
  const candidates = out.candidates.slice(0, MAX_CANDIDATES)
    .map(({ eligibility, reasons, ...c }) => ({ ...c, reasons: reasons.map((say) => say()), checks: criteriaChecks(criteriaLines(eligibility ?? ''), facts, k, locale) }));
  return { ...out, candidates };
}

/** Words written once per match: the same few limits set aside many of thousands of studies. */
function wordsOnce(t: Words): Words {
  const said = new Map<string, string>();
  return (key, values) => {
    const id = `${key} ${JSON.stringify(values ?? {})}`;
    return said.get(id) ?? said.set(id, t(key, values)).get(id)!;
  };
}

/** Why distances are not shown though the patient gave a code: the gazetteer knows the United States and Canada only. */
const placeNotFound = (code: string, country: string | null, t: Words) => (country === 'US' || country === 'CA'
  ? t('trials:placeNote.notFound', { code })
  : t('trials:placeNote.notFoundAbroad', { code }));

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
function outsideLimits(trial: RegistryTrial, facts: CaseForTrials, t: Words): string | null {
  if (facts.ageYears !== null && trial.minAgeYears !== null && facts.ageYears < trial.minAgeYears) return t('trials:outside.minAge', { age: trial.minAgeYears });
  if (facts.ageYears !== null && trial.maxAgeYears !== null && facts.ageYears > trial.maxAgeYears) return t('trials:outside.maxAge', { age: trial.maxAgeYears });
  if (trial.sex === 'FEMALE' && facts.sex === 'male') return t('trials:outside.womenOnly');
  if (trial.sex === 'MALE' && facts.sex === 'female') return t('trials:outside.menOnly');
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
function biomarkerFit(name: string, gene: string, f: TestFinding, studyText: string, aliases: string[], k: TrialsKnowledge, { locale, t }: Reader): { reason: Reason; score: number; mayNotFit?: boolean } {
  const said = () => findingWords(f, locale);
  if (f.result === 'conflicting') return { reason: () => t('trials:reason.conflicting', { name, said: said() }), score: 1 };
  if (f.result === 'stated') return { reason: () => t('trials:reason.stated', { name, said: said() }), score: 2 };
  const wants = studyWants(studyText, aliases, k.ignoredAliases.aliases);
  if (wants === 'unclear') return { reason: () => t('trials:reason.unclear', { name, said: said() }), score: f.result === 'found' ? 2 : 1 };
  // The gene as written ("KRAS"), with the change the study names ("KRAS G12C"), not the panel's test name.
  const asked = changesNamed(studyText, aliases);
  const changes = () => asked.join(t('trials:asks.or'));
  const asks = () => (wants === 'not_found' ? t('trials:asks.negative', { gene }) : asked.length ? t('trials:asks.changes', { gene, changes: changes() }) : t('trials:asks.positive', { gene }));
  if (wants !== f.result) return { reason: () => t('trials:fit.against', { asks: asks(), said: said() }), score: -1, mayNotFit: true };
  // Both found: the change matters when the study names one ("KRAS G12C") and the report another.
  const reported = f.evidence.flatMap((e) => changesNamed(e, aliases));
  if (f.result === 'found' && asked.length && reported.length && !reported.some((c) => asked.includes(c))) {
    return { reason: () => t('trials:fit.otherChange', { gene, changes: changes(), said: said() }), score: 0, mayNotFit: true };
  }
  return { reason: () => t('trials:fit.matches', { asks: asks(), said: said() }), score: 3 };
}

/**
 * The cancer's extent a study is for (metastatic, or early-stage and operable), by the words of
 * its title, conditions and inclusion lines, beside what the request says (spread or not). A
 * study that names both, or neither, says nothing here; exclusion lines are not read for it.
 */
function stageFit(trial: RegistryTrial, stage: 'advanced' | 'early' | 'unknown', k: TrialsKnowledge, { locale, t }: Reader): { reason: Reason; fits: boolean } | null {
  if (stage === 'unknown') return null;
  const text = [trial.title, ...trial.conditions, ...trial.keywords, ...criteriaLines(trial.eligibility).inclusion].join(' \n ');
  const named = k.settings.map((s) => ({ s, word: s.inStudy.find((w) => mentions(text, w)) })).filter((x) => x.word);
  if (named.length !== 1) return null;
  const { s, word } = named[0]!;
  const said = () => (stage === 'advanced' ? t('trials:stage.spread') : t('trials:stage.notSpread'));
  const setting = () => entryIn(s, locale).label;
  return s.id === stage
    ? { reason: () => t('trials:stage.fits', { setting: setting(), word, said: said() }), fits: true }
    : { reason: () => t('trials:stage.mayNotFit', { setting: setting(), word, said: said() }), fits: false };
}
