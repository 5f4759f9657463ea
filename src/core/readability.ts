import { fleschKincaid } from 'flesch-kincaid';
import { syllable } from 'syllable';

/**
 * Flesch-Kincaid grade level of a list of texts. Each text is at least one sentence (labels and
 * list items have no full stop but are read as one unit); abbreviations such as CT or FEV1 count
 * as one word.
 */
export function readingGrade(texts: string[]): number {
  const { sentences, words, syllables } = countText(texts, /[A-Za-z]/, /[A-Za-z][A-Za-z'’-]*/g, (w) => (/^[A-Z0-9-]{2,}$/.test(w) ? 1 : Math.max(1, syllable(w))));
  return fleschKincaid({ sentence: sentences, word: words, syllable: syllables });
}

/**
 * Sentences, words and syllables of texts as the readability scores read them: each text is at
 * least one sentence (labels and list items have no full stop but are read as one unit).
 */
function countText(texts: string[], letter: RegExp, word: RegExp, syllablesOf: (word: string) => number) {
  let sentences = 0;
  let words = 0;
  let syllables = 0;
  for (const text of texts) {
    const parts = text.split(/(?<=[.!?])\s+/).filter((s) => letter.test(s));
    sentences += Math.max(1, parts.length);
    for (const w of text.match(word) ?? []) {
      words++;
      syllables += syllablesOf(w);
    }
  }
  return { sentences, words, syllables };
}

const STRONG = new Set([...'aeoáéóíú']);
const VOWEL = /[aeiouáéíóúü]/;

/**
 * Syllables of a Spanish word: one per vowel nucleus. Weak vowels (i, u, ü, and y at a word's end
 * or before a consonant) join their neighbours in one syllable (ciu-dad, hoy); two strong vowels,
 * or a stressed í or ú, stand apart (le-er, dí-a). The u of que/qui and gue/gui is silent.
 */
export function spanishSyllables(word: string): number {
  const w = word.toLowerCase().replace(/([qg])u(?=[eiéí])/g, '$1');
  let count = 0;
  let previous: string | null = null;
  for (let i = 0; i < w.length; i++) {
    const ch = w[i]!;
    const isVowel = VOWEL.test(ch) || (ch === 'y' && i > 0 && (i === w.length - 1 || !VOWEL.test(w[i + 1] ?? '')) && VOWEL.test(w[i - 1]!));
    if (!isVowel) {
      previous = null;
      continue;
    }
    // A new nucleus unless this vowel glides into the last one (a weak vowel on either side).
    if (previous === null || (STRONG.has(previous) && STRONG.has(ch))) count++;
    previous = ch;
  }
  return Math.max(1, count);
}

/**
 * Szigriszt-Pazos perspicuity of Spanish texts, read on the INFLESZ scale (Barrio-Cantalejo et
 * al., 2008): under 40 very hard, 40–55 somewhat hard, 55–65 normal, 65–80 fairly easy, over 80
 * very easy. Counted like `readingGrade`: each text at least one sentence, abbreviations one syllable.
 */
export function inflesz(texts: string[]): number {
  const { sentences, words, syllables } = countText(texts, /\p{L}/u, /\p{L}[\p{L}'’-]*/gu,
    (w) => (/^[\p{Lu}0-9-]{2,}$/u.test(w) ? 1 : w.split('-').reduce((n, part) => n + (part ? spanishSyllables(part) : 0), 0) || 1));
  if (!words) return 100;
  return 206.835 - (62.3 * syllables) / words - words / sentences;
}
