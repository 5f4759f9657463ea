import { KNOWLEDGE } from '../assessment/knowledge.ts';
import { AMBIGUOUS_GENE_WORDS } from './classify.ts';
import { HEDGED, statements, wholeWord } from './statements.ts';

/**
 * What a molecular report says of each biomarker test it names: found (a mutation, fusion,
 * amplification or a positive stain) or not found (negative, wild-type, not detected), read from
 * the report's own words, one statement at a time; or a value stated for one test without either
 * word (a PD-L1 score, a Ki-67 index), which is quoted, never judged. Each result keeps the words it was read from,
 * so whoever sees it can check it against the report. A statement that hedges (a method's limits),
 * or that names several tests with a positive result, is not read: a wrong "not found" would hide
 * a study from a reviewer, so only plain statements count.
 */
export type TestResult = 'found' | 'not_found' | 'stated';
export interface ReportedResult {
  /** The test as `testsReported` names it (its first alias, in capitals). */
  test: string;
  result: TestResult;
  /** The statement it was read from, as written (shortened). */
  evidence: string;
}

// "not detected", "no (EGFR) mutations were identified", "negative", "wild type", "no evidence of".
// Not "absent" or "loss": for a stain (mismatch repair proteins) an absent protein is the finding.
const NOT_FOUND = /\b(?:not\s+(?:detected|identified|found|present|amplified|mutated)|no\s+(?:[A-Za-z0-9/-]+\s+){0,3}?(?:mutations?|alterations?|variants?|fusions?|rearrangements?|amplifications?|deletions?|insertions?)\b(?:\s+\w+){0,2}?\s+(?:were\s+|was\s+|is\s+)?(?:detected|identified|found|seen)|no\s+evidence\s+of|negative|wild[\s-]?type|none\s+detected)\b/i;
// "detected", "positive", "mutated", "amplified", a protein change such as G12C or p.L858R, "exon 19 deletion".
const FOUND = /\b(?:detected|identified|positive|present|mutated|amplified|rearranged|mutation\s+found|fusion\s+found|p\.[A-Z][a-z]{0,2}\d+|[A-Z]\d{1,4}(?:[A-Z]|fs|del|\*)|exon\s+\d+\s+(?:deletion|insertion|skipping))(?![A-Za-z0-9])/;
// A score, a percentage or an index stated for a test.
const STATED = /\b(?:score|tps|cps|index|h-score|intensity|percent)\b[^\n]*\d|\d+(?:\.\d+)?\s*%/i;
const NOT_READ = new Set(['MMR', 'MSI']);
const MAX_EVIDENCE = 160;

interface TestWords { key: string; aliases: RegExp[]; mentionOnly: boolean }
let tests: TestWords[] | null = null;
function testWords(): TestWords[] {
  if (tests) return tests;
  const byKey = new Map<string, { words: Set<string>; mentionOnly: boolean }>();
  const add = (key: string, words: string[], mentionOnly: boolean) => {
    const entry = byKey.get(key) ?? { words: new Set<string>(), mentionOnly };
    for (const w of words) if (w.length >= 3 && !AMBIGUOUS_GENE_WORDS.has(w)) entry.words.add(w.toLowerCase());
    entry.mentionOnly &&= mentionOnly;
    byKey.set(key, entry);
  };
  for (const panel of KNOWLEDGE.panels) {
    for (const t of panel.tests) {
      add(t.aliases[0]!.toUpperCase(), t.aliases, false);
      // A gene only mentioned (BRCA2 on a tumour panel) has its finding under its own name.
      for (const m of t.mentions ?? []) add(m.toUpperCase(), [m], true);
    }
  }
  tests = [...byKey].filter(([, e]) => e.words.size).map(([key, e]) => ({ key, mentionOnly: e.mentionOnly, aliases: [...e.words].map(wholeWord) }));
  return tests;
}

/** The tests a statement names (mismatch repair is read from stains where "absent" or "negative" is the finding: never read here). */
function testsNamed(statement: string): string[] {
  const named = testWords().filter((t) => !NOT_READ.has(t.key) && t.aliases.some((re) => re.test(statement)));
  // "ERBB2 mutation" names the mutation test; the bare gene inside it is no second test.
  const tests = named.filter((t) => !t.mentionOnly);
  return (tests.length ? tests : named).map((t) => t.key);
}

function read(statement: string): { keys: string[]; result: TestResult } | null {
  if (HEDGED.test(statement)) return null;
  const keys = testsNamed(statement);
  if (!keys.length) return null;
  if (NOT_FOUND.test(statement)) {
    // "EGFR L858R detected, ALK not detected": both kinds of words; read part by part, if at all.
    // "EGFR T790M: not detected", "KRAS G12C: negative": the change is not found, not the gene.
    if (FOUND.test(statement.replace(new RegExp(NOT_FOUND.source, 'gi'), ' '))) return null;
    return { keys, result: 'not_found' };
  }
  // A positive statement is read for one test only: in a list, which one is positive is unclear.
  if (FOUND.test(statement)) return keys.length === 1 ? { keys, result: 'found' } : null;
  // A number said of one test ("tumor proportion score 60%"): quoted for the reader to judge.
  if (keys.length === 1 && STATED.test(statement)) return { keys, result: 'stated' };
  return null;
}

const shorten = (s: string) => (s.length > MAX_EVIDENCE ? `${s.slice(0, MAX_EVIDENCE - 1).trimEnd()}…` : s);

// A result on the line after its test, as tables and forms lay them out ("EGFR" then "Not
// detected"; "Gene: KRAS" then "Result: G12C mutation detected"): a short line naming one test,
// then a short line naming none that says found or not found, bare or under a result label. A
// value (a percentage) is never carried over: it may be another measure's. Columns are not paired:
// a test line after another test line, or a result line before another result line, is a table
// read column by column, where which result is whose cannot be told.
const LONE_TEST_MAX = 40;
const RESULT_LINE_MAX = 80;
const RESULT_LABEL = /^(?:results?|interpretation|finding|status|call)\s*:/i;
const RESULT_WORD = /\b(?:detected|identified|positive|present|mutated|amplified|rearranged)\b/i;

const loneTest = (x: string | undefined) => x !== undefined && x.length <= LONE_TEST_MAX && testsNamed(x).length === 1;
const bareResult = (x: string | undefined) => x !== undefined && x.length <= RESULT_LINE_MAX && !testsNamed(x).length
  && (!x.includes(':') || RESULT_LABEL.test(x)) && (NOT_FOUND.test(x) || RESULT_WORD.test(x));

/** The reading of a test line and the result line after it; undefined when the two are not such a pair. */
function pairedWithNextLine(all: string[], i: number): { keys: string[]; result: TestResult } | null | undefined {
  const [before, s, next, after] = [all[i - 1], all[i], all[i + 1], all[i + 2]];
  if (!loneTest(s) || !bareResult(next) || loneTest(before) || bareResult(after)) return undefined;
  // Result words are read whatever their case ("Detected" in a table cell).
  const joined = read(`${s} ${next!.toLowerCase()}`);
  return joined && joined.result !== 'stated' ? joined : null;
}

/** The results a molecular report's text states, in the order it states them. */
export function resultsReported(text: string): ReportedResult[] {
  const out: ReportedResult[] = [];
  const all = statements(text);
  for (let i = 0; i < all.length; i++) {
    const s = all[i]!;
    const paired = pairedWithNextLine(all, i);
    if (paired !== undefined) {
      // A pair that says nothing plainly ("KRAS G12C" then "Not detected": the change, not the gene) is read as nothing.
      for (const key of paired?.keys ?? []) out.push({ test: key, result: paired!.result, evidence: shorten(`${s} ${all[i + 1]}`) });
      i++;
      continue;
    }
    const whole = read(s);
    const parts = whole ? [s] : s.split(',').map((p) => p.trim());
    for (const part of parts) {
      const r = part === s ? whole : read(part);
      if (r) for (const key of r.keys) out.push({ test: key, result: r.result, evidence: shorten(part) });
    }
  }
  return out;
}

/** One test's results across the records: found, not found, or both (the reports disagree). */
export interface TestFinding { result: TestResult | 'conflicting'; evidence: string[] }

export function findingsByTest(results: ReportedResult[]): Map<string, TestFinding> {
  const out = new Map<string, TestFinding>();
  for (const r of results) {
    const had = out.get(r.test);
    if (!had) out.set(r.test, { result: r.result, evidence: [r.evidence] });
    else {
      // Found and not found disagree; a stated value beside either adds its words only.
      if (had.result === 'stated') had.result = r.result;
      else if (r.result !== 'stated' && had.result !== r.result) had.result = 'conflicting';
      if (!had.evidence.includes(r.evidence)) had.evidence.push(r.evidence);
    }
  }
  return out;
}

/**
 * A panel test's finding: tests are keyed by their first alias, as `testsReported` names them;
 * failing that, by a gene it mentions (`TEST_ALIASES` lists the mentions after the aliases).
 */
export function findingFor(findings: Map<string, TestFinding>, words: readonly string[]): TestFinding | null {
  for (const w of words) {
    const f = findings.get(w.toUpperCase());
    if (f) return f;
  }
  return null;
}

/**
 * Each panel test's words by its name (the assessment names tests by these names): its aliases,
 * then the gene words that only mention it (a study asking for "BRCA" concerns either BRCA test).
 */
export const TEST_ALIASES: ReadonlyMap<string, readonly string[]> = new Map(KNOWLEDGE.panels.flatMap((p) => p.tests.map((t) => [t.name, [...t.aliases, ...(t.mentions ?? [])]] as const)));

/** Each panel test's gene as people write it: its first alias, or where that names more ("germline BRCA", "MET exon 14") the gene it mentions. */
export const TEST_GENE: ReadonlyMap<string, string> = new Map(KNOWLEDGE.panels.flatMap((p) => p.tests.map((t) => [t.name, (t.aliases[0]!.includes(' ') && t.mentions?.[0] ? t.mentions[0] : t.aliases[0]!).toUpperCase()] as const)));

/** The findings of the panel tests named (the assessment's test names), in their order. */
export function findingsOfTests(findings: Map<string, TestFinding>, names: readonly string[]): ({ test: string } & TestFinding)[] {
  return names.flatMap((name) => {
    const f = findingFor(findings, TEST_ALIASES.get(name) ?? []);
    return f ? [{ test: name, ...f }] : [];
  });
}
