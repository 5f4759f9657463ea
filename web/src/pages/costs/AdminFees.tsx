import { Button, Card, Group, NumberInput, Stack, Table, Text, TextInput, Title } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { formatDate, get, put, type Schema } from '../../api.ts';
import { ErrorNote } from '../../components.tsx';

type Fees = Schema<'Fees'>;
type Version = Schema<'FeeSchedule'>;
const KEY = ['admin', 'fees'];

/**
 * The program's fees: what patients see in their estimate before they send a request. A change
 * is a new version with its reason; requests already sent keep the fees they were sent under.
 */
export function AdminFeesPage() {
  const qc = useQueryClient();
  const fees = useQuery({ queryKey: KEY, queryFn: () => get<Fees>('/admin/fees') });
  const [draft, setDraft] = useState<Record<string, number | string>>({});
  const [note, setNote] = useState('');
  const current = fees.data?.current;
  useEffect(() => {
    if (current) setDraft(Object.fromEntries(Object.entries(current.fees).map(([id, cents]) => [id, cents / 100])));
  }, [current]);
  const save = useMutation({
    mutationFn: () => put<Version>('/admin/fees', { basedOn: current!.version, fees: Object.fromEntries(Object.entries(draft).map(([id, v]) => [id, Math.round(Number(v) * 100)])), note }),
    onSuccess: () => {
      setNote('');
      void qc.invalidateQueries({ queryKey: KEY });
    },
  });
  const currency = current?.currency ?? 'USD';
  const money = (cents: number) => new Intl.NumberFormat('en-US', { style: 'currency', currency }).format(cents / 100);
  const nameOf = (id: string) => fees.data?.services.find((s) => s.id === id)?.name ?? id;
  const changed = Object.entries(draft).some(([id, v]) => Math.round(Number(v) * 100) !== current?.fees[id]);
  // An emptied box is not a free service: every fee must be given.
  const incomplete = (fees.data?.services ?? []).some((s) => draft[s.id] === '' || draft[s.id] === undefined);
  return (
    <Stack>
      <Title order={2}>Fees</Title>
      <Text size="sm" c="dimmed">Patients see these prices in their cost estimate before they send a request. Saving makes a new version; requests already sent keep the fees in force when they were sent.</Text>
      {fees.data?.current && !fees.data.current.createdBy && <Text size="sm" fw={500}>These are the catalogue's example fees: patients are told so until you save the program's own.</Text>}
      <ErrorNote error={fees.error} />
      {fees.data && (
        <Card withBorder>
          <Stack>
            <Table.ScrollContainer minWidth={480}>
              <Table>
                <Table.Thead><Table.Tr><Table.Th>Service</Table.Th><Table.Th w={180}>Fee ({currency})</Table.Th></Table.Tr></Table.Thead>
                <Table.Tbody>
                  {fees.data.services.map((s) => (
                    <Table.Tr key={s.id}>
                      <Table.Td><Text fw={500}>{s.name}</Text><Text size="sm" c="dimmed">{s.description}</Text></Table.Td>
                      <Table.Td>
                        <NumberInput aria-label={`Fee for ${s.name}`} min={0} max={100000} decimalScale={2} fixedDecimalScale thousandSeparator="," prefix={currency === 'USD' ? '$' : ''}
                          value={draft[s.id] ?? ''} onChange={(v) => setDraft((d) => ({ ...d, [s.id]: v }))} />
                      </Table.Td>
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
            </Table.ScrollContainer>
            <TextInput label="Why the fees change" description="Kept with the new version, for the record." value={note} onChange={(e) => setNote(e.currentTarget.value)} maxLength={300} />
            <Group>
              <Button onClick={() => save.mutate()} loading={save.isPending} disabled={(!changed && !!current?.createdBy) || incomplete || !note.trim()}>{current?.createdBy ? 'Save new fees' : 'Save as the program’s fees'}</Button>
              {incomplete && <Text size="sm">Give a fee for every service (0 for a free one).</Text>}
              {save.isSuccess && <Text size="sm" aria-live="polite">Saved as version {save.data.version}.</Text>}
            </Group>
            <ErrorNote error={save.error} />
          </Stack>
        </Card>
      )}
      {fees.data && fees.data.history.length > 0 && (
        <Card withBorder>
          <Title order={4}>Every version, newest first</Title>
          <Stack gap="xs" mt="sm">
            {fees.data.history.map((v, i) => {
              const before = fees.data.history[i + 1];
              const moves = before ? Object.entries(v.fees).filter(([id, cents]) => before.fees[id] !== cents).map(([id, cents]) => `${nameOf(id)}: ${before.fees[id] === undefined ? 'new' : money(before.fees[id]!)} → ${money(cents)}`) : [];
              return (
                <div key={v.version}>
                  <Text size="sm"><b>Version {v.version}</b> · {formatDate(v.createdAt)}{v.createdByName ? ` · ${v.createdByName}` : ''} · “{v.note}”</Text>
                  {moves.length > 0 && <Text size="sm" c="dimmed">{moves.join('; ')}</Text>}
                </div>
              );
            })}
          </Stack>
        </Card>
      )}
    </Stack>
  );
}
