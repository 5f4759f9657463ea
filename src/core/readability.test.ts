import { describe, expect, it } from 'vitest';
import { inflesz, readingGrade, spanishSyllables } from './readability.ts';

describe('Spanish syllables', () => {
  it.each([
    ['casa', 2], ['ciudad', 2], ['día', 2], ['leer', 2], ['país', 2], ['hoy', 1], ['muy', 1], ['y', 1], ['ayuda', 3],
    ['que', 1], ['guerra', 2], ['pingüino', 3], ['opinión', 3], ['segunda', 3], ['especialista', 5], ['biomarcadores', 5],
  ])('%s has %i', (word, n) => {
    expect(spanishSyllables(word)).toBe(n);
  });
});

describe('INFLESZ (Szigriszt-Pazos)', () => {
  it('scores short, common words as easy and long technical ones as hard', () => {
    const easy = inflesz(['Su médico le dio un plan. Usted puede pedir otra opinión. Es su derecho.']);
    const hard = inflesz(['La caracterización inmunohistoquímica complementaria permitirá determinar la estratificación pronóstica correspondiente conforme a las recomendaciones internacionales vigentes.']);
    expect(easy).toBeGreaterThan(80);
    expect(hard).toBeLessThan(40);
  });

  it('counts each text as at least one sentence, like the English grade', () => {
    expect(inflesz(['Sí', 'No'])).toBeCloseTo(inflesz(['Sí.', 'No.']), 5);
    expect(readingGrade(['Yes', 'No'])).toBeCloseTo(readingGrade(['Yes.', 'No.']), 5);
  });
});
