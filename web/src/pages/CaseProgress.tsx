import { formatLocale } from '../i18n.ts';
import { Alert, Button, Card, Group, List, Modal, Select, Stack, Stepper, Text, Textarea, Title } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { TFunction } from 'i18next';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { get, post, type GetResult, type Schema } from '../api.ts';
import { ErrorNote } from '../components.tsx';
import { readerOf } from '../caseData.ts';
import { caseKeys } from '../queryKeys.ts';

type CaseDetail = Schema<'Case'>;
type Command = CaseDetail['commands'][number];

/** The four stages a patient recognises, and where each case status sits among them. */
const STAGES = ['sent', 'records', 'review', 'opinion'] as const;
const STAGE_OF: Record<string, number> = {
  draft: 0, submitted: 1, collecting_records: 1, ready_for_review: 2, assigned: 2, in_review: 2, board: 2, opinion_signed: 3, delivered: 4, closed: 4,
};

const day = (iso: string) => new Date(iso).toLocaleDateString(formatLocale(), { weekday: 'long', month: 'long', day: 'numeric' });

/** The step the patient's side reads at each status (cases:next), and the tab it offers, if any. */
type StepKey = 'submitted' | 'collecting' | 'complete' | 'review' | 'board' | 'written' | 'ready' | 'finished' | 'paused' | 'cancelled';
const STEP_OF: Record<string, StepKey> = {
  submitted: 'submitted', collecting_records: 'collecting', ready_for_review: 'complete', assigned: 'complete', in_review: 'review',
  board: 'board', opinion_signed: 'written', delivered: 'ready', closed: 'finished', on_hold: 'paused', cancelled: 'cancelled',
};
const TAB_OF: Partial<Record<StepKey, 'records' | 'opinion'>> = { submitted: 'records', collecting: 'records', ready: 'opinion', finished: 'opinion' };
type WithTab = 'submitted' | 'collecting' | 'ready' | 'finished';

interface NextStep { title: string; text: string; tab?: { id: string; label: string } }

/** What happens next for the patient's side, in plain words, at each status. */
export function patientNextStep(c: CaseDetail, t: TFunction): NextStep | null {
  const step = STEP_OF[c.status];
  if (!step) return null;
  // The patient reads "your opinion", "your records"; a caregiver or referring physician reads "the opinion", "the patient's records".
  const context = readerOf(c);
  const expected = c.sla?.dueAt ? t('cases:next.expectedBy', { day: day(c.sla.dueAt) }) : t('cases:next.expectedIn', { context, days: c.opinionWithinBusinessDays });
  const tab = TAB_OF[step];
  return {
    title: t(`cases:next.${step}.title`, { context }),
    text: t(`cases:next.${step}.text`, { context, expected }),
    ...(tab ? { tab: { id: tab, label: t(`cases:next.${step as WithTab}.tab`, { context }) } } : {}),
  };
}

/** The patient's progress tracker and what happens next. */
export function PatientProgress({ c, openTab }: { c: CaseDetail; openTab: (id: string) => void }) {
  const { t } = useTranslation();
  const step = patientNextStep(c, t);
  const active = STAGE_OF[c.status];
  return (
    <Card withBorder data-testid="progress">
      {active !== undefined && (
        <Stepper active={active} size="xs" allowNextStepsSelect={false} mb="md" aria-label={t('cases:progress', { context: readerOf(c) })}>
          {STAGES.map((s) => <Stepper.Step key={s} label={t(`cases:stage.${s}`)} />)}
        </Stepper>
      )}
      {step && (
        <Stack gap={4}>
          <Title order={3} size="h4">{step.title}</Title>
          <Text>{step.text}</Text>
          {step.tab && <Group mt="xs"><Button onClick={() => openTab(step.tab!.id)}>{step.tab.label}</Button></Group>}
        </Stack>
      )}
      <CommandButtons c={c} patientSide />
    </Card>
  );
}

const NEEDS_REASON = ['hold', 'cancel'];
/** Commands confirmed before they run, with what they mean (cases:command). */
const CONFIRM: Record<string, 'closeConfirm'> = { close: 'closeConfirm' };

/**
 * The commands the person may give, each with what still blocks it. Staff see a blocked command
 * with its reasons before pressing it; the patient's side is only offered what it can do.
 */
export function CommandButtons({ c, patientSide = false }: { c: CaseDetail; patientSide?: boolean }) {
  const qc = useQueryClient();
  const { t } = useTranslation();
  const [open, setOpen] = useState<Command | null>(null);
  const [reason, setReason] = useState('');
  const [expertId, setExpertId] = useState<string | null>(null);
  const experts = useQuery({ queryKey: ['experts'], queryFn: () => get<GetResult<'/api/experts'>>('/experts'), enabled: open?.name === 'assignExpert' });
  const run = useMutation({
    mutationFn: (cmd: string) => post<CaseDetail>(`/cases/${c.id}/commands/${cmd}`, { ...(reason ? { reason } : {}), ...(cmd === 'assignExpert' && expertId ? { expertId } : {}) }),
    onSuccess: (updated) => {
      qc.setQueryData(caseKeys.part(c.id, 'detail'), updated);
      // A state change touches every panel (timeline, opinion, records, access): refresh them all.
      void qc.invalidateQueries({ queryKey: caseKeys.all(c.id) });
      void qc.invalidateQueries({ queryKey: ['queue'] });
      setOpen(null);
      setReason('');
    },
  });
  const commands = c.commands.filter((x) => x.name !== 'submit' && !(patientSide && x.blockedBy.length));
  if (!commands.length) return null;
  const direct = (cmd: Command) => !NEEDS_REASON.includes(cmd.name) && cmd.name !== 'assignExpert' && !CONFIRM[cmd.name];
  const blocked = commands.filter((x) => x.blockedBy.length);
  const body = (
    <Stack gap="xs" mt={patientSide ? 'md' : 0}>
      <Group>
        {!patientSide && <Text fw={600}>{t('cases:command.nextStep')}</Text>}
        {commands.map((cmd) => (
          <Button key={cmd.name} variant={['cancel', 'hold', 'close'].includes(cmd.name) || patientSide ? 'default' : 'filled'} color={cmd.name === 'cancel' && !patientSide ? 'red' : undefined}
            disabled={cmd.blockedBy.length > 0} loading={run.isPending && run.variables === cmd.name} onClick={() => (direct(cmd) ? run.mutate(cmd.name) : setOpen(cmd))}>
            {cmd.label}
          </Button>
        ))}
      </Group>
      {blocked.map((cmd) => (
        <Alert key={cmd.name} color="gray" title={t('cases:command.blocked', { action: cmd.label.toLocaleLowerCase() })} data-testid={`blocked-${cmd.name}`}>
          <List size="sm">{cmd.blockedBy.map((b) => <List.Item key={b}>{b}</List.Item>)}</List>
        </Alert>
      ))}
      {!open && <ErrorNote error={run.error} />}
      <Modal opened={!!open} onClose={() => setOpen(null)} title={open?.label ?? ''}>
        <Stack>
          {open?.name === 'assignExpert' && (
            <Select label={t('cases:command.expert')} searchable data={(experts.data ?? []).map((e) => ({ value: e.id, label: e.name }))} value={expertId} onChange={setExpertId} nothingFoundMessage={t('cases:command.noExpert')} />
          )}
          {open && CONFIRM[open.name] && <Text size="sm">{t(`cases:command.${CONFIRM[open.name]!}`)}</Text>}
          {open?.name === 'cancel' && patientSide && <Text size="sm">{t('cases:command.cancelPatient', { context: readerOf(c) })}</Text>}
          {open && NEEDS_REASON.includes(open.name) && <Textarea label={t('cases:command.reason')} description={patientSide ? t('cases:command.reasonPatient') : t('cases:command.reasonStaff')} required value={reason} onChange={(e) => setReason(e.currentTarget.value)} />}
          <ErrorNote error={run.error} />
          <Button onClick={() => open && run.mutate(open.name)} loading={run.isPending}>{t('cases:command.confirm')}</Button>
        </Stack>
      </Modal>
    </Stack>
  );
  return patientSide ? body : <Card withBorder>{body}</Card>;
}
