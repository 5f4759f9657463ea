import { formatLocale } from '../../i18n.ts';
import { Anchor, Badge, Button, Card, Group, Loader, Stack, Text, Title } from '@mantine/core';
import { useMe } from '../../auth.tsx';
import { useQuery } from '@tanstack/react-query';
import { Link } from 'react-router';
import { get, type GetResult } from '../../api.ts';
import { ErrorNote } from '../../components.tsx';
import { languageName } from '../../languages.ts';

type Visit = GetResult<'/api/visits/mine'>[number];

/**
 * The video visits one takes part in as expert or interpreter, from yesterday on: when, what,
 * with whom, and the way in once the room is open. An interpreter sees no more of the case.
 */
export function MyVisitsPage() {
  const expert = useMe().data?.user.role === 'expert';
  const visits = useQuery({ queryKey: ['visits', 'mine'], queryFn: () => get<Visit[]>('/visits/mine'), refetchInterval: 60_000 });
  return (
    <Stack gap="md">
      <Title order={2}>My video visits</Title>
      <Text size="sm" c="dimmed">The room opens 15 minutes before each visit. Times are in your time zone ({Intl.DateTimeFormat().resolvedOptions().timeZone}).</Text>
      {visits.isLoading && <Loader role="status" aria-label="Loading your visits" />}
      <ErrorNote error={visits.error} />
      {visits.data?.length === 0 && <Text>{expert ? 'No video visits are booked with you.' : 'No video visits are booked for you yet. A coordinator books you into a visit when a patient asks for an interpreter in one of your languages; you get an email with a calendar invitation.'}</Text>}
      {visits.data?.map((v) => (
        <Card withBorder key={v.id} data-testid="my-visit">
          <Group justify="space-between" wrap="wrap">
            <Stack gap={2}>
              <Text fw={600}>{new Date(v.startsAt).toLocaleString(formatLocale(), { dateStyle: 'full', timeStyle: 'short' })}</Text>
              <Text size="sm">{v.typeLabel}</Text>
              {expert ? <Anchor component={Link} to={`/cases/${v.caseId}?tab=visits`} size="sm">Open the request</Anchor> : <Text size="sm">Expert: {v.expertName}</Text>}
              {v.interpreterLanguage && <Text size="sm" c="dimmed">Interpreting: {languageName(v.interpreterLanguage)}{v.interpreterName ? ` (${v.interpreterName})` : ''}</Text>}
            </Stack>
            <Group gap="xs">
              <Badge color={v.status === 'ended' ? 'green' : 'blue'}>{v.status === 'ended' ? 'Took place' : 'Booked'}</Badge>
              {v.roomOpen ? <Button component={Link} to={`/visits/${v.id}`}>Join the visit</Button> : !v.past && v.status === 'booked' && <Text size="sm" c="dimmed">Opens 15 minutes before</Text>}
            </Group>
          </Group>
        </Card>
      ))}
    </Stack>
  );
}
