/**
 * What a pulmonary function report states of the two values the lung resection work-up asks for:
 * FEV1 and DLCO as a percentage of predicted. Only a percentage the report itself calls
 * "predicted", on a line naming one of the two and before any other measure, is read ("FEV1
 * 1.85 L (62% predicted)", "DLCO % pred: 45"); a ratio (FEV1/FVC), a predicted post-operative
 * value (ppoFEV1), a bare number in a table column or another measure's value is not, so nothing
 * is guessed. A value the line says was taken after a bronchodilator is marked so. Each value
 * keeps the line it was read from, for the reviewer to check; it is shown beside the patient's
 * own numbers, and never replaces them in a rule.
 */
export interface LungValueReported {
  measure: 'fev1' | 'dlco';
  percentPredicted: number;
  /** The line says the value was taken after a bronchodilator. */
  afterBronchodilator: boolean;
  /** The line it was read from, as written (shortened). */
  evidence: string;
}

const MEASURES: { measure: LungValueReported['measure']; name: RegExp }[] = [
  // FEV1 but not its ratio to the vital capacity, however written (FEV1/FVC, FEV1:FVC, FEV1 FVC ratio, FEV1 % FVC).
  { measure: 'fev1', name: /\bFEV1(?![\d/:])(?!\s*(?:[/:%]|of)?\s*F?VC\b)(?!\s*%\s*(?:of\s+)?F?VC\b)/i },
  // DLCO (and DLCOc, corrected for haemoglobin) but not DLCO/VA (KCO).
  { measure: 'dlco', name: /\b(?:DLCOc?|DL,?CO|TLCOc?)\b(?!\s*\/)/i },
];
/** Where another measure's values begin on the same line. */
const OTHER_MEASURE = /\b(?:FVC|FEV6|VC|TLC|RV|FRC|VA|KCO|PEF|FEF\s*25-75)\b/i;
const PREDICTED_POSTOPERATIVE = /\bppo\b|\bppoFEV1\b|\bppoDLCO\b|post[\s-]?operative/i;
const AFTER_BRONCHODILATOR = /\bpost[\s-]?(?:bronchodilator|BD)\b|\bafter\s+(?:a\s+)?bronchodilator\b/i;
// A number on its own (not the tail of a longer one), then "% predicted"; or a "% predicted" label, then the number.
const NUMBER = String.raw`(?<![\d.,])(\d{1,3}(?:[.,]\d)?)(?![\d.,])`;
const VALUE_THEN_PREDICTED = new RegExp(String.raw`${NUMBER}\s*(?:%\s*|percent\s+)(?:of\s+)?(?:pred(?:icted)?|pred\.)\b`, 'i');
const PREDICTED_THEN_VALUE = new RegExp(String.raw`(?:%\s*pred(?:icted)?|percent\s+predicted)\)?\s*[:=]?\s*${NUMBER}(?!\s*(?:L\b|ml|mL))`, 'i');
const MAX_EVIDENCE = 160;
const MAX_LINE = 200;

/** The FEV1 and DLCO values (% of predicted) a pulmonary function report's text states. */
export function lungValuesReported(text: string): LungValueReported[] {
  const out: LungValueReported[] = [];
  for (const raw of text.replace(/\r\n?/g, '\n').split('\n')) {
    const line = raw.replace(/\s+/g, ' ').trim();
    if (!line || line.length > MAX_LINE || PREDICTED_POSTOPERATIVE.test(line)) continue;
    const named = MEASURES.filter((m) => m.name.test(line));
    // A line naming both is a table header or a summary: which number is which is unclear.
    if (named.length !== 1) continue;
    const { measure, name } = named[0]!;
    const at = name.exec(line)!;
    let rest = line.slice(at.index + at[0].length);
    const other = OTHER_MEASURE.exec(rest);
    if (other) rest = rest.slice(0, other.index);
    const found = VALUE_THEN_PREDICTED.exec(rest) ?? PREDICTED_THEN_VALUE.exec(rest);
    if (!found) continue;
    const value = Number(found[1]!.replace(',', '.'));
    // Beyond 200 % of predicted is not a reading of these tests.
    if (!Number.isFinite(value) || value <= 0 || value > 200) continue;
    out.push({ measure, percentPredicted: value, afterBronchodilator: AFTER_BRONCHODILATOR.test(line), evidence: line.length > MAX_EVIDENCE ? `${line.slice(0, MAX_EVIDENCE - 1).trimEnd()}…` : line });
  }
  return out;
}
