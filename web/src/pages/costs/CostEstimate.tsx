import { Accordion, Alert, Anchor, Badge, Button, Card, Group, List, Loader, NativeSelect, NumberInput, Stack, Table, Text, TextInput, Title } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { formatLocale } from '../../i18n.ts';
import { formatDay, get, localDay, post, type GetResult, type Schema } from '../../api.ts';
import { ErrorNote } from '../../components.tsx';
import { caseKeys } from '../../queryKeys.ts';
import { InsuranceCardPhotos, type ReadIds } from './InsuranceCard.tsx';
import { Invoices } from './Invoices.tsx';

type Estimate = GetResult<'/api/cases/{id}/estimate'>;

/**
 * What the request will likely cost, itemised, with what the patient's kind of coverage usually
 * does and what to ask their plan: shown before the request is sent and on the request after.
 * Staff see the billing codes each service maps to.
 */
export function CostEstimate({ caseId, sent = false, staff = false, recordInsurer = false, cardNumbers }: { caseId: string; sent?: boolean; staff?: boolean; recordInsurer?: boolean; cardNumbers?: ReadIds }) {
  const { t, i18n } = useTranslation();
  const estimate = useQuery({ queryKey: caseKeys.part(caseId, 'estimate'), queryFn: () => get<Estimate>(`/cases/${caseId}/estimate`) });
  // Once a bill is issued, it is what is owed: the estimate says so (the same list the bills card reads).
  const bills = useQuery({ queryKey: caseKeys.part(caseId, 'estimate', 'invoices'), queryFn: () => get<Schema<'Invoice'>[]>(`/cases/${caseId}/invoices`), enabled: sent });
  const billed = (bills.data ?? []).some((b) => b.status !== 'draft' && b.status !== 'void');
  if (estimate.isPending) return <Loader size="sm" aria-label={t('cases:costs.loading')} />;
  if (estimate.error) return <ErrorNote error={estimate.error} />;
  const e = estimate.data;
  const money = (cents: number) => new Intl.NumberFormat(formatLocale(), { style: 'currency', currency: e.currency }).format(cents / 100);
  const shown = e.lines.filter((l) => l.part !== 'optional');
  const options = e.lines.filter((l) => l.part === 'optional');
  return (
    <>
    <Card withBorder data-testid="cost-estimate">
      <Stack gap="sm">
        <Title order={4}>{t('cases:costs.title')}</Title>
        {staff && <Text size="xs" c="dimmed">{t('cases:costs.asPatientSees')}</Text>}
        {billed && <Alert color="blue" p="xs">{t('cases:costs.billedSeeBill')}</Alert>}
        {!e.pricesSet && !billed && <Alert color="yellow" p="xs">{staff ? t('cases:costs.examplePricesStaff') : t('cases:costs.examplePrices')}</Alert>}
        <Table>
          <Table.Tbody>
            {shown.map((l) => (
              <Table.Tr key={l.serviceId}>
                <Table.Td>
                  <Text fw={500}>{l.name}{l.part === 'possible' && <Badge ms="xs" variant="light" color="gray">{t('cases:costs.ifNeeded')}</Badge>}</Text>
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
        <Text size="sm" c="dimmed">{e.priceNote}{e.pricesKeptFromSubmission ? ` ${t('cases:costs.keptPrices')}` : sent && e.pricesSet ? ` ${t('cases:costs.todaysPrices')}` : ''}</Text>
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
        {sent && <InsuranceCardPhotos caseId={caseId} staff={staff} current={cardNumbers} />}
        <InsurerAnswers caseId={caseId} canRecord={recordInsurer} />
        {!staff && <TravelComparison money={money} />}
      </Stack>
    </Card>
    <Invoices caseId={caseId} manage={staff} sent={sent} services={e.lines.map((l) => ({ id: l.serviceId, name: l.name, feeCents: l.feeCents }))} />
    </>
  );
}

type Check = Schema<'CoverageCheck'>;
const ANSWERS = ['covered', 'partly_covered', 'authorization_needed', 'not_covered', 'no_answer'] as const;

/** What the insurer said when the coordinator called, and (for the coordinator) a form to add a call. */
function InsurerAnswers({ caseId, canRecord }: { caseId: string; canRecord: boolean }) {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const key = caseKeys.part(caseId, 'estimate', 'insurer');
  const checks = useQuery({ queryKey: key, queryFn: () => get<Check[]>(`/cases/${caseId}/coverage-checks`) });
  // The coordinator's own calendar day, not UTC's.
  const today = localDay();
  const empty = { insurer: '', answer: 'covered' as Check['answer'], reference: '', spokeOn: today, note: '' };
  const [form, setForm] = useState(empty);
  const add = useMutation({
    mutationFn: () => post<Check[]>(`/cases/${caseId}/coverage-checks`, { insurer: form.insurer, answer: form.answer, spokeOn: form.spokeOn, ...(form.reference.trim() ? { reference: form.reference } : {}), ...(form.note.trim() ? { note: form.note } : {}) }),
    onSuccess: (list) => {
      qc.setQueryData(key, list);
      setForm(empty);
    },
  });
  const list = checks.data ?? [];
  if (!canRecord && list.length === 0) return null;
  return (
    <Stack gap={4} data-testid="insurer-answers">
      <Text fw={500}>{t('cases:costs.insurer.title')}</Text>
      {list.length === 0 && <Text size="sm" c="dimmed">{t('cases:costs.insurer.none')}</Text>}
      {list.map((c) => (
        <Text key={c.id} size="sm">
          {t('cases:costs.insurer.line', { insurer: c.insurer, day: formatDay(c.spokeOn), answer: t(`cases:costs.insurer.answers.${c.answer}`) })}
          {c.reference ? ` ${t('cases:costs.insurer.reference', { reference: c.reference })}` : ''}
          {c.note ? ` ${c.note}` : ''}
        </Text>
      ))}
      <ErrorNote error={checks.error} />
      {canRecord && (
        <Stack gap="xs" mt="xs">
          <Group grow align="flex-end" wrap="wrap">
            <TextInput label={t('cases:costs.insurer.insurer')} value={form.insurer} onChange={(e) => setForm({ ...form, insurer: e.currentTarget.value })} maxLength={200} miw={180} />
            <NativeSelect label={t('cases:costs.insurer.answer')} value={form.answer} onChange={(e) => setForm({ ...form, answer: e.currentTarget.value as Check['answer'] })}
              data={ANSWERS.map((value) => ({ value, label: t(`cases:costs.insurer.answers.${value}`) }))} miw={180} />
          </Group>
          <Group grow align="flex-end" wrap="wrap">
            <TextInput type="date" label={t('cases:costs.insurer.spokeOn')} value={form.spokeOn} max={today} onChange={(e) => setForm({ ...form, spokeOn: e.currentTarget.value })} miw={150} />
            <TextInput label={t('cases:costs.insurer.referenceLabel')} value={form.reference} onChange={(e) => setForm({ ...form, reference: e.currentTarget.value })} maxLength={100} miw={150} />
          </Group>
          <TextInput label={t('cases:costs.insurer.note')} value={form.note} onChange={(e) => setForm({ ...form, note: e.currentTarget.value })} maxLength={1000} />
          <Group><Button size="sm" onClick={() => add.mutate()} loading={add.isPending} disabled={!form.insurer.trim() || !form.spokeOn}>{t('cases:costs.insurer.save')}</Button></Group>
          <ErrorNote error={add.error} />
        </Stack>
      )}
    </Stack>
  );
}

/**
 * What going in person would add, from the patient's own numbers (optional, kept in the page
 * only): travel, and days away from work at what a day costs them.
 */
function TravelComparison({ money }: { money: (cents: number) => string }) {
  const { t } = useTranslation();
  const [travel, setTravel] = useState<number | string>('');
  const [days, setDays] = useState<number | string>('');
  const [perDay, setPerDay] = useState<number | string>('');
  const num = (v: number | string) => (typeof v === 'number' && Number.isFinite(v) && v > 0 ? v : 0);
  const travelCents = Math.round(num(travel) * 100);
  const timeCents = Math.round(num(days) * num(perDay) * 100);
  return (
    <Accordion variant="contained">
      <Accordion.Item value="travel">
        <Accordion.Control>{t('cases:costs.travel.title')}</Accordion.Control>
        <Accordion.Panel>
          <Stack gap="xs">
            <Text size="sm" c="dimmed">{t('cases:costs.travel.intro')}</Text>
            <Group grow wrap="wrap" align="flex-end">
              <NumberInput label={t('cases:costs.travel.travel')} min={0} max={1_000_000} decimalScale={2} thousandSeparator="," value={travel} onChange={setTravel} miw={160} />
              <NumberInput label={t('cases:costs.travel.days')} min={0} max={60} allowDecimal={false} value={days} onChange={setDays} miw={160} />
              <NumberInput label={t('cases:costs.travel.perDay')} min={0} max={100_000} decimalScale={2} thousandSeparator="," value={perDay} onChange={setPerDay} miw={160} />
            </Group>
            {travelCents + timeCents > 0 && (
              <Text size="sm" aria-live="polite" data-testid="travel-saving">{t('cases:costs.travel.result', { total: money(travelCents + timeCents), travel: money(travelCents), time: money(timeCents) })}</Text>
            )}
          </Stack>
        </Accordion.Panel>
      </Accordion.Item>
    </Accordion>
  );
}
