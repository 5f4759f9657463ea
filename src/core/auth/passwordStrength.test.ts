import { describe, expect, it } from 'vitest';
import { judgePassword } from './passwordStrength.ts';

describe('password advice in the reader’s language', () => {
  it('says what is wrong in Spanish, the estimator’s advice too', async () => {
    expect((await judgePassword('corta', [], 'es')).advice).toEqual(['Use al menos 10 caracteres.']);
    const common = await judgePassword('password123', [], 'es');
    expect(common.ok).toBe(false);
    expect(common.advice.length).toBeGreaterThan(0);
    // Every line is Spanish: none is left as the estimator wrote it in English.
    const english = await judgePassword('password123');
    for (const [i, line] of common.advice.entries()) expect(line).not.toBe(english.advice[i]);
    expect((await judgePassword('maria.gonzalez2024', ['maria.gonzalez@example.test'], 'es')).advice).toEqual(['No arme su contraseña con su nombre o su correo electrónico.']);
  });

  it('reads on from the refusal’s first sentence ("Esta contraseña es muy fácil de adivinar.") without starting again with "Esta"', async () => {
    for (const password of ['password123', 'qwertyuiop', 'iloveyou12', 'Password1!']) {
      for (const line of (await judgePassword(password, [], 'es')).advice) expect(line).not.toMatch(/^Esta\b/);
    }
  });
});
