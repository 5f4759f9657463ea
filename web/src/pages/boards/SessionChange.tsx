import { Button, Group, Modal, NumberInput, Radio, Select, Stack, Text, TextInput } from '@mantine/core';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useNavigate } from 'react-router';
import { api, post, type GetResult } from '../../api.ts';
import { ErrorNote } from '../../components.tsx';
import { TIME_ZONES } from './BoardsPage.tsx';

type Session = GetResult<'/api/boards/sessions/{sessionId}'>;
type Scope = 'this' | 'following';

/** The session's start as the chair reads it where it takes place: `2027-03-04` and `17:00`. */
function localParts(startsAt: string, timeZone: string) {
  const parts = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).formatToParts(new Date(startsAt));
  const get = (t: string) => parts.find((p) => p.type === t)?.value ?? '';
  return { date: `${get('year')}-${get('month')}-${get('day')}`, time: `${get('hour')}:${get('minute')}` };
}

function ScopeChoice({ value, onChange, label }: { value: Scope; onChange: (v: Scope) => void; label: string }) {
  const { t } = useTranslation();
  return (
    <Radio.Group label={label} value={value} onChange={(v) => onChange(v as Scope)}>
      <Stack gap={4} mt={4}>
        <Radio value="this" label={t('boards:change.scope.this')} />
        <Radio value="following" label={t('boards:change.scope.following')} />
      </Stack>
    </Radio.Group>
  );
}

/**
 * The chair moves a session, renames it or cancels it; in a repeating series, this one or this
 * and the following ones. Members get the calendar update by mail.
 */
export function SessionChange({ s }: { s: Session }) {
  const { t } = useTranslation();
  const [open, setOpen] = useState<'move' | 'cancel' | null>(null);
  if (s.status !== 'scheduled' || new Date(s.endsAt) < new Date()) return null;
  return (
    <>
      <Group gap="xs">
        <Button size="xs" variant="light" onClick={() => setOpen('move')}>{t('boards:change.open')}</Button>
        <Button size="xs" variant="subtle" color="red" onClick={() => setOpen('cancel')}>{t('boards:change.openCancel')}</Button>
      </Group>
      {open === 'move' && <MoveModal s={s} onClose={() => setOpen(null)} />}
      {open === 'cancel' && <CancelModal s={s} onClose={() => setOpen(null)} />}
    </>
  );
}

function MoveModal({ s, onClose }: { s: Session; onClose: () => void }) {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const start = localParts(s.startsAt, s.timeZone);
  const [date, setDate] = useState(start.date);
  const [time, setTime] = useState(start.time);
  const [zone, setZone] = useState<string | null>(s.timeZone);
  const [duration, setDuration] = useState(Math.round((new Date(s.endsAt).getTime() - new Date(s.startsAt).getTime()) / 60_000));
  const [title, setTitle] = useState(s.title);
  const [scope, setScope] = useState<Scope>('this');
  const save = useMutation({
    mutationFn: () => api('PATCH', `/boards/sessions/${s.id}`, { startsAtLocal: `${date}T${time}`, timeZone: zone, durationMinutes: duration, scope, ...(title.trim() !== s.title ? { title: title.trim() } : {}) }),
    onSuccess: async () => {
      await qc.invalidateQueries({ queryKey: ['boards'] });
      onClose();
    },
  });
  return (
    <Modal opened onClose={onClose} title={t('boards:change.title')}>
      <Stack gap="sm">
        <TextInput label={t('boards:change.name')} value={title} onChange={(e) => setTitle(e.currentTarget.value)} />
        <Group grow>
          <TextInput label={t('boards:form.date')} type="date" value={date} onChange={(e) => setDate(e.currentTarget.value)} />
          <TextInput label={t('boards:form.time')} type="time" value={time} onChange={(e) => setTime(e.currentTarget.value)} />
        </Group>
        <Select label={t('boards:form.zone')} data={TIME_ZONES} value={zone} onChange={setZone} searchable allowDeselect={false} />
        <NumberInput label={t('boards:change.length')} value={duration} onChange={(v) => setDuration(Number(v) || 60)} min={15} max={480} step={15} />
        {s.seriesId && <ScopeChoice value={scope} onChange={setScope} label={t('boards:change.scopeChange')} />}
        {scope === 'following' && <Text size="sm" c="dimmed">{t('boards:change.followingNote')}</Text>}
        <Text size="sm">{t('boards:change.mailNote')}</Text>
        <ErrorNote error={save.error} />
        <Group justify="end">
          <Button variant="default" onClick={onClose}>{t('boards:change.keep')}</Button>
          <Button onClick={() => save.mutate()} loading={save.isPending} disabled={!date || !time || !zone}>{t('boards:change.save')}</Button>
        </Group>
      </Stack>
    </Modal>
  );
}

function CancelModal({ s, onClose }: { s: Session; onClose: () => void }) {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const navigate = useNavigate();
  const [scope, setScope] = useState<Scope>('this');
  const cancel = useMutation({
    mutationFn: () => post(`/boards/sessions/${s.id}/cancel?scope=${scope}`),
    onSuccess: async () => {
      await qc.invalidateQueries({ queryKey: ['boards'] });
      onClose();
      navigate('/boards');
    },
  });
  return (
    <Modal opened onClose={onClose} title={t('boards:change.cancelTitle')}>
      <Stack gap="sm">
        {s.seriesId && <ScopeChoice value={scope} onChange={setScope} label={t('boards:change.scopeCancel')} />}
        <Text size="sm">{t('boards:change.cancelNote')}</Text>
        <ErrorNote error={cancel.error} />
        <Group justify="end">
          <Button variant="default" onClick={onClose}>{t('boards:change.keepIt')}</Button>
          <Button color="red" onClick={() => cancel.mutate()} loading={cancel.isPending}>{scope === 'following' ? t('boards:change.cancelMany') : t('boards:change.cancelOne')}</Button>
        </Group>
      </Stack>
    </Modal>
  );
}
