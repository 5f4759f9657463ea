import { Progress, Stack, Text } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { post, type PostResult } from '../api.ts';

/** The estimator's scores 0 to 4, as the catalogue names them. */
const LEVELS = ['veryWeak', 'weak', 'fair', 'strong', 'veryStrong'] as const;
const COLORS = ['red', 'red', 'orange', 'teal', 'green'];

/**
 * How strong the password being typed is, judged by the same rules the server applies when it is
 * saved, with what to change in plain words. Asked for a moment after typing stops.
 */
export function PasswordStrength({ password, email, name, token }: { password: string; email?: string; name?: string; token?: string }) {
  const { t } = useTranslation();
  const [settled, setSettled] = useState(password);
  useEffect(() => {
    const timer = setTimeout(() => setSettled(password), 300);
    return () => clearTimeout(timer);
  }, [password]);
  const verdict = useQuery({
    queryKey: ['password-strength', settled, email, name, token],
    queryFn: () => post<PostResult<'/api/auth/password-strength'>>('/auth/password-strength', { password: settled, ...(email ? { email } : {}), ...(name ? { name } : {}), ...(token ? { token } : {}) }),
    enabled: settled.length > 0,
    staleTime: Infinity,
  });
  if (!password || !verdict.data) return null;
  const v = verdict.data;
  const level = t(`auth:strength.level.${LEVELS[v.score] ?? 'veryWeak'}`);
  return (
    <Stack gap={4} aria-live="polite">
      <Progress value={((v.score + 1) / 5) * 100} color={COLORS[v.score]} size="sm" aria-label={t('auth:strength.label', { level })} />
      <Text size="xs" c={v.ok ? 'teal.9' : 'red.9'}>{v.ok ? t('auth:strength.good', { level }) : t('auth:strength.weak', { level, advice: v.advice.join(' ') })}</Text>
    </Stack>
  );
}
