import { Alert, Button, Card, Group, List, Modal, Select, Stack, Stepper, Text, Textarea, Title } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { get, post, type GetResult, type Schema } from '../api.ts';
import { ErrorNote } from '../components.tsx';
import { caseKeys } from '../queryKeys.ts';

type CaseDetail = Schema<'Case'>;
type Command = CaseDetail['commands'][number];

/** The four stages a patient recognises, and where each case status sits among them. */
const STAGES = ['Request sent', 'Records', 'Expert review', 'Opinion'] as const;
const STAGE_OF: Record<string, number> = {
  draft: 0, submitted: 1, collecting_records: 1, ready_for_review: 2, assigned: 2, in_review: 2, board: 2, opinion_signed: 3, delivered: 4, closed: 4,
};

const day = (iso: string) => new Date(iso).toLocaleDateString(undefined, { weekday: 'long', month: 'long', day: 'numeric' });

interface NextStep { title: string; text: string; tab?: { id: string; label: string } }

/** What happens next for the patient's side, in plain words, at each status. */
export function patientNextStep(c: CaseDetail): NextStep | null {
  // The patient reads "your opinion"; a caregiver or referring physician reads "the opinion".
  const own = c.myRelations.includes('patient');
  const opinion = own ? 'your opinion' : 'the opinion';
  const days = c.opinionWithinBusinessDays;
  const expected = c.sla?.dueAt ? `We expect the opinion by ${day(c.sla.dueAt)}.` : `Once your records are complete, the opinion takes about ${days} working days.`;
  switch (c.status) {
    case 'submitted':
      return { title: 'We have your request', text: `A coordinator will look at it and start gathering your records. You can add the records you have now. ${expected}`, tab: { id: 'records', label: 'Add records' } };
    case 'collecting_records':
      return { title: 'We are gathering your records', text: `Add any records you have. We ask your doctors and hospitals for the rest. ${expected}`, tab: { id: 'records', label: 'See what is needed' } };
    case 'ready_for_review':
    case 'assigned':
      return { title: 'Your records are complete', text: `We are choosing the right expert for your case. ${expected}` };
    case 'in_review':
      return { title: 'An expert is reviewing your case', text: expected };
    case 'board':
      return { title: 'A team of specialists is discussing your case', text: `Several experts meet to agree on advice for you (a tumor board). ${expected}` };
    case 'opinion_signed':
      return { title: own ? 'Your opinion is written' : 'The opinion is written', text: 'Your coordinator checks it and sends it to you soon. We will e-mail you when it is ready.' };
    case 'delivered':
      return { title: own ? 'Your opinion is ready' : 'The opinion is ready', text: 'Read it, download it to share with the treating doctor, and ask the expert a question if something is not clear.', tab: { id: 'opinion', label: `Read ${opinion}` } };
    case 'closed':
      return { title: 'This request is finished', text: `You can still read and download ${opinion}.`, tab: { id: 'opinion', label: `Read ${opinion}` } };
    case 'on_hold':
      return { title: 'Your request is paused', text: 'Your coordinator will contact you about what is needed to go on.' };
    case 'cancelled':
      return { title: 'This request was cancelled', text: 'Nothing more will happen with it. You can start a new request at any time.' };
    default:
      return null;
  }
}

/** The patient's progress tracker and what happens next. */
export function PatientProgress({ c, openTab }: { c: CaseDetail; openTab: (id: string) => void }) {
  const step = patientNextStep(c);
  const active = STAGE_OF[c.status];
  return (
    <Card withBorder data-testid="progress">
      {active !== undefined && (
        <Stepper active={active} size="xs" allowNextStepsSelect={false} mb="md" aria-label="Progress of your request">
          {STAGES.map((s) => <Stepper.Step key={s} label={s} />)}
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
/** Commands confirmed before they run, with what they mean. */
const CONFIRM: Record<string, string> = {
  close: 'Closing ends the follow-up questions now. A delivered case also closes by itself when the follow-up period is over.',
};

/**
 * The commands the person may give, each with what still blocks it. Staff see a blocked command
 * with its reasons before pressing it; the patient's side is only offered what it can do.
 */
export function CommandButtons({ c, patientSide = false }: { c: CaseDetail; patientSide?: boolean }) {
  const qc = useQueryClient();
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
        {!patientSide && <Text fw={600}>Next step:</Text>}
        {commands.map((cmd) => (
          <Button key={cmd.name} variant={['cancel', 'hold', 'close'].includes(cmd.name) || patientSide ? 'default' : 'filled'} color={cmd.name === 'cancel' && !patientSide ? 'red' : undefined}
            disabled={cmd.blockedBy.length > 0} loading={run.isPending && run.variables === cmd.name} onClick={() => (direct(cmd) ? run.mutate(cmd.name) : setOpen(cmd))}>
            {cmd.label}
          </Button>
        ))}
      </Group>
      {blocked.map((cmd) => (
        <Alert key={cmd.name} color="gray" title={`Before you can ${cmd.label.toLowerCase()}`} data-testid={`blocked-${cmd.name}`}>
          <List size="sm">{cmd.blockedBy.map((b) => <List.Item key={b}>{b}</List.Item>)}</List>
        </Alert>
      ))}
      {!open && <ErrorNote error={run.error} />}
      <Modal opened={!!open} onClose={() => setOpen(null)} title={open?.label ?? ''}>
        <Stack>
          {open?.name === 'assignExpert' && (
            <Select label="Expert reviewer" searchable data={(experts.data ?? []).map((e) => ({ value: e.id, label: e.name }))} value={expertId} onChange={setExpertId} nothingFoundMessage="No expert found" />
          )}
          {open && CONFIRM[open.name] && <Text size="sm">{CONFIRM[open.name]}</Text>}
          {open?.name === 'cancel' && patientSide && <Text size="sm">Your request will stop. Your records stay in your account, and you can start a new request at any time.</Text>}
          {open && NEEDS_REASON.includes(open.name) && <Textarea label="Reason" description={patientSide ? 'Your coordinator will see it.' : 'Shown on the case timeline.'} required value={reason} onChange={(e) => setReason(e.currentTarget.value)} />}
          <ErrorNote error={run.error} />
          <Button onClick={() => open && run.mutate(open.name)} loading={run.isPending}>Confirm</Button>
        </Stack>
      </Modal>
    </Stack>
  );
  return patientSide ? body : <Card withBorder>{body}</Card>;
}
