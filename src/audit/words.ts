import { CASE_COMMANDS } from '../cases/lifecycle.ts';
import { hasWords, wordsIn } from '../core/i18n.ts';
import type { Locale } from '../core/locale.ts';

/**
 * The audit trail in words (catalogue `audit`), for the patient's "who opened it" page and staff
 * screens: every action recorded is said as what the person did, never as the code the trail
 * stores. The catalogue's keys are the actions as stored, dots and all (read without nesting).
 */
const FLAT = { keySeparator: false } as const;

export function describeAction(action: string, locale: Locale = 'en'): string {
  const t = wordsIn(locale);
  if (hasWords('en', `audit:${action}`, FLAT)) return t(`audit:${action}`, FLAT);
  const command = /^case\.(\w+)$/.exec(action)?.[1];
  if (command && Object.hasOwn(CASE_COMMANDS, command)) return t(`audit:done.${command}`, FLAT);
  const fhir = /^fhir\.(\w+)\.(read|search)$/.exec(action);
  if (fhir) {
    const what = hasWords('en', `audit:fhir.${fhir[1]}`, FLAT) ? t(`audit:fhir.${fhir[1]}`, FLAT) : t('audit:fhir.other', FLAT);
    return t('audit:fhirRead', { what });
  }
  if (action.endsWith('.read') || action.endsWith('.list')) return t('audit:looked');
  return t('audit:worked');
}
