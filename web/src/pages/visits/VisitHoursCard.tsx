import { ActionIcon, Button, Card, Group, Select, Stack, TagsInput, Text, TextInput, Title } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { get, put, type Schema } from '../../api.ts';
import { ErrorNote } from '../../components.tsx';
import { formatLocale } from '../../i18n.ts';

type Hours = Schema<'VisitHours'>;
/** A weekday's name in the reader's language, Monday being 1 (1 January 2024 was a Monday). */
function weekdayName(weekday: number): string {
  const locale = formatLocale();
  const name = new Date(Date.UTC(2024, 0, weekday)).toLocaleDateString(locale, { weekday: 'long', timeZone: 'UTC' });
  return name.charAt(0).toLocaleUpperCase(locale) + name.slice(1);
}
const ZONES = (Intl as unknown as { supportedValuesOf?: (k: string) => string[] }).supportedValuesOf?.('timeZone') ?? ['UTC'];

/** The expert's weekly hours for video visits, in their own time zone, and days off. */
export function VisitHoursCard() {
  const { t } = useTranslation();
  const days = [1, 2, 3, 4, 5, 6, 7].map((d) => ({ value: String(d), label: weekdayName(d) }));
  const qc = useQueryClient();
  const current = useQuery({ queryKey: ['visit-hours'], queryFn: () => get<Hours>('/experts/me/visit-hours') });
  const [h, setH] = useState<Hours>({ timeZone: Intl.DateTimeFormat().resolvedOptions().timeZone, weekly: [], daysOff: [] });
  useEffect(() => {
    if (current.data) setH(current.data.weekly.length ? current.data : { ...current.data, timeZone: Intl.DateTimeFormat().resolvedOptions().timeZone });
  }, [current.data]);
  const save = useMutation({ mutationFn: () => put<Hours>('/experts/me/visit-hours', h), onSuccess: (d) => qc.setQueryData(['visit-hours'], d) });
  const row = (i: number, patch: Partial<Hours['weekly'][number]>) => setH({ ...h, weekly: h.weekly.map((w, j) => (j === i ? { ...w, ...patch } : w)) });
  return (
    <Card withBorder maw={720} data-testid="visit-hours">
      <Title order={3} size="h4">{t('visits:hours.title')}</Title>
      <Text size="sm" c="dimmed">{t('visits:hours.intro')}</Text>
      <Select label={t('visits:hours.zone')} data={ZONES} searchable value={h.timeZone} onChange={(v) => v && setH({ ...h, timeZone: v })} w={280} mt="xs" allowDeselect={false} />
      <Stack gap={6} mt="sm">
        {h.weekly.map((w, i) => (
          <Group key={i} align="end" wrap="wrap">
            <Select label={t('visits:hours.day')} data={days} value={String(w.weekday)} onChange={(v) => v && row(i, { weekday: Number(v) })} w={150} allowDeselect={false} />
            <TextInput label={t('visits:hours.from')} type="time" value={w.from} onChange={(e) => row(i, { from: e.currentTarget.value })} w={120} />
            <TextInput label={t('visits:hours.to')} type="time" value={w.to} onChange={(e) => row(i, { to: e.currentTarget.value })} w={120} />
            <ActionIcon variant="subtle" color="red" aria-label={t('visits:hours.remove', { day: weekdayName(w.weekday), from: w.from, to: w.to })} onClick={() => setH({ ...h, weekly: h.weekly.filter((_, j) => j !== i) })}>✕</ActionIcon>
          </Group>
        ))}
        <Group><Button size="xs" variant="subtle" onClick={() => {
          // A new row starts on the day after the last one, with its hours: a week is quick to fill.
          const last = h.weekly.at(-1);
          setH({ ...h, weekly: [...h.weekly, { weekday: last ? (last.weekday % 7) + 1 : 1, from: last?.from ?? '09:00', to: last?.to ?? '12:00' }] });
        }}>{t('visits:hours.add')}</Button></Group>
      </Stack>
      <TagsInput label={t('visits:hours.daysOff')} value={h.daysOff ?? []} onChange={(v) => setH({ ...h, daysOff: v })} mt="sm" />
      <Group mt="sm"><Button onClick={() => save.mutate()} loading={save.isPending}>{t('visits:hours.save')}</Button>{save.isSuccess && <Text size="sm" role="status">{t('visits:hours.saved')}</Text>}</Group>
      <ErrorNote error={save.error} />
    </Card>
  );
}
