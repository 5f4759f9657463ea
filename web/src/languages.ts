/**
 * Language codes as people read them ("es" is "Spanish"), through the browser's Intl.DisplayNames.
 * The names follow the language of the interface, which is English for now.
 */
const names = new Intl.DisplayNames(['en'], { type: 'language', fallback: 'code' });

export function languageName(code: string): string {
  try {
    return names.of(code.trim()) ?? code;
  } catch {
    return code;
  }
}

/** The languages offered in pick lists: the most spoken in US homes first (English, Spanish, Chinese…). */
export const COMMON_LANGUAGES = ['en', 'es', 'zh', 'tl', 'vi', 'ar', 'fr', 'ko', 'ru', 'ht', 'pt', 'de', 'hi', 'it', 'pl', 'ur', 'fa', 'ja', 'bn', 'pa', 'uk', 'he', 'el', 'hmn', 'km', 'lo', 'ne', 'so', 'am', 'ti', 'sw', 'yo', 'gu', 'ta', 'te', 'tr', 'my'];

/** Options for a language picker: codes as values, names as labels; codes already chosen are kept. */
export function languageOptions(extra: string[] = []): { value: string; label: string }[] {
  const codes = [...new Set([...COMMON_LANGUAGES, ...extra.filter(Boolean)])];
  return codes.map((value) => ({ value, label: languageName(value) }));
}
