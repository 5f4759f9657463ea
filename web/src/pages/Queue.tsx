import { Anchor, Group, MultiSelect, NumberInput, Pagination, Select, Stack, Table, Text, TextInput, Title } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { Link } from 'react-router';
import { ageInDays, get, STATUS_LABELS, type GetResult } from '../api.ts';
import { ErrorNote, SlaBadge, StatusBadge, UrgencyBadge } from '../components.tsx';

const OPEN = ['submitted', 'collecting_records', 'ready_for_review', 'assigned', 'in_review', 'board', 'opinion_signed', 'delivered', 'on_hold'];

/** The coordinator's queue: filter by status, urgency and age, search, sort and page. */
export function QueuePage() {
  const [status, setStatus] = useState<string[]>(['submitted']);
  const [urgency, setUrgency] = useState<string | null>(null);
  const [minAge, setMinAge] = useState<number | string>('');
  const [q, setQ] = useState('');
  const [sort, setSort] = useState('urgency');
  const [sla, setSla] = useState<string | null>(null);
  const [page, setPage] = useState(1);
  const [debouncedQ] = useDebouncedValue(q, 300);
  const params = new URLSearchParams({ page: String(page), pageSize: '20', sort });
  if (sla) params.set('sla', sla);
  (status.length ? status : OPEN).forEach((s) => params.append('status', s));
  if (urgency) params.set('urgency', urgency);
  if (minAge !== '') params.set('minAgeDays', String(minAge));
  if (debouncedQ) params.set('q', debouncedQ);
  const cases = useQuery({ queryKey: ['queue', params.toString()], queryFn: () => get<GetResult<'/api/cases'>>(`/cases?${params}`), placeholderData: keepPreviousData });
  const reset = <T,>(fn: (v: T) => void) => (v: T) => { fn(v); setPage(1); };
  return (
    <Stack>
      <Title order={2}>Case queue</Title>
      <Group align="end" wrap="wrap">
        <TextInput label="Search" placeholder="Name, reference, condition or code" value={q} onChange={(e) => reset(setQ)(e.currentTarget.value)} w={260} />
        <MultiSelect label="Status" data={OPEN.map((s) => ({ value: s, label: STATUS_LABELS[s]! }))} value={status} onChange={reset(setStatus)} placeholder="All open" clearable w={280} />
        <Select label="Urgency" data={[{ value: 'expedited', label: 'Expedited' }, { value: 'standard', label: 'Standard' }]} value={urgency} onChange={reset(setUrgency)} clearable placeholder="Any" w={140} />
        <NumberInput label="Waiting at least (days)" value={minAge} onChange={reset(setMinAge)} min={0} w={170} />
        <Select label="Opinion due" placeholder="Any" data={[{ value: 'at_risk', label: 'At risk' }, { value: 'breached', label: 'Overdue' }, { value: 'on_track', label: 'On track' }]} value={sla} onChange={(v) => reset(setSla)(v)} w={150} clearable />
        <Select label="Sort" data={[{ value: 'urgency', label: 'Urgent first' }, { value: 'oldest', label: 'Oldest first' }, { value: 'newest', label: 'Newest first' }]} value={sort} onChange={(v) => reset(setSort)(v ?? 'urgency')} w={150} allowDeselect={false} />
      </Group>
      <ErrorNote error={cases.error} />
      <Table.ScrollContainer minWidth={700}>
        <Table striped highlightOnHover aria-label="Cases">
          <Table.Thead>
            <Table.Tr><Table.Th>Reference</Table.Th><Table.Th>Patient</Table.Th><Table.Th>Condition</Table.Th><Table.Th>Urgency</Table.Th><Table.Th>Status</Table.Th><Table.Th>Waiting</Table.Th><Table.Th>Opinion due</Table.Th><Table.Th>Coordinator</Table.Th></Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {cases.data?.items.map((c) => (
              <Table.Tr key={c.id} data-testid="queue-row">
                <Table.Td><Anchor component={Link} to={`/cases/${c.id}`}>{c.reference}</Anchor></Table.Td>
                <Table.Td>{c.patientName}</Table.Td>
                <Table.Td>{c.condition} <Text span c="dimmed" size="xs">{c.icd10Code}</Text></Table.Td>
                <Table.Td><UrgencyBadge urgency={c.urgency} /></Table.Td>
                <Table.Td><StatusBadge status={c.status} /></Table.Td>
                <Table.Td>{ageInDays(c.submittedAt) ?? '—'} d</Table.Td>
                <Table.Td><SlaBadge sla={c.sla} /></Table.Td>
                <Table.Td>{c.coordinatorName ?? <Text span c="dimmed" size="sm">unassigned</Text>}</Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
      {cases.data && cases.data.total === 0 && <Text c="dimmed">No cases match these filters.</Text>}
      {cases.data && cases.data.total > 20 && <Pagination total={Math.ceil(cases.data.total / 20)} value={page} onChange={setPage} />}
      {cases.data && <Text size="sm" c="dimmed">{cases.data.total} case(s)</Text>}
    </Stack>
  );
}
