import type { ErrorCode, ProblemDetails } from './errors.ts';
import type { Locale } from './locale.ts';
import spanish from './problemWords.es.json' with { type: 'json' };

/**
 * Problem details in the reader's language (from `Accept-Language`). Each error carries its
 * wording as a template (`key`) and values (`params`); a translated template is filled with the
 * values, which are translated too when they are words of ours ("This case"). Field messages and
 * unmet conditions are looked up by their whole text. What has no translation stays English.
 */
const WORDS: Partial<Record<Locale, { titles: Record<string, string>; details: Record<string, string>; things: Record<string, string> }>> = { es: spanish };

export function problemIn(p: ProblemDetails, locale: Locale): ProblemDetails {
  const w = WORDS[locale];
  if (!w) return p;
  const word = (text: string) => w.details[text] ?? text;
  const fill = (template: string, params: Record<string, unknown> = {}) => template.replace(/\{(\d+)\}/g, (_m, i: string) => {
    const v = String(params[i] ?? '');
    return w.things[v] ?? w.details[v] ?? v;
  });
  // An error without words of its own repeats its title as the detail.
  const title = w.titles[p.code as ErrorCode] ?? p.title;
  const detail = p.key && w.details[p.key] ? fill(w.details[p.key]!, p.params) : p.detail === p.title ? title : p.detail && word(p.detail);
  return {
    ...p,
    title,
    ...(detail ? { detail } : {}),
    ...(p.errors ? { errors: p.errors.map((e) => ({ ...e, message: word(e.message) })) } : {}),
    ...(Array.isArray(p.unmet) ? { unmet: (p.unmet as string[]).map(word) } : {}),
  };
}

/** The templates a translation exists for (the test checks each is still written somewhere). */
export const TRANSLATED_TEMPLATES = Object.keys(spanish.details);
