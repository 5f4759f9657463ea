import { formatLocale } from '../../i18n.ts';
import { Alert, Badge, Button, Card, Checkbox, Group, List, Loader, Radio, Select, SimpleGrid, Stack, Text, Title } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { api, get, post, type GetResult } from '../../api.ts';
import { useMe, usePatientSide } from '../../auth.tsx';
import { ErrorNote } from '../../components.tsx';
import { caseKeys } from '../../queryKeys.ts';
import { languageName } from '../../languages.ts';

type Visits = GetResult<'/api/cases/{id}/visits'>;
const zone = () => Intl.DateTimeFormat().resolvedOptions().timeZone;
const timeOf = (iso: string) => new Date(iso).toLocaleString(formatLocale(), { dateStyle: 'full', timeStyle: 'short' });
const dayOf = (iso: string) => new Date(iso).toLocaleDateString(formatLocale(), { weekday: 'long', month: 'long', day: 'numeric' });
const hourOf = (iso: string) => new Date(iso).toLocaleTimeString(formatLocale(), { timeStyle: 'short' });

/**
 * The case's video visits: booked ones with a way in when the room is open, and for the patient's
 * side a booking form (what the visit is for, free times in their own time zone, an interpreter).
 */
export function CaseVisitsPanel({ caseId, preferredLanguage }: { caseId: string; preferredLanguage: string | null }) {
  const { t } = useTranslation();
  const patientSide = usePatientSide();
  const q = useQuery({ queryKey: caseKeys.part(caseId, 'visits'), queryFn: () => get<Visits>(`/cases/${caseId}/visits`), refetchInterval: 60_000 });
  if (q.isLoading) return <Loader role="status" aria-label={t('visits:panel.loading')} />;
  if (q.error || !q.data) return <ErrorNote error={q.error} />;
  const d = q.data;
  return (
    <Stack gap="md">
      <Text size="sm" c="dimmed">{patientSide ? t('visits:panel.intro') : t('visits:panel.introStaff')}</Text>
      {d.visits.length === 0 ? <Text size="sm">{t('visits:panel.none')}</Text> : d.visits.map((v) => <VisitCard key={v.id} caseId={caseId} v={v} cancellationHours={d.cancellationHours} />)}
      {d.types.length > 0 && <BookForm caseId={caseId} d={d} preferredLanguage={preferredLanguage} />}
    </Stack>
  );
}

function VisitCard({ caseId, v, cancellationHours }: { caseId: string; v: Visits['visits'][number]; cancellationHours: number }) {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const cancel = useMutation({ mutationFn: () => post(`/visits/${v.id}/cancel`, {}), onSuccess: () => qc.invalidateQueries({ queryKey: caseKeys.all(caseId) }) });
  const [confirming, setConfirming] = useState(false);
  const [moving, setMoving] = useState(false);
  const [slot, setSlot] = useState<string | null>(null);
  const moveButton = useShownWhenChosen(slot);
  const move = useMutation({
    mutationFn: () => post<{ startsAt: string }>(`/visits/${v.id}/move`, { startsAt: slot }),
    onSuccess: () => {
      setMoving(false);
      setSlot(null);
      return qc.invalidateQueries({ queryKey: caseKeys.all(caseId) });
    },
  });
  return (
    <Card withBorder data-testid="visit-card">
      <Group justify="space-between" wrap="wrap">
        <Stack gap={2}>
          <Text fw={600}>{v.typeLabel}</Text>
          <Text size="sm">{timeOf(v.startsAt)}</Text>
          <Text size="sm" c="dimmed">{t('visits:panel.with', { expert: v.expertName })}</Text>
          {v.interpreterLanguage && <Text size="sm">{v.interpreterName
            ? t('visits:panel.interpreterBooked', { language: languageName(v.interpreterLanguage), name: v.interpreterName })
            : t('visits:panel.interpreterAsked', { language: languageName(v.interpreterLanguage) })}</Text>}
        </Stack>
        <Badge color={v.status === 'booked' ? 'blue' : v.status === 'ended' ? 'green' : 'gray'}>{t(`visits:panel.status.${v.status}`)}</Badge>
      </Group>
      {v.status === 'booked' && (
        <Group mt="sm" wrap="wrap">
          {v.roomOpen ? <Button component={Link} to={`/visits/${v.id}`}>{t('visits:panel.join')}</Button> : <Text size="sm" c="dimmed">{v.past ? t('visits:panel.passed') : t('visits:panel.opensSoon')}</Text>}
          {v.canCancel && !confirming && !moving && <Button variant="default" onClick={() => setMoving(true)}>{t('visits:panel.move')}</Button>}
          {v.canCancel && !confirming && !moving && <Button variant="default" onClick={() => setConfirming(true)}>{t('visits:panel.cancel')}</Button>}
          {confirming && <>
            <Button color="red" onClick={() => cancel.mutate()} loading={cancel.isPending}>{t('visits:panel.confirmCancel')}</Button>
            <Button variant="default" onClick={() => setConfirming(false)}>{t('visits:panel.keep')}</Button>
          </>}
        </Group>
      )}
      {v.status === 'booked' && !v.past && v.interpreterLanguage && <InterpreterChoice caseId={caseId} v={v} />}
      {move.data && <Alert color="green" mt="xs" data-testid="visit-moved">{t('visits:panel.moved', { time: timeOf(move.data.startsAt) })}</Alert>}
      {moving && (
        <Stack gap="xs" mt="md">
          <SlotPicker caseId={caseId} type={v.type} value={slot} onChange={setSlot} />
          {slot && new Date(slot).getTime() - Date.now() < cancellationHours * 3_600_000 && <Alert color="orange">{t('visits:panel.soonWarning', { hours: cancellationHours })}</Alert>}
          <Group ref={moveButton}>
            {slot && <Button onClick={() => move.mutate()} loading={move.isPending}>{t('visits:panel.moveTo', { time: timeOf(slot) })}</Button>}
            <Button variant="default" onClick={() => { setMoving(false); setSlot(null); }}>{t('visits:panel.keepTime')}</Button>
          </Group>
        </Stack>
      )}
      <ErrorNote error={cancel.error ?? move.error} />
    </Card>
  );
}

/** The case's coordinator books an interpreter who works in the asked-for language and is free then. */
function InterpreterChoice({ caseId, v }: { caseId: string; v: Visits['visits'][number] }) {
  const { t } = useTranslation();
  const { data: me } = useMe();
  const qc = useQueryClient();
  const coordinator = me?.user.role === 'coordinator';
  const choices = useQuery({ queryKey: caseKeys.part(caseId, 'visits', v.id, 'interpreters'), queryFn: () => get<GetResult<'/api/visits/{visitId}/interpreters'>>(`/visits/${v.id}/interpreters`), enabled: coordinator, retry: false });
  const [chosen, setChosen] = useState<string | null>(null);
  const book = useMutation({
    mutationFn: (userId: string | null) => api('PUT', `/visits/${v.id}/interpreter`, { userId }),
    onSuccess: () => qc.invalidateQueries({ queryKey: caseKeys.all(caseId) }),
  });
  if (!coordinator || choices.isError) return null;
  return (
    <Stack gap={4} mt="sm" data-testid="interpreter-choice">
      {choices.data?.length === 0 && !v.interpreterName && <Text size="sm" c="orange">{t('visits:panel.noInterpreter')}</Text>}
      {(choices.data?.length ?? 0) > 0 && (
        <Group gap="xs" align="end" wrap="wrap">
          <Select label={t('visits:panel.interpreterLabel')} placeholder={t('visits:panel.interpreterPlaceholder')} data={(choices.data ?? []).map((c) => ({ value: c.id, label: c.name }))} value={chosen} onChange={setChosen} w={240} />
          <Button size="sm" disabled={!chosen} loading={book.isPending} onClick={() => book.mutate(chosen)}>{t('visits:panel.bookInterpreter')}</Button>
          {v.interpreterName && <Button size="sm" variant="subtle" color="red" onClick={() => book.mutate(null)}>{t('visits:panel.removeInterpreter')}</Button>}
        </Group>
      )}
      <ErrorNote error={book.error} />
    </Stack>
  );
}

/** On a phone the times fill the screen: once one is chosen, the button that takes it comes into view. */
function useShownWhenChosen(slot: string | null) {
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (slot) ref.current?.scrollIntoView({ block: 'nearest', behavior: 'smooth' });
  }, [slot]);
  return ref;
}

/** Free times of the expert for a kind of visit, by day, in the reader's own time zone. */
function SlotPicker({ caseId, type, value, onChange }: { caseId: string; type: string; value: string | null; onChange: (slot: string) => void }) {
  const { t } = useTranslation();
  const slots = useQuery({ queryKey: caseKeys.part(caseId, 'visits', 'slots', type), queryFn: () => get<GetResult<'/api/cases/{id}/visits/slots'>>(`/cases/${caseId}/visits/slots?type=${type}&days=21`) });
  const byDay = new Map<string, string[]>();
  // Every free time is grouped by day first; the list then shows the first seven days, twelve times each
  // (cutting the times before grouping hid whole days when an expert keeps long hours).
  for (const s of slots.data?.slots ?? []) byDay.set(dayOf(s), [...(byDay.get(dayOf(s)) ?? []), s]);
  return (
    <Stack gap="xs">
      <Text size="sm" fw={600}>{t('visits:panel.chooseTime', { zone: zone() })}</Text>
      {slots.isLoading && <Loader size="sm" role="status" aria-label={t('visits:panel.loadingTimes')} />}
      {slots.data?.slots.length === 0 && <Text size="sm">{t('visits:panel.noTimes')}</Text>}
      <Stack gap="xs" data-testid="visit-slots">
        {[...byDay.entries()].slice(0, 7).map(([day, times]) => (
          <Stack key={day} gap={4}>
            <Text size="sm">{day}</Text>
            <SimpleGrid cols={{ base: 3, sm: 6 }} spacing={6}>
              {times.slice(0, 12).map((s) => <Button key={s} size="xs" variant={value === s ? 'filled' : 'default'} onClick={() => onChange(s)} aria-pressed={value === s}>{hourOf(s)}</Button>)}
            </SimpleGrid>
          </Stack>
        ))}
      </Stack>
      <ErrorNote error={slots.error} />
    </Stack>
  );
}

function BookForm({ caseId, d, preferredLanguage }: { caseId: string; d: Visits; preferredLanguage: string | null }) {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const bookable = d.types.filter((x) => x.bookable);
  const [type, setType] = useState<string | null>(bookable[0]?.id ?? null);
  const [slot, setSlot] = useState<string | null>(null);
  const [interpreter, setInterpreter] = useState(false);
  const bookButton = useShownWhenChosen(slot);
  const book = useMutation({
    mutationFn: () => post<{ startsAt: string }>(`/cases/${caseId}/visits`, { type, startsAt: slot, timeZone: zone(), ...(interpreter && preferredLanguage ? { interpreterLanguage: preferredLanguage } : {}) }),
    onSuccess: () => {
      setSlot(null);
      return qc.invalidateQueries({ queryKey: caseKeys.all(caseId) });
    },
  });
  const notNow = d.types.filter((x) => !x.bookable);
  // Once booked, a kind of visit is no longer offered (it can be moved from its card).
  const chosen = bookable.some((x) => x.id === type) ? type : null;
  return (
    <Card withBorder>
      <Title order={4}>{t('visits:panel.bookTitle')}</Title>
      {book.data && d.visits.some((v) => v.status === 'booked' && v.startsAt === book.data.startsAt) && <Alert color="green" mt="xs" data-testid="visit-booked">{t('visits:panel.booked', { time: timeOf(book.data.startsAt) })}</Alert>}
      {bookable.length > 0 && (
        <Radio.Group label={t('visits:panel.kind')} value={type} onChange={(v) => { setType(v); setSlot(null); }} mt="xs">
          <Stack gap={4} mt={4}>{bookable.map((x) => <Radio key={x.id} value={x.id} label={`${x.label} · ${t('visits:panel.minutes', { minutes: x.minutes })}`} />)}</Stack>
        </Radio.Group>
      )}
      {notNow.length > 0 && (
        <Stack gap={2} mt="sm">
          <Text size="sm" fw={600}>{t('visits:panel.notNow')}</Text>
          <List size="sm">{notNow.map((x) => <List.Item key={x.id}>{x.label}: {x.why.join(' ')}</List.Item>)}</List>
        </Stack>
      )}
      {chosen && (
        <Stack gap="xs" mt="md">
          <SlotPicker caseId={caseId} type={chosen} value={slot} onChange={setSlot} />
          {preferredLanguage && preferredLanguage !== 'en' && <Checkbox label={t('visits:panel.interpreter')} checked={interpreter} onChange={(e) => setInterpreter(e.currentTarget.checked)} />}
          <Text size="xs" c="dimmed">{t('visits:panel.cancelPolicy', { hours: d.cancellationHours })}</Text>
          {slot && new Date(slot).getTime() - Date.now() < d.cancellationHours * 3_600_000 && <Alert color="orange">{t('visits:panel.soonWarning', { hours: d.cancellationHours })}</Alert>}
          {slot && <Group ref={bookButton}><Button onClick={() => book.mutate()} loading={book.isPending}>{t('visits:panel.book', { time: timeOf(slot) })}</Button></Group>}
          <ErrorNote error={book.error} />
        </Stack>
      )}
    </Card>
  );
}
