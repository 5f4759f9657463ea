import { Anchor, Card, Loader, SimpleGrid, Stack, Table, Text, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { get, type Schema } from '../../api.ts';

type Outcomes = Schema<'OutcomesSummary'>;
import { ErrorNote } from '../../components.tsx';

/** Program outcomes for coordinators and admins: situations, concordance, turnaround, service levels. */
export function OutcomesPage() {
  const q = useQuery({ queryKey: ['outcomes'], queryFn: () => get<Outcomes>('/outcomes') });
  const { t } = useTranslation();
  if (q.isLoading) return <Loader role="status" aria-label={t('opinion:outcomes.loading')} />;
  if (q.error || !q.data) return <ErrorNote error={q.error} />;
  const o = q.data;
  return (
    <Stack>
      <Title order={2}>{t('opinion:outcomes.title')}</Title>
      <Anchor href="/api/outcomes?format=csv">{t('opinion:outcomes.csv')}</Anchor>
      <SimpleGrid cols={{ base: 1, md: 2, lg: 4 }}>
        <Card withBorder data-testid="concordance">
          <Title order={3} size="h5">{t('opinion:outcomes.concordance.title')}</Title>
          <Text>{t('opinion:outcomes.concordance.concordant', { count: o.concordance.concordant })}</Text>
          <Text>{t('opinion:outcomes.concordance.minor', { count: o.concordance.minor_discordance })}</Text>
          <Text>{t('opinion:outcomes.concordance.major', { count: o.concordance.major_discordance })}</Text>
          <Text fw={600} mt="xs">{t('opinion:outcomes.concordance.changed', { share: o.concordance.changedShare ?? '—', reviewed: o.concordance.reviewed })}</Text>
          <Text size="xs" c="dimmed">{o.concordance.reference}</Text>
        </Card>
        <Card withBorder>
          <Title order={3} size="h5">{t('opinion:outcomes.turnaround.title')}</Title>
          <Text>{t('opinion:outcomes.turnaround.median', { days: o.turnaroundDays.median ?? '—' })}</Text>
          <Text>{t('opinion:outcomes.turnaround.p90', { days: o.turnaroundDays.p90 ?? '—' })}</Text>
          <Text size="xs" c="dimmed">{t('opinion:outcomes.turnaround.signed', { count: o.turnaroundDays.signed })}</Text>
        </Card>
        <Card withBorder>
          <Title order={3} size="h5">{t('opinion:outcomes.sla.title')}</Title>
          <Text>{t('opinion:outcomes.sla.met', { count: o.sla.met })}</Text>
          <Text>{t('opinion:outcomes.sla.breached', { count: o.sla.breached })}</Text>
          <Text size="xs" c="dimmed">{t('opinion:outcomes.sla.withClock', { count: o.sla.withClock })}</Text>
        </Card>
        <Card withBorder data-testid="board-figures">
          <Title order={3} size="h5">{t('boards:outcomes.title')}</Title>
          <Text>{t('boards:outcomes.discussed')}: {o.boards.casesDiscussed}</Text>
          <Text>{t('boards:outcomes.median')}: {o.boards.medianDaysProposalToDiscussion ?? t('boards:outcomes.none')}</Text>
          <Text>{t('boards:outcomes.changed')}: {o.boards.changedPlanShare === null ? t('boards:outcomes.none') : `${Math.round(o.boards.changedPlanShare * 100)} %`}</Text>
        </Card>
      </SimpleGrid>
      <Card withBorder>
        <Title order={3} size="h5">{t('opinion:outcomes.bySituation', { count: o.cases })}</Title>
        <Table>
          <Table.Tbody>{o.bySituation.map((s: { id: number; label: string; cases: number }) => <Table.Tr key={s.id}><Table.Td>{s.label}</Table.Td><Table.Td>{s.cases}</Table.Td></Table.Tr>)}</Table.Tbody>
        </Table>
      </Card>
    </Stack>
  );
}
