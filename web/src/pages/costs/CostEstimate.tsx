import { Anchor, Badge, Card, Group, List, Loader, Stack, Table, Text, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { get, type GetResult } from '../../api.ts';
import { ErrorNote } from '../../components.tsx';
import { caseKeys } from '../../queryKeys.ts';

type Estimate = GetResult<'/api/cases/{id}/estimate'>;

/**
 * What the request will likely cost, itemised, with what the patient's kind of coverage usually
 * does and what to ask their plan: shown before the request is sent and on the request after.
 * Staff see the billing codes each service maps to.
 */
export function CostEstimate({ caseId, staff = false }: { caseId: string; staff?: boolean }) {
  const { t, i18n } = useTranslation();
  const estimate = useQuery({ queryKey: caseKeys.part(caseId, 'estimate'), queryFn: () => get<Estimate>(`/cases/${caseId}/estimate`) });
  if (estimate.isPending) return <Loader size="sm" aria-label={t('cases:costs.loading')} />;
  if (estimate.error) return <ErrorNote error={estimate.error} />;
  const e = estimate.data;
  const money = (cents: number) => new Intl.NumberFormat(i18n.language, { style: 'currency', currency: e.currency }).format(cents / 100);
  const shown = e.lines.filter((l) => l.part !== 'optional');
  const options = e.lines.filter((l) => l.part === 'optional');
  return (
    <Card withBorder data-testid="cost-estimate">
      <Stack gap="sm">
        <Title order={4}>{t('cases:costs.title')}</Title>
        <Table>
          <Table.Tbody>
            {shown.map((l) => (
              <Table.Tr key={l.serviceId}>
                <Table.Td>
                  <Text fw={500}>{l.name}{l.part === 'possible' && <Badge ml="xs" variant="light" color="gray">{t('cases:costs.ifNeeded')}</Badge>}</Text>
                  <Text size="sm" c="dimmed">{l.part === 'possible' ? l.why : l.description}</Text>
                  {l.includes && <Text size="sm">{l.includes}</Text>}
                  {staff && <Text size="xs" c="dimmed">{l.codes.length ? l.codes.map((c) => `CPT ${c.code}: ${c.display}`).join('; ') : l.codeNote}</Text>}
                </Table.Td>
                <Table.Td ta="right" style={{ whiteSpace: 'nowrap' }}>{money(l.feeCents)}</Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
        <Group justify="space-between">
          <Text fw={700}>{t('cases:costs.total')}</Text>
          <Text fw={700}>{e.upToCents > e.totalCents ? t('cases:costs.range', { from: money(e.totalCents), to: money(e.upToCents) }) : money(e.totalCents)}</Text>
        </Group>
        <Text size="sm" c="dimmed">{e.priceNote}{e.pricesKeptFromSubmission ? ` ${t('cases:costs.keptPrices')}` : ''}</Text>
        {options.length > 0 && (
          <Stack gap={4}>
            <Text fw={500}>{t('cases:costs.options')}</Text>
            <List size="sm">{options.map((l) => <List.Item key={l.serviceId}>{t('cases:costs.option', { name: l.name, price: money(l.feeCents), description: l.description })}</List.Item>)}</List>
          </Stack>
        )}
        {e.guidance.map((g) => (
          <Stack key={g.id} gap={4}>
            <Text fw={500}>{t('cases:costs.coverage')}</Text>
            <Text size="sm">{g.text}</Text>
            <Text size="sm"><b>{t('cases:costs.ask')}</b> {g.ask}</Text>
            <Text size="xs" c="dimmed">
              {t('cases:costs.why', { why: g.why })}{' '}
              {g.sources.map((s, i) => <span key={s.id}>{i > 0 && '; '}{s.url ? <Anchor href={s.url} target="_blank" rel="noreferrer" size="xs">{s.title}</Anchor> : s.title}</span>)}
            </Text>
            <Text size="xs" c="dimmed">{g.limits}</Text>
          </Stack>
        ))}
        {e.guidance.length === 0 && <Text size="xs" c="dimmed">{t('cases:costs.notPromise')}</Text>}
      </Stack>
    </Card>
  );
}
