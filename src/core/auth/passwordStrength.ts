import type { ZxcvbnFactory } from '@zxcvbn-ts/core';
import refused from './data/refused-passwords.json' with { type: 'json' };
import type { Locale } from '../locale.ts';

/**
 * Password strength by estimated guesses (zxcvbn-ts), not by character rules: length alone lets
 * `1234567890` and `password12` through, a strength estimator does not. Checked against common
 * and breached passwords, English words and names, this service's own words and the person's
 * name and address (NIST SP 800-63B §5.1.1.2).
 */
let estimator: Promise<ZxcvbnFactory> | undefined;
// Loaded when first needed: its dictionaries take about 55 MB, which a server that nobody is
// choosing a password on need not hold.
function zxcvbnOnce(): Promise<ZxcvbnFactory> {
  estimator ??= (async () => {
    const [{ ZxcvbnFactory }, common, en] = await Promise.all([import('@zxcvbn-ts/core'), import('@zxcvbn-ts/language-common'), import('@zxcvbn-ts/language-en')]);
    return new ZxcvbnFactory({
      translations: en.translations,
      graphs: common.adjacencyGraphs,
      dictionary: { ...common.dictionary, ...en.dictionary, consilium: refused.words },
    });
  })();
  return estimator;
}

// zxcvbn's score 3: "safely unguessable", about 10^8 guesses and more; enough against online guessing.
const MIN_SCORE = 3;
const EXACT = new Set(refused.exact.map((p) => p.toLowerCase()));

export interface PasswordVerdict {
  ok: boolean;
  /** 0 (very weak) … 4 (very strong), for a strength bar. */
  score: number;
  /** What is wrong and what to do, in plain words; empty when ok. */
  advice: string[];
}

export async function judgePassword(password: string, personal: string[] = [], locale: Locale = 'en'): Promise<PasswordVerdict> {
  const w = ADVICE[locale];
  if (password.length < 10) return { ok: false, score: 0, advice: [w.tooShort] };
  if (EXACT.has(password.toLowerCase())) return { ok: false, score: 0, advice: [w.published] };
  const zxcvbn = await zxcvbnOnce();
  // The estimator's cost grows with length; beyond 100 characters a password is strong anyway.
  // The name and the address before the @ (the domain is shared with many others).
  const inputs = personal.map((p) => p.split('@')[0]!).flatMap((p) => [p, ...p.split(/[.\s_-]+/)]).map((p) => p.toLowerCase()).filter((p) => p.length >= 3);
  // What is left once the person's own name and address are taken out must hold up by itself.
  let rest = password.slice(0, 100);
  for (const word of inputs.sort((a, b) => b.length - a.length)) rest = rest.replace(new RegExp(word.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'), 'gi'), '');
  if (rest !== password.slice(0, 100) && zxcvbn.check(rest).score < MIN_SCORE) {
    return { ok: false, score: 1, advice: [w.personal] };
  }
  const result = zxcvbn.check(password.slice(0, 100), inputs);
  if (result.score >= MIN_SCORE) return { ok: true, score: result.score, advice: [] };
  const advice = [result.feedback.warning, ...result.feedback.suggestions].filter((s): s is string => !!s).map((s) => (locale === 'es' ? FEEDBACK_ES[s] ?? s : s));
  return { ok: false, score: result.score, advice: advice.length ? advice : [w.addWords] };
}

const ADVICE: Record<Locale, { tooShort: string; published: string; personal: string; addWords: string }> = {
  en: {
    tooShort: 'Use at least 10 characters.', published: 'This password is published and cannot be used. Choose your own.',
    personal: 'Do not build your password from your name or email address.', addWords: 'Add another word or two that do not belong together.',
  },
  es: {
    tooShort: 'Use al menos 10 caracteres.', published: 'Es una contraseña publicada y no se puede usar. Elija una propia.',
    personal: 'No arme su contraseña con su nombre o su correo electrónico.', addWords: 'Agregue una o dos palabras más que no tengan relación entre sí.',
  },
};

/**
 * The estimator's advice (its English wording, as it gives it) in Spanish, said to "usted". A
 * refusal reads "Esta contraseña es muy fácil de adivinar." before it, so no line starts with
 * "Esta" again.
 */
const FEEDBACK_ES: Record<string, string> = {
  'Straight rows of keys on your keyboard are easy to guess.': 'Las filas seguidas de teclas de su teclado son fáciles de adivinar.',
  'Short keyboard patterns are easy to guess.': 'Los patrones cortos del teclado son fáciles de adivinar.',
  'Repeated characters like "aaa" are easy to guess.': 'Los caracteres repetidos como "aaa" son fáciles de adivinar.',
  'Repeated character patterns like "abcabcabc" are easy to guess.': 'Los grupos de caracteres repetidos como "abcabcabc" son fáciles de adivinar.',
  'Common character sequences like "abc" are easy to guess.': 'Las secuencias comunes de caracteres como "abc" son fáciles de adivinar.',
  'Recent years are easy to guess.': 'Los años recientes son fáciles de adivinar.',
  'Dates are easy to guess.': 'Las fechas son fáciles de adivinar.',
  'This is a heavily used password.': 'Muchísima gente usa esta contraseña.',
  'This is a frequently used password.': 'Mucha gente usa esta contraseña.',
  'This is a commonly used password.': 'Es una contraseña muy común.',
  'This is similar to a commonly used password.': 'Se parece a una contraseña muy común.',
  'Single words are easy to guess.': 'Una sola palabra es fácil de adivinar.',
  'Single names or surnames are easy to guess.': 'Un solo nombre o apellido es fácil de adivinar.',
  'Common names and surnames are easy to guess.': 'Los nombres y apellidos comunes son fáciles de adivinar.',
  'There should not be any personal or page related data.': 'No use datos personales ni palabras de esta página.',
  'Your password was exposed by a data breach on the Internet.': 'Su contraseña apareció en una filtración de datos en internet.',
  "Avoid predictable letter substitutions like '@' for 'a'.": "Evite cambios de letras fáciles de prever, como '@' por 'a'.",
  'Avoid reversed spellings of common words.': 'Evite escribir al revés palabras comunes.',
  'Capitalize some, but not all letters.': 'Ponga en mayúscula algunas letras, pero no todas.',
  'Capitalize more than the first letter.': 'Ponga en mayúscula más letras que la primera.',
  'Avoid dates and years that are associated with you.': 'Evite fechas y años relacionados con usted.',
  'Avoid recent years.': 'Evite los años recientes.',
  'Avoid years that are associated with you.': 'Evite años relacionados con usted.',
  'Avoid common character sequences.': 'Evite secuencias comunes de caracteres.',
  'Avoid repeated words and characters.': 'Evite repetir palabras y caracteres.',
  'Use longer keyboard patterns and change typing direction multiple times.': 'Use patrones de teclado más largos y cambie varias veces de dirección al escribir.',
  'Add more words that are less common.': 'Agregue más palabras que sean poco comunes.',
  'Use multiple words, but avoid common phrases.': 'Use varias palabras, pero evite frases comunes.',
  'You can create strong passwords without using symbols, numbers, or uppercase letters.': 'Puede crear contraseñas seguras sin usar símbolos, números ni mayúsculas.',
  'If you use this password elsewhere, you should change it.': 'Si usa esta contraseña en otro lugar, debería cambiarla.',
};
