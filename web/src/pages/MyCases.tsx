import { Alert, Badge, Button, Card, Group, Stack, Text, Title } from '@mantine/core';
import { useState } from 'react';
import { useMutation, useQuery } from '@tanstack/react-query';
import { Link, useNavigate } from 'react-router';
import { formatDate, get, post, type GetResult, type PostResult } from '../api.ts';
import type { Me } from '../auth.tsx';
import { ErrorNote, StatusBadge, UrgencyBadge } from '../components.tsx';
import { PENDING_KEY } from './assess/storage.ts';

const opinionReady = (status: string) => status === 'delivered';

/** The patient's (or expert's) own cases, newest first. */
export function MyCasesPage({ me }: { me: Me }) {
  const navigate = useNavigate();
  const cases = useQuery({ queryKey: ['cases', 'mine'], queryFn: () => get<GetResult<'/api/cases'>>('/cases?sort=newest&pageSize=100') });
  const create = useMutation({ mutationFn: () => post<PostResult<'/api/cases'>>('/cases'), onSuccess: (c) => navigate(`/cases/${c.id}`) });
  const canCreate = me.user.role === 'patient' || me.user.role === 'referring_physician';
  const [pending, setPending] = useState(() => localStorage.getItem(PENDING_KEY));
  const fromAssessment = useMutation({
    mutationFn: () => post<PostResult<'/api/cases'>>('/cases', { assessment: JSON.parse(pending ?? '{}') }),
    onSuccess: (c) => {
      localStorage.removeItem(PENDING_KEY);
      navigate(`/cases/${c.id}`);
    },
  });
  const dismiss = () => {
    localStorage.removeItem(PENDING_KEY);
    setPending(null);
  };
  return (
    <Stack>
      <Group justify="space-between">
        <Title order={2}>{me.user.role === 'patient' ? 'My second-opinion requests' : 'My cases'}</Title>
        {canCreate && <Button onClick={() => create.mutate()} loading={create.isPending}>Start a new request</Button>}
      </Group>
      {pending && me.user.role === 'patient' && (
        <Alert color="indigo" title="Continue from your assessment" data-testid="pending-assessment">
          <Text size="sm" mb="xs">You answered the “Should I get a second opinion?” questions. Start a request with those answers filled in.</Text>
          <Group>
            <Button size="sm" onClick={() => fromAssessment.mutate()} loading={fromAssessment.isPending}>Start a request from my answers</Button>
            <Button size="sm" variant="subtle" onClick={dismiss}>No thanks</Button>
          </Group>
        </Alert>
      )}
      <ErrorNote error={cases.error ?? create.error ?? fromAssessment.error} />
      {cases.data?.items.length === 0 && <Text c="dimmed">{canCreate ? 'You have no requests yet. Start one to tell us about your situation.' : 'No cases are assigned to you.'}</Text>}
      {cases.data?.items.map((c) => (
        <Card key={c.id} withBorder component={Link} to={`/cases/${c.id}`} data-testid="case-card" bg={opinionReady(c.status) ? 'green.0' : undefined}>
          <Group justify="space-between">
            <Stack gap={2}>
              <Text fw={600}>{c.condition ?? 'New request (not finished)'}</Text>
              <Text size="sm" c="dimmed">{c.reference} · {c.patientName ?? 'patient details not entered yet'} · started {formatDate(c.createdAt)}</Text>
            </Stack>
            <Group gap="xs">
              {opinionReady(c.status) && canCreate ? <Badge color="green" variant="filled">Your opinion is ready</Badge> : <><UrgencyBadge urgency={c.urgency} /><StatusBadge status={c.status} /></>}
            </Group>
          </Group>
        </Card>
      ))}
    </Stack>
  );
}
