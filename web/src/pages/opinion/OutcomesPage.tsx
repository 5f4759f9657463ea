import { Anchor, Card, Loader, SimpleGrid, Stack, Table, Text, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { get, type Schema } from '../../api.ts';

type Outcomes = Schema<'OutcomesSummary'>;
import { ErrorNote } from '../../components.tsx';

/** Program outcomes for coordinators and admins: situations, concordance, turnaround, service levels. */
export function OutcomesPage() {
  const q = useQuery({ queryKey: ['outcomes'], queryFn: () => get<Outcomes>('/outcomes') });
  if (q.isLoading) return <Loader aria-label="Loading outcomes" />;
  if (q.error || !q.data) return <ErrorNote error={q.error} />;
  const o = q.data;
  return (
    <Stack>
      <Title order={2}>Outcomes</Title>
      <Anchor href="/api/outcomes?format=csv">Download as CSV</Anchor>
      <SimpleGrid cols={{ base: 1, md: 3 }}>
        <Card withBorder data-testid="concordance">
          <Title order={3} size="h5">Diagnosis after expert review</Title>
          <Text>Concordant: {o.concordance.concordant}</Text>
          <Text>Minor discordance: {o.concordance.minor_discordance}</Text>
          <Text>Major discordance: {o.concordance.major_discordance}</Text>
          <Text fw={600} mt="xs">Changed: {o.concordance.changedShare ?? '—'} % of {o.concordance.reviewed} reviewed</Text>
          <Text size="xs" c="dimmed">{o.concordance.reference}</Text>
        </Card>
        <Card withBorder>
          <Title order={3} size="h5">Turnaround (ready for review → signed)</Title>
          <Text>Median: {o.turnaroundDays.median ?? '—'} days</Text>
          <Text>90th percentile: {o.turnaroundDays.p90 ?? '—'} days</Text>
          <Text size="xs" c="dimmed">{o.turnaroundDays.signed} signed opinions</Text>
        </Card>
        <Card withBorder>
          <Title order={3} size="h5">Service levels</Title>
          <Text>Met: {o.sla.met}</Text>
          <Text>Breached: {o.sla.breached}</Text>
          <Text size="xs" c="dimmed">{o.sla.withClock} cases with a running or finished clock</Text>
        </Card>
      </SimpleGrid>
      <Card withBorder>
        <Title order={3} size="h5">Cases by situation ({o.cases} submitted)</Title>
        <Table>
          <Table.Tbody>{o.bySituation.map((s: { id: number; label: string; cases: number }) => <Table.Tr key={s.id}><Table.Td>{s.label}</Table.Td><Table.Td>{s.cases}</Table.Td></Table.Tr>)}</Table.Tbody>
        </Table>
      </Card>
    </Stack>
  );
}
