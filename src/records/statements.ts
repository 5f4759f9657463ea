/**
 * A report's text as statements, and whether it says a thing plainly: shared by the reader of
 * which tests a report names (classify.ts) and the reader of what it found (testResults.ts).
 */

/** Statements: lines, cut at semicolons, bars, tabs, wide gaps and sentence ends. */
export function statements(text: string): string[] {
  return text.replace(/\r\n?/g, '\n').split(/\n|;|\||\t| {3,}|(?<=[a-z0-9)%])\.\s+(?=[A-Z])/).map((s) => s.replace(/\s+/g, ' ').trim().replace(/\.$/, '')).filter((s) => s.length >= 4);
}

// Method and limitation wording: "may not be detected", "below the limit of detection", "this assay does not".
export const HEDGED = /\b(?:may|might|cannot|can\s+not|could|limit(?:s|ation)?|sensitivity|below|assay\s+does|designed\s+to|if\s+present|to\s+be\s+determined|pending|recommend(?:ed)?|consider)\b/i;
// What a report says it cannot tell apart or leaves open ("does not distinguish germline from somatic").
const OPEN_QUESTION = /\b(?:distinguish|differentiate|whether|unless|rule\s+out|not\s+(?:been\s+)?(?:tested|performed|done))\b/i;

/** A word or phrase as a whole: not inside a longer word or gene name ("brca" is not in "brca2"). */
export const wholeWord = (w: string) => new RegExp(`(?<![a-z0-9])${w.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(?![a-z0-9])`, 'i');

/** The statements of a text that are no hedge or disclaimer, to ask of several words in turn. */
export const plainStatements = (text: string) => statements(text).filter((s) => !HEDGED.test(s) && !OPEN_QUESTION.test(s));

/** Whether any of these plain statements says one of these words. */
export const saysAny = (plain: readonly string[], words: readonly string[]) => {
  const patterns = words.map(wholeWord);
  return plain.some((s) => patterns.some((p) => p.test(s)));
};
