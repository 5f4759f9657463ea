import type { FormOf, Schema } from '../../api.ts';

/** The answers, in the shape of the API's AssessmentAnswers (all optional). */
export type Answers = FormOf<Schema<'AssessmentAnswers'>>;

/** Answers while the questionnaire is open (this tab only). */
export const STORAGE_KEY = 'consilium.assessment';
/** Answers waiting for the person to sign in and start a request from them. */
export const PENDING_KEY = 'consilium.assessment.pending';
