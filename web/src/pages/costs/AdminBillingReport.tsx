import { Anchor, Group, Stack, Table, Text, TextInput, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { get, type Schema } from '../../api.ts';
import { ErrorNote, WideTable } from '../../components.tsx';

type Row = Schema<'BillingReportRow'>;
const monthOf = (d: Date) => d.toISOString().slice(0, 7);

/**
 * The money in aggregate: what was billed, paid, waived and is still owed, per month of issue and
 * service line, with totals, and the same as CSV for a spreadsheet. No request or patient is named.
 */
export function AdminBillingReportPage() {
  const now = new Date();
  const [from, setFrom] = useState(monthOf(new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 11, 1))));
  const [to, setTo] = useState(monthOf(now));
  const valid = /^\d{4}-\d{2}$/.test(from) && /^\d{4}-\d{2}$/.test(to) && from <= to;
  const query = `from=${from}&to=${to}`;
  const report = useQuery({ queryKey: ['admin', 'billing-report', from, to], queryFn: () => get<Row[]>(`/admin/billing/report?${query}`), enabled: valid });
  const rows = report.data ?? [];
  const currencies = [...new Set(rows.map((r) => r.currency))];
  const money = (cents: number, currency: string) => new Intl.NumberFormat('en-US', { style: 'currency', currency }).format(cents / 100);
  const sum = (currency: string, k: 'bills' | 'cancelled' | 'billedCents' | 'paidCents' | 'waivedCents' | 'outstandingCents' | 'overpaidCents') => rows.filter((r) => r.currency === currency).reduce((n, r) => n + r[k], 0);
  const label = (month: string) => new Date(`${month}-01T00:00:00Z`).toLocaleDateString('en-US', { month: 'long', year: 'numeric', timeZone: 'UTC' });
  return (
    <Stack>
      <Title order={2}>Billing report</Title>
      <Text size="sm" c="dimmed">What was billed, paid, waived (written off or reduced by help with a bill) and is still owed, by the month a bill was issued and the service line of its request. Bills cancelled as issued in error are counted but not in the amounts; money paid beyond what a bill asked (an online payment for a bill settled meanwhile) is shown apart, to refund. No request or patient is named.</Text>
      <Group align="flex-end" wrap="wrap">
        <TextInput type="month" label="From (month)" value={from} onChange={(e) => setFrom(e.currentTarget.value)} w={180} />
        <TextInput type="month" label="To (month, included)" value={to} onChange={(e) => setTo(e.currentTarget.value)} w={180} error={valid ? undefined : 'The last month comes before the first.'} />
        {valid && <Anchor href={`/api/admin/billing/report?${query}&format=csv`} size="sm" mb={8}>Download as CSV</Anchor>}
      </Group>
      <ErrorNote error={report.error} />
      {valid && report.data && rows.length === 0 && <Text size="sm" c="dimmed">No bill was issued in these months.</Text>}
      {rows.length > 0 && (
        <WideTable minWidth={860}>
          <Table striped data-testid="billing-report">
            <Table.Thead>
              <Table.Tr><Table.Th>Month</Table.Th><Table.Th>Service line</Table.Th><Table.Th ta="right">Bills</Table.Th><Table.Th ta="right">Billed</Table.Th><Table.Th ta="right">Paid</Table.Th><Table.Th ta="right">Waived</Table.Th><Table.Th ta="right">Still owed</Table.Th><Table.Th ta="right">To refund</Table.Th></Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {rows.map((r) => (
                <Table.Tr key={`${r.month}-${r.serviceLine}-${r.currency}`}>
                  <Table.Td>{label(r.month)}</Table.Td>
                  <Table.Td>{r.serviceLineLabel}</Table.Td>
                  <Table.Td ta="right">{r.bills}{r.cancelled ? ` (+${r.cancelled} cancelled)` : ''}</Table.Td>
                  <Table.Td ta="right">{money(r.billedCents, r.currency)}</Table.Td>
                  <Table.Td ta="right">{money(r.paidCents, r.currency)}</Table.Td>
                  <Table.Td ta="right">{money(r.waivedCents, r.currency)}</Table.Td>
                  <Table.Td ta="right">{money(r.outstandingCents, r.currency)}</Table.Td>
                  <Table.Td ta="right">{money(r.overpaidCents, r.currency)}</Table.Td>
                </Table.Tr>
              ))}
              {currencies.map((c) => (
                <Table.Tr key={`total-${c}`} fw={700}>
                  <Table.Td colSpan={2}>Total{currencies.length > 1 ? ` (${c})` : ''}</Table.Td>
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
