import { formatLocale } from '../i18n.ts';
import { Alert, Button, Group, Stack, Text, TextInput } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, get, post, type GetResult, type Schema } from '../api.ts';
import { ErrorNote } from '../components.tsx';
import { caseKeys } from '../queryKeys.ts';

/** The patient's caregivers on a case: invite by email, remove. */
export function Caregivers({ c }: { c: Schema<'Case'> }) {
  const qc = useQueryClient();
  const { t } = useTranslation();
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
      {/* The patient reads of the caregivers they invite; a caregiver, of those the patient invites. */}
      <Text size="sm">{t('cases:caregivers.intro', { context: owner ? undefined : 'theirs' })}</Text>
      {proxies.map((p) => (
        <Group key={p.userId} justify="space-between"><Text>{t('cases:caregivers.person', { name: p.name, relationship: p.relationship })}</Text>{owner && <Button size="xs" variant="subtle" color="red" onClick={() => remove.mutate(p.userId)}>{t('cases:caregivers.remove')}</Button>}</Group>
      ))}
      {owner && (invitations.data ?? []).length > 0 && (
        <Stack gap="xs">
          <Text fw={500} size="sm">{t('cases:caregivers.pending')}</Text>
          {invitations.data!.map((i) => (
            <Group key={i.id} justify="space-between">
              <Text size="sm">{t('cases:caregivers.invitation', { email: i.email, relationship: i.relationship, day: new Date(i.expiresAt).toLocaleDateString(formatLocale(), { dateStyle: 'medium' }) })}</Text>
              <Button size="xs" variant="subtle" color="red" loading={withdraw.isPending && withdraw.variables === i.id} onClick={() => withdraw.mutate(i.id)} aria-label={t('cases:caregivers.withdrawLabel', { email: i.email })}>{t('cases:caregivers.withdraw')}</Button>
            </Group>
          ))}
        </Stack>
      )}
      <ErrorNote error={withdraw.error ?? remove.error} />
      {owner && (
        <form onSubmit={(e) => { e.preventDefault(); invite.mutate(); }}>
          <Group align="end">
            <TextInput label={t('cases:caregivers.email')} type="email" required value={email} onChange={(e) => setEmail(e.currentTarget.value)} />
            <TextInput label={t('cases:caregivers.relationship')} placeholder={t('cases:caregivers.relationshipExample')} required value={relationship} onChange={(e) => setRelationship(e.currentTarget.value)} />
            <Button type="submit" loading={invite.isPending}>{t('cases:caregivers.send')}</Button>
          </Group>
        </form>
      )}
      {invite.isSuccess && <Alert color="green">{t('cases:caregivers.sent')}</Alert>}
      {withdraw.isSuccess && <Alert color="blue">{t('cases:caregivers.withdrawn')}</Alert>}
      <ErrorNote error={invite.error} fieldLabel={(path) => (path === '/email' ? t('cases:caregivers.email') : path === '/relationship' ? t('cases:caregivers.relationship') : undefined)} />
    </Stack>
  );
}
