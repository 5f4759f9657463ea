import { Alert, Button, Group, Stack, Text, TextInput } from '@mantine/core';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { api, post } from '../api.ts';
import { ErrorNote } from '../components.tsx';

/** The patient's caregivers on a case: invite by email, remove. */
export function Caregivers({ c }: { c: any }) {
  const qc = useQueryClient();
  const [email, setEmail] = useState('');
  const [relationship, setRelationship] = useState('');
  const invite = useMutation({ mutationFn: () => post(`/cases/${c.id}/proxies`, { email, relationship }), onSuccess: () => { setEmail(''); setRelationship(''); } });
  const remove = useMutation({ mutationFn: (userId: string) => api('DELETE', `/cases/${c.id}/proxies/${userId}`), onSuccess: (u) => qc.setQueryData(['case', c.id], u) });
  const proxies = c.members.filter((m: any) => m.relation === 'proxy');
  const owner = c.myRelations.includes('patient');
  return (
    <Stack>
      <Text size="sm">A caregiver you invite can fill in the request, sign for you and read the opinion.</Text>
      {proxies.map((p: any) => (
        <Group key={p.userId} justify="space-between"><Text>{p.name} ({p.relationship})</Text>{owner && <Button size="xs" variant="subtle" color="red" onClick={() => remove.mutate(p.userId)}>Remove</Button>}</Group>
      ))}
      {owner && (
        <form onSubmit={(e) => { e.preventDefault(); invite.mutate(); }}>
          <Group align="end">
            <TextInput label="Caregiver’s email" type="email" required value={email} onChange={(e) => setEmail(e.currentTarget.value)} />
            <TextInput label="Relationship" placeholder="e.g. Daughter" required value={relationship} onChange={(e) => setRelationship(e.currentTarget.value)} />
            <Button type="submit" loading={invite.isPending}>Send invitation</Button>
          </Group>
        </form>
      )}
      {invite.isSuccess && <Alert color="green">Invitation sent. It is valid for 7 days.</Alert>}
      <ErrorNote error={invite.error} />
    </Stack>
  );
}
