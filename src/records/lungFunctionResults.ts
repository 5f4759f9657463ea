/**
 * What a pulmonary function report states of the two values the lung resection work-up asks for
 * (DOMAIN.md §5): FEV1 and DLCO as a percentage of predicted. Only a percentage the report itself
 * calls "predicted" is read ("FEV1 1.85 L (62% predicted)", "DLCO % pred: 45"); a ratio
 * (FEV1/FVC), a bare number in a table column, or a value after a bronchodilator is not, so
 * nothing is guessed. Each value keeps the words it was read from, for the reviewer to check;
 * it is shown beside the patient's own numbers, and never replaces them in a rule.
 */
export interface LungValueReported {
  measure: 'fev1' | 'dlco';
  percentPredicted: number;
  /** The line it was read from, as written (shortened). */
  evidence: string;
}

const MEASURES: { measure: LungValueReported['measure']; name: RegExp }[] = [
  // FEV1 but not the FEV1/FVC ratio.
  { measure: 'fev1', name: /\bFEV1(?![\d/])(?!\s*\/)(?!\s*%\s*(?:of\s+)?F?VC)/i },
  // DLCO but not DLCO/VA (KCO).
  { measure: 'dlco', name: /\b(?:DLCO|DL,?CO|TLCO)\b(?!\s*\/)/i },
];
const NUMBER = String.raw`(\d{1,3}(?:[.,]\d)?)`;
const PREDICTED = String.raw`(?:%\s*|percent\s+)(?:of\s+)?(?:pred(?:icted)?|pred\.)\b`;
// "62% predicted" / "62 % of predicted" after the name, or a "% predicted" label before the number.
const VALUE_THEN_PREDICTED = new RegExp(String.raw`${NUMBER}\s*${PREDICTED}`, 'i');
const PREDICTED_THEN_VALUE = new RegExp(String.raw`(?:%\s*pred(?:icted)?|percent\s+predicted)\)?\s*[:=]?\s*${NUMBER}(?!\s*(?:[.,]\d|L\b|ml|mL))`, 'i');
const AFTER_BRONCHODILATOR = /\bpost[\s-]?(?:bronchodilator|BD)\b/i;
const MAX_EVIDENCE = 160;
const MAX_LINE = 200;

/** The FEV1 and DLCO values (% of predicted) a pulmonary function report's text states. */
export function lungValuesReported(text: string): LungValueReported[] {
  const out: LungValueReported[] = [];
  for (const raw of text.replace(/\r\n?/g, '\n').split('\n')) {
    const line = raw.replace(/\s+/g, ' ').trim();
    if (!line || line.length > MAX_LINE || AFTER_BRONCHODILATOR.test(line)) continue;
    const named = MEASURES.filter((m) => m.name.test(line));
    // A line naming both is a table header or a summary: which number is which is unclear.
    if (named.length !== 1) continue;
    const { measure, name } = named[0]!;
    const at = name.exec(line)!;
    const rest = line.slice(at.index + at[0].length);
    const found = VALUE_THEN_PREDICTED.exec(rest) ?? PREDICTED_THEN_VALUE.exec(rest);
    if (!found) continue;
    const value = Number(found[1]!.replace(',', '.'));
    // Beyond 200 % of predicted is not a reading of these tests.
    if (!Number.isFinite(value) || value <= 0 || value > 200) continue;
    out.push({ measure, percentPredicted: value, evidence: line.length > MAX_EVIDENCE ? `${line.slice(0, MAX_EVIDENCE - 1).trimEnd()}…` : line });
  }
  return out;
}
