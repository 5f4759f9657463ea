import { Button, Container, Paper, Stack, Text, Title } from '@mantine/core';
import { useMutation, useQuery } from '@tanstack/react-query';
import { Link, useNavigate, useParams } from 'react-router';
import { get, post, type GetResult } from '../api.ts';
import { useMe } from '../auth.tsx';
import { ErrorNote } from '../components.tsx';

export function InvitationPage() {
  const { token = '' } = useParams();
  const { data: me } = useMe();
  const navigate = useNavigate();
  const info = useQuery({ queryKey: ['invitation', token], queryFn: () => get<GetResult<'/api/invitations/{token}'>>(`/invitations/${token}`) });
  const accept = useMutation({ mutationFn: () => post<{ caseId: string }>(`/invitations/${token}/accept`), onSuccess: (r) => navigate(`/cases/${r.caseId}`) });
  return (
    <Container size={480} py="xl">
      <Paper withBorder p="lg">
        <Stack>
          <Title order={2}>Caregiver invitation</Title>
          <ErrorNote error={info.error} />
          {info.data && (
            <>
              <Text><b>{info.data.invitedBy}</b> invites you to help with their second-opinion request <b>{info.data.caseReference}</b> as their {info.data.relationship.toLowerCase()}.</Text>
              <Text size="sm" c="dimmed">The invitation was sent to {info.data.email}. Accept it with an account that uses this address.</Text>
              {me ? <Button onClick={() => accept.mutate()} loading={accept.isPending}>Accept invitation</Button> : (
                <Stack gap="xs">
                  <Button component={Link} to={`/login?next=/invitations/${token}`}>Sign in to accept</Button>
                  <Button component={Link} to="/register" variant="default">Create an account first</Button>
                </Stack>
              )}
              <ErrorNote error={accept.error} />
            </>
          )}
        </Stack>
      </Paper>
    </Container>
  );
}
