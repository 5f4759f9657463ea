import { Anchor, Badge, Button, Card, Group, Modal, Stack, Text, Textarea, Title } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Link } from 'react-router';
import { formatDate, get, post, type GetResult } from '../../api.ts';
import { ErrorNote, SlaBadge, StatusBadge, UrgencyBadge } from '../../components.tsx';

/** The expert's inbox: offers to answer, then accepted cases by due date. */
export function InboxPage() {
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
      <Title order={2}>My inbox</Title>
      <ErrorNote error={inbox.error ?? accept.error} />
      {d && (
        <Group gap="xs">
          <Badge variant="light">{d.offered.length} to answer</Badge>
          <Badge variant="light">{d.accepted.length} accepted</Badge>
          <Badge color="orange" variant={d.dueSoon.length ? 'filled' : 'light'}>{d.dueSoon.length} due soon</Badge>
          <Badge color="red" variant={d.overdue.length ? 'filled' : 'light'}>{d.overdue.length} overdue</Badge>
        </Group>
      )}
      <Title order={3}>Offered to you</Title>
      {d?.offered.length === 0 && <Text c="dimmed">No offers waiting.</Text>}
      {d?.offered.map((o) => (
        <Card key={o.id} withBorder data-testid="inbox-offer">
          <Group justify="space-between">
            <Stack gap={2}>
              {/* Health details open once the offer is accepted (minimum necessary); the role says what is asked. */}
              <Text fw={600}>Case {o.caseReference}</Text>
              <Text size="sm">Asked of you as: {o.role.replaceAll('_', ' ')}</Text>
              <Text size="sm" c="dimmed">Answer by {formatDate(o.respondBy)}</Text>
            </Stack>
            <Group>
              <UrgencyBadge urgency={o.urgency} />
              <Button onClick={() => accept.mutate(o.id)} loading={accept.isPending}>Accept</Button>
              <Button variant="default" onClick={() => setDeclining(o.id)}>Decline…</Button>
            </Group>
          </Group>
        </Card>
      ))}
      <Title order={3}>Your cases</Title>
      {d?.accepted.length === 0 && <Text c="dimmed">No cases yet.</Text>}
      {d?.accepted.map((c) => (
        <Card key={c.id} withBorder data-testid="inbox-case">
          <Group justify="space-between">
            <Anchor component={Link} to={`/cases/${c.id}${c.questionWaiting ? '?tab=opinion' : ''}`} fw={600}><span style={{ whiteSpace: 'nowrap' }}>{c.reference}</span> · {c.condition ?? 'Case'}</Anchor>
            <Group gap="xs">
              {c.questionWaiting && <Badge color="indigo" variant="filled" data-testid="question-waiting">A question is waiting</Badge>}
              <SlaBadge sla={c.sla} /><StatusBadge status={c.status} />
            </Group>
          </Group>
        </Card>
      ))}
      <Modal opened={!!declining} onClose={() => setDeclining(null)} title="Decline this case">
        <form onSubmit={(e) => { e.preventDefault(); decline.mutate(); }}>
          <Stack>
            <Textarea label="Why? The coordinator uses this to choose the next expert." value={reason} onChange={(e) => setReason(e.currentTarget.value)} required minRows={3} />
            <ErrorNote error={decline.error} />
            <Button type="submit" loading={decline.isPending} disabled={reason.trim().length < 3}>Decline</Button>
          </Stack>
        </form>
      </Modal>
    </Stack>
  );
}
