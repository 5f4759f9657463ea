import { Anchor, Badge, Button, Card, Group, Modal, Stack, Text, Textarea, Title } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { formatDate, get, post, type GetResult } from '../../api.ts';
import { ErrorNote, SlaBadge, StatusBadge, UrgencyBadge } from '../../components.tsx';
import { reviewRoleLabel } from './MatchesPanel.tsx';

/** The expert's inbox: offers to answer, then accepted cases by due date. */
export function InboxPage() {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const inbox = useQuery({ queryKey: ['inbox'], queryFn: () => get<GetResult<'/api/experts/me/inbox'>>('/experts/me/inbox') });
  const [declining, setDeclining] = useState<string | null>(null);
  const [reason, setReason] = useState('');
  const done = () => qc.invalidateQueries({ queryKey: ['inbox'] });
  const accept = useMutation({ mutationFn: (id: string) => post(`/offers/${id}/accept`), onSuccess: done });
  const decline = useMutation({ mutationFn: () => post(`/offers/${declining}/decline`, { reason }), onSuccess: () => (done(), setDeclining(null), setReason('')) });
  const d = inbox.data;
  return (
    <Stack>
      <Title order={2}>{t('common:nav.item.inbox')}</Title>
      <ErrorNote error={inbox.error ?? accept.error} />
      {d && (
        <Group gap="xs">
          <Badge variant="light">{t('experts:inbox.toAnswer', { count: d.offered.length })}</Badge>
          <Badge variant="light">{t('experts:inbox.accepted', { count: d.accepted.length })}</Badge>
          <Badge color="orange" variant={d.dueSoon.length ? 'filled' : 'light'}>{t('experts:inbox.dueSoon', { count: d.dueSoon.length })}</Badge>
          <Badge color="red" variant={d.overdue.length ? 'filled' : 'light'}>{t('experts:inbox.overdue', { count: d.overdue.length })}</Badge>
        </Group>
      )}
      <Title order={3}>{t('experts:inbox.offered')}</Title>
      {d?.offered.length === 0 && <Text c="dimmed">{t('experts:inbox.noOffers')}</Text>}
      {d?.offered.map((o) => (
        <Card key={o.id} withBorder data-testid="inbox-offer">
          <Group justify="space-between">
            <Stack gap={2}>
              {/* Health details open once the offer is accepted (minimum necessary); the role says what is asked. */}
              <Text fw={600}>{t('experts:inbox.case', { reference: o.caseReference })}</Text>
              <Text size="sm">{t('experts:inbox.askedAs', { role: reviewRoleLabel(o.role) })}</Text>
              <Text size="sm" c="dimmed">{t('experts:inbox.answerBy', { date: formatDate(o.respondBy) })}</Text>
            </Stack>
            <Group>
              <UrgencyBadge urgency={o.urgency} />
              <Button onClick={() => accept.mutate(o.id)} loading={accept.isPending}>{t('experts:inbox.accept')}</Button>
              <Button variant="default" onClick={() => setDeclining(o.id)}>{t('experts:inbox.decline')}</Button>
            </Group>
          </Group>
        </Card>
      ))}
      <Title order={3}>{t('experts:inbox.yourCases')}</Title>
      {d?.accepted.length === 0 && <Text c="dimmed">{t('experts:inbox.noCases')}</Text>}
      {d?.accepted.map((c) => (
        <Card key={c.id} withBorder data-testid="inbox-case">
          <Group justify="space-between">
            <Anchor component={Link} to={`/cases/${c.id}${c.questionWaiting ? '?tab=opinion' : ''}`} fw={600}><span style={{ whiteSpace: 'nowrap' }}>{c.reference}</span> · {c.condition ?? t('experts:inbox.aCase')}</Anchor>
            <Group gap="xs">
              {c.questionWaiting && <Badge color="indigo" variant="filled" data-testid="question-waiting">{t('experts:inbox.questionWaiting')}</Badge>}
              <SlaBadge sla={c.sla} /><StatusBadge status={c.status} />
            </Group>
          </Group>
        </Card>
      ))}
      <Modal opened={!!declining} onClose={() => setDeclining(null)} title={t('experts:inbox.declineTitle')}>
        <form onSubmit={(e) => { e.preventDefault(); decline.mutate(); }}>
          <Stack>
            <Textarea label={t('experts:inbox.declineWhy')} value={reason} onChange={(e) => setReason(e.currentTarget.value)} required minRows={3} />
            <ErrorNote error={decline.error} />
            <Button type="submit" loading={decline.isPending} disabled={reason.trim().length < 3}>{t('experts:inbox.declineSubmit')}</Button>
          </Stack>
        </form>
      </Modal>
    </Stack>
  );
}
