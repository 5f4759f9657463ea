import type { z } from 'zod';
import { OpinionContent, type OpinionDraft, type OpinionSection } from './schemas.ts';

/**
 * What a reviewer's part still needs before it can be signed, in words. Drafts save whatever is
 * typed; these checks run when the part is shown, saved and signed, so the reviewer sees the
 * list grow shorter as they write instead of meeting a schema error at the end.
 */

export const SECTION_LABELS: Record<OpinionSection, string> = {
  reviewerRole: 'Your role on this case', diagnosisReview: 'Diagnosis review', staging: 'Staging', slidesReviewed: 'Slides reviewed', biomarkers: 'Biomarkers',
  treatment: 'Treatment', surgery: 'Surgery', lungFunction: 'Lung function', trials: 'Clinical trials',
  answers: "Answers to the patient's questions", priorities: "The patient's priorities", patientSummary: 'Summary for the patient',
  patientSummaryLanguage: 'Language of the summary', physicianSection: 'For the referring physician',
};

const FIELD_LABELS: Record<string, string> = {
  originalDiagnosis: 'the original diagnosis', reviewedDiagnosis: 'the reviewed diagnosis', concordance: 'the concordance', rationale: 'the rationale',
  basis: 'the basis (clinical or pathological)', t: 'T', n: 'N', m: 'M', grade: 'the grade', edition: 'the edition',
  name: 'the name', status: 'the status', stance: 'your view of the proposed plan', options: 'a recommended option', option: 'the recommended option',
  necessary: 'whether surgery is necessary', approach: 'the approach', neoadjuvantFirst: 'treatment before surgery', highVolumeAdvice: 'the advice on high-volume centers',
  input: 'the measurements', fev1Percent: 'FEV1 % predicted', dlcoPercent: 'DLCO % predicted', resected: 'the lobes to be resected',
  digital: 'the digital slides', glass: 'the glass slides', digitalSufficed: 'whether the digital slides sufficed', slideId: 'the slide', specimenId: 'the glass slides',
  identifier: 'the trial identifier', why: 'why it fits', question: 'the question', answer: 'the answer', fit: 'whether the plan fits', explanation: 'how it fits',
};

/** Text a signed section cannot leave empty (the schema allows an empty string while writing). */
const REQUIRED_TEXT: Partial<Record<OpinionSection, string[]>> = {
  diagnosisReview: ['originalDiagnosis', 'reviewedDiagnosis', 'rationale'],
  staging: ['t', 'n', 'm', 'edition'],
  priorities: ['explanation'],
};

/** True when a value holds nothing the reviewer typed or chose. */
export function isBlank(v: unknown): boolean {
  if (v === undefined || v === null) return true;
  if (typeof v === 'string') return v.trim() === '';
  if (Array.isArray(v)) return v.every(isBlank);
  if (typeof v === 'object') return Object.values(v).every(isBlank);
  return false;
}

/** Drops sections with nothing in them, so an opened and untouched section is not "incomplete". */
export function withoutBlankSections(draft: OpinionDraft): OpinionDraft {
  return Object.fromEntries(Object.entries(draft).filter(([, v]) => !isBlank(v))) as OpinionDraft;
}

function describe(issue: z.core.$ZodIssue): string {
  const [section, ...rest] = issue.path.map(String);
  const where = SECTION_LABELS[section as OpinionSection] ?? section;
  const fieldKey = [...rest].reverse().find((p) => !/^\d+$/.test(p));
  const field = fieldKey ? (FIELD_LABELS[fieldKey] ?? fieldKey) : null;
  const row = rest.find((p) => /^\d+$/.test(p));
  const inRow = row !== undefined ? ` (entry ${Number(row) + 1})` : '';
  const missing = (issue.code === 'invalid_type' || issue.code === 'invalid_value') && issue.input === undefined;
  if (missing) return `${where}${inRow}: ${field ?? 'this section'} is missing.`;
  if (issue.code === 'custom' || (issue.code === 'invalid_format' && issue.message)) return `${where}${inRow}: ${issue.message.replace(/\.?$/, '.')}`;
  return `${where}${inRow}: ${field ?? 'this section'} is not valid.`;
}

/** A slides section must name what was looked at, and say whether the digital slides sufficed. */
function slidesGaps(s: OpinionDraft['slidesReviewed']): string[] {
  if (!s) return [];
  const digital = s.digital?.length ?? 0;
  const glass = s.glass?.length ?? 0;
  if (!digital && !glass) return [`${SECTION_LABELS.slidesReviewed}: mark at least one digital or glass slide you reviewed.`];
  if (digital && !s.digitalSufficed) return [`${SECTION_LABELS.slidesReviewed}: say whether the digital slides were enough.`];
  if (s.digitalSufficed === 'no' && !glass) return [`${SECTION_LABELS.slidesReviewed}: the digital slides were not enough, and no glass slides are marked as reviewed. Ask for the glass slides, and sign once you have reviewed them.`];
  return [];
}

export interface SigningContext {
  /** The patient's questions from the intake. */
  questions: string[];
  /** Parts already signed by the other reviewers. */
  signedByOthers: OpinionContent[];
  /** True when every other assigned reviewer has signed: this signature completes the review. */
  lastToSign: boolean;
}

/** Everything that stops this part from being signed, in words; empty when it can be signed. */
export function signingGaps(draft: OpinionDraft, ctx: SigningContext): string[] {
  const content = withoutBlankSections(draft);
  const gaps: string[] = [];
  const parsed = OpinionContent.safeParse(content, { reportInput: true });
  // A trial's missing reason is said with the trial's number (below), not as "entry 2".
  const trialWhy = (i: z.core.$ZodIssue) => i.path[0] === 'trials' && i.path[2] === 'why';
  if (!parsed.success) gaps.push(...new Set(parsed.error.issues.filter((i) => !trialWhy(i)).map(describe)));
  for (const t of content.trials ?? []) if (t && isBlank(t.why)) gaps.push(`${SECTION_LABELS.trials}: write, in plain words, why the patient should ask about ${t.identifier ?? 'the study'}.`);
  for (const [section, fields] of Object.entries(REQUIRED_TEXT) as [OpinionSection, string[]][]) {
    const value = content[section] as Record<string, unknown> | undefined;
    if (!value) continue;
    for (const f of fields) if (typeof value[f] === 'string' && isBlank(value[f])) gaps.push(`${SECTION_LABELS[section]}: ${FIELD_LABELS[f]} is missing.`);
  }
  gaps.push(...slidesGaps(content.slidesReviewed));
  if (content.treatment && !(content.treatment.options ?? []).some((o) => !isBlank(o?.option))) gaps.push(`${SECTION_LABELS.treatment}: ${FIELD_LABELS.options} is missing.`);
  if (isBlank(content.diagnosisReview) && isBlank(content.patientSummary) && isBlank(content.physicianSection)) {
    gaps.push('Write at least the diagnosis review, the summary for the patient or the section for the referring physician.');
  }
  // The report is issued once everyone has signed; the last signature must leave nothing it needs unwritten.
  if (ctx.lastToSign) {
    const all = [...ctx.signedByOthers, content];
    const answered = new Set(all.flatMap((p) => (p.answers ?? []).filter((a) => !isBlank(a?.answer)).map((a) => a?.question)));
    for (const q of ctx.questions) if (!answered.has(q)) gaps.push(`The patient's question is not answered by any reviewer: “${q}”.`);
    if (!all.some((p) => !isBlank(p.patientSummary))) gaps.push('No reviewer has written the summary for the patient.');
  }
  return gaps;
}
