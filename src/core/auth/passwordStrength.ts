import type { ZxcvbnFactory } from '@zxcvbn-ts/core';
import refused from './data/refused-passwords.json' with { type: 'json' };

/**
 * Password strength by estimated guesses (zxcvbn-ts), not by character rules: length alone lets
 * `1234567890` and `password12` through, a strength estimator does not. Checked against common
 * and breached passwords, English words and names, this service's own words and the person's
 * name and address (NIST SP 800-63B §5.1.1.2).
 */
let estimator: Promise<ZxcvbnFactory> | undefined;
// Loaded when first needed: its dictionaries take about 55 MB, which a server that nobody is
// choosing a password on need not hold.
function zxcvbnOnce(): Promise<ZxcvbnFactory> {
  estimator ??= (async () => {
    const [{ ZxcvbnFactory }, common, en] = await Promise.all([import('@zxcvbn-ts/core'), import('@zxcvbn-ts/language-common'), import('@zxcvbn-ts/language-en')]);
    return new ZxcvbnFactory({
      translations: en.translations,
      graphs: common.adjacencyGraphs,
      dictionary: { ...common.dictionary, ...en.dictionary, consilium: refused.words },
    });
  })();
  return estimator;
}

// zxcvbn's score 3: "safely unguessable", about 10^8 guesses and more; enough against online guessing.
const MIN_SCORE = 3;
const EXACT = new Set(refused.exact.map((p) => p.toLowerCase()));

export interface PasswordVerdict {
  ok: boolean;
  /** 0 (very weak) … 4 (very strong), for a strength bar. */
  score: number;
  /** What is wrong and what to do, in plain words; empty when ok. */
  advice: string[];
}

export async function judgePassword(password: string, personal: string[] = []): Promise<PasswordVerdict> {
  if (password.length < 10) return { ok: false, score: 0, advice: ['Use at least 10 characters.'] };
  if (EXACT.has(password.toLowerCase())) return { ok: false, score: 0, advice: ['This password is published and cannot be used. Choose your own.'] };
  const zxcvbn = await zxcvbnOnce();
  // The estimator's cost grows with length; beyond 100 characters a password is strong anyway.
  // The name and the address before the @ (the domain is shared with many others).
  const inputs = personal.map((p) => p.split('@')[0]!).flatMap((p) => [p, ...p.split(/[.\s_-]+/)]).map((p) => p.toLowerCase()).filter((p) => p.length >= 3);
  // What is left once the person's own name and address are taken out must hold up by itself.
  let rest = password.slice(0, 100);
  for (const word of inputs.sort((a, b) => b.length - a.length)) rest = rest.replace(new RegExp(word.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'), 'gi'), '');
  if (rest !== password.slice(0, 100) && zxcvbn.check(rest).score < MIN_SCORE) {
    return { ok: false, score: 1, advice: ['Do not build your password from your name or email address.'] };
  }
  const result = zxcvbn.check(password.slice(0, 100), inputs);
  if (result.score >= MIN_SCORE) return { ok: true, score: result.score, advice: [] };
  const advice = [result.feedback.warning, ...result.feedback.suggestions].filter((s): s is string => !!s);
  return { ok: false, score: result.score, advice: advice.length ? advice : ['Add another word or two that do not belong together.'] };
}
