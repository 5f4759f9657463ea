import type { TFunction } from 'i18next';
import { formatDate, type Schema } from '../../api.ts';

type Doc = Pick<Schema<'Document'>, 'category' | 'documentType' | 'documentTypeLabel' | 'filename' | 'relativePath' | 'uploadedById'>;
type Reader = { userId: string; patientSide: boolean };

/**
 * How a record is called on screen. Staff read its file's name (and folder), to match it with
 * what a hospital sent. The patient's side reads what kind of record it is: a stored or a
 * hospital's file name may carry an accession number or someone's name. `fileName` is set only
 * under a patient-side reader's own upload, whose name they gave it and may look for; never under
 * a file someone else added.
 */
export function documentTitle(d: Doc, reader: Reader, t: TFunction): { title: string; fileName: string | null } {
  const file = d.relativePath || d.filename || '';
  if (!reader.patientSide) return { title: file, fileName: null };
  return { title: kindOf(d, t), fileName: d.uploadedById === reader.userId ? file : null };
}

/**
 * A record's title where it must stand alone, as in a list to pick from or a reader's heading:
 * several records may share a kind ("Pathology report"), so the patient's side reads the day it
 * came beside it; staff read the file's name.
 */
export function documentLabel(d: Doc & Pick<Schema<'Document'>, 'createdAt'>, reader: Reader, t: TFunction): string {
  // Staff: the file's own name (its folder is in the list beside it).
  if (!reader.patientSide) return d.filename ?? '';
  return t('records:documents.titleDated', { title: documentTitle(d, reader, t).title, date: formatDate(d.createdAt) });
}

function kindOf(d: Doc, t: TFunction): string {
  if (d.category === 'imaging') return t('records:documents.imaging');
  if (d.category === 'digital_slide') return t('records:documents.slide');
  if (d.category !== 'document') return t('records:documents.imported');
  if (!d.documentType) return t('records:documents.unsorted');
  if (d.documentType === 'other') return t('records:documents.otherKind');
  return t(`records:type.${d.documentType}`, { defaultValue: d.documentTypeLabel });
}
