import { Progress, Stack, Text } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { post, type PostResult } from '../api.ts';


const LABELS = ['Very weak', 'Weak', 'Fair', 'Strong', 'Very strong'];
const COLORS = ['red', 'red', 'orange', 'teal', 'green'];

/**
 * How strong the password being typed is, judged by the same rules the server applies when it is
 * saved, with what to change in plain words. Asked for a moment after typing stops.
 */
export function PasswordStrength({ password, email, name, token }: { password: string; email?: string; name?: string; token?: string }) {
  const [settled, setSettled] = useState(password);
  useEffect(() => {
    const t = setTimeout(() => setSettled(password), 300);
    return () => clearTimeout(t);
  }, [password]);
  const verdict = useQuery({
    queryKey: ['password-strength', settled, email, name, token],
    queryFn: () => post<PostResult<'/api/auth/password-strength'>>('/auth/password-strength', { password: settled, ...(email ? { email } : {}), ...(name ? { name } : {}), ...(token ? { token } : {}) }),
    enabled: settled.length > 0,
    staleTime: Infinity,
  });
  if (!password || !verdict.data) return null;
  const v = verdict.data;
  return (
    <Stack gap={4} aria-live="polite">
      <Progress value={((v.score + 1) / 5) * 100} color={COLORS[v.score]} size="sm" aria-label={`Password strength: ${LABELS[v.score]}`} />
      <Text size="xs" c={v.ok ? 'teal.9' : 'red.9'}>{v.ok ? `${LABELS[v.score]}: good to use.` : `${LABELS[v.score]}. ${v.advice.join(' ')}`}</Text>
    </Stack>
  );
}

/** The rule under every new-password field. */
export const PASSWORD_HINT = 'At least 10 characters that are hard to guess: a few unrelated words work well.';
