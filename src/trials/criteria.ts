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
  /** Biomarker tests of the case's panel: done (a result is on file) or not yet. */
  biomarkers: { name: string; aliases: string[]; done: boolean }[];
  /** Earlier treatments as the intake lists them, in the patient's or doctor's words. */
  treatments: string[];
}

export interface CriterionCheck { kind: CriterionKind; line: string; notes: string[] }

const escape = (w: string) => w.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const patterns = new Map<string, RegExp>();
const compiled = (key: string, make: () => RegExp) => patterns.get(key) ?? (patterns.set(key, make()), patterns.get(key)!);

/** Whether `text` has a word starting with `word` ("brain metast" names "brain metastases"); any case. */
export const mentions = (text: string, word: string) => compiled(`w:${word}`, () => new RegExp(`(?<![a-z0-9])${escape(word)}`, 'i')).test(text);

/**
 * Whether `text` names a biomarker by one of its aliases, as a whole word. A short gene symbol
 * (four letters or fewer: PR, ER, MET, ALK, RET, EGFR) counts only in capitals, as genes are
 * written: "prior", "metastatic", "alkaline phosphatase" or the kidney's "eGFR" are not biomarkers.
 */
export const mentionsMarker = (text: string, alias: string) => {
  const symbol = /^[a-z0-9]{1,4}$/i.test(alias);
  return compiled(`m:${alias}`, () => new RegExp(`(?<![A-Za-z0-9])${escape(symbol ? alias.toUpperCase() : alias)}(?![A-Za-z0-9])`, symbol ? '' : 'i')).test(text);
};

/** The lines worth checking against the case, each with why. */
export function criteriaChecks(lines: CriteriaLines, facts: CaseTrialFacts, k: TrialsKnowledge): CriterionCheck[] {
  const history = facts.treatments.join(' \n ').toLowerCase();
  const out: CriterionCheck[] = [];
  for (const kind of ['inclusion', 'exclusion'] as const) {
    for (const line of lines[kind]) {
      const notes: string[] = [];
      for (const b of facts.biomarkers) {
        if (!b.aliases.some((a) => mentionsMarker(line, a))) continue;
        notes.push(b.done ? `${b.name} was tested for this request: check the result against this line.` : `${b.name} is not yet tested on file: this line needs its result.`);
      }
      for (const c of k.therapyClasses) {
        if (!c.inCriteria.some((w) => mentions(line, w))) continue;
        const given = c.inHistory.filter((w) => mentions(history, w));
        notes.push(given.length ? `The treatment history names ${given.join(', ')} (${c.label}).` : `The treatment history names no ${c.label}: confirm with the treating team.`);
      }
      for (const c of k.checks) {
        if (!c.inCriteria.some((w) => mentions(line, w))) continue;
        notes.push(c.note);
        // Lines about earlier treatment: what the intake lists, for the reviewer to count lines of therapy.
        if (c.id === 'lines') notes.push(facts.treatments.length ? `The treatment history lists ${facts.treatments.length} earlier ${facts.treatments.length === 1 ? 'treatment' : 'treatments'}: ${facts.treatments.join('; ')}.` : 'The treatment history lists no earlier treatment.');
      }
      if (notes.length) out.push({ kind, line, notes: [...new Set(notes)] });
    }
  }
  return out;
}
