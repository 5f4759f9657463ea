import { wordsIn, type Words } from '../core/i18n.ts';
import { entryIn, type Locale } from '../core/locale.ts';
import type { TestFinding } from '../records/testResults.ts';
import type { TrialsKnowledge } from './knowledge.ts';

/**
 * A study's eligibility criteria, as the registry gives them (one text with "Inclusion Criteria:"
 * and "Exclusion Criteria:" headings and a bullet per line), split into lines, with the lines
 * that touch what the case holds picked out for the reviewer. Nothing here decides eligibility:
 * it says where to look.
 */
export type CriterionKind = 'inclusion' | 'exclusion';
export interface CriteriaLines { inclusion: string[]; exclusion: string[] }

const HEADING = /^\s*(?:key|main|major|other|additional|general)?\s*(inclusion|exclusion)\s+criteria\b[^:\n]*:?\s*$/i;
const BULLET = /^\s*(?:[*•\-–]|\d{1,2}[.)])\s+/;

export function criteriaLines(text: string): CriteriaLines {
  const out: CriteriaLines = { inclusion: [], exclusion: [] };
  let kind: CriterionKind = 'inclusion';
  for (const raw of text.replace(/\r\n?/g, '\n').split('\n')) {
    const heading = HEADING.exec(raw);
    if (heading) {
      kind = heading[1]!.toLowerCase() as CriterionKind;
      continue;
    }
    const line = raw.replace(BULLET, '').replace(/\s+/g, ' ').trim();
    if (line.length < 3) continue;
    // A line that runs on without a bullet continues the one before (registry text wraps).
    const list = out[kind];
    if (!BULLET.test(raw) && list.length && /^[a-z(]/.test(line)) list[list.length - 1] += ` ${line}`;
    else list.push(line.slice(0, 1000));
  }
  return out;
}

/** What the case holds that eligibility lines may name. */
export interface CaseTrialFacts {
  /**
   * Biomarker tests of the case's panel: done (a report on file names it) or not yet, and what
   * the reports on file state of it, with their words, when they say it plainly. The name is the
   * reader's, as written inside a sentence.
   */
  /** `gene`: the gene as people write it ("BRCA", "MET"), where the test's first alias names more ("germline BRCA"). */
  biomarkers: { name: string; gene?: string; aliases: string[]; done: boolean; finding?: TestFinding | null }[];
  /** Earlier treatments as the intake lists them, in the patient's or doctor's words. */
  treatments: string[];
}

export interface CriterionCheck { kind: CriterionKind; line: string; notes: string[] }

const escape = (w: string) => w.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const patterns = new Map<string, RegExp>();
const compiled = (key: string, make: () => RegExp) => patterns.get(key) ?? (patterns.set(key, make()), patterns.get(key)!);

/** Whether `text` has a word starting with `word` ("brain metast" names "brain metastases"); any case. */
export const mentions = (text: string, word: string) => compiled(`w:${word}`, () => new RegExp(`(?<![a-z0-9])${escape(word)}`, 'i')).test(text);
/** `word` as a whole word (an abbreviation such as "IPF" is not the start of another). */
export const mentionsWhole = (text: string, word: string) => compiled(`W:${word}`, () => new RegExp(`(?<![a-z0-9])${escape(word)}(?![a-z0-9])`, 'i')).test(text);

/** Words that, after a gene written in lower case, say the gene is meant ("egfr mutation", "Her2-positive"). */
const GENE_CONTEXT = /^[\s-]{0,2}(mutat|fusion|rearrang|amplif|positiv|negativ|alter|variant|inhibit|delet|insert|exon|status|test|express|driven|low\b|high\b|\+)/i;

/**
 * Whether `text` names a biomarker by one of its aliases, as a gene is written: a whole word, or
 * with what is written onto it (EGFRm, EGFRex20ins, KRASG12C, BRAFV600E, BRCA1, NTRK1; dMMR,
 * gBRCA, mIDH1). In capitals it counts; in lower or mixed case only before a word that says a gene
 * is meant ("egfr mutation", "Her2-positive"). Never the kidney's "eGFR", a "partial response
 * (PR)", or an alias that is an everyday word of eligibility text.
 */
export function mentionsMarker(text: string, alias: string, ignored: readonly string[] = []): boolean {
  const a = alias.toLowerCase();
  if (ignored.includes(a)) return false;
  const re = compiled(`m:${a}`, () => new RegExp(`(?<![A-Za-z0-9])([dgms]?)(${escape(a)})(?=$|[^A-Za-z0-9]|\\d|[A-Z]\\d|[A-Z]?m(?![a-z])|ex\\d)`, 'gi'));
  for (const m of text.matchAll(re)) {
    const [, prefix, word] = m as unknown as [string, string, string];
    const capitals = word === word.toUpperCase();
    if (prefix && (!capitals || prefix !== prefix.toLowerCase())) continue;
    if (word === 'eGFR') continue;
    if (a.length <= 2 && /response\s*\($/i.test(text.slice(Math.max(0, m.index - 12), m.index))) continue;
    const after = text.slice(m.index + m[0].length);
    if (capitals || GENE_CONTEXT.test(after)) return true;
  }
  return false;
}

/** The lines worth checking against the case, each with why, in the reader's words. */
export function criteriaChecks(lines: CriteriaLines, facts: CaseTrialFacts, k: TrialsKnowledge, locale: Locale = 'en'): CriterionCheck[] {
  const t = wordsIn(locale);
  const history = facts.treatments.join(' \n ').toLowerCase();
  const out: CriterionCheck[] = [];
  for (const kind of ['inclusion', 'exclusion'] as const) {
    for (const line of lines[kind]) {
      const notes: string[] = [];
      // A line about an earlier treatment ("prior EGFR inhibitor") is about the history, not a test result.
      const aboutTreatment = k.therapyClasses.some((c) => c.inCriteria.some((w) => mentions(line, w)));
      for (const b of aboutTreatment ? [] : facts.biomarkers) {
        if (!b.aliases.some((a) => mentionsMarker(line, a, k.ignoredAliases.aliases))) continue;
        notes.push(b.finding ? t('trials:check.finding', { gene: b.gene ?? b.aliases[0]!.toUpperCase(), said: findingWords(b.finding, locale) })
          : b.done ? t('trials:check.tested', { name: b.name }) : t('trials:check.notTested', { name: b.name }));
      }
      for (const c of k.therapyClasses) {
        if (!c.inCriteria.some((w) => mentions(line, w))) continue;
        const given = c.inHistory.filter((w) => mentions(history, w));
        const therapy = entryIn(c, locale).label;
        notes.push(given.length ? t('trials:check.treatmentNamed', { given: given.join(', '), therapy }) : t('trials:check.treatmentNotNamed', { therapy }));
      }
      for (const c of k.checks) {
        if (!c.inCriteria.some((w) => mentions(line, w))) continue;
        notes.push(entryIn(c, locale).note);
        // Lines about earlier treatment: what the intake lists, for the reviewer to count lines of therapy.
        if (c.id === 'lines') notes.push(treatmentsListed(facts.treatments, t));
      }
      if (notes.length) out.push({ kind, line, notes: [...new Set(notes)] });
    }
  }
  return out;
}

const treatmentsListed = (treatments: string[], t: Words) => (treatments.length
  ? t('trials:check.treatments', { count: treatments.length, treatments: treatments.join('; ') })
  : t('trials:check.noTreatment'));

/** The first two quotes of a report's words. */
function quoted(evidence: string[], t: Words): string {
  const [first, second] = evidence;
  if (first === undefined) return '';
  return second === undefined ? t('trials:finding.quote', { text: first }) : t('trials:finding.quotes', { first, second });
}

/** What the reports on file state of a test, with their words, for a reviewer to check. */
export function findingWords(f: TestFinding, locale: Locale = 'en'): string {
  const t = wordsIn(locale);
  const quotes = quoted(f.evidence, t);
  if (f.result === 'conflicting') return t('trials:finding.disagree', { quotes });
  if (f.result === 'stated') return t('trials:finding.reads', { quotes });
  return f.result === 'found' ? t('trials:finding.readsFound', { quotes }) : t('trials:finding.readsNotFound', { quotes });
}

const NEGATIVE_AFTER = /^[\s-]{0,2}(?:wild[\s-]?type|wt\b|negative|non[\s-]?mutated|unmutated|not\s+(?:mutated|amplified|rearranged))/i;
// "without an EGFR mutation", "no KRAS": whole words just before the gene ("Non-squamous EGFR-mutant" is not one).
const NEGATIVE_BEFORE = /\b(?:without|no|absence\s+of|lacking)\s+(?:an?\s+|any\s+)?$/i;
const ABOUT_TREATMENT = /^[\s-]{0,2}(?:tkis?\b|tyrosine|inhibitor|targeted|directed|antibod|therap)/i;
const POSITIVE_AFTER = /^[\s-]{0,2}(?:(?:p\.)?[A-Z]\d|muta|fusion|rearrang|amplif|positiv|alter|variant|delet|insert|exon|overexpress|\+|m\b)/i;

/**
 * Which result a study asks for, from how its text writes the test: "KRAS G12C", "EGFR-mutant",
 * "ALK-positive" ask for it found; "KRAS wild-type", "HER2-negative", "without an EGFR mutation"
 * for it not found; both kinds, or neither, leave it unclear.
 */
export function studyWants(text: string, aliases: string[], ignored: readonly string[] = []): 'found' | 'not_found' | 'unclear' {
  let found = false;
  let notFound = false;
  for (const alias of aliases) {
    if (ignored.includes(alias.toLowerCase())) continue;
    const re = new RegExp(`(?<![A-Za-z0-9])${escape(alias)}(?![a-z])`, 'gi');
    for (const m of text.matchAll(re)) {
      const before = text.slice(Math.max(0, m.index - 25), m.index);
      const after = text.slice(m.index + m[0].length, m.index + m[0].length + 30);
      if (ABOUT_TREATMENT.test(after)) continue; // "no prior EGFR TKI" is about treatment, not the result
      if (NEGATIVE_AFTER.test(after) || NEGATIVE_BEFORE.test(before)) notFound = true;
      else if (POSITIVE_AFTER.test(after)) found = true;
    }
  }
  return found === notFound ? 'unclear' : found ? 'found' : 'not_found';
}

/** Protein changes written after a test's name ("KRAS G12C", "BRAF p.V600E"), in capitals. */
export function changesNamed(text: string, aliases: string[]): string[] {
  const out = new Set<string>();
  for (const alias of aliases) {
    const re = new RegExp(`(?<![A-Za-z0-9])${escape(alias)}[\\s:-]*(?:p\\.)?([A-Z]\\d{1,4}[A-Z])(?![A-Za-z0-9])`, 'gi');
    for (const m of text.matchAll(re)) out.add(m[1]!.toUpperCase());
  }
  return [...out];
}
