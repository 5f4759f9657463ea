import { Badge, Button, Group, Modal, MultiSelect, NativeSelect, Pagination, Select, Stack, Switch, Table, Text, TextInput, Title } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, formatDate, get, post, type GetResult } from '../api.ts';
import { roleLabel, ROLES } from '../labels.ts';
import { ErrorNote, WideTable } from '../components.tsx';
import { languageName, languageOptions } from '../languages.ts';

const STAFF = ['coordinator', 'expert', 'board_chair', 'referring_physician', 'interpreter', 'admin'];

type StaffUser = GetResult<'/api/admin/users'>['items'][number];

export function AdminUsersPage() {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const [q, setQ] = useState('');
  const [role, setRole] = useState<string | null>(null);
  const [page, setPage] = useState(1);
  const [debounced] = useDebouncedValue(q, 300);
  const [creating, setCreating] = useState(false);
  const [form, setForm] = useState<{ name: string; email: string; role: string; interprets?: string[] }>({ name: '', email: '', role: 'coordinator' });
  const params = new URLSearchParams({ page: String(page), pageSize: '25', ...(debounced ? { q: debounced } : {}), ...(role ? { role } : {}) });
  const users = useQuery({ queryKey: ['users', params.toString()], queryFn: () => get<GetResult<'/api/admin/users'>>(`/admin/users?${params}`), placeholderData: keepPreviousData });
  const create = useMutation({ mutationFn: () => post('/admin/users', form), onSuccess: () => { setCreating(false); setForm({ name: '', email: '', role: 'coordinator' }); void qc.invalidateQueries({ queryKey: ['users'] }); } });
  const [resetting, setResetting] = useState<{ user: StaffUser; kind: 'password' | 'mfa' } | null>(null);
  const reset = useMutation({
    mutationFn: (r: { user: StaffUser; kind: 'password' | 'mfa' }) => post(`/admin/users/${r.user.id}/${r.kind === 'password' ? 'password-reset' : 'mfa-reset'}`),
    onSuccess: () => { setResetting(null); qc.invalidateQueries({ queryKey: ['users'] }); },
  });
  const toggle = useMutation({ mutationFn: (u: StaffUser) => api('PATCH', `/admin/users/${u.id}`, { disabled: !u.disabled }), onSuccess: () => qc.invalidateQueries({ queryKey: ['users'] }) });
  return (
    <Stack>
      <Group justify="space-between"><Title order={2}>{t('common:nav.item.users')}</Title><Button onClick={() => setCreating(true)}>{t('admin:users.create')}</Button></Group>
      <Group>
        <TextInput label={t('admin:users.search')} placeholder={t('admin:users.searchPlaceholder')} value={q} onChange={(e) => { setQ(e.currentTarget.value); setPage(1); }} />
        <Select label={t('admin:users.role')} clearable placeholder={t('admin:users.anyRole')} data={ROLES.map((value) => ({ value, label: roleLabel(value) }))} value={role} onChange={(v) => { setRole(v); setPage(1); }} />
      </Group>
      <ErrorNote error={users.error ?? toggle.error} />
      <WideTable minWidth={700}>
        <Table striped aria-label={t('common:nav.item.users')}>
          <Table.Thead><Table.Tr><Table.Th>{t('admin:users.column.name')}</Table.Th><Table.Th>{t('admin:users.column.email')}</Table.Th><Table.Th>{t('admin:users.column.role')}</Table.Th><Table.Th>{t('admin:users.column.mfa')}</Table.Th><Table.Th>{t('admin:users.column.created')}</Table.Th><Table.Th>{t('admin:users.column.active')}</Table.Th><Table.Th>{t('admin:users.column.help')}</Table.Th></Table.Tr></Table.Thead>
          <Table.Tbody>
            {users.data?.items.map((u) => (
              <Table.Tr key={u.id}>
                <Table.Td>{u.name}</Table.Td><Table.Td>{u.email}</Table.Td><Table.Td>{roleLabel(u.role)}{u.interprets.length > 0 && <Text size="xs" c="dimmed">{u.interprets.map(languageName).join(', ')}</Text>}</Table.Td>
                <Table.Td>{u.mfaEnabled ? <Badge color="green" variant="light">{t('admin:users.mfaOn')}</Badge> : <Badge color="gray" variant="light">{t('admin:users.mfaOff')}</Badge>}</Table.Td>
                <Table.Td>{formatDate(u.createdAt)}</Table.Td>
                <Table.Td><Switch checked={!u.disabled} onChange={() => toggle.mutate(u)} aria-label={t('admin:users.activeOf', { name: u.name })} /></Table.Td>
                <Table.Td>
                  <Group gap={4} wrap="nowrap">
                    <Button size="compact-xs" variant="subtle" onClick={() => setResetting({ user: u, kind: 'password' })} aria-label={t('admin:users.resetPasswordOf', { name: u.name })}>{t('admin:users.resetPassword')}</Button>
                    {u.mfaEnabled && <Button size="compact-xs" variant="subtle" onClick={() => setResetting({ user: u, kind: 'mfa' })} aria-label={t('admin:users.resetMfaOf', { name: u.name })}>{t('admin:users.resetMfa')}</Button>}
                  </Group>
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </WideTable>
      {users.data && users.data.total > 25 && <Pagination total={Math.ceil(users.data.total / 25)} value={page} onChange={setPage} />}
      <Modal opened={!!resetting} onClose={() => setResetting(null)} title={resetting ? t(`admin:users.resetTitle.${resetting.kind}`) : ''}>
        <Stack>
          {resetting && <Text size="sm">{resetting.kind === 'password' ? t('admin:users.resetPasswordText', { name: resetting.user.name })
            : resetting.user.role === 'patient' ? t('admin:users.resetMfaPatientText', { name: resetting.user.name }) : t('admin:users.resetMfaStaffText', { name: resetting.user.name })}</Text>}
          <ErrorNote error={reset.error} />
          <Group><Button color="red" loading={reset.isPending} onClick={() => resetting && reset.mutate(resetting)}>{t('admin:users.reset')}</Button><Button variant="subtle" onClick={() => setResetting(null)}>{t('admin:users.cancel')}</Button></Group>
        </Stack>
      </Modal>
      <Modal opened={creating} onClose={() => setCreating(false)} title={t('admin:users.createTitle')}>
        <form onSubmit={(e) => { e.preventDefault(); create.mutate(); }}>
          <Stack>
            <TextInput label={t('admin:users.fullName')} required value={form.name} onChange={(e) => setForm({ ...form, name: e.currentTarget.value })} />
            <TextInput label={t('admin:users.email')} type="email" required value={form.email} onChange={(e) => setForm({ ...form, email: e.currentTarget.value })} />
            <NativeSelect label={t('admin:users.role')} data={STAFF.map((r) => ({ value: r, label: roleLabel(r) }))} value={form.role} onChange={(e) => {
              const { interprets: _dropped, ...rest } = form;
              setForm(e.currentTarget.value === 'interpreter' ? { ...rest, role: e.currentTarget.value, interprets: [] } : { ...rest, role: e.currentTarget.value });
            }} />
            {form.role === 'interpreter' && <MultiSelect label={t('admin:users.interprets')} required searchable data={languageOptions()} value={form.interprets ?? []} onChange={(v) => setForm({ ...form, interprets: v })} />}
            <Text size="xs" c="dimmed">{t('admin:users.createNote')}</Text>
            <ErrorNote error={create.error} />
            <Button type="submit" loading={create.isPending}>{t('admin:users.createSubmit')}</Button>
          </Stack>
        </form>
      </Modal>
    </Stack>
  );
}
