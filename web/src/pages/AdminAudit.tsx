import { useTranslation } from 'react-i18next';
import { shownTotal } from '../counts.ts';
import { Alert, Button, Code, Group, Select, Stack, Table, Text, TextInput, Title } from '@mantine/core';
import { keepPreviousData, useMutation, useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { formatDate, get, post, type GetResult, type PostResult } from '../api.ts';
import { roleLabel } from '../labels.ts';
import { ErrorNote, WideTable } from '../components.tsx';
import { Pager } from '../pager.tsx';

const OUTCOMES = ['success', 'denied', 'failure'] as const;
type Outcome = (typeof OUTCOMES)[number];
const isOutcome = (o: string): o is Outcome => (OUTCOMES as readonly string[]).includes(o);

export function AdminAuditPage() {
  const { t } = useTranslation();
  const [filters, setFilters] = useState({ action: '', caseReference: '', outcome: '', from: '', to: '' });
  const [page, setPage] = useState(1);
  // "Next" on a long trail starts where the page before ended (the events are numbered).
  const [before, setBefore] = useState<string | null>(null);
  const toPage = (n: number, next: string | null = null) => { setPage(n); setBefore(next); };
  const params = new URLSearchParams({ page: String(page), pageSize: '50' });
  if (before) params.set('before', before);
  for (const [k, v] of Object.entries(filters)) if (v) params.set(k, v);
  const events = useQuery({ queryKey: ['audit', params.toString()], queryFn: () => get<GetResult<'/api/admin/audit'>>(`/admin/audit?${params}`), placeholderData: keepPreviousData });
  const verify = useMutation({ mutationFn: () => post<PostResult<'/api/admin/audit/verify'>>('/admin/audit/verify') });
  const set = (k: keyof typeof filters) => (v: string) => { setFilters({ ...filters, [k]: v }); toPage(1); };
  return (
    <Stack>
      <Group justify="space-between">
        <Title order={2}>{t('common:nav.item.audit')}</Title>
        <Button variant="light" onClick={() => verify.mutate()} loading={verify.isPending}>{t('admin:audit.verify')}</Button>
      </Group>
      {verify.data && (verify.data.ok
        ? <Alert color="green">{t('admin:audit.intact', { count: verify.data.checked })}</Alert>
        : <Alert color="red">{t('admin:audit.broken', { seq: verify.data.firstBrokenSeq, reason: verify.data.reason })}</Alert>)}
      <Group align="end">
        <TextInput label={t('admin:audit.action')} placeholder={t('admin:audit.actionExample')} value={filters.action} onChange={(e) => set('action')(e.currentTarget.value)} />
        <TextInput label={t('admin:audit.caseReference')} placeholder={t('admin:audit.referenceExample')} value={filters.caseReference} onChange={(e) => set('caseReference')(e.currentTarget.value.trim())} w={200} />
        <Select label={t('admin:audit.outcome')} clearable data={OUTCOMES.map((value) => ({ value, label: t(`admin:audit.outcomes.${value}`) }))} value={filters.outcome || null} onChange={(v) => set('outcome')(v ?? '')} />
        <TextInput label={t('admin:audit.from')} type="date" value={filters.from} onChange={(e) => set('from')(e.currentTarget.value)} />
        <TextInput label={t('admin:audit.to')} type="date" value={filters.to} onChange={(e) => set('to')(e.currentTarget.value)} />
      </Group>
      <ErrorNote error={events.error} />
      <WideTable minWidth={900}>
        <Table striped aria-label={t('admin:audit.table')}>
          <Table.Thead><Table.Tr><Table.Th>#</Table.Th><Table.Th>{t('admin:audit.column.when')}</Table.Th><Table.Th>{t('admin:audit.column.who')}</Table.Th><Table.Th>{t('admin:audit.column.action')}</Table.Th><Table.Th>{t('admin:audit.column.entity')}</Table.Th><Table.Th>{t('admin:audit.column.outcome')}</Table.Th><Table.Th>{t('admin:audit.column.ip')}</Table.Th></Table.Tr></Table.Thead>
          <Table.Tbody>
            {events.data?.items.map((e) => (
              <Table.Tr key={e.seq}>
                <Table.Td>{e.seq}</Table.Td><Table.Td>{formatDate(e.at)}</Table.Td>
                <Table.Td>{e.actorName ?? t('admin:audit.anonymous')}<Text size="xs" c="dimmed">{e.actorRole ? roleLabel(e.actorRole) : ''}</Text></Table.Td>
                <Table.Td>{e.what}<Text size="xs" c="dimmed"><Code>{e.action}</Code></Text></Table.Td><Table.Td>{e.entityType}{e.caseReference ? <Text size="xs" c="dimmed">{e.caseReference}</Text> : null}</Table.Td>
                <Table.Td>{isOutcome(e.outcome) ? t(`admin:audit.outcomes.${e.outcome}`) : e.outcome}</Table.Td><Table.Td><Text size="xs">{e.ip}</Text></Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </WideTable>
      {events.data && <Pager total={events.data.total} estimated={events.data.totalIsEstimate} page={page} pageSize={50} hasNext={!!events.data.nextCursor} shown={events.data.items.length} onPage={(n) => toPage(n)} onNext={() => toPage(page + 1, events.data.nextCursor)} />}
      {events.data && <Text size="sm" c="dimmed">{events.data.totalIsEstimate ? t('common:count.eventsAbout', { count: shownTotal(events.data.total, true) }) : t('common:count.events', { count: events.data.total })}</Text>}
    </Stack>
  );
}
