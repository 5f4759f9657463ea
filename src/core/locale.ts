import Negotiator from 'negotiator';

/**
 * The languages the service speaks to people. English is the source of every text; a language
 * joins by adding its words beside the English (web catalogue, notices, knowledge files, consent
 * texts) and its code here.
 */
export const LOCALES = ['en', 'es'] as const;
export type Locale = (typeof LOCALES)[number];
export const DEFAULT_LOCALE: Locale = 'en';

export function isLocale(code: unknown): code is Locale {
  return typeof code === 'string' && (LOCALES as readonly string[]).includes(code);
}

/** A saved or asked-for language as one we speak: its base language if we speak it, else English. */
export function asLocale(code: string | null | undefined): Locale {
  const base = code?.trim().toLowerCase().split(/[-_]/)[0];
  return isLocale(base) ? base : DEFAULT_LOCALE;
}

/**
 * The language of an answer: the `Accept-Language` header as browsers send it (the web app sends
 * the language its reader chose), by preference weight; English when none is spoken here.
 */
export function negotiateLocale(acceptLanguage: string | string[] | undefined): Locale {
  if (!acceptLanguage) return DEFAULT_LOCALE;
  // Regional forms ("es-MX") count as their base language: we write one Spanish for all.
  const asked = new Negotiator({ headers: { 'accept-language': String(acceptLanguage) } }).languages();
  for (const code of asked) {
    const base = code.toLowerCase().split('-')[0];
    if (isLocale(base)) return base;
    if (code === '*') return DEFAULT_LOCALE;
  }
  return DEFAULT_LOCALE;
}

/**
 * A data entry with its read fields in `locale`, from the translation it carries beside the
 * English under the language's code (`"es": { "name": … }`); English where one is missing.
 */
export function entryIn<T extends object>(entry: T, locale: Locale): T {
  if (locale === DEFAULT_LOCALE) return entry;
  const words = (entry as Record<string, unknown>)[locale];
  if (!words || typeof words !== 'object') return entry;
  const given = Object.entries(words).filter(([, v]) => typeof v === 'string' && v.trim() !== '');
  return { ...entry, ...Object.fromEntries(given) };
}
