import fs from 'node:fs';
import path from 'node:path';
import i18next, { type Resource, type TOptions } from 'i18next';
import { DEFAULT_LOCALE, LOCALES, asLocale, type Locale } from './locale.ts';

/**
 * The server's words (notices and mails, PDFs, timeline and audit words, statuses, errors) in the
 * same catalogue format as the web app's: i18next, one folder per language under `src/locales/`,
 * one JSON file per namespace, `{{placeholders}}`, plurals as `_one` / `_other` (and Spanish
 * `_many`) chosen by `Intl.PluralRules`. A translator works on both catalogues the same way and
 * the same tests hold them: every key in every language, the same placeholders, no unused key.
 * English is the source; a key missing in another language shows its English words.
 */
export const LOCALES_DIR = path.resolve(import.meta.dirname, '../locales');

function readCatalogues(): Resource {
  const resources: Resource = {};
  for (const language of fs.readdirSync(LOCALES_DIR)) {
    const folder = path.join(LOCALES_DIR, language);
    for (const file of fs.readdirSync(folder).filter((f) => f.endsWith('.json'))) {
      (resources[language] ??= {})[path.basename(file, '.json')] = JSON.parse(fs.readFileSync(path.join(folder, file), 'utf8'));
    }
  }
  return resources;
}

const resources = readCatalogues();
const catalogues = i18next.createInstance();
void catalogues.init({
  resources,
  lng: DEFAULT_LOCALE,
  fallbackLng: DEFAULT_LOCALE,
  supportedLngs: [...LOCALES],
  // Every language's namespaces: `problems` is keyed by the English the code writes and has no English file.
  ns: [...new Set(Object.values(resources).flatMap((r) => Object.keys(r)))],
  // Catalogues are in memory: ready before the first request, nothing waits.
  initAsync: false,
  // Mails are plain text and PDFs draw text: nothing here is HTML, so nothing is escaped.
  interpolation: { escapeValue: false },
  returnNull: false,
});

// "{{status, lowercase}}": a name used inside a sentence ("while the case is in review").
catalogues.services.formatter?.add('lowercase', (value: unknown) => String(value).toLowerCase());

/** A catalogue text: the key with its namespace ("notices:case.received.title"). */
export type Words = (key: string, values?: TOptions) => string;

/** The words of one language (a saved or asked-for code is read as one we speak, else English). */
export function wordsIn(locale: Locale | string | null | undefined): Words {
  const fixed = catalogues.getFixedT(asLocale(locale));
  return (key, values) => fixed(key, values ?? {}) as string;
}

/** Whether a language's catalogue has a text (English fallback aside), for words that are optional. */
export function hasWords(locale: Locale, key: string, values: TOptions = {}): boolean {
  return catalogues.exists(key, { ...values, lng: locale, fallbackLng: false });
}
