import { Alert, Button, Group, Stack, Text, TextInput } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { api, get, post, type GetResult, type Schema } from '../api.ts';
import { ErrorNote } from '../components.tsx';
import { caseKeys } from '../queryKeys.ts';

/** The patient's caregivers on a case: invite by email, remove. */
export function Caregivers({ c }: { c: Schema<'Case'> }) {
  const qc = useQueryClient();
  const [email, setEmail] = useState('');
  const [relationship, setRelationship] = useState('');
  const owner = c.myRelations.includes('patient');
  const invitations = useQuery({ queryKey: caseKeys.part(c.id, 'invitations'), queryFn: () => get<GetResult<'/api/cases/{id}/invitations'>>(`/cases/${c.id}/invitations`), enabled: owner });
  const refreshInvitations = () => qc.invalidateQueries({ queryKey: caseKeys.part(c.id, 'invitations') });
  const invite = useMutation({ mutationFn: () => post(`/cases/${c.id}/proxies`, { email, relationship }), onSuccess: () => { setEmail(''); setRelationship(''); void refreshInvitations(); } });
  const remove = useMutation({ mutationFn: (userId: string) => api('DELETE', `/cases/${c.id}/proxies/${userId}`), onSuccess: (u) => { qc.setQueryData(caseKeys.part(c.id, 'detail'), u); void refreshInvitations(); } });
  const withdraw = useMutation({ mutationFn: (id: string) => api('DELETE', `/cases/${c.id}/invitations/${id}`), onSuccess: () => { invite.reset(); void refreshInvitations(); } });
  const proxies = c.members.filter((m) => m.relation === 'proxy');
  return (
    <Stack>
      <Text size="sm">A caregiver you invite can fill in the request, sign for you and read the opinion.</Text>
      {proxies.map((p) => (
        <Group key={p.userId} justify="space-between"><Text>{p.name} ({p.relationship})</Text>{owner && <Button size="xs" variant="subtle" color="red" onClick={() => remove.mutate(p.userId)}>Remove</Button>}</Group>
      ))}
      {owner && (invitations.data ?? []).length > 0 && (
        <Stack gap="xs">
          <Text fw={500} size="sm">Invitations not yet accepted</Text>
          {invitations.data!.map((i) => (
            <Group key={i.id} justify="space-between">
              <Text size="sm">{i.email} ({i.relationship}), valid until {new Date(i.expiresAt).toLocaleDateString(undefined, { dateStyle: 'medium' })}</Text>
              <Button size="xs" variant="subtle" color="red" loading={withdraw.isPending && withdraw.variables === i.id} onClick={() => withdraw.mutate(i.id)} aria-label={`Withdraw the invitation to ${i.email}`}>Withdraw</Button>
            </Group>
          ))}
        </Stack>
      )}
      <ErrorNote error={withdraw.error ?? remove.error} />
      {owner && (
        <form onSubmit={(e) => { e.preventDefault(); invite.mutate(); }}>
          <Group align="end">
            <TextInput label="Caregiver’s email" type="email" required value={email} onChange={(e) => setEmail(e.currentTarget.value)} />
            <TextInput label="Relationship" placeholder="e.g. Daughter" required value={relationship} onChange={(e) => setRelationship(e.currentTarget.value)} />
            <Button type="submit" loading={invite.isPending}>Send invitation</Button>
          </Group>
        </form>
      )}
      {invite.isSuccess && <Alert color="green">Invitation sent. It is valid for 7 days; you can withdraw it until it is accepted.</Alert>}
      {withdraw.isSuccess && <Alert color="blue">Invitation withdrawn: its link no longer works.</Alert>}
      <ErrorNote error={invite.error} />
    </Stack>
  );
}
