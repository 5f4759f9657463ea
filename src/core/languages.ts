/**
 * Language codes (BCP 47: "es", "pt-BR") in people's words ("Spanish", "Brazilian Portuguese").
 * Codes are how languages are stored and matched; whatever a person reads names them instead.
 * Node carries the full ICU data, so Intl.DisplayNames knows every language without a table.
 */
const cache = new Map<string, Intl.DisplayNames>();

export function languageName(code: string, locale = 'en'): string {
  let names = cache.get(locale);
  if (!names) cache.set(locale, (names = new Intl.DisplayNames([locale], { type: 'language', fallback: 'code' })));
  try {
    return names.of(code.trim()) ?? code;
  } catch {
    // Not a well-formed code (an old free-text entry, say): show it as it was given.
    return code;
  }
}
