import { wordsIn } from '../core/i18n.ts';
import type { Locale } from '../core/locale.ts';

/**
 * What a record's status says (being read, waiting for a coordinator, images indexed) as a key of
 * the catalogue's `records:status` and its values, so each reader sees it in their language.
 * The English is kept beside it in `status_detail` (staff tools, and records stored before).
 */
export const STATUS_NOTES = ['reading', 'veryLargePdf', 'imagingArchive', 'imagingArchiveDicomdir', 'zipNoImaging', 'imported', 'addingImages', 'photoForCoordinator',
  'scanPartlyRead', 'scannedPages', 'scanUnread', 'unknownKind', 'imagesIndexed', 'imagesIndexedSomeUnread', 'slideUnreadable', 'slideTiles', 'slideTooLarge', 'slideMissing'] as const;
export type StatusNoteKey = (typeof STATUS_NOTES)[number];
export interface StatusNote { key: StatusNoteKey; values?: Record<string, string | number> }

export const note = (key: StatusNoteKey, values?: StatusNote['values']): StatusNote => (values ? { key, values } : { key });

/** The note in a language: English for `status_detail`, the reader's for the record's view. */
export const noteIn = (n: StatusNote, locale: Locale | string | null | undefined = 'en'): string => wordsIn(locale)(`records:status.${n.key}`, n.values);

/** The columns a write sets: the English text and the note itself. */
export const noteColumns = (n: StatusNote | null): [string | null, string | null] => (n ? [noteIn(n), JSON.stringify(n)] : [null, null]);
