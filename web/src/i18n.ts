import i18next, { type Resource } from 'i18next';
import { initReactI18next } from 'react-i18next';

/**
 * The message catalogue: one folder per language under messages/, one JSON file per namespace.
 * Every folder is bundled with the app (no fetch, so no flash of keys before the words arrive);
 * a new language is a new folder. The person's browser languages pick the folder, English when
 * none matches.
 */
const files = import.meta.glob<Resource[string]>('./messages/*/*.json', { eager: true, import: 'default' });

const resources: Resource = {};
for (const [path, messages] of Object.entries(files)) {
  const [, language, namespace] = path.match(/\/messages\/([^/]+)\/([^/]+)\.json$/)!;
  (resources[language!] ??= {})[namespace!] = messages;
}

export const LANGUAGES = Object.keys(resources);
export const NAMESPACES = Object.keys(resources.en ?? {});

function preferredLanguage(): string {
  const asked = typeof navigator === 'undefined' ? [] : navigator.languages;
  return asked.map((l) => l.split('-')[0]!).find((l) => LANGUAGES.includes(l)) ?? 'en';
}

void i18next.use(initReactI18next).init({
  resources,
  lng: preferredLanguage(),
  fallbackLng: 'en',
  ns: NAMESPACES,
  defaultNS: NAMESPACES,
  // Resources are in memory: ready before the first render, so nothing waits or suspends.
  initAsync: false,
  // React escapes what it renders; escaping here too would show "&amp;" for "&".
  interpolation: { escapeValue: false },
  react: { useSuspense: false },
});
if (typeof document !== 'undefined') document.documentElement.lang = i18next.language;

export default i18next;
