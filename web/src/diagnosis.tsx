import { Text } from '@mantine/core';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { get, type GetResult } from './api.ts';

/** One answer of the diagnosis search: a plain name (or the official wording) and its code. */
export type DiagnosisHit = GetResult<'/api/reference/icd10'>['items'][number];

/**
 * Searches diagnoses once two letters are typed. The last answers stay on screen while the next
 * are fetched, so the list does not flicker as the person types; `settled` says the answers
 * shown are the ones for what is typed now.
 */
export function useDiagnosisSearch(query: string, limit = 8) {
  const q = query.trim();
  const search = useQuery({
    queryKey: ['diagnoses', q, limit],
    queryFn: () => get<GetResult<'/api/reference/icd10'>>(`/reference/icd10?q=${encodeURIComponent(q)}&limit=${limit}`),
    enabled: q.length >= 2,
    placeholderData: keepPreviousData,
    staleTime: Infinity,
  });
  const items: DiagnosisHit[] = q.length >= 2 ? (search.data?.items ?? []) : [];
  const settled = q.length >= 2 && search.isSuccess && !search.isPlaceholderData;
  return { items, settled, nothing: settled && items.length === 0, error: search.error };
}

/** The code a name was found by, looked up once (a prefilled form knows only the code). */
export function useDiagnosisByCode(code: string | null | undefined) {
  const c = (code ?? '').trim();
  const found = useQuery({
    queryKey: ['diagnoses', 'code', c],
    queryFn: () => get<GetResult<'/api/reference/icd10'>>(`/reference/icd10?q=${encodeURIComponent(c)}&limit=1`),
    enabled: c.length >= 3,
    staleTime: Infinity,
  });
  return found.data?.items.find((h) => h.code === c) ?? null;
}

/** The plain name large, the word that matched beside it, and the code small. */
export function DiagnosisLabel({ hit }: { hit: Pick<DiagnosisHit, 'name' | 'matched' | 'code'> }) {
  return (
    <span>
      {hit.name}
      {hit.matched && <Text span c="dimmed" inherit> ({hit.matched})</Text>}
      {' '}<Text span size="xs" c="dimmed" ff="monospace">{hit.code}</Text>
    </span>
  );
}
