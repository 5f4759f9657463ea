import { describe, expect, it } from 'vitest';
import { inflesz } from '../core/readability.ts';
import { catalogue } from '../../web/src/messages/scan.ts';
import { choicesIn, TIMING_CHOICES, TREATMENT_KINDS } from './answers.ts';
import { assess } from './engine.ts';
import { KNOWLEDGE, type Knowledge } from './knowledge.ts';
import { assessIn, knowledgeIn } from './localized.ts';

const es = knowledgeIn('es');

describe('the knowledge in Spanish', () => {
  it('has a translation of every text people read (a missing one is named here)', () => {
    expect(es.missing).toEqual([]);
  });

  it('keeps every id, predicate, code, source and review date as the English has them', () => {
    const strip = (k: Knowledge) => JSON.parse(JSON.stringify(k, (key, v) => (['text', 'label', 'from', 'why', 'plain', 'note', 'procedure', 'name', 'title', 'detail', 'verify', 'keywords', 'situationTitles', 'es', 'locale'].includes(key) ? undefined : v)));
    expect(strip(es.knowledge)).toEqual(strip(KNOWLEDGE));
  });

  it('names our own sources in Spanish (sections of the patient guide); a published document keeps its title', () => {
    const title = (id: string) => es.knowledge.sources.find((s) => s.id === id)!.title;
    expect(title('seed-records')).toBe('Guía para pacientes: cuándo pedir una segunda opinión — reúna sus documentos');
    expect(title('accp-2013')).toBe(KNOWLEDGE.sources.find((s) => s.id === 'accp-2013')!.title);
    for (const s of es.knowledge.sources.filter((x) => /^(seed|domain)-/.test(x.id) && x.id !== 'domain-money')) expect(s.title, s.id).not.toBe(KNOWLEDGE.sources.find((x) => x.id === s.id)!.title);
    // What we say of each source is ours, so it is in Spanish for every one.
    for (const s of es.knowledge.sources) expect(s.detail, s.id).not.toBe(KNOWLEDGE.sources.find((x) => x.id === s.id)!.detail);
  });

  it('names the biomarker tests in Spanish, and keeps a gene’s name as it is', () => {
    const names = es.knowledge.panels.flatMap((p) => p.tests.map((t) => t.name));
    expect(names).toContain('Omisión del exón 14 de MET');
    expect(names).toContain('ALK');
    // Every name with English words in it has its Spanish.
    expect(names.filter((n) => /\b(including|fusions?|testing|mutation|amplification|receptor|germline|somatic|index|and|for|imaging)\b/i.test(n) && !/receptor de/.test(n))).toEqual([]);
  });

  it('keeps every number of the English text (a percentage or a count must not change in translation)', () => {
    const numbers = (s: string) => (s.match(/\d+(?:[.,]\d+)?/g) ?? []).map((n) => n.replace(',', '.')).sort();
    const pairs: [string, string][] = [];
    const walk = (en: unknown, tr: unknown) => {
      if (typeof en === 'string' && typeof tr === 'string') pairs.push([en, tr]);
      else if (Array.isArray(en) && Array.isArray(tr)) en.forEach((x, i) => walk(x, tr[i]));
      else if (en && tr && typeof en === 'object') for (const [k, v] of Object.entries(en)) if (k !== 'keywords') walk(v, (tr as Record<string, unknown>)[k]);
    };
    walk(KNOWLEDGE, es.knowledge);
    expect(pairs.filter(([a, b]) => numbers(a).join() !== numbers(b).join()).map(([a, b]) => `${a} → ${b}`)).toEqual([]);
  });

  it('finds a diagnosis typed in Spanish, with or without accents', () => {
    for (const text of ['Me dijeron que tengo cáncer de pulmón', 'cancer de pulmon', 'CÁNCER DE PULMÓN de células no pequeñas']) {
      expect(assessIn({ diagnosis: { text } }, 'es').condition).toMatchObject({ id: 'lung_cancer', label: 'Cáncer de pulmón', matchedBy: 'text' });
    }
    // English words still match in Spanish: a reader may type the name from an English report.
    expect(assessIn({ diagnosis: { text: 'lung adenocarcinoma' } }, 'es').condition.id).toBe('lung_cancer');
  });

  it('answers in Spanish with the same rules firing as in English', () => {
    const answers = { diagnosis: { code: 'C34.11' }, diagnosisStatus: 'new', surgery: { recommended: 'yes', operation: 'lobectomy', approach: 'open' }, feelings: { alternativesDiscussed: 'no' } } as const;
    const en = assess(answers);
    const r = assessIn(answers, 'es');
    expect(r.language).toBe('es');
    expect(r.inEnglish).toEqual([]);
    const ids = (x: typeof en) => [x.situations.flatMap((s) => s.reasons.map((y) => y.ruleId)), x.urgency.level, x.checklist.map((c) => c.id), x.questions.map((q) => q.ruleId), x.sources.map((s) => s.id)];
    expect(ids(r)).toEqual(ids(en));
    expect(r.situations[0]!.title).not.toBe(en.situations[0]!.title);
    expect(r.disclaimer).toMatch(/médico/);
  });

  it('shows a text without translation in English, and says which', () => {
    const edited = structuredClone(KNOWLEDGE) as Knowledge & { rules: { disclaimer: { es?: unknown } } };
    const rules = structuredClone(edited.rules) as unknown as { disclaimer: Record<string, unknown> };
    rules.disclaimer = { ...rules.disclaimer, es: undefined };
    const withGap = knowledgeIn('es', { ...edited, rules: rules as unknown as Knowledge['rules'] });
    expect(withGap.missing).toEqual(['/rules/disclaimer/text']);
    expect(assess({}, withGap.knowledge).disclaimer).toBe(KNOWLEDGE.rules.disclaimer.text);
  });

  it('offers the questionnaire choices in Spanish', () => {
    expect(choicesIn(TREATMENT_KINDS, 'es').find((c) => c.id === 'chemotherapy')?.label).toBe('Quimioterapia');
    expect(choicesIn(TIMING_CHOICES, 'en')).toEqual(TIMING_CHOICES.map(({ id, label }) => ({ id, label })));
  });
});

// Plain Spanish for patients (INFLESZ 55 or more), by the groups the English grade is checked in.
const MIN_INFLESZ = 55;
const k = es.knowledge.rules;
const questionnaire = [...catalogue('es')].filter(([key]) => key.startsWith('assess:') && !key.startsWith('assess:rules.')).map(([, v]) => v.replace(/\{\{\w+\}\}/g, '20'));
const groups: Record<string, string[]> = {
  'situation reasons': k.situations.map((r) => r.text),
  'urgency texts': [...k.urgency.rules.map((r) => r.text), k.urgency.standard.text, k.urgency.reminder.text],
  'reviewer reasons': [...k.reviewers.map((r) => r.text), ...es.knowledge.specialties.map((s) => s.plain)],
  'center reasons': k.center.map((r) => r.text),
  'records checklist': k.checklist.flatMap((i) => [i.label, i.why, i.from]),
  'questions to ask': k.questions.map((r) => r.text),
  'coverage notes': k.coverage.map((r) => r.text),
  'notices': [k.noneApply.text, k.unknownCondition.text, k.disclaimer.text, ...Object.values(k.situationTitles)],
  // As in English: the questionnaire's own words with its choices (names of treatments alone are long words).
  'questionnaire': [...questionnaire, ...[...choicesIn(TREATMENT_KINDS, 'es'), ...choicesIn(TIMING_CHOICES, 'es')].map((c) => c.label)],
};

describe('patient-facing Spanish reads at a plain level (INFLESZ)', () => {
  it.each(Object.entries(groups))('%s', (_name, texts) => {
    expect(texts.length).toBeGreaterThan(0);
    expect(inflesz(texts)).toBeGreaterThanOrEqual(MIN_INFLESZ);
  });
});
