import { Button, Container, Paper, Stack, Text, Title } from '@mantine/core';
import { useMutation, useQuery } from '@tanstack/react-query';
import { Trans, useTranslation } from 'react-i18next';
import { Link, useNavigate, useParams } from 'react-router';
import { get, post, type GetResult } from '../api.ts';
import { useMe } from '../auth.tsx';
import { ErrorNote } from '../components.tsx';

export function InvitationPage() {
  const { token = '' } = useParams();
  const { data: me } = useMe();
  const navigate = useNavigate();
  const { t } = useTranslation();
  const info = useQuery({ queryKey: ['invitation', token], queryFn: () => get<GetResult<'/api/invitations/{token}'>>(`/invitations/${token}`) });
  const accept = useMutation({ mutationFn: () => post<{ caseId: string }>(`/invitations/${token}/accept`), onSuccess: (r) => navigate(`/cases/${r.caseId}`) });
  return (
    <Container size={480} py="xl">
      <Paper withBorder p="lg">
        <Stack>
          <Title order={2}>{t('cases:invitation.title')}</Title>
          <ErrorNote error={info.error} />
          {info.data && (
            <>
              <Text><Trans t={t} i18nKey="cases:invitation.text" values={{ invitedBy: info.data.invitedBy, reference: info.data.caseReference, relationship: info.data.relationship.toLocaleLowerCase() }} components={{ b: <b />, reference: <b style={{ whiteSpace: 'nowrap' }} /> }} /></Text>
              <Text size="sm" c="dimmed">{t('cases:invitation.sentTo', { email: info.data.email })}</Text>
              {me ? <Button onClick={() => accept.mutate()} loading={accept.isPending}>{t('cases:invitation.accept')}</Button> : (
                <Stack gap="xs">
                  <Button component={Link} to={`/login?next=/invitations/${token}`}>{t('cases:invitation.signIn')}</Button>
                  <Button component={Link} to="/register" variant="default">{t('cases:invitation.register')}</Button>
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
