import { Accordion, Button, Card, Group, NativeSelect, NumberInput, SimpleGrid, Stack, Table, Text, Textarea, TextInput, Title } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { Trans, useTranslation } from 'react-i18next';
import { formatDate, get, put, type Schema } from '../../api.ts';
import { ErrorNote, WideTable } from '../../components.tsx';
import { formatLocale } from '../../i18n.ts';

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
  const { t } = useTranslation();
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
  const money = (cents: number) => new Intl.NumberFormat(formatLocale(), { style: 'currency', currency }).format(cents / 100);
  const nameOf = (id: string) => fees.data?.services.find((s) => s.id === id)?.name ?? id;
  const changed = Object.entries(draft).some(([id, v]) => Math.round(Number(v) * 100) !== current?.fees[id]);
  // An emptied box is not a free service: every fee must be given.
  const incomplete = (fees.data?.services ?? []).some((s) => draft[s.id] === '' || draft[s.id] === undefined);
  return (
    <Stack>
      <Title order={2}>{t('common:nav.item.fees')}</Title>
      <Text size="sm" c="dimmed">{t('admin:fees.intro')}</Text>
      {fees.data?.current && !fees.data.current.createdBy && <Text size="sm" fw={500}>{t('admin:fees.examples')}</Text>}
      <ErrorNote error={fees.error} />
      {fees.data && (
        <Card withBorder>
          <Stack>
            <WideTable minWidth={480}>
              <Table>
                <Table.Thead><Table.Tr><Table.Th>{t('admin:fees.service')}</Table.Th><Table.Th w={180}>{t('admin:fees.fee', { currency })}</Table.Th></Table.Tr></Table.Thead>
                <Table.Tbody>
                  {fees.data.services.map((s) => (
                    <Table.Tr key={s.id}>
                      <Table.Td>
                        <Text fw={500}>{s.name}</Text><Text size="sm" c="dimmed">{s.description}</Text>
                        {texts[s.id] && fees.data && <ServiceEditor name={s.name} texts={texts[s.id]!} codes={fees.data.codes} onChange={(patch) => setText(s.id, patch)} />}
                      </Table.Td>
                      <Table.Td>
                        <NumberInput aria-label={t('admin:fees.feeFor', { name: s.name })} min={0} max={100000} decimalScale={2} fixedDecimalScale thousandSeparator="," prefix={currency === 'USD' ? '$' : ''}
                          value={draft[s.id] ?? ''} onChange={(v) => setDraft((d) => ({ ...d, [s.id]: v }))} />
                      </Table.Td>
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
            </WideTable>
            <Text size="xs" c="dimmed">{fees.data.codeNote}</Text>
            <TextInput label={t('admin:fees.why')} description={t('admin:fees.whyHelp')} value={note} onChange={(e) => setNote(e.currentTarget.value)} maxLength={300} />
            <Group>
              <Button onClick={() => save.mutate()} loading={save.isPending} disabled={(!changed && !textsChanged && !!current?.createdBy) || incomplete || !note.trim() || !textsComplete(texts)}>{current?.createdBy ? t('admin:fees.saveNew') : t('admin:fees.saveFirst')}</Button>
              {incomplete && <Text size="sm">{t('admin:fees.incomplete')}</Text>}
              {save.isSuccess && <Text size="sm" aria-live="polite">{t('admin:fees.saved', { version: save.data.version })}</Text>}
            </Group>
            <ErrorNote error={save.error} />
          </Stack>
        </Card>
      )}
      {fees.data && fees.data.history.length > 0 && (
        <Card withBorder>
          <Title order={4}>{t('admin:fees.history')}</Title>
          <Stack gap="xs" mt="sm">
            {fees.data.history.map((v, i) => {
              const before = fees.data.history[i + 1];
              const moves = before ? Object.entries(v.fees).filter(([id, cents]) => before.fees[id] !== cents).map(([id, cents]) => (before.fees[id] === undefined ? t('admin:fees.moveNew', { service: nameOf(id), to: money(cents) }) : t('admin:fees.move', { service: nameOf(id), from: money(before.fees[id]!), to: money(cents) }))) : [];
              return (
                <div key={v.version}>
                  <Text size="sm">{v.createdByName
                    ? <Trans t={t} i18nKey="admin:fees.versionBy" values={{ version: v.version, date: formatDate(v.createdAt), name: v.createdByName, note: v.note }} components={{ b: <b /> }} />
                    : <Trans t={t} i18nKey="admin:fees.version" values={{ version: v.version, date: formatDate(v.createdAt), note: v.note }} components={{ b: <b /> }} />}</Text>
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
function ServiceEditor({ name, texts: s, codes, onChange }: { name: string; texts: ServiceTexts; codes: Fees['codes']; onChange: (patch: Partial<ServiceTexts>) => void }) {
  const { t } = useTranslation();
  const es = (patch: Partial<ServiceTexts['es']>) => onChange({ es: { ...s.es, ...patch } });
  return (
    <Accordion variant="default" mt={4}>
      <Accordion.Item value="texts">
        <Accordion.Control aria-label={t('admin:fees.textsOf', { name })}><Text size="sm">{s.codes.length ? t('admin:fees.textsWithCodes', { codes: s.codes.join(', ') }) : t('admin:fees.texts')}</Text></Accordion.Control>
        <Accordion.Panel>
          <Stack gap="xs">
            <SimpleGrid cols={{ base: 1, md: 2 }} spacing="xs">
              <TextInput label={t('admin:fees.nameEn')} value={s.name} onChange={(e) => onChange({ name: e.currentTarget.value })} maxLength={120} />
              <TextInput label={t('admin:fees.nameEs')} value={s.es.name} onChange={(e) => es({ name: e.currentTarget.value })} maxLength={120} />
              <Textarea label={t('admin:fees.descriptionEn')} autosize minRows={2} value={s.description} onChange={(e) => onChange({ description: e.currentTarget.value })} maxLength={400} />
              <Textarea label={t('admin:fees.descriptionEs')} autosize minRows={2} value={s.es.description} onChange={(e) => es({ description: e.currentTarget.value })} maxLength={400} />
              <TextInput label={t('admin:fees.includesEn')} description={t('admin:fees.includesHelp', { token: '{{followupDays}}' })} value={s.includes ?? ''} onChange={(e) => onChange({ includes: e.currentTarget.value || null })} maxLength={300} />
              <TextInput label={t('admin:fees.includesEs')} value={s.es.includes ?? ''} onChange={(e) => es({ includes: e.currentTarget.value || null })} maxLength={300} />
            </SimpleGrid>
            <Stack gap={4}>
              <Text size="sm" fw={500}>{t('admin:fees.codes')}</Text>
              <Text size="xs" c="dimmed">{t('admin:fees.codesHelp')}</Text>
              {s.codes.length === 0 && <Text size="sm" c="dimmed">{t('admin:fees.noCodes')}</Text>}
              {s.codes.map((code) => (
                <Group key={code} gap="xs" wrap="nowrap">
                  <Text size="sm">{code} {codes.find((c) => c.code === code)?.display}</Text>
                  <Button size="compact-xs" variant="subtle" color="red" aria-label={t('admin:fees.removeCode', { code, name })} onClick={() => onChange({ codes: s.codes.filter((c) => c !== code) })}>{t('admin:fees.remove')}</Button>
                </Group>
              ))}
              {s.codes.length < 5 && (
                <NativeSelect aria-label={t('admin:fees.addCodeTo', { name })} value="" onChange={(e) => e.currentTarget.value && onChange({ codes: [...s.codes, e.currentTarget.value] })}
                  data={[{ value: '', label: t('admin:fees.addCode') }, ...codes.filter((c) => !s.codes.includes(c.code)).map((c) => ({ value: c.code, label: `${c.code} ${c.display}` }))]} />
              )}
            </Stack>
          </Stack>
        </Accordion.Panel>
      </Accordion.Item>
    </Accordion>
  );
}

