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
        const me = await get<Me>('/auth/me');
        rememberSignedIn(true);
        return me;
      } catch (e) {
        if (e instanceof ApiError && e.status === 401) return null;
        throw e;
      }
    },
    staleTime: 30_000,
  });
}

const SIGNED_IN = 'consilium.signedIn';

/**
 * Remembers on this device that someone was signed in, until they sign out themselves. The sign-in
 * page says a session ended only then: a visitor who was never signed in (a link in an email, an
 * invitation, an address typed by hand) is simply asked to sign in.
 */
export function rememberSignedIn(on: boolean): void {
  try {
    if (on) localStorage.setItem(SIGNED_IN, '1');
    else localStorage.removeItem(SIGNED_IN);
  } catch {
    // Storage may be blocked (private mode): the sign-in page then just asks to sign in.
  }
}

/** Whether a session on this device ended without its owner signing out (timed out, ended elsewhere). */
export function sessionEndedHere(): boolean {
  try {
    return localStorage.getItem(SIGNED_IN) === '1';
  } catch {
    return false;
  }
}

/** The patient, a caregiver or the referring physician: the words are written to them; staff read their own. */
export function usePatientSide(): boolean {
  const role = useMe().data?.user.role;
  return role === 'patient' || role === 'referring_physician';
}
