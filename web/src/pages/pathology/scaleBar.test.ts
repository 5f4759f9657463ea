import { describe, expect, it } from 'vitest';
import { magnification, scaleBar } from './scaleBar.ts';

describe('slide scale bar', () => {
  it('picks the longest round length that fits, in µm or mm', () => {
    // 0.25 µm per image pixel shown 1:1: 150 px is 37.5 µm, so 20 µm over 80 px.
    expect(scaleBar(0.25)).toEqual({ px: 80, microns: 20, label: '20 µm' });
    expect(scaleBar(1)).toEqual({ px: 100, microns: 100, label: '100 µm' });
    expect(scaleBar(40)).toEqual({ px: 125, microns: 5000, label: '5 mm' });
    expect(scaleBar(0.01)?.label).toBe('1 µm');
    expect(scaleBar(0.001)?.label).toBe('0.1 µm');
  });

  it('shows no bar without a physical size', () => {
    expect(scaleBar(0)).toBeNull();
    expect(scaleBar(Number.NaN)).toBeNull();
  });

  it('gives the magnification from the objective the slide was scanned at', () => {
    expect(magnification(40, 1)).toBe('40×');
    expect(magnification(40, 2)).toBe('20×');
    expect(magnification(20, 8)).toBe('2.5×');
    expect(magnification(null, 1)).toBeNull();
  });
});
