import { Accordion, Button, Card, Group, NativeSelect, NumberInput, SimpleGrid, Stack, Table, Text, Textarea, TextInput, Title } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { formatDate, get, put, type Schema } from '../../api.ts';
import { ErrorNote, WideTable } from '../../components.tsx';

type Fees = Schema<'Fees'>;
type Version = Schema<'FeeSchedule'>;
type Texts = Fees['texts'];
type ServiceTexts = Texts[string];
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
  const [texts, setTexts] = useState<Texts>({});
  const current = fees.data?.current;
  useEffect(() => {
    if (current) setDraft(Object.fromEntries(Object.entries(current.fees).map(([id, cents]) => [id, cents / 100])));
  }, [current]);
  useEffect(() => {
    if (fees.data) setTexts(fees.data.texts);
  }, [fees.data]);
  const textsChanged = !!fees.data && JSON.stringify(texts) !== JSON.stringify(fees.data.texts);
  const setText = (id: string, patch: Partial<ServiceTexts>) => setTexts((all) => ({ ...all, [id]: { ...all[id]!, ...patch } }));
  const save = useMutation({
    mutationFn: () => put<Version>('/admin/fees', { basedOn: current!.version, fees: Object.fromEntries(Object.entries(draft).map(([id, v]) => [id, Math.round(Number(v) * 100)])), ...(textsChanged ? { services: texts } : {}), note }),
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
            <WideTable minWidth={480}>
              <Table>
                <Table.Thead><Table.Tr><Table.Th>Service</Table.Th><Table.Th w={180}>Fee ({currency})</Table.Th></Table.Tr></Table.Thead>
                <Table.Tbody>
                  {fees.data.services.map((s) => (
                    <Table.Tr key={s.id}>
                      <Table.Td>
                        <Text fw={500}>{s.name}</Text><Text size="sm" c="dimmed">{s.description}</Text>
                        {texts[s.id] && fees.data && <ServiceEditor name={s.name} t={texts[s.id]!} codes={fees.data.codes} onChange={(patch) => setText(s.id, patch)} />}
                      </Table.Td>
                      <Table.Td>
                        <NumberInput aria-label={`Fee for ${s.name}`} min={0} max={100000} decimalScale={2} fixedDecimalScale thousandSeparator="," prefix={currency === 'USD' ? '$' : ''}
                          value={draft[s.id] ?? ''} onChange={(v) => setDraft((d) => ({ ...d, [s.id]: v }))} />
                      </Table.Td>
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
            </WideTable>
            <Text size="xs" c="dimmed">{fees.data.codeNote}</Text>
            <TextInput label="Why the fees change" description="Kept with the new version, for the record." value={note} onChange={(e) => setNote(e.currentTarget.value)} maxLength={300} />
            <Group>
              <Button onClick={() => save.mutate()} loading={save.isPending} disabled={(!changed && !textsChanged && !!current?.createdBy) || incomplete || !note.trim() || !textsComplete(texts)}>{current?.createdBy ? 'Save new fees' : 'Save as the program’s fees'}</Button>
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

/** Every name and description is given, in both languages (what includes may be left empty). */
const textsComplete = (texts: Texts) => Object.values(texts).every((t) => t.name.trim().length >= 2 && t.description.trim().length >= 2 && t.es.name.trim().length >= 2 && t.es.description.trim().length >= 2);

/** One service's words and billing codes, in English and Spanish, as patients and bills will show them. */
function ServiceEditor({ name, t, codes, onChange }: { name: string; t: ServiceTexts; codes: Fees['codes']; onChange: (patch: Partial<ServiceTexts>) => void }) {
  const es = (patch: Partial<ServiceTexts['es']>) => onChange({ es: { ...t.es, ...patch } });
  return (
    <Accordion variant="default" mt={4}>
      <Accordion.Item value="texts">
        <Accordion.Control aria-label={`Words and billing codes of ${name}`}><Text size="sm">Words and billing codes{t.codes.length ? ` (${t.codes.join(', ')})` : ''}</Text></Accordion.Control>
        <Accordion.Panel>
          <Stack gap="xs">
            <SimpleGrid cols={{ base: 1, md: 2 }} spacing="xs">
              <TextInput label="Name (English)" value={t.name} onChange={(e) => onChange({ name: e.currentTarget.value })} maxLength={120} />
              <TextInput label="Name (Spanish)" value={t.es.name} onChange={(e) => es({ name: e.currentTarget.value })} maxLength={120} />
              <Textarea label="Description (English)" autosize minRows={2} value={t.description} onChange={(e) => onChange({ description: e.currentTarget.value })} maxLength={400} />
              <Textarea label="Description (Spanish)" autosize minRows={2} value={t.es.description} onChange={(e) => es({ description: e.currentTarget.value })} maxLength={400} />
              <TextInput label="What it includes (English, optional)" description="{{followupDays}} is replaced by the follow-up days" value={t.includes ?? ''} onChange={(e) => onChange({ includes: e.currentTarget.value || null })} maxLength={300} />
              <TextInput label="What it includes (Spanish, optional)" value={t.es.includes ?? ''} onChange={(e) => es({ includes: e.currentTarget.value || null })} maxLength={300} />
            </SimpleGrid>
            <Stack gap={4}>
              <Text size="sm" fw={500}>Billing codes</Text>
              <Text size="xs" c="dimmed">From the code set the program uses; printed on bills, superbills and claims.</Text>
              {t.codes.length === 0 && <Text size="sm" c="dimmed">None: billed as the program’s own service.</Text>}
              {t.codes.map((code) => (
                <Group key={code} gap="xs" wrap="nowrap">
                  <Text size="sm">{code} {codes.find((c) => c.code === code)?.display}</Text>
                  <Button size="compact-xs" variant="subtle" color="red" aria-label={`Remove code ${code} from ${name}`} onClick={() => onChange({ codes: t.codes.filter((c) => c !== code) })}>Remove</Button>
                </Group>
              ))}
              {t.codes.length < 5 && (
                <NativeSelect aria-label={`Add a billing code to ${name}`} value="" onChange={(e) => e.currentTarget.value && onChange({ codes: [...t.codes, e.currentTarget.value] })}
                  data={[{ value: '', label: 'Add a billing code…' }, ...codes.filter((c) => !t.codes.includes(c.code)).map((c) => ({ value: c.code, label: `${c.code} ${c.display}` }))]} />
              )}
            </Stack>
          </Stack>
        </Accordion.Panel>
      </Accordion.Item>
    </Accordion>
  );
}

