import { describe, expect, it } from 'vitest';
import { lungValuesReported } from './lungFunctionResults.ts';

const read = (text: string) => lungValuesReported(text).map((v) => `${v.measure} ${v.percentPredicted}`);

describe('FEV1 and DLCO a pulmonary function report states', () => {
  it('reads a percentage the report calls predicted, before or after the number', () => {
    expect(read('FEV1 1.85 L (62% predicted)\nDLCO 14.2 mL/min/mmHg, 45 % of predicted')).toEqual(['fev1 62', 'dlco 45']);
    expect(read('FEV1 % predicted: 58.5\nDLCO (% pred) 71')).toEqual(['fev1 58.5', 'dlco 71']);
    expect(read('TLCO 52 percent predicted')).toEqual(['dlco 52']);
    expect(lungValuesReported('  FEV1   1.85 L  (62% pred)  ')).toEqual([{ measure: 'fev1', percentPredicted: 62, afterBronchodilator: false, evidence: 'FEV1 1.85 L (62% pred)' }]);
    expect(read('FEV1 Pred 2.80 Actual 1.85 % Pred 66')).toEqual(['fev1 66']);
    expect(read('FEV1 (L) 1.85 Pred 2.80 %Pred 66')).toEqual(['fev1 66']);
    expect(read('DLCOc 12.1 (48% predicted)')).toEqual(['dlco 48']);
  });

  it('marks a value taken after a bronchodilator', () => {
    expect(lungValuesReported('Post-bronchodilator FEV1 1.95 L (66% predicted)\nFEV1 after bronchodilator 1.9 L, 65% predicted').map((v) => [v.percentPredicted, v.afterBronchodilator])).toEqual([[66, true], [65, true]]);
  });

  it('does not read a ratio, a bare table number, a value after a bronchodilator or a line naming both', () => {
    expect(read('FEV1/FVC 68%')).toEqual([]);
    expect(read('FEV1 % FVC: 68')).toEqual([]);
    expect(read('DLCO/VA 85% predicted')).toEqual([]);
    expect(read('FEV1 (L) 2.50 1.85 74')).toEqual([]);
    expect(read('FEV1:FVC ratio 64 (85% predicted)')).toEqual([]);
    expect(read('FEV1 FVC ratio 70 (92% predicted)')).toEqual([]);
    // Another measure's value on the same line, a predicted post-operative value, a number cut short.
    expect(read('FEV1 1.62 L, FVC 2.8 L (78% predicted)')).toEqual([]);
    expect(read('Predicted postoperative FEV1 (ppoFEV1) 45% predicted')).toEqual([]);
    expect(read('ppo FEV1 38% predicted')).toEqual([]);
    expect(read('FEV1 58.25% predicted')).toEqual([]);
    expect(read('FEV1% predicted 1234')).toEqual([]);
    expect(read('FEV1 and DLCO were 62% and 45% of predicted')).toEqual([]);
    expect(read('FEV1 % predicted: 2.1 L')).toEqual([]);
    expect(read('FEV1 650% predicted')).toEqual([]);
    expect(read('')).toEqual([]);
  });
});
