import { fleschKincaid } from 'flesch-kincaid';
import { syllable } from 'syllable';

/**
 * Flesch-Kincaid grade level of a list of texts. Each text is at least one sentence (labels and
 * list items have no full stop but are read as one unit); abbreviations such as CT or FEV1 count
 * as one word.
 */
export function readingGrade(texts: string[]): number {
  let sentences = 0;
  let words = 0;
  let syllables = 0;
  for (const text of texts) {
    const parts = text.split(/(?<=[.!?])\s+/).filter((s) => /[A-Za-z]/.test(s));
    sentences += Math.max(1, parts.length);
    for (const w of text.match(/[A-Za-z][A-Za-z'’-]*/g) ?? []) {
      words++;
      syllables += /^[A-Z0-9-]{2,}$/.test(w) ? 1 : Math.max(1, syllable(w));
    }
  }
  return fleschKincaid({ sentence: sentences, word: words, syllable: syllables });
}
