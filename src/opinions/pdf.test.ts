import { describe, expect, it } from 'vitest';
import { wordsIn } from '../core/i18n.ts';
import { reportDefinition, slidesReviewedLines } from './pdf.ts';
import type { ReportDocument } from './schemas.ts';

/** A report with one part by a reviewer who works in `writtenIn`, for a patient who reads `patientReads`. */
function report(patientReads: 'en' | 'es', writtenIn: 'en' | 'es'): ReportDocument {
  return {
    language: patientReads, caseReference: 'CNS-2026-0042', letterhead: 'Consilium', patient: { name: 'Test Patient', birthDate: '1960-01-01' }, version: 1, kind: 'original',
    issuedAt: '2026-11-21T00:00:00Z', issuedBy: 'Dr. Example', disagreements: ['The reviewers read the margins differently.'], addenda: [],
    parts: [{
      reviewerRole: 'Pathologist', authorName: 'Dr. Example', signedAt: '2026-11-20T10:00:00Z', contentSha256: 'abcdef0123456789abcdef', language: writtenIn,
      content: {
        patientSummaryLanguage: patientReads, patientSummary: 'Summary written for the patient.',
        diagnosisReview: { originalDiagnosis: 'A', reviewedDiagnosis: 'B', concordance: 'minor_discordance', rationale: 'Why.' },
        biomarkers: [{ name: 'EGFR', status: 'done' }], surgery: { necessary: 'yes', neoadjuvantFirst: true, approach: 'vats', highVolumeAdvice: 'A high-volume centre.' },
      },
    }],
  } as unknown as ReportDocument;
}
const texts = (doc: ReportDocument) => JSON.stringify(reportDefinition(doc).content);

describe('the opinion PDF in its readers’ languages', () => {
  it('heads a Spanish opinion in Spanish throughout, clinical sections and choices too', () => {
    const printed = texts(report('es', 'es'));
    for (const words of ['Segunda opinión de especialistas', 'Revisión del diagnóstico', 'Concordancia: Discordancia menor', 'Biomarcadores', 'Cirugía necesaria: Sí', 'Videoasistida (VATS)', 'En qué difieren los revisores', 'Resumen en palabras sencillas']) {
      expect(printed).toContain(words);
    }
    expect(printed).not.toMatch(/Diagnosis review|Biomarkers|Surgery necessary|Where the reviewers differ/);
  });

  it('keeps an English reviewer’s clinical sections English for a Spanish reader, and the parts written for the patient in Spanish', () => {
    const printed = texts(report('es', 'en'));
    expect(printed).toContain('Diagnosis review');
    expect(printed).toContain('Surgery necessary: Yes');
    expect(printed).toContain('Segunda opinión de especialistas');
    expect(printed).toContain('Resumen en palabras sencillas');
  });

  it('writes an English opinion in English', () => {
    const printed = texts(report('en', 'en'));
    expect(printed).toContain('Expert second opinion');
    expect(printed).toContain('Concordance: Minor discordance (no effect on management or prognosis)');
    expect(printed).not.toMatch(/Revisión|Cirugía/);
  });

  it('names a reviewed slide by block and stain, else by its place in the case’s list, in the reviewer’s language', () => {
    const slidesReviewed = {
      digital: [{ slideId: crypto.randomUUID(), name: 'A3 · H&E' }, { slideId: crypto.randomUUID(), number: 2, annotations: [{ number: 1, text: '125 µm — depth' }] }],
      glass: [{ specimenId: crypto.randomUUID(), name: 'Biopsy A (3 from Riverside Pathology Lab)' }],
    };
    expect(slidesReviewedLines(slidesReviewed, wordsIn('en'))).toEqual(['Digital slide A3 · H&E.', 'Slide 2 (digital; annotation 1: 125 µm — depth).', 'Glass slides: Biopsy A (3 from Riverside Pathology Lab).']);
    expect(slidesReviewedLines(slidesReviewed, wordsIn('es'))).toEqual(['Laminilla digital A3 · H&E.', 'Laminilla 2 (digital; anotación 1: 125 µm — depth).', 'Laminillas de vidrio: Biopsy A (3 from Riverside Pathology Lab).']);
  });
});
