import type { ErrorCode, ProblemDetails } from './errors.ts';
import { hasWords, LOCALES_DIR, wordsIn } from './i18n.ts';
import type { Locale } from './locale.ts';
import fs from 'node:fs';
import path from 'node:path';

/**
 * Problem details in the reader's language (from `Accept-Language`), from the catalogue's
 * `problems` namespace. Each error carries its English wording as a template (`key`, `{0}` for
 * each value) and the values (`params`); the catalogue is keyed by that wording, as a translator
 * reads source and translation side by side, and a translation is filled with the values, which
 * are translated too when they are words of ours ("This case"). Field messages and unmet
 * conditions are looked up by their whole text. What has no translation stays English.
 */
const AS_WRITTEN = { ns: 'problems', keySeparator: false, nsSeparator: false } as const;

export function problemIn(p: ProblemDetails, locale: Locale): ProblemDetails {
  if (locale === 'en') return p;
  const t = wordsIn(locale);
  const known = (text: string) => hasWords(locale, text, AS_WRITTEN);
  const word = (text: string) => (known(text) ? t(text, AS_WRITTEN) : text);
  const value = (v: unknown) => {
    const text = String(v ?? '');
    return known(`thing.${text}`) ? t(`thing.${text}`, AS_WRITTEN) : word(text);
  };
  const fill = (template: string, params: Record<string, unknown> = {}) =>
    t(template, { ...AS_WRITTEN, ...Object.fromEntries(Object.entries(params).map(([i, v]) => [i, value(v)])) });
  // An error without words of its own repeats its title as the detail.
  const title = known(`title.${p.code as ErrorCode}`) ? t(`title.${p.code}`, AS_WRITTEN) : p.title;
  const detail = p.key && known(p.key) ? fill(p.key, p.params) : p.detail === p.title ? title : p.detail && word(p.detail);
  return {
    ...p,
    title,
    ...(detail ? { detail } : {}),
    ...(p.errors ? { errors: p.errors.map((e) => ({ ...e, message: word(e.message) })) } : {}),
    ...(Array.isArray(p.unmet) ? { unmet: (p.unmet as string[]).map(word) } : {}),
  };
}

/** The wordings a translation exists for (the test checks each is still written somewhere in the code). */
export const TRANSLATED_TEMPLATES = Object.keys(JSON.parse(fs.readFileSync(path.join(LOCALES_DIR, 'es', 'problems.json'), 'utf8')) as Record<string, string>)
  .filter((k) => !/^(title|thing)\./.test(k));
