import { Alert, Anchor, Badge, Button, type ButtonProps, Card, Group, NativeSelect, NumberInput, Radio, Stack, Table, Text, Textarea, TextInput, Title } from '@mantine/core';
import { useMediaQuery } from '@mantine/hooks';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useRef, useState } from 'react';
import type { TFunction } from 'i18next';
import { useTranslation } from 'react-i18next';
import { api, formatDay, get, localDay, numberOf, post, put, type Schema } from '../../api.ts';
import { ErrorNote } from '../../components.tsx';
import { formatLocale } from '../../i18n.ts';
import { caseKeys } from '../../queryKeys.ts';

type Invoice = Schema<'Invoice'>;
type Method = Invoice['payments'][number]['method'];
const METHODS: Method[] = ['check', 'transfer', 'card', 'cash', 'other'];
const STATUS_COLOR: Record<Invoice['status'], string> = { draft: 'gray', issued: 'blue', paid: 'green', void: 'gray', written_off: 'teal' };

/** A money field's value in cents; NaN when it is not a number. */
const toCents = (v: string | number) => Math.round(numberOf(v) * 100);

/**
 * The request's bills. The patient side reads what was issued (lines, totals, payments, what is
 * still owed, the PDF) and may ask for help paying; the coordinator drafts from the estimate,
 * edits, issues, records payments, voids or writes off.
 */
export function Invoices({ caseId, manage, sent, services }: { caseId: string; manage: boolean; sent: boolean; services: { id: string; name: string; feeCents: number }[] }) {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const key = caseKeys.part(caseId, 'estimate', 'invoices');
  // Back from the payment provider's page: ?payment=done or ?payment=cancelled.
  const returned = new URLSearchParams(window.location.search).get('payment');
  const owing = (list: Invoice[] | undefined) => (list ?? []).some((i) => i.status === 'issued' && i.balanceCents > 0);
  const list = useQuery({
    queryKey: key,
    queryFn: () => get<Invoice[]>(`/cases/${caseId}/invoices`),
    // The provider's notice of a payment may arrive a little after the patient is back: look again until it has.
    refetchInterval: (q) => (returned === 'done' && owing(q.state.data) && q.state.dataUpdateCount < 60 ? 2000 : false),
  });
  const draft = useMutation({ mutationFn: () => post<Invoice>(`/cases/${caseId}/invoices`), onSuccess: () => qc.invalidateQueries({ queryKey: key }) });
  const invoices = list.data ?? [];
  // Opened from a bill's notice (…&part=bills): the bills are at the foot of the request's page, so go to them.
  const card = useRef<HTMLDivElement>(null);
  const toBills = new URLSearchParams(window.location.search).get('part') === 'bills';
  useEffect(() => {
    if (toBills && list.data) card.current?.scrollIntoView({ block: 'start' });
  }, [toBills, list.data]);
  const open = invoices.some((i) => i.status === 'draft' || i.status === 'issued');
  if (!manage && invoices.length === 0) return null;
  return (
    <Card withBorder data-testid="invoices" ref={card}>
      <Stack gap="sm">
        <Title order={4}>{t('cases:invoices.title')}</Title>
        {returned === 'done' && list.data && <Alert color="green" p="xs">{owing(list.data) ? t('cases:invoices.paidOnline') : t('cases:invoices.paidOnlineReceived')}</Alert>}
        {returned === 'cancelled' && <Alert color="gray" p="xs">{t('cases:invoices.notPaidOnline')}</Alert>}
        <ErrorNote error={list.error} />
        {manage && invoices.length === 0 && <Text size="sm" c="dimmed">{sent ? t('cases:invoices.noneYet') : t('cases:invoices.none')}</Text>}
        {[...invoices].reverse().map((inv) => <InvoiceCard key={inv.id} caseId={caseId} inv={inv} manage={manage} services={services} onChange={() => qc.invalidateQueries({ queryKey: key })} />)}
        {manage && sent && !open && invoices.length > 0 && <Text size="sm" c="dimmed">{t('cases:invoices.billedBefore')}</Text>}
        {manage && sent && !open && (
          <Group><Button size="sm" variant="light" onClick={() => draft.mutate()} loading={draft.isPending}>{t('cases:invoices.draft')}</Button></Group>
        )}
        <ErrorNote error={draft.error} />
      </Stack>
    </Card>
  );
}

function InvoiceCard({ caseId, inv, manage, services, onChange }: { caseId: string; inv: Invoice; manage: boolean; services: { id: string; name: string; feeCents: number }[]; onChange: () => void }) {
  const { t, i18n } = useTranslation();
  const money = (cents: number) => new Intl.NumberFormat(formatLocale(), { style: 'currency', currency: inv.currency }).format(cents / 100);
  if (inv.status === 'draft') return <DraftEditor caseId={caseId} inv={inv} services={services} money={money} onChange={onChange} />;
  return (
    <Stack gap="xs" data-testid="invoice">
      <Group justify="space-between" wrap="wrap">
        <Text fw={600}>{t('cases:invoices.number', { number: inv.number })}</Text>
        <Badge color={STATUS_COLOR[inv.status]} variant="light">{t(`cases:invoices.status.${inv.status}`)}</Badge>
      </Group>
      <Text size="sm">{t('cases:invoices.dates', { issued: formatDay(inv.issuedAt?.slice(0, 10)), due: formatDay(inv.dueOn) })}</Text>
      <Lines inv={inv} money={money} />
      {inv.payments.length > 0 && (
        <Stack gap={2}>
          <Text size="sm" fw={500}>{t('cases:invoices.payments')}</Text>
          {/* An online payment's reference is the provider's own id: for the coordinator (a refund names it), not words for the patient. */}
          {inv.payments.map((p) => <Text key={p.id} size="sm">{t('cases:invoices.payment', { day: formatDay(p.receivedOn), amount: money(p.amountCents), method: t(`cases:invoices.methods.${p.method}`) })}{p.online ? ` ${t('cases:invoices.online')}` : ''}{p.reference && (manage || !p.online) ? ` (${p.reference})` : ''}</Text>)}
        </Stack>
      )}
      {inv.status === 'issued' && <Text fw={700}>{t('cases:invoices.owed', { amount: money(inv.balanceCents), due: formatDay(inv.dueOn) })}</Text>}
      {inv.paymentBeforeReview && <Text size="sm" c="dimmed">{manage ? t('cases:invoices.beforeReviewStaff') : t('cases:invoices.beforeReview')}</Text>}
      {inv.status === 'written_off' && <Text fw={700}>{t('cases:invoices.waived', { amount: money(inv.totalCents - inv.paidCents) })}</Text>}
      {/* A bill closed by granting help says why once, with the help. */}
      {inv.closeReason && inv.closeReason !== inv.assistance.reason && <Text size="sm" c="dimmed">{t('cases:invoices.closedBecause', { reason: inv.closeReason })}</Text>}
      <Anchor size="sm" href={`/api/cases/${caseId}/invoices/${inv.id}/pdf?lang=${i18n.language.startsWith('es') ? 'es' : 'en'}`}>{t('cases:invoices.pdf')}</Anchor>
      {/* For services given, on a bill that asks something (the server decides): a cancelled or wholly waived bill has nothing to claim. */}
      {inv.superbill && (
        <Stack gap={0}>
          <Anchor size="sm" href={`/api/cases/${caseId}/invoices/${inv.id}/superbill?lang=${i18n.language.startsWith('es') ? 'es' : 'en'}`}>{t('cases:invoices.superbill')}</Anchor>
          <Text size="xs" c="dimmed">{t('cases:invoices.superbillWhy')}</Text>
        </Stack>
      )}
      {inv.hardshipRequestedAt && !inv.assistance.decidedAt && inv.status === 'issued' && (
        <Alert color="blue" p="xs" data-testid="help-asked">
          {manage ? t('cases:invoices.hardship.askedStaff', { day: formatDay(inv.hardshipRequestedAt.slice(0, 10)) }) : t('cases:invoices.hardship.asked', { day: formatDay(inv.hardshipRequestedAt.slice(0, 10)) })}
          {manage && inv.hardshipRequest && <Text size="sm" mt={4}>“{inv.hardshipRequest}”</Text>}
          {manage && <DecideHelp key={inv.version} caseId={caseId} inv={inv} money={money} onChange={onChange} />}
        </Alert>
      )}
      {inv.assistance.decidedAt && (
        <Alert color={inv.assistance.percent ? 'green' : 'gray'} p="xs" data-testid="help-decided">
          <Text size="sm">{inv.assistance.percent ? t('cases:invoices.hardship.granted', { percent: inv.assistance.percent, amount: money(inv.assistance.cents) }) : t('cases:invoices.hardship.declined')}</Text>
          {inv.assistance.reason && <Text size="sm" mt={4}>{t('cases:invoices.hardship.because', { reason: inv.assistance.reason })}</Text>}
        </Alert>
      )}
      {inv.payOnline && <PayOnline caseId={caseId} inv={inv} money={money} />}
      {/* How to pay otherwise: the program's own words, or who to ask. */}
      {inv.status === 'issued' && !manage && (inv.howToPay
        ? <Stack gap={2} data-testid="how-to-pay"><Text size="sm" fw={500}>{inv.payOnline ? t('cases:invoices.howToPayOther') : t('cases:invoices.howToPay')}</Text><Text size="sm" style={{ whiteSpace: 'pre-line' }}>{inv.howToPay}</Text></Stack>
        : !inv.payOnline && <Text size="sm" data-testid="how-to-pay">{t('cases:invoices.howToPayAsk')}</Text>)}
      {inv.status === 'issued' && !manage && !inv.hardshipRequestedAt && <AskForHelp caseId={caseId} inv={inv} onChange={onChange} />}
      {/* A fresh form for each version: after a payment it offers what is still owed. */}
      {inv.status === 'issued' && manage && <SettleForm key={inv.version} caseId={caseId} inv={inv} money={money} onChange={onChange} />}
    </Stack>
  );
}

function Lines({ inv, money }: { inv: Invoice; money: (cents: number) => string }) {
  const { t } = useTranslation();
  return (
    <Table>
      <Table.Tbody>
        {inv.lines.map((l, i) => (
          <Table.Tr key={`${l.serviceId}-${i}`}>
            <Table.Td>{l.quantity > 1 ? t('cases:invoices.times', { quantity: l.quantity, name: l.description }) : l.description}</Table.Td>
            <Table.Td ta="right" style={{ whiteSpace: 'nowrap' }}>{money(l.quantity * l.unitCents)}</Table.Td>
          </Table.Tr>
        ))}
        {inv.discountCents > 0 && <Table.Tr><Table.Td>{t('cases:invoices.discount', { reason: inv.discountReason ?? '' })}</Table.Td><Table.Td ta="right">-{money(inv.discountCents)}</Table.Td></Table.Tr>}
        {inv.taxBasisPoints > 0 && <Table.Tr><Table.Td>{t('cases:invoices.tax', { rate: (inv.taxBasisPoints / 100).toLocaleString(formatLocale()) })}</Table.Td><Table.Td ta="right">{money(inv.taxCents)}</Table.Td></Table.Tr>}
        <Table.Tr><Table.Td fw={700}>{t('cases:invoices.total')}</Table.Td><Table.Td ta="right" fw={700}>{money(inv.totalCents)}</Table.Td></Table.Tr>
      </Table.Tbody>
    </Table>
  );
}

/** To the payment provider's own page for what is owed; the bill shows the payment once the provider confirms it. */
function PayOnline({ caseId, inv, money }: { caseId: string; inv: Invoice; money: (cents: number) => string }) {
  const { t } = useTranslation();
  const pay = useMutation({ mutationFn: () => post<{ url: string }>(`/cases/${caseId}/invoices/${inv.id}/checkout`), onSuccess: ({ url }) => window.location.assign(url) });
  return (
    <Stack gap={4}>
      <Group><Button size="sm" onClick={() => pay.mutate()} loading={pay.isPending}>{t('cases:invoices.payOnline', { amount: money(inv.balanceCents) })}</Button></Group>
      <Text size="xs" c="dimmed">{t('cases:invoices.payOnlineNote')}</Text>
      <ErrorNote error={pay.error} />
    </Stack>
  );
}

type Policy = Schema<'AssistancePolicy'>;
const usePolicy = () => useQuery({ queryKey: ['billing', 'assistance-policy'], queryFn: () => get<Policy>('/billing/assistance-policy'), staleTime: Infinity });

/** The policy's income bands for a household, as yearly amounts in words ("Up to $64,300 a year"). */
function bandLabels(p: Policy, household: number, t: TFunction): { id: string; label: string }[] {
  const money = new Intl.NumberFormat(formatLocale(), { style: 'currency', currency: p.currency, maximumFractionDigits: 0 });
  const line = p.firstPersonCents + (household - 1) * p.eachAdditionalPersonCents;
  const bound = (percent: number) => Math.floor((line * percent) / 100) / 100;
  return p.bands.map((b, i) => {
    const below = i > 0 ? p.bands[i - 1]!.upToPercent : null;
    if (b.upToPercent === null) return { id: b.id, label: t('cases:invoices.hardship.bandAbove', { amount: money.format(bound(below ?? 0)) }) };
    if (below === null) return { id: b.id, label: t('cases:invoices.hardship.bandUpTo', { amount: money.format(bound(b.upToPercent)) }) };
    return { id: b.id, label: t('cases:invoices.hardship.bandBetween', { from: money.format(bound(below) + 1), to: money.format(bound(b.upToPercent)) }) };
  });
}

function AskForHelp({ caseId, inv, onChange }: { caseId: string; inv: Invoice; onChange: () => void }) {
  const { t } = useTranslation();
  const [open, setOpen] = useState(false);
  const [words, setWords] = useState('');
  const [household, setHousehold] = useState('');
  const [band, setBand] = useState('');
  const policy = usePolicy();
  const size = Number(household);
  const given = size > 0 && band ? { householdSize: size, incomeBand: band } : {};
  const ask = useMutation({ mutationFn: () => post<Invoice>(`/cases/${caseId}/invoices/${inv.id}/hardship`, { request: words, ...given }), onSuccess: onChange });
  if (!open) return <Group><Button size="xs" variant="subtle" onClick={() => setOpen(true)}>{t('cases:invoices.hardship.open')}</Button></Group>;
  return (
    <Stack gap="xs">
      <Textarea label={t('cases:invoices.hardship.label')} description={t('cases:invoices.hardship.why')} value={words} onChange={(e) => setWords(e.currentTarget.value)} autosize minRows={3} maxLength={2000}
        error={words.trim().length > 0 && words.trim().length < 10 ? t('cases:invoices.hardship.moreWords') : undefined} />
      {policy.data && (
        <>
          <NativeSelect label={t('cases:invoices.hardship.household')} description={t('cases:invoices.hardship.householdWhy')} value={household}
            onChange={(e) => { setHousehold(e.currentTarget.value); setBand(''); }}
            data={[{ value: '', label: t('cases:invoices.hardship.notSaying') }, ...Array.from({ length: policy.data.maxHousehold }, (_, i) => ({ value: String(i + 1), label: String(i + 1) }))]} />
          {size > 0 && (
            <Radio.Group label={t('cases:invoices.hardship.income')} description={t('cases:invoices.hardship.incomeWhy', { year: policy.data.year })} value={band} onChange={setBand}>
              <Stack gap={6} mt={6}>{bandLabels(policy.data, size, t).map((b) => <Radio key={b.id} value={b.id} label={b.label} />)}</Stack>
            </Radio.Group>
          )}
          {size > 0 && <Text size="xs" c="dimmed">{t('cases:invoices.hardship.source', { source: policy.data.sources[0]?.title ?? '' })}</Text>}
          {size > 0 && !band && <Text size="sm" c="orange.9">{t('cases:invoices.hardship.chooseRange')}</Text>}
        </>
      )}
      <Group><Button size="sm" onClick={() => ask.mutate()} loading={ask.isPending} disabled={words.trim().length < 10 || (size > 0 && !band)}>{t('cases:invoices.hardship.send')}</Button></Group>
      <ErrorNote error={ask.error} />
    </Stack>
  );
}

/** The coordinator decides a request for help: the share of what is owed to waive (the policy's suggestion first), with a reason the patient reads. */
function DecideHelp({ caseId, inv, money, onChange }: { caseId: string; inv: Invoice; money: (cents: number) => string; onChange: () => void }) {
  const { t } = useTranslation();
  const a = inv.assistance;
  const policy = usePolicy();
  const [percent, setPercent] = useState<number | string>(a.suggestedPercent ?? 0);
  const [reason, setReason] = useState('');
  const share = Math.min(100, Math.max(0, Math.round(Number(percent) || 0)));
  const waived = Math.floor((inv.balanceCents * share) / 100);
  const decide = useMutation({ mutationFn: () => post<Invoice>(`/cases/${caseId}/invoices/${inv.id}/assistance`, { percent: share, reason }), onSuccess: onChange });
  const band = policy.data && a.household && a.incomeBand ? bandLabels(policy.data, a.household, t).find((b) => b.id === a.incomeBand)?.label : null;
  return (
    <Stack gap={6} mt="xs" data-testid="decide-help">
      {band && <Text size="sm">{t('cases:invoices.hardship.householdWas', { count: a.household!, band })}</Text>}
      {a.suggestedPercent !== null && <Text size="sm" fw={500}>{t('cases:invoices.hardship.suggested', { percent: a.suggestedPercent })}</Text>}
      <Group grow align="flex-end" wrap="wrap">
        <NumberInput label={t('cases:invoices.hardship.percent')} min={0} max={100} allowDecimal={false} suffix=" %" value={percent} onChange={setPercent} miw={140} />
        <TextInput label={t('cases:invoices.hardship.reason')} description={t('cases:invoices.hardship.reasonWhy')} value={reason} onChange={(e) => setReason(e.currentTarget.value)} maxLength={500} miw={200} />
      </Group>
      <Group>
        <ConfirmButton size="sm" label={t('cases:invoices.hardship.decide')} disabled={reason.trim().length < 3} loading={decide.isPending} onConfirm={() => decide.mutate()}
          question={share === 0 ? t('cases:invoices.hardship.confirmDecline') : t('cases:invoices.hardship.confirmGrant', { amount: money(waived), left: money(inv.balanceCents - waived) })} />
      </Group>
      <ErrorNote error={decide.error} />
    </Stack>
  );
}

/** The coordinator's draft: services of the catalogue at the request's prices, a discount with its reason, tax and due date. */
function DraftEditor({ caseId, inv, services, money, onChange }: { caseId: string; inv: Invoice; services: { id: string; name: string; feeCents: number }[]; money: (cents: number) => string; onChange: () => void }) {
  const { t } = useTranslation();
  const [lines, setLines] = useState(inv.lines.map((l) => ({ serviceId: l.serviceId, quantity: l.quantity, unitCents: l.unitCents })));
  // The boxes say what they hold: above the first line where the lines stand in columns, above
  // every line on a phone, where each line wraps under its service's name.
  const phone = useMediaQuery('(max-width: 48em)');
  const [discount, setDiscount] = useState<number | string>(inv.discountCents / 100);
  const [reason, setReason] = useState(inv.discountReason ?? '');
  const [tax, setTax] = useState<number | string>(inv.taxBasisPoints / 100);
  const [due, setDue] = useState(inv.dueOn ?? localDay(30));
  const taxBasisPoints = Math.max(0, toCents(tax) || 0);
  const body = { version: inv.version, lines, discountCents: Math.max(0, toCents(discount) || 0), ...(reason.trim() ? { discountReason: reason } : {}), taxBasisPoints, dueOn: due };
  const save = useMutation({ mutationFn: () => put<Invoice>(`/cases/${caseId}/invoices/${inv.id}`, body), onSuccess: onChange });
  const issue = useMutation({
    mutationFn: async () => {
      const saved = await put<Invoice>(`/cases/${caseId}/invoices/${inv.id}`, body);
      return post<Invoice>(`/cases/${caseId}/invoices/${inv.id}/issue`, { version: saved.version, dueOn: due });
    },
    onSuccess: onChange,
  });
  const discard = useMutation({ mutationFn: () => api('DELETE', `/cases/${caseId}/invoices/${inv.id}`), onSuccess: onChange });
  const name = (id: string) => services.find((s) => s.id === id)?.name ?? id;
  // As it will be saved: lines, less the discount, plus tax (rounded as the server rounds).
  const subtotal = lines.reduce((n, l) => n + l.quantity * l.unitCents, 0);
  const net = subtotal - Math.min(subtotal, Math.max(0, toCents(discount) || 0));
  const liveTotal = net + Math.round((net * Math.max(0, toCents(tax) || 0)) / 10_000);
  const missing = services.filter((s) => !lines.some((l) => l.serviceId === s.id));
  return (
    <Stack gap="xs" data-testid="invoice-draft">
      <Group justify="space-between"><Text fw={600}>{t('cases:invoices.draftTitle')}</Text><Badge color="gray" variant="light">{t('cases:invoices.status.draft')}</Badge></Group>
      <Text size="xs" c="dimmed">{t('cases:invoices.draftNote')}</Text>
      {lines.map((l, i) => (
        <Group key={l.serviceId} align="flex-end" wrap="wrap" gap="xs">
          <Text size="sm" style={{ flex: '1 1 12rem' }}>{name(l.serviceId)}</Text>
          <NumberInput label={phone || i === 0 ? t('cases:invoices.quantity') : undefined} aria-label={t('cases:invoices.quantityOf', { name: name(l.serviceId) })} w={80} min={1} max={100} allowDecimal={false} value={l.quantity} onChange={(v) => setLines(lines.map((x, j) => (j === i ? { ...x, quantity: typeof v === 'number' ? v : 1 } : x)))} />
          <NumberInput label={phone || i === 0 ? t('cases:invoices.price') : undefined} aria-label={t('cases:invoices.priceOf', { name: name(l.serviceId) })} w={130} min={0} decimalScale={2} prefix="$" value={l.unitCents / 100} onChange={(v) => setLines(lines.map((x, j) => (j === i ? { ...x, unitCents: Math.max(0, toCents(v) || 0) } : x)))} />
          <Button size="xs" variant="subtle" color="red" onClick={() => setLines(lines.filter((_, j) => j !== i))}>{t('cases:invoices.remove')}</Button>
        </Group>
      ))}
      {missing.length > 0 && (
        <NativeSelect aria-label={t('cases:invoices.add')} value="" onChange={(e) => { const s = services.find((x) => x.id === e.currentTarget.value); if (s) setLines([...lines, { serviceId: s.id, quantity: 1, unitCents: s.feeCents }]); }}
          data={[{ value: '', label: t('cases:invoices.add') }, ...missing.map((s) => ({ value: s.id, label: `${s.name} (${money(s.feeCents)})` }))]} />
      )}
      <Group grow align="flex-end" wrap="wrap">
        <NumberInput label={t('cases:invoices.discountLabel')} min={0} decimalScale={2} prefix="$" value={discount} onChange={setDiscount} miw={140} />
        <TextInput label={t('cases:invoices.discountReason')} value={reason} onChange={(e) => setReason(e.currentTarget.value)} maxLength={300} miw={180} />
      </Group>
      <Group grow align="flex-end" wrap="wrap">
        <NumberInput label={t('cases:invoices.taxLabel')} min={0} max={50} decimalScale={2} suffix=" %" value={tax} onChange={setTax} miw={140} />
        <TextInput type="date" label={t('cases:invoices.dueLabel')} value={due} min={localDay()} onChange={(e) => setDue(e.currentTarget.value)} miw={150} />
      </Group>
      <Text fw={700}>{t('cases:invoices.draftTotal', { amount: money(liveTotal) })}</Text>
      <Group wrap="wrap">
        <Button size="sm" variant="light" onClick={() => save.mutate()} loading={save.isPending}>{t('cases:invoices.save')}</Button>
        <ConfirmButton size="sm" label={t('cases:invoices.issue')} question={t('cases:invoices.confirmIssue', { amount: money(liveTotal) })} onConfirm={() => issue.mutate()} loading={issue.isPending} disabled={!lines.length} />
        <ConfirmButton size="sm" variant="subtle" color="red" label={t('cases:invoices.discard')} question={t('cases:invoices.confirmDiscard')} onConfirm={() => discard.mutate()} loading={discard.isPending} />
      </Group>
      <ErrorNote error={save.error ?? issue.error ?? discard.error} />
    </Stack>
  );
}

/** A button that asks before it acts: issuing, waiving and cancelling a bill cannot be undone. */
function ConfirmButton({ label, question, onConfirm, ...button }: { label: string; question: string; onConfirm: () => void } & Pick<ButtonProps, 'size' | 'variant' | 'color' | 'loading' | 'disabled'>) {
  const { t } = useTranslation();
  const [asking, setAsking] = useState(false);
  if (!asking) return <Button {...button} onClick={() => setAsking(true)}>{label}</Button>;
  return (
    <Group gap="xs" wrap="wrap">
      <Text size="sm" fw={500}>{question}</Text>
      <Button size="xs" color={button.color} onClick={() => { setAsking(false); onConfirm(); }}>{t('cases:invoices.confirmYes')}</Button>
      <Button size="xs" variant="default" onClick={() => setAsking(false)}>{t('cases:invoices.confirmNo')}</Button>
    </Group>
  );
}

/** Settling an issued invoice: a payment received, or closing it (void, or write off what is owed). */
function SettleForm({ caseId, inv, money, onChange }: { caseId: string; inv: Invoice; money: (cents: number) => string; onChange: () => void }) {
  const { t } = useTranslation();
  const [amount, setAmount] = useState<number | string>(inv.balanceCents / 100);
  const [method, setMethod] = useState<Method>('check');
  const [reference, setReference] = useState('');
  const [day, setDay] = useState(localDay());
  const [closing, setClosing] = useState('');
  const pay = useMutation({ mutationFn: () => post<Invoice>(`/cases/${caseId}/invoices/${inv.id}/payments`, { amountCents: toCents(amount), method, receivedOn: day, ...(reference.trim() ? { reference } : {}) }), onSuccess: onChange });
  const close = useMutation({ mutationFn: (how: 'void' | 'write-off') => post<Invoice>(`/cases/${caseId}/invoices/${inv.id}/${how}`, { reason: closing }), onSuccess: onChange });
  return (
    <Stack gap="xs" data-testid="invoice-settle">
      <Text size="sm" fw={500}>{t('cases:invoices.recordPayment')}</Text>
      <Group grow align="flex-end" wrap="wrap">
        <NumberInput label={t('cases:invoices.amount')} min={0} decimalScale={2} clampBehavior="none" value={amount} onChange={setAmount} miw={130}
          error={toCents(amount) > inv.balanceCents ? t('cases:invoices.moreThanOwed', { amount: money(inv.balanceCents) }) : undefined} />
        <NativeSelect label={t('cases:invoices.method')} value={method} onChange={(e) => setMethod(e.currentTarget.value as Method)} data={METHODS.map((m) => ({ value: m, label: t(`cases:invoices.methods.${m}`) }))} miw={130} />
      </Group>
      <Group grow align="flex-end" wrap="wrap">
        <TextInput type="date" label={t('cases:invoices.receivedOn')} value={day} max={localDay()} onChange={(e) => setDay(e.currentTarget.value)} miw={150} />
        <TextInput label={t('cases:invoices.reference')} value={reference} onChange={(e) => setReference(e.currentTarget.value)} maxLength={100} miw={150} />
      </Group>
      <Group><Button size="sm" onClick={() => pay.mutate()} loading={pay.isPending} disabled={!(toCents(amount) >= 1) || toCents(amount) > inv.balanceCents}>{t('cases:invoices.savePayment', { amount: money(toCents(amount) || 0) })}</Button></Group>
      <ErrorNote error={pay.error} />
      <TextInput label={t('cases:invoices.closeReason')} description={`${t('cases:invoices.closeWhy')} ${t('cases:invoices.patientReads')}`} value={closing} onChange={(e) => setClosing(e.currentTarget.value)} maxLength={500} />
      <Group wrap="wrap">
        <ConfirmButton size="xs" variant="light" color="teal" label={t('cases:invoices.writeOff', { amount: money(inv.balanceCents) })} question={t('cases:invoices.confirmWriteOff', { amount: money(inv.balanceCents) })} onConfirm={() => close.mutate('write-off')} loading={close.isPending} disabled={closing.trim().length < 3} />
        {inv.paidCents === 0 && <ConfirmButton size="xs" variant="light" color="red" label={t('cases:invoices.void')} question={t('cases:invoices.confirmVoid')} onConfirm={() => close.mutate('void')} loading={close.isPending} disabled={closing.trim().length < 3} />}
      </Group>
      <ErrorNote error={close.error} />
    </Stack>
  );
}
