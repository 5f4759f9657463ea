import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { AppError, msg, notFound, problem } from './errors.ts';
import { problemIn, TRANSLATED_TEMPLATES } from './problemLanguage.ts';

/** Every source file's text: a translation must still match a wording the code writes. */
function sourceText(): string {
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith('.ts') && !e.name.includes('.test.')) out.push(fs.readFileSync(p, 'utf8'));
    }
  };
  walk(path.resolve(import.meta.dirname, '..'));
  return out.join('\n');
}
const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const asProblem = (e: AppError) => problem(e.code, e.message, e.extra);

describe('problem details in Spanish', () => {
  it('has no translation left behind: each template is still a wording of the code', () => {
    const text = sourceText();
    const stale = TRANSLATED_TEMPLATES.filter((key) => {
      const pattern = escape(key).replace(/\\\{\d+\\\}/g, '\\$\\{(?:[^{}]|\\{[^{}]*\\})*\\}');
      return !new RegExp(pattern).test(text);
    });
    expect(stale).toEqual([]);
  });

  it('words the title, the detail with its values, field messages and unmet conditions', () => {
    const gone = problemIn(asProblem(notFound('This case')), 'es');
    expect(gone).toMatchObject({ title: 'No se encontró', detail: 'Este caso no se encontró, o usted no tiene acceso.', code: 'NOT_FOUND' });
    const wait = problemIn(asProblem(new AppError('TOO_MANY_REQUESTS', msg`Too many failed attempts. Try again in ${15} minutes.`)), 'es');
    expect(wait.detail).toBe('Demasiados intentos fallidos. Intente otra vez en 15 minutos.');
    const fields = problemIn(problem('VALIDATION_FAILED', 'x', { errors: [{ path: '/code', message: 'Enter the 6-digit code.' }, { path: '/other', message: 'Something we never said.' }] }), 'es');
    expect(fields.errors).toEqual([{ path: '/code', message: expect.stringMatching(/6 dígitos/) }, { path: '/other', message: 'Something we never said.' }]);
    // An error without words of its own says its title twice, both translated.
    expect(problemIn(asProblem(new AppError('INVALID_CREDENTIALS')), 'es')).toMatchObject({ title: expect.stringMatching(/contraseña/), detail: expect.stringMatching(/contraseña/) });
    // English readers, and wordings without a translation, get the English as it was.
    expect(problemIn(asProblem(notFound('This case')), 'en').detail).toBe('This case was not found, or you do not have access to it.');
  });
});
