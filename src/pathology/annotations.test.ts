import { describe, expect, it } from 'vitest';
import { areaSquareMicrons, lengthMicrons, outlineCrossesItself } from './annotations.ts';

describe('slide annotation geometry', () => {
  it('measures lengths and areas in the slide’s own scale', () => {
    expect(lengthMicrons([[0, 0], [300, 400]], 0.25)).toBe(125);
    // A 400 × 300 px rectangle at 0.25 × 0.5 µm per pixel, whichever way it is drawn.
    expect(areaSquareMicrons([[0, 0], [400, 0], [400, 300], [0, 300]], 0.25, 0.5)).toBe(15_000);
    expect(areaSquareMicrons([[0, 300], [400, 300], [400, 0], [0, 0]], 0.25, 0.5)).toBe(15_000);
  });
  it('tells an outline that crosses itself from one that does not', () => {
    expect(outlineCrossesItself([[0, 0], [10, 0], [10, 10], [0, 10]])).toBe(false);
    // A bow tie.
    expect(outlineCrossesItself([[0, 0], [10, 10], [10, 0], [0, 10]])).toBe(true);
    // A concave outline is fine.
    expect(outlineCrossesItself([[0, 0], [10, 0], [5, 5], [10, 10], [0, 10]])).toBe(false);
    expect(outlineCrossesItself([[0, 0], [10, 0], [5, 8]])).toBe(false);
  });
});
