import { describe, expect, it } from 'vitest';
import { formatDate } from '../../api.ts';
import i18n from '../../i18n.ts';
import { documentLabel, documentTitle } from './documentTitle.ts';

const patient = { userId: 'patient-1', patientSide: true };
const report = { category: 'document', documentType: 'pathology_report', documentTypeLabel: 'Pathology report', filename: 'S24-01234_SMITH.pdf', relativePath: null, uploadedById: 'staff-1' };

describe('what a record is called', () => {
  it('is its file name for staff', () => {
    expect(documentTitle(report, { userId: 'staff-1', patientSide: false }, i18n.getFixedT('en'))).toEqual({ title: 'S24-01234_SMITH.pdf', fileName: null });
    expect(documentTitle({ ...report, relativePath: 'CD/report.pdf' }, { userId: 'staff-2', patientSide: false }, i18n.getFixedT('en')).title).toBe('CD/report.pdf');
  });

  it('is its kind for the patient’s side, in their language, with no name of a file staff added', () => {
    expect(documentTitle(report, patient, i18n.getFixedT('en'))).toEqual({ title: 'Pathology report', fileName: null });
    expect(documentTitle(report, patient, i18n.getFixedT('es')).title).toBe('Informe de patología');
    expect(documentTitle({ ...report, documentType: null }, patient, i18n.getFixedT('en')).title).toBe('Document (not sorted yet)');
    expect(documentTitle({ ...report, documentType: 'other' }, patient, i18n.getFixedT('es')).title).toBe('Otro documento');
    expect(documentTitle({ ...report, category: 'digital_slide' }, patient, i18n.getFixedT('en')).title).toBe('Digital slide');
  });

  it('keeps the name of the reader’s own upload beneath its kind', () => {
    expect(documentTitle({ ...report, uploadedById: 'patient-1', relativePath: 'scans/biopsy.pdf' }, patient, i18n.getFixedT('en'))).toEqual({ title: 'Pathology report', fileName: 'scans/biopsy.pdf' });
  });

  it('stands alone, as in the messages’ record picker, with the day it came for the patient’s side', () => {
    const added = { ...report, createdAt: '2026-11-20T10:30:00Z' };
    expect(documentLabel(added, patient, i18n.getFixedT('en'))).toBe(`Pathology report (${formatDate(added.createdAt)})`);
    expect(documentLabel(added, patient, i18n.getFixedT('es'))).toBe(`Informe de patología (${formatDate(added.createdAt)})`);
    expect(documentLabel(added, { userId: 'staff-1', patientSide: false }, i18n.getFixedT('en'))).toBe('S24-01234_SMITH.pdf');
    // A file of an uploaded folder: staff read the file's own name, its folder is in the list.
    expect(documentLabel({ ...added, relativePath: 'hospital/S24-01234_SMITH.pdf' }, { userId: 'staff-1', patientSide: false }, i18n.getFixedT('en'))).toBe('S24-01234_SMITH.pdf');
  });
});
