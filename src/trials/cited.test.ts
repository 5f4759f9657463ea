import { describe, expect, it } from 'vitest';
import { phaseWords, siteLine } from './cited.ts';

describe('a cited study in the patient’s words', () => {
  const site = { facility: 'Synthetic Research Hospital', city: 'Columbus', state: 'Ohio', country: 'United States', status: 'RECRUITING', distanceMiles: 120.4 } as Parameters<typeof siteLine>[0];

  it('names its phases in the reader’s language', () => {
    expect(phaseWords(['PHASE2', 'PHASE3'])).toBe('Phase 2/Phase 3');
    expect(phaseWords(['PHASE2', 'PHASE3'], 'es')).toBe('Fase 2/Fase 3');
    expect(phaseWords(['SOMETHING_NEW'], 'es')).toBe('SOMETHING_NEW');
  });

  it('gives a site’s distance in miles and kilometres, and says when it is not open yet', () => {
    expect(siteLine(site, 'en')).toBe('Synthetic Research Hospital, Columbus, Ohio, United States (about 120 miles / 194 km away)');
    expect(siteLine({ ...site, status: 'NOT_YET_RECRUITING' }, 'es')).toBe('Synthetic Research Hospital, Columbus, Ohio, United States (a unas 120 millas / 194 km), todavía no abierto');
    expect(siteLine({ ...site, distanceMiles: null }, 'es')).toBe('Synthetic Research Hospital, Columbus, Ohio, United States');
  });
});
