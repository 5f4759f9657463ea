import type { TFunction } from 'i18next';
import type { Schema } from '../../api.ts';

type Doc = Pick<Schema<'Document'>, 'category' | 'documentType' | 'documentTypeLabel' | 'filename' | 'relativePath' | 'uploadedById'>;

/**
 * How a record is called on screen. Staff read its file's name (and folder), to match it with
 * what a hospital sent. The patient's side reads what kind of record it is: a stored or a
 * hospital's file name may carry an accession number or someone's name. `fileName` is set only
 * under a patient-side reader's own upload, whose name they gave it and may look for; never under
 * a file someone else added.
 */
export function documentTitle(d: Doc, reader: { userId: string; patientSide: boolean }, t: TFunction): { title: string; fileName: string | null } {
  const file = d.relativePath || d.filename;
  if (!reader.patientSide) return { title: file, fileName: null };
  return { title: kindOf(d, t), fileName: d.uploadedById === reader.userId ? file : null };
}

function kindOf(d: Doc, t: TFunction): string {
  if (d.category === 'imaging') return t('records:documents.imaging');
  if (d.category === 'digital_slide') return t('records:documents.slide');
  if (d.category !== 'document') return t('records:documents.imported');
  if (!d.documentType) return t('records:documents.unsorted');
  if (d.documentType === 'other') return t('records:documents.otherKind');
  return t(`records:type.${d.documentType}`, { defaultValue: d.documentTypeLabel });
}
