import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect } from 'react';
import { ApiError, get } from './api.ts';

export interface Me {
  user: { id: string; email: string; name: string; role: string; mfaEnabled: boolean; locale: string | null };
  session: { mfaState: 'ok' | 'pending' | 'enroll_required'; expiresAt: string; idleExpiresAt: string };
  demo: boolean;
}

/** The signed-in user, or null when signed out. Refetched after sign-in and sign-out. */
export function useMe() {
  const qc = useQueryClient();
  useEffect(() => {
    const onOut = () => qc.setQueryData(['me'], null);
    window.addEventListener('consilium:signed-out', onOut);
    return () => window.removeEventListener('consilium:signed-out', onOut);
  }, [qc]);
  return useQuery<Me | null>({
    queryKey: ['me'],
    queryFn: async () => {
      try {
        return await get<Me>('/auth/me');
      } catch (e) {
        if (e instanceof ApiError && e.status === 401) return null;
        throw e;
      }
    },
    staleTime: 30_000,
  });
}

/** The patient, a caregiver or the referring physician: the words are written to them; staff read their own. */
export function usePatientSide(): boolean {
  const role = useMe().data?.user.role;
  return role === 'patient' || role === 'referring_physician';
}
