import { criteriaChecks, criteriaLines, mentions, type CaseTrialFacts, type CriterionCheck } from './criteria.ts';
import type { TrialsKnowledge } from './knowledge.ts';
import type { RegistryTrial, TrialContact, TrialSite } from './registry.ts';

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
}

export interface TrialCandidate {
  nctId: string;
  title: string;
  phases: string[];
  conditions: string[];
  interventions: string[];
  reasons: string[];
  checks: CriterionCheck[];
  /** Recruiting sites, the patient's own state and country first; at most five. */
  sites: TrialSite[];
  contact: TrialContact | null;
  lastUpdate: string | null;
  score: number;
}

export interface SetAside { nctId: string; title: string; why: string }

export interface TrialMatches { conditionTerms: string[]; candidates: TrialCandidate[]; setAside: SetAside[] }

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

export function matchTrials(facts: CaseForTrials, trials: RegistryTrial[], k: TrialsKnowledge): TrialMatches {
  const conditionTerms = k.registryTerms.find((t) => t.condition === facts.conditionId)?.terms ?? [];
  const out: TrialMatches = { conditionTerms, candidates: [], setAside: [] };
  if (!conditionTerms.length) return out;
  const home = homeOf(facts);
  for (const trial of trials) {
    const studied = [...trial.conditions, ...trial.keywords, trial.title].join(' \n ');
    const term = [...conditionTerms].sort((a, b) => b.length - a.length).find((t) => mentions(studied, t.toLowerCase())); // the most specific name
    if (!term) continue;
    const outside = outsideLimits(trial, facts);
    if (outside) {
      out.setAside.push({ nctId: trial.nctId, title: trial.title, why: outside });
      continue;
    }
    const reasons = [`Studies ${term.toLowerCase()}, the condition of this request.`];
    let score = 3;
    const text = [studied, trial.interventions.map((i) => i.name).join(' '), trial.eligibility].join(' \n ');
    for (const b of facts.biomarkers) {
      if (!b.aliases.some((a) => mentions(text, a))) continue;
      reasons.push(b.done ? `Concerns ${b.name}, which was tested for this request (check the result).` : `Concerns ${b.name}, which is not yet tested on file.`);
      score += b.done ? 2 : 1;
    }
    const sites = rankSites(trial, home);
    const best = sites[0]?.near ?? 0;
    if (best === 2) reasons.push(`Has a site in the patient's state (${home.state}).`);
    else if (best === 1) reasons.push(`Has a site in the patient's country (${home.country}).`);
    score += best;
    out.candidates.push({
      nctId: trial.nctId, title: trial.title, phases: trial.phases, conditions: trial.conditions, interventions: trial.interventions.map((i) => i.name),
      reasons, checks: criteriaChecks(criteriaLines(trial.eligibility), facts, k), sites: sites.slice(0, 5).map((x) => x.s),
      contact: trial.contacts[0] ?? null, lastUpdate: trial.lastUpdate, score,
    });
  }
  out.candidates.sort((a, b) => b.score - a.score || (b.lastUpdate ?? '').localeCompare(a.lastUpdate ?? '') || a.nctId.localeCompare(b.nctId));
  return out;
}

/** The patient's country and state as the registry writes them ("United States", "Ohio"). */
function homeOf(p: { country: string | null; state: string | null }) {
  return { country: countryName(p.country), state: p.country === 'US' && p.state ? US_STATES[p.state.toUpperCase()] ?? p.state : p.state };
}

/** Open sites, those in the patient's state first, then in their country. */
function rankSites(trial: RegistryTrial, home: { country: string | null; state: string | null }) {
  return trial.sites.filter((s) => !s.status || OPEN_SITE.has(s.status))
    .map((s) => ({ s, near: same(s.state, home.state) && same(s.country, home.country) ? 2 : same(s.country, home.country) ? 1 : 0 }))
    .sort((a, b) => b.near - a.near);
}

/** A study's open sites nearest the patient (country and state as the intake has them). */
export const nearestSites = (trial: RegistryTrial, patient: { country: string | null; state: string | null }): TrialSite[] => rankSites(trial, homeOf(patient)).map((x) => x.s);

/** Why the case is plainly outside the study's own age or sex limits; null when it is not. */
function outsideLimits(trial: RegistryTrial, facts: CaseForTrials): string | null {
  if (facts.ageYears !== null && trial.minAgeYears !== null && facts.ageYears < trial.minAgeYears) return `Takes people aged ${trial.minAgeYears} and over.`;
  if (facts.ageYears !== null && trial.maxAgeYears !== null && facts.ageYears > trial.maxAgeYears) return `Takes people up to age ${trial.maxAgeYears}.`;
  if (trial.sex === 'FEMALE' && facts.sex === 'male') return 'Takes women only.';
  if (trial.sex === 'MALE' && facts.sex === 'female') return 'Takes men only.';
  return null;
}
