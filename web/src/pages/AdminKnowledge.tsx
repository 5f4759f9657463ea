import { Anchor, Badge, Group, Switch, Table, Text, TextInput, Title, Stack } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { Trans, useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { get, type GetResult } from '../api.ts';
import { ErrorNote, WideTable } from '../components.tsx';

type Review = GetResult<'/api/admin/knowledge/review'>;

/** When each rule, source and catalogue was last reviewed by a person; a year on, it is due again. */
export function AdminKnowledgePage() {
  const { t } = useTranslation();
  const review = useQuery({ queryKey: ['admin', 'knowledge'], queryFn: () => get<Review>('/admin/knowledge/review') });
  const [dueOnly, setDueOnly] = useState(false);
  const [q, setQ] = useState('');
  const d = review.data;
  const due = d?.entries.filter((e) => e.due).length ?? 0;
  const needle = q.trim().toLowerCase();
  const shown = (d?.entries ?? []).filter((e) => (!dueOnly || e.due) && (!needle || `${e.area} ${e.id} ${e.label}`.toLowerCase().includes(needle)));
  return (
    <Stack>
      <Title order={2}>{t('common:nav.item.knowledge')}</Title>
      <Text size="sm" c="dimmed">
        {t('admin:knowledge.intro')}{d && <> {t('admin:knowledge.dueAfter', { days: d.reviewEveryDays })}</>}{' '}
        <Trans t={t} i18nKey="admin:knowledge.rules" components={{ page: <Anchor component={Link} to="/assess/rules" /> }} />
      </Text>
      <ErrorNote error={review.error} />
      {d && (
        <>
          <Text fw={600} data-testid="knowledge-due">{due === 0 ? t('admin:knowledge.nothingDue', { count: d.entries.length, day: d.asOf }) : t('admin:knowledge.someDue', { count: due, total: d.entries.length, day: d.asOf })}</Text>
          <Group align="end">
            <TextInput label={t('admin:knowledge.search')} placeholder={t('admin:knowledge.searchPlaceholder')} value={q} onChange={(e) => setQ(e.currentTarget.value)} w={{ base: '100%', sm: 280 }} />
            <Switch label={t('admin:knowledge.dueOnly')} checked={dueOnly} onChange={(e) => setDueOnly(e.currentTarget.checked)} />
          </Group>
          <WideTable minWidth={720}>
            <Table striped verticalSpacing="xs">
              <Table.Thead><Table.Tr><Table.Th>{t('admin:knowledge.column.area')}</Table.Th><Table.Th>{t('admin:knowledge.column.entry')}</Table.Th><Table.Th>{t('admin:knowledge.column.says')}</Table.Th><Table.Th>{t('admin:knowledge.column.sources')}</Table.Th><Table.Th>{t('admin:knowledge.column.reviewed')}</Table.Th></Table.Tr></Table.Thead>
              <Table.Tbody>
                {shown.map((e) => (
                  <Table.Tr key={`${e.area}-${e.kind}-${e.id}`}>
                    <Table.Td><Text size="sm">{e.area}</Text><Text size="xs" c="dimmed">{e.kind}</Text></Table.Td>
                    <Table.Td><Text size="sm" ff="monospace">{e.id}</Text></Table.Td>
                    <Table.Td><Text size="sm">{e.label}</Text></Table.Td>
                    <Table.Td><Text size="xs">{e.sources.join(', ') || '—'}</Text></Table.Td>
                    <Table.Td><Group gap={4} wrap="nowrap"><Text size="sm">{e.reviewedOn || t('admin:knowledge.never')}</Text>{e.due && <Badge color="orange" variant="light">{t('admin:knowledge.due')}</Badge>}</Group></Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </WideTable>
          {shown.length === 0 && <Text size="sm">{t('admin:knowledge.noMatch')}</Text>}
        </>
      )}
    </Stack>
  );
}
