import fs from 'node:fs';
import path from 'node:path';
import { LOCALES, type Locale } from './locale.ts';

/**
 * The web app's page as sent, in the language the browser asks for: its `lang`, title and
 * description from the web catalogue (`common:documentTitle`, `common:documentDescription`), so
 * what a search result, a shared link's preview or a screen reader meets before the app starts
 * is already in the reader's language. The app then follows the reader's own choice.
 */
const WEB_MESSAGES = path.resolve(import.meta.dirname, '../../web/src/messages');

const escapeHtml = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

function pageIn(html: string, locale: Locale): string {
  const file = path.join(WEB_MESSAGES, locale, 'common.json');
  if (!fs.existsSync(file)) return html;
  const words = JSON.parse(fs.readFileSync(file, 'utf8')) as { documentTitle?: string; documentDescription?: string };
  let page = html.replace(/<html lang="[^"]*"/, `<html lang="${locale}"`);
  if (words.documentTitle) page = page.replace(/<title>[^<]*<\/title>/, () => `<title>${escapeHtml(words.documentTitle!)}</title>`);
  if (words.documentDescription) page = page.replace(/(<meta name="description" content=")[^"]*(")/, (_m, open: string, close: string) => `${open}${escapeHtml(words.documentDescription!)}${close}`);
  return page;
}

export function webPages(html: string): Record<Locale, string> {
  return Object.fromEntries(LOCALES.map((l) => [l, pageIn(html, l)])) as Record<Locale, string>;
}
