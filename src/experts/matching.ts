import fs from 'node:fs';
import { z } from 'zod';
import { languageName } from '../core/languages.ts';
import { wordsIn, type Words } from '../core/i18n.ts';
import type { Locale } from '../core/locale.ts';
import { specialtyName } from '../assessment/localized.ts';

/**
 * Matching experts to a case, as a pure function that explains itself. Hard filters first
 * (specialty, licence for a video consult, conflict of interest, availability, capacity), each
 * failing with a reason; then a weighted score whose every factor is shown with its value and
 * weight. Weights are configuration (data/matching-weights.json or MATCHING_WEIGHTS_FILE).
 */
export const TaxonomyFile = z.object({
  version: z.string(), source: z.string(), verify: z.string(),
  codes: z.array(z.object({ code: z.string().regex(/^[0-9]{3}[0-9A-Z]{6}X$/), display: z.string() })),
  specialties: z.record(z.string(), z.array(z.string())),
}).meta({ id: 'Taxonomy' });
export const TAXONOMY = TaxonomyFile.parse(JSON.parse(fs.readFileSync(new URL('./data/taxonomy.json', import.meta.url), 'utf8')));
const KNOWN_CODES = new Set(TAXONOMY.codes.map((c) => c.code));
for (const codes of Object.values(TAXONOMY.specialties)) for (const c of codes) if (!KNOWN_CODES.has(c)) throw new Error(`taxonomy.json maps a specialty to unknown code ${c}`);
export const isKnownTaxonomy = (code: string) => KNOWN_CODES.has(code);

const WeightsFile = z.object({
  note: z.string().optional(),
  weights: z.object({ conditionFocus: z.number().min(0), procedureVolume: z.number().min(0), center: z.number().min(0), language: z.number().min(0), consultMode: z.number().min(0), insurance: z.number().min(0), load: z.number().min(0), turnaround: z.number().min(0) }),
  turnaroundGoodDays: z.number().positive(),
  turnaroundPoorDays: z.number().positive(),
});
export type MatchingConfig = z.infer<typeof WeightsFile>;
export function loadMatchingConfig(file?: string): MatchingConfig {
  return WeightsFile.parse(JSON.parse(fs.readFileSync(file ?? new URL('./data/matching-weights.json', import.meta.url), 'utf8')));
}

export interface ExpertCandidate {
  userId: string;
  name: string;
  active: boolean;
  taxonomyCodes: string[];
  focusCodes: string[];
  procedures: { operation: string; annualVolume: number; source: string }[];
  institution: { name: string; academic: boolean; tumorBoards: boolean; trialsOpen: boolean };
  licensure: string[];
  languages: string[];
  consultModes: ('records_review' | 'video')[];
  insuranceNetworks: string[];
  capacityMax: number;
  acceptingCases: boolean;
  openCases: number;
  outOfOffice: { from: string; to: string }[];
  conflicts: string[];
  pastTurnaroundDays: number | null;
}

export interface CaseNeeds {
  specialty: string;
  icd10Code: string | null;
  /** Where the patient is, as "US-OH" or a country code; a video consult needs a licence there. */
  patientLocation: string | null;
  consultMode: 'records_review' | 'video';
  language: string | null;
  insurance: string | null;
  /** The proposed operation, its high-volume threshold, and the role that performs it. */
  operation: { id: string; surgeonMin: number; role: string } | null;
  rareOrComplex: boolean;
  /** Institutions and practices of the treating physicians (conflict of interest). */
  treatingInstitutions: string[];
  /** ISO date: availability is judged on this day. */
  today: string;
  /** The language of whoever reads the reasons (English when not said). */
  locale?: Locale;
}

const words = (n: CaseNeeds): Words => wordsIn(n.locale ?? 'en');

export interface Factor {
  factor: keyof MatchingConfig['weights'];
  value: number;
  weight: number;
  reason: string;
}

export interface Ranked {
  userId: string;
  name: string;
  eligible: boolean;
  excludedBecause: string[];
  score: number;
  factors: Factor[];
}

const norm = (s: string) => s.trim().toLowerCase();

/** The hard filters; the first failing one is enough to exclude, so cheap checks go first. */
function filters(e: ExpertCandidate, n: CaseNeeds, allowed: Set<string>, treating: Set<string>, notSpecialist: string): string[] {
  if (!e.taxonomyCodes.some((c) => allowed.has(c))) return [notSpecialist];
  const t = words(n);
  const out: string[] = [];
  if (!e.active) out.push(t('experts:excluded.disabled'));
  if (!e.acceptingCases) out.push(t('experts:excluded.notAccepting'));
  if (n.consultMode === 'video' && n.patientLocation && !e.licensure.includes(n.patientLocation)) out.push(t('experts:excluded.notLicensed', { place: n.patientLocation }));
  if (treating.size) {
    const clash = [e.institution.name, ...e.conflicts].find((x) => treating.has(norm(x)));
    if (clash) out.push(t('experts:excluded.conflict', { institution: clash }));
  }
  const away = e.outOfOffice.find((p) => p.from <= n.today && n.today <= p.to);
  if (away) out.push(t('experts:excluded.away', { day: away.to }));
  if (e.openCases >= e.capacityMax) out.push(t('experts:excluded.atCapacity', { open: e.openCases, max: e.capacityMax }));
  return out;
}

function focusValue(e: ExpertCandidate, code: string | null, t: Words): { value: number; reason: string } {
  if (!code) return { value: 0, reason: t('experts:factor.noCode') };
  const c = code.toUpperCase();
  const best = e.focusCodes.filter((f) => c.startsWith(f.toUpperCase())).sort((a, b) => b.length - a.length)[0];
  if (best) return { value: 1, reason: t('experts:factor.focus', { focus: best, code: c }) };
  if (e.focusCodes.some((f) => f.slice(0, 3).toUpperCase() === c.slice(0, 3))) return { value: 0.5, reason: t('experts:factor.focusGroup', { group: c.slice(0, 3) }) };
  return { value: 0, reason: t('experts:factor.noFocus', { code: c }) };
}

/** Scores one eligible expert; every factor comes with its reason. */
function factorsFor(e: ExpertCandidate, n: CaseNeeds, cfg: MatchingConfig): Factor[] {
  const w = cfg.weights;
  const t = words(n);
  const f: Factor[] = [];
  const focus = focusValue(e, n.icd10Code, t);
  f.push({ factor: 'conditionFocus', value: focus.value, weight: w.conditionFocus, reason: focus.reason });
  // Operation volume speaks only for the surgeons who would operate, not the other reviewers.
  if (n.operation && n.operation.role === n.specialty) {
    const p = e.procedures.find((x) => x.operation === n.operation!.id);
    const value = p ? Math.min(1, p.annualVolume / n.operation.surgeonMin) : 0;
    f.push({ factor: 'procedureVolume', value, weight: w.procedureVolume, reason: p ? t('experts:factor.volume', { volume: p.annualVolume, source: p.source, threshold: n.operation.surgeonMin }) : t('experts:factor.noVolume') });
  }
  if (n.rareOrComplex) {
    const i = e.institution;
    const value = (Number(i.academic) + Number(i.tumorBoards) + Number(i.trialsOpen)) / 3;
    f.push({ factor: 'center', value, weight: w.center, reason: t('experts:factor.center', { parts: [i.academic ? t('experts:factor.academic') : t('experts:factor.notAcademic'), i.tumorBoards ? t('experts:factor.boards') : t('experts:factor.noBoards'), i.trialsOpen ? t('experts:factor.trials') : t('experts:factor.noTrials')].join(', ') }) });
  }
  if (n.language) {
    const ok = e.languages.map(norm).includes(norm(n.language));
    f.push({ factor: 'language', value: ok ? 1 : 0, weight: w.language, reason: ok ? t('experts:factor.speaks', { language: languageName(n.language, n.locale ?? 'en') }) : t('experts:factor.doesNotSpeak', { language: languageName(n.language, n.locale ?? 'en') }) });
  }
  const mode = e.consultModes.includes(n.consultMode);
  f.push({ factor: 'consultMode', value: mode ? 1 : 0, weight: w.consultMode, reason: mode ? t('experts:factor.offers', { mode: t(`experts:mode.${n.consultMode}`) }) : t('experts:factor.doesNotOffer', { mode: t(`experts:mode.${n.consultMode}`) }) });
  if (n.insurance) {
    const ok = e.insuranceNetworks.map(norm).includes(norm(n.insurance));
    f.push({ factor: 'insurance', value: ok ? 1 : 0, weight: w.insurance, reason: ok ? t('experts:factor.inNetwork', { plan: n.insurance }) : t('experts:factor.notInNetwork', { plan: n.insurance }) });
  }
  f.push({ factor: 'load', value: 1 - e.openCases / e.capacityMax, weight: w.load, reason: t('experts:factor.load', { open: e.openCases, max: e.capacityMax }) });
  const days = e.pastTurnaroundDays;
  const tv = days == null ? 0.5 : days <= cfg.turnaroundGoodDays ? 1 : days >= cfg.turnaroundPoorDays ? 0 : (cfg.turnaroundPoorDays - days) / (cfg.turnaroundPoorDays - cfg.turnaroundGoodDays);
  f.push({ factor: 'turnaround', value: tv, weight: w.turnaround, reason: days == null ? t('experts:factor.noTurnaround') : t('experts:factor.turnaround', { count: days }) });
  return f;
}

/** Ranks every expert for one role: eligible ones by score, then the excluded with their reasons. */
export function rankExperts(experts: ExpertCandidate[], n: CaseNeeds, cfg: MatchingConfig): Ranked[] {
  const allowed = new Set(TAXONOMY.specialties[n.specialty] ?? []);
  const treating = new Set(n.treatingInstitutions.map(norm));
  const notSpecialist = words(n)('experts:excluded.notSpecialist', { specialty: specialtyName(n.specialty, n.locale ?? 'en') });
  const ranked: Ranked[] = experts.map((e) => {
    const excludedBecause = filters(e, n, allowed, treating, notSpecialist);
    if (excludedBecause.length) return { userId: e.userId, name: e.name, eligible: false, excludedBecause, score: 0, factors: [] };
    const factors = factorsFor(e, n, cfg);
    const total = factors.reduce((s, x) => s + x.weight, 0);
    const score = total ? factors.reduce((s, x) => s + x.weight * x.value, 0) / total : 0;
    return { userId: e.userId, name: e.name, eligible: true, excludedBecause: [], score: Math.round(score * 1000) / 1000, factors };
  });
  // Only the eligible need ordering by score; the excluded follow in directory order.
  const eligible = ranked.filter((r) => r.eligible).sort((a, b) => b.score - a.score || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return eligible.concat(ranked.filter((r) => !r.eligible));
}

/**
 * A team: one expert per required role, best first, each person in one role only (a second
 * pair of eyes is the point of a multidisciplinary review).
 */
export function composeTeam(experts: ExpertCandidate[], roles: string[], base: Omit<CaseNeeds, 'specialty'>, cfg: MatchingConfig) {
  const taken = new Set<string>();
  return roles.map((role) => {
    const ranking = rankExperts(experts, { ...base, specialty: role }, cfg);
    const pick = ranking.find((r) => r.eligible && !taken.has(r.userId)) ?? null;
    if (pick) taken.add(pick.userId);
    return { role, proposed: pick, ranking };
  });
}
