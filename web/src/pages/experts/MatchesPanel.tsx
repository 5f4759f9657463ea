import { Badge, Card, Group, Loader, SegmentedControl, Stack, Table, Text, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { get } from '../../api.ts';
import { ErrorNote } from '../../components.tsx';

const FACTOR_LABELS: Record<string, string> = {
  conditionFocus: 'Focus on this condition', procedureVolume: 'Operations a year', center: 'Center (academic, tumor boards, trials)', language: 'Language',
  consultMode: 'Consult mode', insurance: 'Insurance', load: 'Current load', turnaround: 'Past turnaround',
};

/** The experts the case needs, one proposal per reviewer role, with every reason shown. */
export function MatchesPanel({ caseId }: { caseId: string }) {
  const [mode, setMode] = useState('records_review');
  const m = useQuery({ queryKey: ['case', caseId, 'matches', mode], queryFn: () => get(`/cases/${caseId}/matches?consultMode=${mode}`) });
  return (
    <Stack>
      <Group justify="space-between">
        <Title order={3}>Experts for this case</Title>
        <SegmentedControl aria-label="Consultation" value={mode} onChange={setMode} data={[{ value: 'records_review', label: 'Records review' }, { value: 'video', label: 'Video consultation' }]} />
      </Group>
      <Text size="sm" c="dimmed">The roles come from the assessment rules; experts are filtered (specialty, licence, conflicts, availability, capacity), then ranked by weighted factors.</Text>
      {m.isLoading && <Loader aria-label="Matching experts" />}
      <ErrorNote error={m.error} />
      {m.data?.team.map((t: any) => (
        <Card key={t.role} withBorder data-testid={`role-${t.role}`}>
          <Group justify="space-between" mb="xs">
            <Text fw={600}>{t.roleLabel}</Text>
            {t.proposed ? <Badge color="green" variant="light">Proposed: {t.proposed.name} · {Math.round(t.proposed.score * 100)}</Badge> : <Badge color="orange">No eligible expert</Badge>}
          </Group>
          {t.proposed && (
            <Table verticalSpacing={2} mb="xs">
              <Table.Thead><Table.Tr><Table.Th>Factor</Table.Th><Table.Th>Value</Table.Th><Table.Th>Weight</Table.Th><Table.Th>Why</Table.Th></Table.Tr></Table.Thead>
              <Table.Tbody>
                {t.proposed.factors.map((f: any) => (
                  <Table.Tr key={f.factor}><Table.Td>{FACTOR_LABELS[f.factor] ?? f.factor}</Table.Td><Table.Td>{Math.round(f.value * 100)}%</Table.Td><Table.Td>{f.weight}</Table.Td><Table.Td><Text size="xs">{f.reason}</Text></Table.Td></Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          )}
          <Text size="sm" fw={500}>Other candidates</Text>
          {t.candidates.filter((c: any) => c.userId !== t.proposed?.userId).slice(0, 8).map((c: any) => (
            <Text key={c.userId} size="xs">{c.name}: {c.eligible ? `score ${Math.round(c.score * 100)}` : `excluded: ${c.excludedBecause.join(' ')}`}</Text>
          ))}
        </Card>
      ))}
    </Stack>
  );
}
