import i18next, { type Resource } from 'i18next';
import { initReactI18next } from 'react-i18next';

/**
 * The message catalogue: one folder per language under messages/, one JSON file per namespace.
 * Every folder is bundled with the app (no fetch, so no flash of keys before the words arrive);
 * a new language is a new folder. English is the source; a key missing in another language
 * shows its English words.
 */
const files = import.meta.glob<Resource[string]>('./messages/*/*.json', { eager: true, import: 'default' });

const resources: Resource = {};
for (const [path, messages] of Object.entries(files)) {
  const [, language, namespace] = path.match(/\/messages\/([^/]+)\/([^/]+)\.json$/)!;
  (resources[language!] ??= {})[namespace!] = messages;
}

export const LANGUAGES = Object.keys(resources).sort((a, b) => (a === 'en' ? -1 : b === 'en' ? 1 : a.localeCompare(b)));
export const NAMESPACES = Object.keys(resources.en ?? {});
/** Each language named in itself, as a switcher offers it ("Español", not "Spanish"). */
export const LANGUAGE_NAMES: Record<string, string> = { en: 'English', es: 'Español' };

const STORED = 'consilium.language';

/**
 * The language to start in: the one chosen on this device, else the first of the browser's
 * languages we have words for, else English. Once signed in, the account's saved language wins.
 */
function startingLanguage(): string {
  let chosen: string | null = null;
  try {
    chosen = typeof localStorage === 'undefined' ? null : localStorage.getItem(STORED);
  } catch {
    // Storage may be blocked (private mode): the browser's languages decide.
  }
  if (chosen && LANGUAGES.includes(chosen)) return chosen;
  const asked = typeof navigator === 'undefined' ? [] : navigator.languages;
  return asked.map((l) => l.split('-')[0]!).find((l) => LANGUAGES.includes(l)) ?? 'en';
}

void i18next.use(initReactI18next).init({
  resources,
  lng: startingLanguage(),
  fallbackLng: 'en',
  ns: NAMESPACES,
  defaultNS: NAMESPACES,
  // Resources are in memory: ready before the first render, so nothing waits or suspends.
  initAsync: false,
  // React escapes what it renders; escaping here too would show "&amp;" for "&".
  interpolation: { escapeValue: false },
  react: { useSuspense: false },
});

function markDocument(language: string) {
  if (typeof document === 'undefined') return;
  document.documentElement.lang = language;
  document.documentElement.dir = i18next.dir(language);
  document.title = i18next.t('common:documentTitle', { lng: language });
  document.querySelector('meta[name="description"]')?.setAttribute('content', i18next.t('common:documentDescription', { lng: language }));
}
markDocument(i18next.language);

/** Switches the interface's language and remembers it on this device. */
export async function chooseLanguage(language: string): Promise<void> {
  if (!LANGUAGES.includes(language) || language === i18next.language) return;
  try {
    localStorage.setItem(STORED, language);
  } catch {
    // Not remembered on this device; the account keeps it when signed in.
  }
  await i18next.changeLanguage(language);
  markDocument(language);
}

/**
 * The locale dates and numbers are written in: the interface's language, with the browser's
 * region when it has one for that language ("es-MX"), so "3/12" means what the reader expects.
 */
export function formatLocale(): string {
  const language = i18next.language;
  const asked = typeof navigator === 'undefined' ? [] : navigator.languages;
  // Spanish without a region is read as the United States' Spanish: this service's prices are in
  // dollars and its dates are American ones ("US$1,500.00", not Spain's "1500,00 US$").
  return asked.find((l) => l.split('-')[0] === language) ?? (language === 'es' ? 'es-US' : language);
}

export default i18next;
