import { findIcd10 } from '../catalog/icd10.ts';
import type { AssessmentAnswers } from './answers.ts';
import type { Condition, Knowledge } from './knowledge.ts';
import { normalised as normalise } from './phrases.ts';
import { wordsIn } from '../core/i18n.ts';

export interface ConditionMatch {
  condition: Condition | null;
  matchedBy: 'code' | 'text' | 'none';
  code: string | null;
  codeDisplay: string | null;
  /** Said to the user when what they gave could not be used (an unknown code, say). */
  notice: string | null;
}

/**
 * Finds the catalogue condition for a diagnosis: by ICD-10-CM code (the longest matching code
 * prefix wins, so C49.A is GIST before C49 is sarcoma), else by the words typed, else none.
 * An unknown code is not an error: it falls back to the words, then to the "not sure" path.
 */
export function matchCondition(k: Knowledge, diagnosis: AssessmentAnswers['diagnosis']): ConditionMatch {
  const none = { condition: null, matchedBy: 'none' as const, code: null, codeDisplay: null, notice: null };
  if (!diagnosis || diagnosis.notSure) return none;
  let notice: string | null = null;
  const code = diagnosis.code?.toUpperCase().replace(/\s+/g, '');
  if (code) {
    let best: { c: Condition; len: number } | undefined;
    for (const c of k.conditions) for (const prefix of c.codes) if (code.startsWith(prefix) && prefix.length > (best?.len ?? 0)) best = { c, len: prefix.length };
    const entry = findIcd10(code);
    if (best && /^[A-Z][0-9][0-9A-Z](\.[0-9A-Z]{1,4})?$/.test(code)) return { condition: best.c, matchedBy: 'code', code, codeDisplay: entry?.display ?? null, notice: null };
    notice = wordsIn(k.locale)('assessment:engine.unknownCode', { code });
  }
  const text = diagnosis.text ? normalise(diagnosis.text) : '';
  if (text.trim()) {
    let best: { c: Condition; len: number } | undefined;
    // Words in any language we write are recognised whatever the page's language: a report may be in one, the reader in another.
    for (const c of k.conditions) for (const kw of [...c.keywords, ...(c.es?.keywords ?? [])]) if (text.includes(normalise(kw)) && kw.length > (best?.len ?? 0)) best = { c, len: kw.length };
    if (best) return { condition: best.c, matchedBy: 'text', code: null, codeDisplay: null, notice };
  }
  return { ...none, notice };
}
