import { describe, expect, it } from 'vitest';
import { readingGrade } from '../core/readability.ts';
import { catalogue } from '../../web/src/messages/scan.ts';
import { TIMING_CHOICES, TREATMENT_KINDS } from './answers.ts';
import { assess } from './engine.ts';
import { KNOWLEDGE } from './knowledge.ts';

// Patient-facing words must read at US grade 8 or below (Flesch-Kincaid), DOMAIN.md section 6.
const MAX_GRADE = 8;
const k = KNOWLEDGE.rules;
/** The questionnaire's own words (the assess namespace, not the rules page for clinicians), numbers filled in. */
const questionnaire = [...catalogue('en')].filter(([key]) => key.startsWith('assess:') && !key.startsWith('assess:rules.')).map(([, v]) => v.replace(/\{\{\w+\}\}/g, '20'));

const groups: Record<string, string[]> = {
  'situation reasons': k.situations.map((r) => r.text),
  'urgency texts': [...k.urgency.rules.map((r) => r.text), k.urgency.standard.text, k.urgency.reminder.text],
  'reviewer reasons': [...k.reviewers.map((r) => r.text), ...KNOWLEDGE.specialties.map((s) => s.plain)],
  'center reasons': k.center.map((r) => r.text),
  'records checklist': k.checklist.flatMap((i) => [i.label, i.why, i.from]),
  'questions to ask': k.questions.map((r) => r.text),
  'coverage notes': k.coverage.map((r) => r.text),
  'notices': [k.noneApply.text, k.unknownCondition.text, k.disclaimer.text, ...Object.values(k.situationTitles)],
  'questionnaire': [...questionnaire, ...TREATMENT_KINDS.map((t) => t.label), ...TIMING_CHOICES.map((t) => t.label)],
};

describe('patient-facing text', () => {
  it.each(Object.entries(groups))('%s read at grade 8 or below', (_name, texts) => {
    expect(texts.length).toBeGreaterThan(0);
    expect(readingGrade(texts)).toBeLessThanOrEqual(MAX_GRADE);
  });

  it('a full result page for a complex case reads at grade 8 or below', () => {
    const r = assess({ diagnosis: { code: 'C34.11' }, diagnosisStatus: 'new', surgery: { recommended: 'yes', operation: 'lobectomy', approach: 'open' }, feelings: { alternativesDiscussed: 'no' } });
    const texts = [
      ...r.situations.flatMap((s) => [s.title, ...s.reasons.map((x) => x.text)]), ...r.urgency.reasons.map((x) => x.text), r.urgency.reminder.text,
      ...r.reviewers.flatMap((v) => [v.plain, ...v.reasons.map((x) => x.text)]), ...r.specialisedCenter.reasons.map((x) => x.text),
      ...r.checklist.flatMap((i) => [i.label, i.why]), ...r.questions.map((q) => q.text), ...r.coverage.map((c) => c.text), r.disclaimer,
    ];
    expect(readingGrade(texts)).toBeLessThanOrEqual(MAX_GRADE);
  });

  it('the measure tells hard text from easy text', () => {
    expect(readingGrade(['The cat sat on the mat. It was warm.'])).toBeLessThan(3);
    expect(readingGrade(['Histopathological reinterpretation substantially modifies therapeutic recommendations in a considerable proportion of malignancies.'])).toBeGreaterThan(14);
  });
});
