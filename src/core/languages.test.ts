import { describe, expect, it } from 'vitest';
import { languageName } from './languages.ts';

describe('language names', () => {
  it('names a language code as people say it', () => {
    expect(languageName('es')).toBe('Spanish');
    expect(languageName('zh')).toBe('Chinese');
    expect(languageName('hmn')).toBe('Hmong');
    expect(languageName('pt-BR')).toBe('Brazilian Portuguese');
    expect(languageName('es', 'es')).toBe('español');
  });
  it('names American Sign Language in Spanish, which ICU does not, in lower case as it names the others', () => {
    expect(languageName('ase')).toBe('American Sign Language');
    expect(languageName('ase', 'es')).toBe('lengua de señas americana');
    expect(languageName('ase', 'es-MX')).toBe('lengua de señas americana');
  });
  it('shows what it cannot name as it was given', () => {
    expect(languageName('not a code')).toBe('not a code');
    expect(languageName('qqq')).toBe('qqq');
  });
});
