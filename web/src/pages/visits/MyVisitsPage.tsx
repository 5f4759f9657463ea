import { Anchor, Badge, Button, Card, Group, Loader, Stack, Text, Title } from '@mantine/core';
import { useMe } from '../../auth.tsx';
import { useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { get, type GetResult } from '../../api.ts';
import { ErrorNote } from '../../components.tsx';
import { formatLocale } from '../../i18n.ts';
import { languageName } from '../../languages.ts';

type Visit = GetResult<'/api/visits/mine'>[number];

/**
 * The video visits one takes part in as expert or interpreter, from yesterday on: when, what,
 * with whom, and the way in once the room is open. An interpreter sees no more of the case.
 */
export function MyVisitsPage() {
  const { t } = useTranslation();
  const expert = useMe().data?.user.role === 'expert';
  const visits = useQuery({ queryKey: ['visits', 'mine'], queryFn: () => get<Visit[]>('/visits/mine'), refetchInterval: 60_000 });
  return (
    <Stack gap="md">
      <Title order={2}>{t('visits:mine.title')}</Title>
      <Text size="sm" c="dimmed">{t('visits:mine.intro', { zone: Intl.DateTimeFormat().resolvedOptions().timeZone })}</Text>
      {visits.isLoading && <Loader role="status" aria-label={t('visits:mine.loading')} />}
      <ErrorNote error={visits.error} />
      {visits.data?.length === 0 && <Text>{expert ? t('visits:mine.noneExpert') : t('visits:mine.noneInterpreter')}</Text>}
      {visits.data?.map((v) => (
        <Card withBorder key={v.id} data-testid="my-visit">
          <Group justify="space-between" wrap="wrap">
            <Stack gap={2}>
              <Text fw={600}>{new Date(v.startsAt).toLocaleString(formatLocale(), { dateStyle: 'full', timeStyle: 'short' })}</Text>
              <Text size="sm">{v.typeLabel}</Text>
              {expert ? <Anchor component={Link} to={`/cases/${v.caseId}?tab=visits`} size="sm">{t('visits:mine.open')}</Anchor> : <Text size="sm">{t('visits:mine.expert', { name: v.expertName })}</Text>}
              {v.interpreterLanguage && <Text size="sm" c="dimmed">{v.interpreterName ? t('visits:mine.interpretingBy', { language: languageName(v.interpreterLanguage), name: v.interpreterName }) : t('visits:mine.interpreting', { language: languageName(v.interpreterLanguage) })}</Text>}
            </Stack>
            <Group gap="xs">
              <Badge color={v.status === 'ended' ? 'green' : 'blue'}>{v.status === 'ended' ? t('visits:panel.status.ended') : t('visits:panel.status.booked')}</Badge>
              {v.roomOpen ? <Button component={Link} to={`/visits/${v.id}`}>{t('visits:panel.join')}</Button> : !v.past && v.status === 'booked' && <Text size="sm" c="dimmed">{t('visits:mine.opensSoon')}</Text>}
            </Group>
          </Group>
        </Card>
      ))}
    </Stack>
  );
}
