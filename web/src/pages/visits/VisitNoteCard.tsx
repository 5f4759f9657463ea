import { Alert, Button, Card, Group, PasswordInput, Text, Textarea, TextInput, Title } from '@mantine/core';
import { useMutation, useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { get, post, type GetResult } from '../../api.ts';
import { ErrorNote } from '../../components.tsx';
import { formatLocale } from '../../i18n.ts';

/**
 * The expert's note of a video visit. Once the opinion is issued, the lead reviewer adds it as an
 * addendum (signed like the report: password and authenticator code); before that it is kept as
 * a private review note for the opinion still being written.
 */
export function VisitNoteCard({ caseId, startsAt }: { caseId: string; startsAt: string }) {
  const { t } = useTranslation();
  const ws = useQuery({ queryKey: ['visit-note', caseId], queryFn: () => get<GetResult<'/api/cases/{id}/opinion'>>(`/cases/${caseId}/opinion`) });
  const [text, setText] = useState('');
  const [password, setPassword] = useState('');
  const [code, setCode] = useState('');
  const issued = (ws.data?.reports.length ?? 0) > 0;
  const lead = ws.data?.isLead ?? false;
  const day = new Date(startsAt).toLocaleDateString(formatLocale(), { dateStyle: 'long' });
  const save = useMutation({
    mutationFn: () => (issued
      ? post(`/cases/${caseId}/opinion/report/versions`, { kind: 'addendum', reason: t('visits:note.reason', { day }), text, password, code })
      : post(`/cases/${caseId}/opinion/notes`, { body: t('visits:note.body', { day, text }) })),
  });
  if (!ws.data) return null;
  return (
    <Card withBorder data-testid="visit-note">
      <Title order={3} size="h5">{t('visits:note.title')}</Title>
      <Text size="sm" c="dimmed">{issued ? (lead ? t('visits:note.asAddendum') : t('visits:note.leadOnly')) : t('visits:note.private')}</Text>
      <Textarea label={t('visits:note.discussed')} autosize minRows={3} value={text} onChange={(e) => setText(e.currentTarget.value)} mt="xs" maxLength={8000} />
      {issued && lead && (
        <Group mt="xs" align="end" wrap="wrap">
          <PasswordInput label={t('visits:note.password')} value={password} onChange={(e) => setPassword(e.currentTarget.value)} w={220} />
          <TextInput label={t('visits:note.code')} value={code} onChange={(e) => setCode(e.currentTarget.value)} w={220} inputMode="numeric" maxLength={6} />
        </Group>
      )}
      {save.isSuccess ? <Alert color="green" mt="sm" role="status">{issued ? t('visits:note.issued') : t('visits:note.saved')}</Alert> : (
        <Group mt="sm"><Button onClick={() => save.mutate()} loading={save.isPending} disabled={!text.trim() || (issued && (!lead || !password || code.length < 6))}>{issued ? t('visits:note.issue') : t('visits:note.save')}</Button></Group>
      )}
      <ErrorNote error={save.error} />
    </Card>
  );
}
