/**
 * Query keys. Everything shown about one case lives under `caseKeys.all(id)`, so a single
 * invalidation (after a command, a delivery, or a new notice) refreshes the whole case at once.
 */
export type CasePart =
  | 'detail' | 'opinion' | 'followups' | 'imaging' | 'measurements' | 'timeline' | 'access' | 'checklist'
  | 'documents' | 'assessment' | 'clinical' | 'offers' | 'invitations' | 'specimens' | 'roi' | 'matches' | 'board' | 'visits' | 'messages' | 'slides' | 'trials' | 'estimate';

export const caseKeys = {
  /** Every query about every case (a prefix). */
  everyCase: ['case'] as const,
  /** Every query about one case (a prefix). */
  all: (id: string) => ['case', id] as const,
  part: (id: string, part: CasePart, ...rest: unknown[]) => ['case', id, part, ...rest] as const,
};
