import { useTranslation } from 'react-i18next';
import { shownTotal } from '../counts.ts';
import { Anchor, Badge, Card, Group, MultiSelect, NumberInput, Select, Stack, Table, Text, TextInput, Title } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { Link, useSearchParams } from 'react-router';
import { ageInDays, get, type GetResult } from '../api.ts';
import i18n from '../i18n.ts';
import { statusLabel } from '../labels.ts';
import { ErrorNote, SlaBadge, StatusBadge, UrgencyBadge } from '../components.tsx';
import { Pager } from '../pager.tsx';

const OPEN = ['submitted', 'collecting_records', 'ready_for_review', 'assigned', 'in_review', 'board', 'opinion_signed', 'delivered', 'on_hold'];
/** Ended cases are found by choosing them; the queue without a choice shows open ones. */
const ENDED = ['closed', 'cancelled'];
const PAGE_SIZE = 20;
type Row = GetResult<'/api/cases'>['items'][number];

// Badges keep their whole word: a narrow column wraps the row instead of cutting "Expedited".
const BADGE_CELL = { whiteSpace: 'nowrap', width: '1%' } as const;

/**
 * The coordinator's queue: filter by status, urgency, age and due date, search, sort and page.
 * Every filter is kept in the address, so back, reload and a shared link show the same list.
 */
export function QueuePage() {
  const { t } = useTranslation();
  const [params, setParams] = useSearchParams();
  const status = params.getAll('status');
  const urgency = params.get('urgency');
  const minAge = params.get('minAgeDays') ?? '';
  const sla = params.get('sla');
  const sort = params.get('sort') ?? 'urgency';
  const page = Number(params.get('page') ?? '1') || 1;
  // Set by "Next" on a long list: where the page before ended, so a deep page costs what the first does.
  const cursor = params.get('cursor');
  const [q, setQ] = useState(params.get('q') ?? '');
  const [debouncedQ] = useDebouncedValue(q, 300);
  /** Changes one filter and goes back to the first page. */
  const setFilter = (key: string, value: string | string[] | null) => setParams((p) => {
    p.delete(key);
    for (const v of Array.isArray(value) ? value : value ? [value] : []) p.append(key, v);
    p.delete('page');
    p.delete('cursor');
    return p;
  }, { replace: true });
  const toPage = (n: number, next?: string) => setParams((p) => {
    if (n > 1) p.set('page', String(n)); else p.delete('page');
    if (next) p.set('cursor', next); else p.delete('cursor');
    return p;
  });
  useEffect(() => { if ((params.get('q') ?? '') !== debouncedQ) setFilter('q', debouncedQ || null); }, [debouncedQ]); // eslint-disable-line react-hooks/exhaustive-deps

  const query = new URLSearchParams({ page: String(page), pageSize: String(PAGE_SIZE), sort });
  if (sla) query.set('sla', sla);
  (status.length ? status : OPEN).forEach((s) => query.append('status', s));
  if (urgency) query.set('urgency', urgency);
  if (minAge !== '') query.set('minAgeDays', minAge);
  if (debouncedQ) query.set('q', debouncedQ);
  if (cursor) query.set('cursor', cursor);
  const cases = useQuery({ queryKey: ['queue', query.toString()], queryFn: () => get<GetResult<'/api/cases'>>(`/cases?${query}`), placeholderData: keepPreviousData });
  const rows = cases.data?.items ?? [];
  return (
    <Stack>
      <Title order={2}>{t('common:nav.item.queue')}</Title>
      <Group align="end" wrap="wrap">
        <TextInput label={t('queue:search')} placeholder={t('queue:searchPlaceholder')} value={q} onChange={(e) => setQ(e.currentTarget.value)} w={{ base: '100%', sm: 300 }} />
        <MultiSelect label={t('queue:status')} data={[...OPEN, ...ENDED].map((s) => ({ value: s, label: statusLabel(s) }))} value={status} onChange={(v) => setFilter('status', v)} placeholder={status.length ? undefined : t('queue:allOpen')} clearable w={{ base: '100%', sm: 280 }} />
        <Select label={t('queue:urgency')} data={(['expedited', 'standard'] as const).map((value) => ({ value, label: t(`common:urgency.${value}`) }))} value={urgency} onChange={(v) => setFilter('urgency', v)} clearable placeholder={t('queue:any')} w={140} />
        <NumberInput label={t('queue:minAge')} value={minAge} onChange={(v) => setFilter('minAgeDays', v === '' ? null : String(v))} min={0} w={170} />
        <Select label={t('queue:due')} placeholder={t('queue:any')} data={(['at_risk', 'breached', 'on_track'] as const).map((value) => ({ value, label: t(`common:sla.${value}`) }))} value={sla} onChange={(v) => setFilter('sla', v)} w={150} clearable />
        <Select label={t('queue:sort')} data={(['urgency', 'oldest', 'newest'] as const).map((value) => ({ value, label: t(`queue:sorts.${value}`) }))} value={sort} onChange={(v) => setFilter('sort', v === 'urgency' ? null : v)} w={180} allowDeselect={false} />
      </Group>
      <ErrorNote error={cases.error} />
      <Table striped highlightOnHover aria-label={t('queue:cases')} visibleFrom="md">
        <Table.Thead>
          <Table.Tr>{(['reference', 'patient', 'condition', 'urgency', 'status', 'waiting', 'due', 'coordinator'] as const).map((c) => <Table.Th key={c}>{t(`queue:column.${c}`)}</Table.Th>)}</Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {rows.map((c) => (
            <Table.Tr key={c.id} data-testid="queue-row">
              <Table.Td style={{ whiteSpace: 'nowrap' }}><Anchor component={Link} to={`/cases/${c.id}`}>{c.reference}</Anchor><UnreadBadge c={c} /></Table.Td>
              <Table.Td>{c.patientName}</Table.Td>
              <Table.Td>{c.condition} <Text span c="dimmed" size="xs">{c.icd10Code}</Text></Table.Td>
              <Table.Td style={BADGE_CELL}><UrgencyBadge urgency={c.urgency} /></Table.Td>
              <Table.Td style={BADGE_CELL}><StatusBadge status={c.status} /></Table.Td>
              <Table.Td style={{ whiteSpace: 'nowrap' }}>{waiting(c)}</Table.Td>
              <Table.Td style={BADGE_CELL}><SlaBadge sla={c.sla} /></Table.Td>
              <Table.Td>{c.coordinatorName ?? <Text span c="dimmed" size="sm">{t('queue:unassigned')}</Text>}</Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
      {/* On a phone, one card per case with the same facts. */}
      <Stack gap="xs" hiddenFrom="md" role="region" aria-label={t('queue:cases')}>
        {rows.map((c) => <QueueCard key={c.id} c={c} />)}
      </Stack>
      {cases.data && cases.data.total === 0 && <Text c="dimmed">{t('queue:none')}</Text>}
      {cases.data && <Pager total={cases.data.total} estimated={cases.data.totalIsEstimate} page={page} pageSize={PAGE_SIZE} hasNext={!!cases.data.nextCursor} shown={rows.length} onPage={(n) => toPage(n)} onNext={() => toPage(page + 1, cases.data.nextCursor ?? undefined)} />}
      {cases.data && <Text size="sm" c="dimmed">{cases.data.totalIsEstimate ? t('common:count.casesAbout', { count: shownTotal(cases.data.total, true) }) : t('common:count.cases', { count: cases.data.total })}</Text>}
    </Stack>
  );
}

const waiting = (c: Row) => {
  const days = ageInDays(c.submittedAt);
  return days === null ? '—' : i18n.t('queue:days', { count: days });
};

/** New messages from the patient's side or the care team, linking to the case's message centre. */
function UnreadBadge({ c, inLink = false }: { c: Row; inLink?: boolean }) {
  const { t } = useTranslation();
  if (!c.unreadMessages) return null;
  const words = t('queue:newMessages', { count: c.unreadMessages });
  // Inside a card that is itself a link, the badge is only a label.
  return inLink
    ? <Badge color="grape" variant="light" data-testid="unread-messages">{words}</Badge>
    : <Badge display="block" w="fit-content" mt={2} size="xs" color="grape" variant="light" component={Link} to={`/cases/${c.id}?tab=messages`} data-testid="unread-messages" style={{ cursor: 'pointer' }}>{words}</Badge>;
}

function QueueCard({ c }: { c: Row }) {
  const { t } = useTranslation();
  return (
    <Card withBorder padding="sm" component={Link} to={`/cases/${c.id}`} data-testid="queue-card">
      <Group justify="space-between" wrap="nowrap" align="start">
        <Stack gap={0} style={{ minWidth: 0 }}>
          <Text fw={600}>{c.patientName ?? t('queue:noPatientName')}</Text>
          <Text size="sm">{c.condition} <Text span c="dimmed" size="xs">{c.icd10Code}</Text></Text>
          <Text size="xs" c="dimmed"><span style={{ whiteSpace: 'nowrap' }}>{c.reference}</span> · {ageInDays(c.submittedAt) === null
            // Not sent yet (a draft): nothing is waiting, so the card says so rather than "waiting —".
            ? t('queue:cardNotSent', { coordinator: c.coordinatorName ?? t('queue:unassigned') })
            : t('queue:card', { waiting: waiting(c), coordinator: c.coordinatorName ?? t('queue:unassigned') })}</Text>
        </Stack>
      </Group>
      <Group gap={6} mt={6}><UrgencyBadge urgency={c.urgency} /><StatusBadge status={c.status} />{c.sla && <SlaBadge sla={c.sla} />}<UnreadBadge c={c} inLink /></Group>
    </Card>
  );
}
