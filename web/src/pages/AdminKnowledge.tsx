import { Anchor, Badge, Group, Switch, Table, Text, TextInput, Title, Stack } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { Link } from 'react-router';
import { get, type GetResult } from '../api.ts';
import { ErrorNote, WideTable } from '../components.tsx';

type Review = GetResult<'/api/admin/knowledge/review'>;

/** When each rule, source and catalogue was last reviewed by a person; a year on, it is due again. */
export function AdminKnowledgePage() {
  const review = useQuery({ queryKey: ['admin', 'knowledge'], queryFn: () => get<Review>('/admin/knowledge/review') });
  const [dueOnly, setDueOnly] = useState(false);
  const [q, setQ] = useState('');
  const d = review.data;
  const due = d?.entries.filter((e) => e.due).length ?? 0;
  const needle = q.trim().toLowerCase();
  const shown = (d?.entries ?? []).filter((e) => (!dueOnly || e.due) && (!needle || `${e.area} ${e.id} ${e.label}`.toLowerCase().includes(needle)));
  return (
    <Stack>
      <Title order={2}>Knowledge review</Title>
      <Text size="sm" c="dimmed">
        The rules, sources and catalogues behind assessments, reviewers, tumor boards, visits and trial suggestions, with the day a person last checked each against its source.
        {d ? ` Anything not reviewed for ${d.reviewEveryDays} days is due.` : ''} Clinicians read the assessment rules in full at <Anchor component={Link} to="/assess/rules">the rules page</Anchor>.
      </Text>
      <ErrorNote error={review.error} />
      {d && (
        <>
          <Text fw={600} data-testid="knowledge-due">{due === 0 ? `Nothing is due for review (${d.entries.length} entries, as of ${d.asOf}).` : `${due} of ${d.entries.length} entries are due for review (as of ${d.asOf}).`}</Text>
          <Group align="end">
            <TextInput label="Search" placeholder="area, id or words" value={q} onChange={(e) => setQ(e.currentTarget.value)} w={{ base: '100%', sm: 280 }} />
            <Switch label="Only those due" checked={dueOnly} onChange={(e) => setDueOnly(e.currentTarget.checked)} />
          </Group>
          <WideTable minWidth={720}>
            <Table striped verticalSpacing="xs">
              <Table.Thead><Table.Tr><Table.Th>Area</Table.Th><Table.Th>Entry</Table.Th><Table.Th>Says or names</Table.Th><Table.Th>Sources</Table.Th><Table.Th>Last reviewed</Table.Th></Table.Tr></Table.Thead>
              <Table.Tbody>
                {shown.map((e) => (
                  <Table.Tr key={`${e.area}-${e.kind}-${e.id}`}>
                    <Table.Td><Text size="sm">{e.area}</Text><Text size="xs" c="dimmed">{e.kind}</Text></Table.Td>
                    <Table.Td><Text size="sm" ff="monospace">{e.id}</Text></Table.Td>
                    <Table.Td><Text size="sm">{e.label}</Text></Table.Td>
                    <Table.Td><Text size="xs">{e.sources.join(', ') || '—'}</Text></Table.Td>
                    <Table.Td><Group gap={4} wrap="nowrap"><Text size="sm">{e.reviewedOn || 'Never'}</Text>{e.due && <Badge color="orange" variant="light">Due</Badge>}</Group></Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </WideTable>
          {shown.length === 0 && <Text size="sm">No entry matches.</Text>}
        </>
      )}
    </Stack>
  );
}
