import { Alert, Button, Card, Group, List, Loader, Select, Stack, Text, Textarea, TextInput, Title } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { formatDate, formatDay, get, post, type GetResult, type Schema } from '../../api.ts';
import { ErrorNote } from '../../components.tsx';
import { caseKeys } from '../../queryKeys.ts';

/** A board's name inside a sentence ("the thoracic tumor board"). */
const inSentence = (label: string) => label.charAt(0).toLowerCase() + label.slice(1);

type CaseBoard = GetResult<'/api/cases/{id}/board'>;
type Recommendation = Schema<'BoardRecommendation'>;

/**
 * The case's tumor board: what the rules suggest and why (with their sources), the request or
 * confirmation, the sessions it is on, and each confirmed recommendation in plain words.
 */
export function CaseBoardPanel({ caseId }: { caseId: string }) {
  const { t } = useTranslation();
  const board = useQuery({ queryKey: caseKeys.part(caseId, 'board'), queryFn: () => get<CaseBoard>(`/cases/${caseId}/board`) });
  if (board.isLoading) return <Loader role="status" aria-label={t('boards:panel.loading')} />;
  if (board.error || !board.data) return <ErrorNote error={board.error} />;
  const b = board.data;
  return (
    <Stack gap="md">
      <Text size="sm" c="dimmed">{t('boards:panel.intro')}</Text>
      {b.recommendations.map((r) => <RecommendationCard key={r.sessionId} r={r} />)}
      <ProposalStatus b={b} />
      {b.sessions.map((s) => <Text key={s.sessionId} size="sm">{t('boards:panel.scheduled', { title: s.title, date: formatDate(s.startsAt) })}</Text>)}
      <Suggestion b={b} />
      {b.can.confirm && <ConfirmForm caseId={caseId} b={b} />}
      {b.can.request && <RequestForm caseId={caseId} />}
    </Stack>
  );
}

function ProposalStatus({ b }: { b: CaseBoard }) {
  const { t } = useTranslation();
  const p = b.proposal;
  if (!p) return null;
  const text = p.status === 'declined' ? t('boards:panel.status.declined') : t(`boards:panel.status.${p.status}`, { board: inSentence(p.boardLabel) });
  // The reason for declining is written for the care team; the patient side does not receive it.
  return <Alert color={p.status === 'declined' ? 'gray' : 'grape'} data-testid="board-status">{text}{p.declineReason && <Text size="sm" mt={4}>{t('boards:panel.declineReason')}: {p.declineReason}</Text>}</Alert>;
}

function Suggestion({ b }: { b: CaseBoard }) {
  const { t } = useTranslation();
  const reasons = b.proposal?.reasons.length ? b.proposal.reasons : b.suggestion.fired;
  if (!reasons.length) return b.proposal ? null : <Text size="sm">{t('boards:panel.notSuggested')}</Text>;
  return (
    <Card withBorder data-testid="board-reasons">
      <Title order={4}>{t('boards:panel.suggested', { board: inSentence(b.proposal?.boardLabel ?? b.suggestion.boardLabel) })}</Title>
      <Text size="sm" fw={600} mt="xs">{t('boards:panel.why')}</Text>
      <List size="sm" spacing={6}>
        {reasons.map((r) => (
          <List.Item key={r.id}>
            <Text size="sm">{r.reason}</Text>
            {r.sources.map((s) => <Text key={s.id} size="xs" c="dimmed">{t('boards:panel.source', { title: s.title, date: formatDay(s.reviewedOn) })}</Text>)}
          </List.Item>
        ))}
      </List>
    </Card>
  );
}

function RequestForm({ caseId }: { caseId: string }) {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const [note, setNote] = useState('');
  const send = useMutation({
    mutationFn: () => post(`/cases/${caseId}/board/request`, { note }),
    onSuccess: () => qc.invalidateQueries({ queryKey: caseKeys.all(caseId) }),
  });
  if (send.isSuccess) return <Alert color="green">{t('boards:panel.asked')}</Alert>;
  return (
    <Card withBorder>
      <Title order={4}>{t('boards:panel.askTitle')}</Title>
      <Text size="sm" c="dimmed" mb="xs">{t('boards:panel.askHelp')}</Text>
      <Textarea label={t('boards:panel.askLabel')} value={note} onChange={(e) => setNote(e.currentTarget.value)} autosize minRows={2} maxLength={1000} />
      <ErrorNote error={send.error} />
      <Group mt="sm"><Button onClick={() => send.mutate()} loading={send.isPending} disabled={note.trim().length < 3}>{t('boards:panel.askButton')}</Button></Group>
    </Card>
  );
}

function ConfirmForm({ caseId, b }: { caseId: string; b: CaseBoard }) {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const types = useQuery({ queryKey: ['boards', 'types'], queryFn: () => get<GetResult<'/api/boards/types'>>('/boards/types'), staleTime: Infinity });
  const [boardType, setBoardType] = useState<string | null>(b.proposal?.boardType ?? b.suggestion.boardType);
  const [reason, setReason] = useState('');
  const done = () => qc.invalidateQueries({ queryKey: caseKeys.all(caseId) });
  const confirm = useMutation({ mutationFn: () => post(`/cases/${caseId}/board/confirm`, { boardType }), onSuccess: done });
  const decline = useMutation({ mutationFn: () => post(`/cases/${caseId}/board/decline`, { reason }), onSuccess: done });
  if (b.proposal?.status === 'confirmed' || (!b.suggestion.propose && !b.proposal)) return null;
  return (
    <Card withBorder>
      <Title order={4}>{t('boards:panel.confirmTitle')}</Title>
      <Group align="end" mt="xs" wrap="wrap">
        <Select label={t('boards:panel.boardType')} data={(types.data?.types ?? []).map((x) => ({ value: x.id, label: x.label }))} value={boardType} onChange={setBoardType} w={280} allowDeselect={false} />
        <Button color="grape" onClick={() => confirm.mutate()} loading={confirm.isPending} disabled={!boardType}>{t('boards:panel.confirm')}</Button>
      </Group>
      <Group align="end" mt="sm" wrap="wrap">
        <TextInput label={t('boards:panel.declineReason')} value={reason} onChange={(e) => setReason(e.currentTarget.value)} w={280} maxLength={500} />
        <Button variant="default" onClick={() => decline.mutate()} loading={decline.isPending} disabled={reason.trim().length < 3}>{t('boards:panel.decline')}</Button>
      </Group>
      <ErrorNote error={confirm.error ?? decline.error} />
    </Card>
  );
}

/** A confirmed recommendation, as the opinion will carry it. */
export function RecommendationCard({ r }: { r: Recommendation }) {
  const { t } = useTranslation();
  const m = r.minutes;
  const members = r.attendees.map((a) => (a.seat ? `${a.name} (${a.seat})` : a.name)).join(', ');
  return (
    <Card withBorder data-testid="board-recommendation">
      <Title order={4}>{t('boards:panel.recommendationTitle', { board: r.boardLabel })}</Title>
      <Text size="xs" c="dimmed">{t('boards:panel.discussedLine', { date: formatDate(r.discussedAt), chair: r.chairName, members })}</Text>
      <Text size="sm" fw={600} mt="sm">{t('boards:panel.consensus')}</Text>
      {m.consensus?.treatmentStance && <Text size="sm">{t(`boards:panel.stance.${m.consensus.treatmentStance}`)}</Text>}
      <Text size="sm">{m.consensus?.recommendation}</Text>
      {m.consensus?.surgery && <Text size="sm">{t(`boards:panel.surgery.${m.consensus.surgery}`)}</Text>}
      {!!m.consensus?.options?.length && <List size="sm">{m.consensus.options.map((o, i) => <List.Item key={i}>{o.option}{o.rationale ? ` — ${o.rationale}` : ''}</List.Item>)}</List>}
      <Text size="sm" fw={600} mt="sm">{t('boards:panel.rationale')}</Text>
      <Text size="sm">{m.rationale}</Text>
      <Text size="sm" fw={600} mt="sm">{t('boards:panel.guidelines')}</Text>
      <Text size="sm">{m.guideline?.concordant ? t('boards:panel.followsGuidelines') : t('boards:panel.deviates', { reason: m.guideline?.deviationReason ?? '' })}</Text>
      {r.dissent.length > 0 && <><Text size="sm" fw={600} mt="sm">{t('boards:panel.dissent')}</Text>{r.dissent.map((d, i) => <Text key={i} size="sm">{d.name}: {d.text}</Text>)}</>}
      {r.actions.length > 0 && <><Text size="sm" fw={600} mt="sm">{t('boards:panel.actions')}</Text><List size="sm">{r.actions.map((a, i) => <List.Item key={i}>{t('boards:panel.actionLine', { text: a.text, owner: a.owner })}</List.Item>)}</List></>}
      <Text size="xs" c="dimmed" mt="sm">{t('boards:panel.supports')}</Text>
    </Card>
  );
}
