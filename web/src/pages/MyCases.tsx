import { Alert, Badge, Button, Card, Group, Stack, Text, Title } from '@mantine/core';
import { useState } from 'react';
import { useMutation, useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate } from 'react-router';
import { formatDate, get, post, type GetResult, type PostResult } from '../api.ts';
import type { Me } from '../auth.tsx';
import { ErrorNote, StatusBadge, UrgencyBadge, WholeReferences } from '../components.tsx';
import { PENDING_KEY } from './assess/storage.ts';

const opinionReady = (status: string) => status === 'delivered';

/** The patient's (or expert's) own cases, newest first. */
export function MyCasesPage({ me }: { me: Me }) {
  const navigate = useNavigate();
  const { t } = useTranslation();
  const cases = useQuery({ queryKey: ['cases', 'mine'], queryFn: () => get<GetResult<'/api/cases'>>('/cases?sort=newest&pageSize=100') });
  const create = useMutation({ mutationFn: () => post<PostResult<'/api/cases'>>('/cases'), onSuccess: (c) => navigate(`/cases/${c.id}`) });
  const canCreate = me.user.role === 'patient' || me.user.role === 'referring_physician';
  const [pending, setPending] = useState(() => localStorage.getItem(PENDING_KEY));
  const fromAssessment = useMutation({
    mutationFn: () => post<PostResult<'/api/cases'>>('/cases', { assessment: JSON.parse(pending ?? '{}') }),
    onSuccess: (c) => {
      localStorage.removeItem(PENDING_KEY);
      navigate(`/cases/${c.id}`);
    },
  });
  const dismiss = () => {
    localStorage.removeItem(PENDING_KEY);
    setPending(null);
  };
  return (
    <Stack>
      <Group justify="space-between">
        <Title order={2}>{me.user.role === 'patient' ? t('cases:mine.titlePatient') : t('cases:mine.titleOther')}</Title>
        {canCreate && <Button onClick={() => create.mutate()} loading={create.isPending}>{t('cases:mine.startNew')}</Button>}
      </Group>
      {pending && me.user.role === 'patient' && (
        <Alert color="indigo" title={t('cases:mine.pending.title')} data-testid="pending-assessment">
          <Text size="sm" mb="xs">{t('cases:mine.pending.text')}</Text>
          <Group>
            <Button size="sm" onClick={() => fromAssessment.mutate()} loading={fromAssessment.isPending}>{t('cases:mine.pending.start')}</Button>
            <Button size="sm" variant="subtle" onClick={dismiss}>{t('cases:mine.pending.dismiss')}</Button>
          </Group>
        </Alert>
      )}
      <ErrorNote error={cases.error ?? create.error ?? fromAssessment.error} />
      {cases.data?.items.length === 0 && <Text c="dimmed">{canCreate ? t('cases:mine.noneYet') : t('cases:mine.noneAssigned')}</Text>}
      {cases.data?.items.map((c) => (
        <Card key={c.id} withBorder component={Link} to={`/cases/${c.id}`} data-testid="case-card" bg={opinionReady(c.status) ? 'green.0' : undefined}>
          <Group justify="space-between">
            <Stack gap={2}>
              <Text fw={600}>{c.condition ?? t('cases:mine.unfinished')}</Text>
              <Text size="sm" c="dimmed"><WholeReferences text={t('cases:mine.line', { reference: c.reference, patient: c.patientName ?? t('cases:mine.noPatientYet'), date: formatDate(c.createdAt) })} /></Text>
            </Stack>
            <Group gap="xs">
              {c.unreadMessages > 0 && <Badge color="grape" variant="light" data-testid="unread-messages">{t('cases:mine.newMessages', { count: c.unreadMessages })}</Badge>}
              {opinionReady(c.status) && canCreate ? <Badge color="green" variant="filled">{t('cases:mine.opinionReady', { context: c.ownRequest ? undefined : 'theirs' })}</Badge> : <>{/* "Normal" tells the patient's side nothing; an urgent request says so. */}{(!canCreate || c.urgency !== 'standard') && <UrgencyBadge urgency={c.urgency} />}<StatusBadge status={c.status} /></>}
            </Group>
          </Group>
        </Card>
      ))}
    </Stack>
  );
}
