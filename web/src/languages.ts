import i18n from './i18n.ts';

/**
 * Language codes as people read them ("es" is "Spanish"), through the browser's Intl.DisplayNames,
 * in the language of the interface, as written in the middle of a sentence: Spanish writes
 * language names in lower case ("prefiere español", "lengua de señas americana").
 */
let names: Intl.DisplayNames | undefined;

export function languageName(code: string): string {
  try {
    if (names?.resolvedOptions().locale !== i18n.language) names = new Intl.DisplayNames([i18n.language], { type: 'language', fallback: 'code' });
    const name = names.of(code.trim()) ?? code;
    // Some browsers know no name for a few codes we offer (American Sign Language): ours, then the code.
    return name === code.trim() ? i18n.t(`common:languageNames.${code.trim()}`, { defaultValue: code }) : name;
  } catch {
    return code;
  }
}

/** The languages offered in pick lists: the most spoken in US homes first (English, Spanish, Chinese…). */
export const COMMON_LANGUAGES = ['en', 'es', 'zh', 'yue', 'ase', 'tl', 'vi', 'ar', 'fr', 'ko', 'ru', 'ht', 'pt', 'de', 'hi', 'it', 'pl', 'ur', 'fa', 'ja', 'bn', 'pa', 'uk', 'he', 'el', 'hmn', 'km', 'lo', 'ne', 'so', 'am', 'ti', 'sw', 'yo', 'gu', 'ta', 'te', 'tr', 'my'];

/**
 * Options for a language picker: codes as values, names as labels; codes already chosen are kept.
 * A label stands alone, so it starts with a capital ("Español", "Lengua de señas americana").
 */
export function languageOptions(extra: string[] = []): { value: string; label: string }[] {
  const codes = [...new Set([...COMMON_LANGUAGES, ...extra.filter(Boolean)])];
  return codes.map((value) => ({ value, label: capitalised(languageName(value)) }));
}

const capitalised = (name: string) => name.charAt(0).toLocaleUpperCase(i18n.language) + name.slice(1);

/** A country by its name in the reader's language ("US" is "Estados Unidos"), else its code. */
export function countryName(code: string): string {
  try {
    return new Intl.DisplayNames([i18n.language], { type: 'region', fallback: 'code' }).of(code.trim().toUpperCase()) ?? code;
  } catch {
    return code;
  }
}
