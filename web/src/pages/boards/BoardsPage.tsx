import { Anchor, Badge, Button, Card, Group, NumberInput, SegmentedControl, Select, Stack, Table, Text, TextInput, Title } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { formatDate, get, post, type GetResult } from '../../api.ts';
import type { Me } from '../../auth.tsx';
import { ErrorNote, WideTable } from '../../components.tsx';
import i18n, { formatLocale } from '../../i18n.ts';

type Sessions = GetResult<'/api/boards/sessions'>;
type Proposals = GetResult<'/api/boards/proposals'>;

/** The wall-clock time of a session where it is held, and where the reader is when that differs. */
export function sessionTime(startsAt: string, timeZone: string): string {
  const there = new Date(startsAt).toLocaleString(formatLocale(), { dateStyle: 'full', timeStyle: 'short', timeZone });
  const here = new Date(startsAt).toLocaleString(formatLocale(), { dateStyle: 'medium', timeStyle: 'short' });
  const hereZone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  return hereZone === timeZone ? `${there} (${timeZone})` : i18n.t('boards:time.both', { there, zone: timeZone, here });
}

/**
 * Tumor boards: the sessions I chair or sit on; for a chair, scheduling sessions and the cases
 * coordinators confirmed for a board, waiting for an agenda.
 */
export function BoardsPage({ me }: { me: Me }) {
  const { t } = useTranslation();
  const chair = me.user.role === 'board_chair';
  const [when, setWhen] = useState<'upcoming' | 'past'>('upcoming');
  const sessions = useQuery({ queryKey: ['boards', 'sessions', when], queryFn: () => get<Sessions>(`/boards/sessions?past=${when === 'past'}`) });
  return (
    <Stack gap="lg">
      <Title order={2}>{t('boards:list.title')}</Title>
      <Group justify="space-between" wrap="wrap">
        <Title order={3}>{chair ? t('boards:list.sessions') : t('boards:list.invited')}</Title>
        <SegmentedControl value={when} onChange={(v) => setWhen(v as typeof when)} data={(['upcoming', 'past'] as const).map((value) => ({ value, label: t(`boards:list.when.${value}`) }))} />
      </Group>
      <ErrorNote error={sessions.error} />
      {sessions.data?.length === 0 && <Text c="dimmed">{when === 'upcoming' ? t('boards:list.noneUpcoming') : t('boards:list.nonePast')}</Text>}
      <Stack gap="xs" data-testid="sessions">
        {(sessions.data ?? []).map((s) => (
          <Card key={s.id} withBorder padding="sm">
            <Group justify="space-between" wrap="wrap">
              <Stack gap={2}>
                <Anchor component={Link} to={`/boards/${s.id}`} fw={600}>{s.title}</Anchor>
                <Text size="sm">{sessionTime(s.startsAt, s.timeZone)}</Text>
                <Text size="xs" c="dimmed">{t('boards:list.line', { chair: s.chairName, cases: t('boards:count.cases', { count: s.cases }), members: t('boards:list.members', { count: s.members }) })}</Text>
              </Stack>
              <Group gap={4}>
                {s.seriesId && <Badge variant="outline" color="gray">{t('boards:list.repeats')}</Badge>}
                {s.status === 'cancelled' ? <Badge color="red">{t('boards:list.cancelled')}</Badge> : s.title !== s.boardLabel && <Badge variant="light">{s.boardLabel}</Badge>}
              </Group>
            </Group>
          </Card>
        ))}
      </Stack>
      {chair && <ScheduleForm />}
      {chair && <WaitingCases sessions={(sessions.data ?? []).filter((s) => s.status === 'scheduled')} />}
    </Stack>
  );
}

// Browsers list the canonical zones only; UTC, the default of many servers and sessions, is added.
export const TIME_ZONES = [...new Set(['UTC', ...((Intl as unknown as { supportedValuesOf?: (k: string) => string[] }).supportedValuesOf?.('timeZone') ?? [])])];

const REPEATS = ['none', 'week', 'two_weeks', 'four_weeks'] as const;

function ScheduleForm() {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const types = useQuery({ queryKey: ['boards', 'types'], queryFn: () => get<GetResult<'/api/boards/types'>>('/boards/types'), staleTime: Infinity });
  const [boardType, setBoardType] = useState<string | null>('thoracic');
  const [date, setDate] = useState('');
  const [time, setTime] = useState('17:00');
  const [zone, setZone] = useState<string | null>(Intl.DateTimeFormat().resolvedOptions().timeZone);
  const [duration, setDuration] = useState<number>(60);
  const [repeat, setRepeat] = useState<string>('none');
  const [count, setCount] = useState<number>(4);
  const create = useMutation({
    mutationFn: () => post('/boards/sessions', {
      boardType, startsAtLocal: `${date}T${time}`, timeZone: zone, durationMinutes: duration,
      ...(repeat !== 'none' ? { repeat: { every: repeat, count } } : {}),
    }),
    onSuccess: () => {
      // Cleared, so the same session is not scheduled twice by a second click.
      setDate('');
      return qc.invalidateQueries({ queryKey: ['boards'] });
    },
  });
  return (
    <Card withBorder>
      <Title order={3} mb="xs">{t('boards:schedule.title')}</Title>
      <Group align="end" wrap="wrap">
        <Select label={t('boards:schedule.board')} data={(types.data?.types ?? []).map((x) => ({ value: x.id, label: x.label }))} value={boardType} onChange={setBoardType} w={260} allowDeselect={false} />
        <TextInput label={t('boards:form.date')} type="date" value={date} onChange={(e) => setDate(e.currentTarget.value)} w={170} />
        <TextInput label={t('boards:form.time')} type="time" value={time} onChange={(e) => setTime(e.currentTarget.value)} w={150} />
        <Select label={t('boards:form.zone')} data={TIME_ZONES} value={zone} onChange={setZone} searchable w={240} allowDeselect={false} />
        <NumberInput label={t('boards:schedule.minutes')} value={duration} onChange={(v) => setDuration(Number(v) || 60)} min={15} max={480} step={15} w={110} />
        <Select label={t('boards:schedule.repeats')} data={REPEATS.map((value) => ({ value, label: t(`boards:schedule.repeat.${value}`) }))} value={repeat} onChange={(v) => setRepeat(v ?? 'none')} w={190} allowDeselect={false} />
        {repeat !== 'none' && <NumberInput label={t('boards:schedule.count')} value={count} onChange={(v) => setCount(Number(v) || 2)} min={2} max={26} w={110} />}
        <Button onClick={() => create.mutate()} loading={create.isPending} disabled={!date || !time || !boardType || !zone}>{t('boards:schedule.submit')}</Button>
      </Group>
      {create.isSuccess && <Text size="sm" c="green" mt="xs" role="status">{t('boards:schedule.done')}</Text>}
      <ErrorNote error={create.error} />
    </Card>
  );
}

function WaitingCases({ sessions }: { sessions: Sessions }) {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const proposals = useQuery({ queryKey: ['boards', 'proposals'], queryFn: () => get<Proposals>('/boards/proposals') });
  const [target, setTarget] = useState<Record<string, string | null>>({});
  const add = useMutation({
    mutationFn: (p: { sessionId: string; caseId: string }) => post(`/boards/sessions/${p.sessionId}/agenda`, { caseId: p.caseId, minutes: 15 }),
    onSuccess: () => qc.invalidateQueries({ queryKey: ['boards'] }),
  });
  return (
    <Stack gap="xs">
      <Title order={3}>{t('boards:waiting.title')}</Title>
      <ErrorNote error={proposals.error ?? add.error} />
      {proposals.data?.length === 0 && <Text c="dimmed">{t('boards:waiting.none')}</Text>}
      {!!proposals.data?.length && (
        <WideTable minWidth={640}>
          <Table data-testid="waiting-cases">
            <Table.Thead><Table.Tr><Table.Th>{t('boards:waiting.case')}</Table.Th><Table.Th>{t('boards:waiting.board')}</Table.Th><Table.Th>{t('boards:waiting.why')}</Table.Th><Table.Th>{t('boards:waiting.agenda')}</Table.Th></Table.Tr></Table.Thead>
            <Table.Tbody>
              {proposals.data.map((p) => {
                const fitting = sessions.filter((s) => s.boardType === p.boardType);
                return (
                  <Table.Tr key={p.caseId}>
                    <Table.Td><Text size="sm" fw={600}>{p.reference}</Text><Text size="xs" c="dimmed">{p.condition}</Text></Table.Td>
                    <Table.Td><Text size="sm">{p.boardLabel}</Text><Text size="xs" c="dimmed">{t('boards:waiting.confirmed', { date: formatDate(p.confirmedAt) })}</Text></Table.Td>
                    <Table.Td>{p.reasons.map((r, i) => <Text key={i} size="xs">{r}</Text>)}</Table.Td>
                    <Table.Td>
                      {p.scheduledFor && <Text size="xs" c="dimmed">{t('boards:waiting.onAgenda', { date: formatDate(p.scheduledFor) })}</Text>}
                      <Group gap={4} wrap="nowrap">
                        <Select aria-label={t('boards:waiting.sessionFor', { reference: p.reference })} placeholder={fitting.length ? t('boards:waiting.choose') : t('boards:waiting.noSession')} data={fitting.map((s) => ({ value: s.id, label: formatDate(s.startsAt) }))}
                          value={target[p.caseId] ?? null} onChange={(v) => setTarget((x) => ({ ...x, [p.caseId]: v }))} w={200} size="xs" />
                        <Button size="xs" disabled={!target[p.caseId]} loading={add.isPending} onClick={() => add.mutate({ sessionId: target[p.caseId]!, caseId: p.caseId })}>{t('boards:waiting.add')}</Button>
                      </Group>
                    </Table.Td>
                  </Table.Tr>
                );
              })}
            </Table.Tbody>
          </Table>
        </WideTable>
      )}
    </Stack>
  );
}
