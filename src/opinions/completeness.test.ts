import { describe, expect, it } from 'vitest';
import { isBlank, signingGaps, withoutBlankSections } from './completeness.ts';
import { OpinionDraft, OpinionDraftChanges } from './schemas.ts';

const alone = { questions: [], signedByOthers: [], lastToSign: false };

describe('opinion drafts and what signing needs', () => {
  it('accepts a half-filled section as a draft', () => {
    expect(OpinionDraft.safeParse({ diagnosisReview: { reviewedDiagnosis: 'Adenocarcinoma' } }).success).toBe(true);
    expect(OpinionDraft.safeParse({ lungFunction: { input: { fev1Percent: 60 } } }).success).toBe(true);
    // Lengths and choices are still checked while writing.
    expect(OpinionDraft.safeParse({ diagnosisReview: { concordance: 'maybe' } }).success).toBe(false);
    expect(OpinionDraft.safeParse({ patientSummary: 'x'.repeat(8001) }).success).toBe(false);
  });

  it('takes changes section by section, null clearing one, and refuses an empty change', () => {
    expect(OpinionDraftChanges.safeParse({ staging: null, patientSummary: 'Plain words.' }).success).toBe(true);
    expect(OpinionDraftChanges.safeParse({}).success).toBe(false);
    expect(OpinionDraftChanges.safeParse({ notASection: 'x' }).success).toBe(false);
  });

  it('names each missing piece of a started section in words, once', () => {
    const gaps = signingGaps({ diagnosisReview: { reviewedDiagnosis: 'Adenocarcinoma', originalDiagnosis: '' } }, alone);
    expect(gaps).toEqual([
      'Diagnosis review: the concordance is missing.',
      'Diagnosis review: the rationale is missing.',
      'Diagnosis review: the original diagnosis is missing.',
    ]);
  });

  it('words rules of a section and entries of a list', () => {
    const gaps = signingGaps({
      patientSummary: 'Fine.',
      lungFunction: { input: { fev1Percent: 60, dlcoPercent: 70, resected: ['lingula'], obstructedInResected: 5 } },
      trials: [{ identifier: 'NCT01234567', why: 'Fits.' }, { identifier: '!!', why: 'x' }],
    }, alone);
    expect(gaps).toContain('Lung function: More segments are obstructed than the resected lobes have.');
    expect(gaps).toContain('Clinical trials (entry 2): a registry identifier such as NCT01234567.');
  });

  it('needs some content, and ignores opened but empty sections', () => {
    expect(signingGaps({ staging: { t: '' }, answers: [{ question: 'Q?', answer: '' }] }, alone))
      .toEqual(['Write at least the diagnosis review, the summary for the patient or the section for the referring physician.']);
    expect(withoutBlankSections({ staging: { t: ' ' }, patientSummary: 'Yes.' })).toEqual({ patientSummary: 'Yes.' });
    expect(isBlank({ a: [{ b: '' }] })).toBe(true);
    expect(isBlank({ neoadjuvantFirst: false })).toBe(false);
    expect(signingGaps({ patientSummary: 'The plan is sound.' }, alone)).toEqual([]);
  });

  it('the last reviewer to sign may not leave a question unanswered or the patient without a summary', () => {
    const questions = ['Is surgery right for me?', 'Should I have more tests?'] as const;
    const mine = { physicianSection: 'Agree.', answers: [{ question: questions[0], answer: 'Yes.' }] };
    expect(signingGaps(mine, { questions: [...questions], signedByOthers: [], lastToSign: false })).toEqual([]);
    expect(signingGaps(mine, { questions: [...questions], signedByOthers: [], lastToSign: true })).toEqual([
      'The patient\'s question is not answered by any reviewer: “Should I have more tests?”.',
      'No reviewer has written the summary for the patient.',
    ]);
    const other = { patientSummary: 'Plain words.', answers: [{ question: questions[1], answer: 'No.' }] };
    expect(signingGaps(mine, { questions: [...questions], signedByOthers: [other], lastToSign: true })).toEqual([]);
  });
});
