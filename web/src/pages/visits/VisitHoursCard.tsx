import { ActionIcon, Button, Card, Group, Select, Stack, TagsInput, Text, TextInput, Title } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { get, put, type Schema } from '../../api.ts';
import { ErrorNote } from '../../components.tsx';

type Hours = Schema<'VisitHours'>;
const DAYS = ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'].map((label, i) => ({ value: String(i + 1), label }));
const ZONES = (Intl as unknown as { supportedValuesOf?: (k: string) => string[] }).supportedValuesOf?.('timeZone') ?? ['UTC'];

/** The expert's weekly hours for video visits, in their own time zone, and days off. */
export function VisitHoursCard() {
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
      <Title order={3} size="h4">Hours for video visits</Title>
      <Text size="sm" c="dimmed">Patients book video visits in these hours; they see them in their own time zone.</Text>
      <Select label="Your time zone" data={ZONES} searchable value={h.timeZone} onChange={(v) => v && setH({ ...h, timeZone: v })} w={280} mt="xs" allowDeselect={false} />
      <Stack gap={6} mt="sm">
        {h.weekly.map((w, i) => (
          <Group key={i} align="end" wrap="wrap">
            <Select label="Day" data={DAYS} value={String(w.weekday)} onChange={(v) => v && row(i, { weekday: Number(v) })} w={150} allowDeselect={false} />
            <TextInput label="From" type="time" value={w.from} onChange={(e) => row(i, { from: e.currentTarget.value })} w={120} />
            <TextInput label="To" type="time" value={w.to} onChange={(e) => row(i, { to: e.currentTarget.value })} w={120} />
            <ActionIcon variant="subtle" color="red" aria-label={`Remove ${DAYS[w.weekday - 1]?.label} ${w.from}–${w.to}`} onClick={() => setH({ ...h, weekly: h.weekly.filter((_, j) => j !== i) })}>×</ActionIcon>
          </Group>
        ))}
        <Group><Button size="xs" variant="subtle" onClick={() => {
          // A new row starts on the day after the last one, with its hours: a week is quick to fill.
          const last = h.weekly.at(-1);
          setH({ ...h, weekly: [...h.weekly, { weekday: last ? (last.weekday % 7) + 1 : 1, from: last?.from ?? '09:00', to: last?.to ?? '12:00' }] });
        }}>Add hours</Button></Group>
      </Stack>
      <TagsInput label="Days off (YYYY-MM-DD)" value={h.daysOff ?? []} onChange={(v) => setH({ ...h, daysOff: v })} mt="sm" />
      <Group mt="sm"><Button onClick={() => save.mutate()} loading={save.isPending}>Save the hours</Button>{save.isSuccess && <Text size="sm" role="status">Saved.</Text>}</Group>
      <ErrorNote error={save.error} />
    </Card>
  );
}
