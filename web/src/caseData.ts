import { useQuery } from '@tanstack/react-query';
import { get } from './api.ts';
import { caseKeys } from './queryKeys.ts';

/** What the signed-in person may do on a case now, as the server decides it (`can` on the case). */
export interface CaseCan {
  uploadRecords: boolean;
  curateRecords: boolean;
  readOpinion: boolean;
  writeOpinion: boolean;
  askFollowup: boolean;
  answerSurvey: boolean;
  matchExperts: boolean;
  setUrgency: boolean;
  manageCaregivers: boolean;
  readAccessLog: boolean;
  annotateImaging: boolean;
  exportImaging: boolean;
}

/** The case's capabilities, from the case query the page already holds (fetched if not). */
export function useCaseCan(caseId: string): CaseCan | undefined {
  const q = useQuery({ queryKey: caseKeys.part(caseId, 'detail'), queryFn: () => get<{ can: CaseCan }>(`/cases/${caseId}`) });
  return q.data?.can;
}
