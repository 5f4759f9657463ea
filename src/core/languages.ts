/**
 * Language codes (BCP 47: "es", "pt-BR") in people's words ("Spanish", "Brazilian Portuguese").
 * Codes are how languages are stored and matched; whatever a person reads names them instead.
 * Node carries the full ICU data, so Intl.DisplayNames knows every language without a table.
 */
const cache = new Map<string, Intl.DisplayNames>();

/**
 * The few languages we offer that ICU has no name for in some language (American Sign Language
 * in Spanish), written as in the middle of a sentence, as ICU writes the others ("español").
 */
const MISSING: Record<string, Record<string, string>> = { ase: { es: 'lengua de señas americana' } };

export function languageName(code: string, locale = 'en'): string {
  let names = cache.get(locale);
  if (!names) cache.set(locale, (names = new Intl.DisplayNames([locale], { type: 'language', fallback: 'code' })));
  try {
    const name = names.of(code.trim()) ?? code;
    return name === code.trim() ? (MISSING[code.trim()]?.[locale.split('-')[0]!] ?? name) : name;
  } catch {
    // Not a well-formed code (an old free-text entry, say): show it as it was given.
    return code;
  }
}
