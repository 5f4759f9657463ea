import type { Locale } from '../core/locale.ts';

/** The few sentences the engine writes itself (around the knowledge files' texts), per language. */
export interface EnginePhrases {
  unknownCode: (code: string) => string;
  testExpectedFor: (panel: string) => string;
  neededIfSpread: string;
}

export const PHRASES: Record<Locale, EnginePhrases> = {
  en: {
    unknownCode: (code) => `We did not recognise the code "${code}", so we used the words you typed instead.`,
    testExpectedFor: (panel) => `Experts expect this test for ${panel.toLowerCase()}.`,
    neededIfSpread: 'Needed if the cancer has spread.',
  },
  es: {
    unknownCode: (code) => `No reconocimos el código “${code}”. Por eso usamos las palabras que usted escribió.`,
    testExpectedFor: (panel) => `Los especialistas esperan esta prueba en: ${panel.toLowerCase()}.`,
    neededIfSpread: 'Se necesita si el cáncer se ha extendido.',
  },
};

/** Text as compared for matching: lower case, accents dropped ("pulmón" is "pulmon"), words between spaces. */
export const normalised = (s: string) => ` ${s.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase().replace(/[^a-z0-9]+/g, ' ').trim()} `;
