import { useQuery } from '@tanstack/react-query';
import { get, type Schema } from './api.ts';
import { caseKeys } from './queryKeys.ts';

/** What the signed-in person may do on a case now, as the server decides it (`can` on the case). */
export type CaseCan = Schema<'Case'>['can'];

/**
 * Who reads a case's patient-side words: the patient, about their own request ("your records"),
 * or someone helping with it — a caregiver or the referring physician — about the patient's ("the
 * patient's records"). It is the i18next context of those texts: a `_own` or `_theirs` text where
 * the words differ, the plain one where they do not.
 */
// Undefined is the plain text's context: a text without a variant for a reader may still be asked for with theirs.
export type Reader = 'own' | 'theirs' | undefined;
export const readerOf = (c: Pick<Schema<'Case'>, 'myRelations'>): Reader => (c.myRelations.includes('patient') ? 'own' : 'theirs');

/** Who reads the case (see `readerOf`), for a panel given only its id; the case page has fetched it already. */
export function useCaseReader(caseId: string): Reader {
  const q = useQuery({ queryKey: caseKeys.part(caseId, 'detail'), queryFn: () => get<Schema<'Case'>>(`/cases/${caseId}`) });
  return q.data ? readerOf(q.data) : 'theirs';
}

/** The case's capabilities, for a page that stands on its own (the viewer); case panels get them from the case page. */
export function useCaseCan(caseId: string): CaseCan | undefined {
  const q = useQuery({ queryKey: caseKeys.part(caseId, 'detail'), queryFn: () => get<Schema<'Case'>>(`/cases/${caseId}`) });
  return q.data?.can;
}

/** Whether the opinion has reached the patient's side (delivered, or the case closed after it). */
export function useOpinionDelivered(caseId: string): boolean {
  const q = useQuery({ queryKey: caseKeys.part(caseId, 'detail'), queryFn: () => get<Schema<'Case'>>(`/cases/${caseId}`) });
  return q.data ? ['delivered', 'closed'].includes(q.data.status) : false;
}
