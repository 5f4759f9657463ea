import { Anchor, Group, Stack, Table, Text, TextInput, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { get, type Schema } from '../../api.ts';
import { useTranslation } from 'react-i18next';
import { ErrorNote, WideTable } from '../../components.tsx';
import { formatLocale } from '../../i18n.ts';

type Row = Schema<'BillingReportRow'>;
const monthOf = (d: Date) => d.toISOString().slice(0, 7);

/**
 * The money in aggregate: what was billed, paid, waived and is still owed, per month of issue and
 * service line, with totals, and the same as CSV for a spreadsheet. No request or patient is named.
 */
export function AdminBillingReportPage() {
  const { t } = useTranslation();
  const now = new Date();
  const [from, setFrom] = useState(monthOf(new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 11, 1))));
  const [to, setTo] = useState(monthOf(now));
  const valid = /^\d{4}-\d{2}$/.test(from) && /^\d{4}-\d{2}$/.test(to) && from <= to;
  const query = `from=${from}&to=${to}`;
  const report = useQuery({ queryKey: ['admin', 'billing-report', from, to], queryFn: () => get<Row[]>(`/admin/billing/report?${query}`), enabled: valid });
  const rows = report.data ?? [];
  const currencies = [...new Set(rows.map((r) => r.currency))];
  const money = (cents: number, currency: string) => new Intl.NumberFormat(formatLocale(), { style: 'currency', currency }).format(cents / 100);
  const sum = (currency: string, k: 'bills' | 'cancelled' | 'billedCents' | 'paidCents' | 'waivedCents' | 'outstandingCents' | 'overpaidCents') => rows.filter((r) => r.currency === currency).reduce((n, r) => n + r[k], 0);
  const label = (month: string) => new Date(`${month}-01T00:00:00Z`).toLocaleDateString(formatLocale(), { month: 'long', year: 'numeric', timeZone: 'UTC' });
  return (
    <Stack>
      <Title order={2}>{t('cases:billingReport.title')}</Title>
      <Text size="sm" c="dimmed">{t('cases:billingReport.intro')}</Text>
      <Group align="flex-end" wrap="wrap">
        <TextInput type="month" label={t('cases:billingReport.from')} value={from} onChange={(e) => setFrom(e.currentTarget.value)} w={180} />
        <TextInput type="month" label={t('cases:billingReport.to')} value={to} onChange={(e) => setTo(e.currentTarget.value)} w={180} error={valid ? undefined : t('cases:billingReport.wrongOrder')} />
        {valid && <Anchor href={`/api/admin/billing/report?${query}&format=csv`} size="sm" mb={8}>{t('cases:billingReport.csv')}</Anchor>}
      </Group>
      <ErrorNote error={report.error} />
      {valid && report.data && rows.length === 0 && <Text size="sm" c="dimmed">{t('cases:billingReport.none')}</Text>}
      {rows.length > 0 && (
        <WideTable minWidth={860}>
          <Table striped data-testid="billing-report">
            <Table.Thead>
              <Table.Tr><Table.Th>{t('cases:billingReport.head.month')}</Table.Th><Table.Th>{t('cases:billingReport.head.serviceLine')}</Table.Th><Table.Th ta="right">{t('cases:billingReport.head.bills')}</Table.Th><Table.Th ta="right">{t('cases:billingReport.head.billed')}</Table.Th><Table.Th ta="right">{t('cases:billingReport.head.paid')}</Table.Th><Table.Th ta="right">{t('cases:billingReport.head.waived')}</Table.Th><Table.Th ta="right">{t('cases:billingReport.head.owed')}</Table.Th><Table.Th ta="right">{t('cases:billingReport.head.refund')}</Table.Th></Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {rows.map((r) => (
                <Table.Tr key={`${r.month}-${r.serviceLine}-${r.currency}`}>
                  <Table.Td>{label(r.month)}</Table.Td>
                  <Table.Td>{r.serviceLineLabel}</Table.Td>
                  <Table.Td ta="right">{r.cancelled ? t('cases:billingReport.cancelled', { bills: r.bills, count: r.cancelled }) : r.bills}</Table.Td>
                  <Table.Td ta="right">{money(r.billedCents, r.currency)}</Table.Td>
                  <Table.Td ta="right">{money(r.paidCents, r.currency)}</Table.Td>
                  <Table.Td ta="right">{money(r.waivedCents, r.currency)}</Table.Td>
                  <Table.Td ta="right">{money(r.outstandingCents, r.currency)}</Table.Td>
                  <Table.Td ta="right">{money(r.overpaidCents, r.currency)}</Table.Td>
                </Table.Tr>
              ))}
              {currencies.map((c) => (
                <Table.Tr key={`total-${c}`} fw={700}>
                  <Table.Td colSpan={2}>{currencies.length > 1 ? t('cases:billingReport.totalIn', { currency: c }) : t('cases:billingReport.total')}</Table.Td>
                  <Table.Td ta="right">{sum(c, 'bills')}</Table.Td>
                  <Table.Td ta="right">{money(sum(c, 'billedCents'), c)}</Table.Td>
                  <Table.Td ta="right">{money(sum(c, 'paidCents'), c)}</Table.Td>
                  <Table.Td ta="right">{money(sum(c, 'waivedCents'), c)}</Table.Td>
                  <Table.Td ta="right">{money(sum(c, 'outstandingCents'), c)}</Table.Td>
                  <Table.Td ta="right">{money(sum(c, 'overpaidCents'), c)}</Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </WideTable>
      )}
    </Stack>
  );
}
