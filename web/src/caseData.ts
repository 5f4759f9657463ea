import { useQuery } from '@tanstack/react-query';
import { get, type Schema } from './api.ts';
import { caseKeys } from './queryKeys.ts';

/** What the signed-in person may do on a case now, as the server decides it (`can` on the case). */
export type CaseCan = Schema<'Case'>['can'];

/** The case's capabilities, for a page that stands on its own (the viewer); case panels get them from the case page. */
export function useCaseCan(caseId: string): CaseCan | undefined {
  const q = useQuery({ queryKey: caseKeys.part(caseId, 'detail'), queryFn: () => get<Schema<'Case'>>(`/cases/${caseId}`) });
  return q.data?.can;
}
