import type { AssessmentAnswers } from './answers.ts';
import { matchCondition } from './conditionMatch.ts';
import { baseFacts, operationOf, stageOf, volumeStandardOf, type Stage } from './facts.ts';
import { KNOWLEDGE, type Condition, type Knowledge } from './knowledge.ts';
import { normalised as norm } from './phrases.ts';
import { wordsIn } from '../core/i18n.ts';
import { holds, type Facts, type Predicate } from './predicate.ts';
import type { AssessmentResult, Reason } from './result.ts';

/**
 * The assessment engine: a pure function from answers (and the knowledge files) to a result in
 * which every statement carries the rule that produced it and its sources. Rules fire in
 * stages because later ones may read earlier outcomes (the questions read the urgency).
 */
export function assess(answers: AssessmentAnswers, k: Knowledge = KNOWLEDGE): AssessmentResult {
  const match = matchCondition(k, answers.diagnosis);
  const facts: Record<string, Facts[string]> = baseFacts(k, answers, match);
  const fired = <R extends { when: unknown }>(rules: R[]) => rules.filter((r) => holds(r.when as Predicate, facts));
  const reason = (r: { id: string; text: string; sources: string[] }): Reason => ({ ruleId: r.id, text: r.text, sources: r.sources });

  const situations = rankSituations(k, fired(k.rules.situations));
  facts['situations'] = situations.map((s) => s.number);
  facts['situations.any'] = situations.length > 0;

  const urgencyRules = fired(k.rules.urgency.rules);
  const urgency = {
    level: urgencyRules.length ? 'expedited' as const : 'standard' as const,
    reasons: urgencyRules.length ? urgencyRules.map(reason) : [{ ruleId: 'urgency.standard', ...k.rules.urgency.standard }],
    reminder: k.rules.urgency.reminder,
  };
  facts['urgency'] = urgency.level;

  const op = operationOf(k, answers);
  const centerReasons = fired(k.rules.center).map(reason);
  const standard = volumeStandardOf(k, op, match.condition);
  const notices = [...(match.notice ? [{ text: match.notice, sources: ['icd10cm'] }] : []), ...(match.condition ? [] : [k.rules.unknownCondition])];

  const result: Omit<AssessmentResult, 'sources'> = {
    knowledgeVersion: k.version,
    language: k.locale,
    inEnglish: [],
    condition: {
      id: match.condition?.id ?? null, label: match.condition?.label ?? null, plain: match.condition?.plain ?? null,
      kind: match.condition?.kind ?? 'unknown', matchedBy: match.matchedBy, code: match.code, codeDisplay: match.codeDisplay, notice: match.notice,
    },
    situations,
    noneApply: situations.length ? null : k.rules.noneApply,
    urgency,
    reviewers: reviewersFor(k, fired(k.rules.reviewers), match.condition, op?.surgeon),
    specialisedCenter: {
      matters: centerReasons.length > 0,
      reasons: centerReasons,
      volumeStandard: standard ? { procedure: standard.procedure, hospitalMin: standard.hospitalMin, surgeonMin: standard.surgeonMin, sources: standard.sources, verify: sourceVerify(k, standard.sources) } : null,
    },
    checklist: k.rules.checklist
      .filter((item) => holds(item.when as Predicate, facts) || !!match.condition?.records.includes(item.id))
      .map((item) => ({ id: item.id, label: item.label, from: item.from, why: item.why, gatheredBy: item.gatheredBy, have: (answers.records?.have ?? []).includes(item.id as never), sources: item.sources, ruleId: `checklist.${item.id}` })),
    biomarkers: match.condition ? biomarkerCompleteness(k, match.condition, stageOf(answers), answers.records?.molecularTestsDone ?? []) : null,
    questions: fired(k.rules.questions).map(reason),
    coverage: fired(k.rules.coverage).map(reason),
    notices,
    disclaimer: k.rules.disclaimer.text,
  };
  return { ...result, sources: citedSources(k, result) };
}

function rankSituations(k: Knowledge, rules: Knowledge['rules']['situations']) {
  const by = new Map<number, { score: number; reasons: Reason[] }>();
  for (const r of rules) {
    const s = by.get(r.situation) ?? { score: 0, reasons: [] };
    s.score += r.weight;
    s.reasons.push({ ruleId: r.id, text: r.text, sources: r.sources });
    by.set(r.situation, s);
  }
  return [...by.entries()]
    .sort(([a, x], [b, y]) => y.score - x.score || a - b)
    .map(([number, s]) => ({ number, title: k.rules.situationTitles[String(number) as '1'] ?? '', score: s.score, reasons: s.reasons }));
}

function reviewersFor(k: Knowledge, rules: Knowledge['rules']['reviewers'], condition: Condition | null, surgeon: string | undefined) {
  const out = new Map<string, Reason[]>();
  for (const r of rules) {
    const ids = r.specialties.flatMap((s) => (s === '@condition' ? condition?.specialties ?? [] : s === '@surgeon' ? (surgeon ? [surgeon] : []) : [s]));
    for (const id of ids) out.set(id, [...(out.get(id) ?? []), { ruleId: r.id, text: r.text, sources: r.sources }]);
  }
  return [...out.entries()].map(([id, reasons]) => {
    const s = k.specialties.find((x) => x.id === id)!;
    return { specialty: id, label: s.label, plain: s.plain, reasons };
  });
}

const NGS_WORDS = ['ngs', 'next generation sequencing', 'genomic profiling', 'comprehensive genomic', 'gene panel',
  'secuenciación de nueva generación', 'perfil genómico', 'panel genómico', 'panel de genes'].map(norm);

/**
 * Which guideline tests for this cancer are on file. A broad sequencing panel probably covered
 * the gene tests, but not protein tests such as PD-L1, so those genes are "check the report",
 * never silently "done".
 */
export function biomarkerCompleteness(k: Knowledge, c: Condition, stage: Stage, done: string[]): AssessmentResult['biomarkers'] {
  const panels = c.panels
    .filter((p) => p.stage === 'any' || p.stage === stage || (stage === 'unknown' && p.stage === 'advanced') || (stage === 'unknown' && !c.panels.some((q) => q.stage === 'advanced')))
    .map((p) => k.panels.find((x) => x.id === p.panel)!);
  if (!panels.length) return null;
  const doneNorm = done.map(norm);
  const hadNgs = doneNorm.some((d) => NGS_WORDS.some((w) => d.includes(w)));
  const seen = new Set<string>();
  const tests: NonNullable<AssessmentResult['biomarkers']>['tests'] = [];
  for (const p of panels) {
    for (const t of p.tests) {
      if (t.stage && stage !== 'unknown' && t.stage !== stage) continue;
      if (seen.has(t.name)) continue;
      seen.add(t.name);
      const said = (words: readonly string[]) => words.map(norm).some((a) => doneNorm.some((d) => d.includes(a)));
      const status = said([t.name, ...t.aliases]) ? 'done' : said(t.mentions ?? []) || (hadNgs && t.ngs) ? 'check_report' : 'missing';
      const stageNote = t.stage === 'advanced' && stage === 'unknown' ? wordsIn(k.locale)('assessment:engine.neededIfSpread') : null;
      tests.push({
        name: t.name, status, optional: !!t.optional, note: [t.note, stageNote].filter(Boolean).join(' ') || null,
        reason: wordsIn(k.locale)('assessment:engine.testExpectedFor', { panel: p.label.toLowerCase() }), sources: p.sources,
      });
    }
  }
  return {
    panels: panels.map((p) => ({ id: p.id, label: p.label, note: p.note ?? null })),
    stage,
    tests,
    missing: tests.filter((t) => t.status === 'missing' && !t.optional).map((t) => t.name),
  };
}

function sourceVerify(k: Knowledge, ids: string[]): string | null {
  return ids.map((id) => k.sources.find((s) => s.id === id)?.verify).find(Boolean) ?? null;
}

function citedSources(k: Knowledge, r: Omit<AssessmentResult, 'sources'>): AssessmentResult['sources'] {
  const ids = new Set<string>();
  const walk = (v: unknown) => {
    if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === 'object') for (const [key, x] of Object.entries(v)) key === 'sources' && Array.isArray(x) ? x.forEach((s) => ids.add(String(s))) : walk(x);
  };
  walk(r);
  for (const id of k.rules.disclaimer.sources) ids.add(id);
  return k.sources.filter((s) => ids.has(s.id)).map((s) => ({ id: s.id, title: s.title, detail: s.detail, url: s.url ?? null, verify: s.verify ?? null, reviewedOn: s.reviewedOn }));
}
