import { Badge, Button, Group, Modal, MultiSelect, NativeSelect, Pagination, Select, Stack, Switch, Table, Text, TextInput, Title } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { api, formatDate, get, post, type GetResult } from '../api.ts';
import { roleLabel, ROLES } from '../labels.ts';
import { ErrorNote, WideTable } from '../components.tsx';
import { languageName, languageOptions } from '../languages.ts';

const STAFF = ['coordinator', 'expert', 'board_chair', 'referring_physician', 'interpreter', 'admin'];

type StaffUser = GetResult<'/api/admin/users'>['items'][number];

export function AdminUsersPage() {
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
      <Group justify="space-between"><Title order={2}>Users</Title><Button onClick={() => setCreating(true)}>Create staff account</Button></Group>
      <Group>
        <TextInput label="Search" placeholder="Name or email" value={q} onChange={(e) => { setQ(e.currentTarget.value); setPage(1); }} />
        <Select label="Role" clearable placeholder="Any" data={ROLES.map((value) => ({ value, label: roleLabel(value) }))} value={role} onChange={(v) => { setRole(v); setPage(1); }} />
      </Group>
      <ErrorNote error={users.error ?? toggle.error} />
      <WideTable minWidth={700}>
        <Table striped aria-label="Users">
          <Table.Thead><Table.Tr><Table.Th>Name</Table.Th><Table.Th>Email</Table.Th><Table.Th>Role</Table.Th><Table.Th>Two-step</Table.Th><Table.Th>Created</Table.Th><Table.Th>Active</Table.Th><Table.Th>Sign-in help</Table.Th></Table.Tr></Table.Thead>
          <Table.Tbody>
            {users.data?.items.map((u) => (
              <Table.Tr key={u.id}>
                <Table.Td>{u.name}</Table.Td><Table.Td>{u.email}</Table.Td><Table.Td>{roleLabel(u.role)}{u.interprets.length > 0 && <Text size="xs" c="dimmed">{u.interprets.map(languageName).join(', ')}</Text>}</Table.Td>
                <Table.Td>{u.mfaEnabled ? <Badge color="green" variant="light">on</Badge> : <Badge color="gray" variant="light">off</Badge>}</Table.Td>
                <Table.Td>{formatDate(u.createdAt)}</Table.Td>
                <Table.Td><Switch checked={!u.disabled} onChange={() => toggle.mutate(u)} aria-label={`Account of ${u.name} active`} /></Table.Td>
                <Table.Td>
                  <Group gap={4} wrap="nowrap">
                    <Button size="compact-xs" variant="subtle" onClick={() => setResetting({ user: u, kind: 'password' })} aria-label={`Reset password of ${u.name}`}>Reset password</Button>
                    {u.mfaEnabled && <Button size="compact-xs" variant="subtle" onClick={() => setResetting({ user: u, kind: 'mfa' })} aria-label={`Reset two-step of ${u.name}`}>Reset two-step</Button>}
                  </Group>
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </WideTable>
      {users.data && users.data.total > 25 && <Pagination total={Math.ceil(users.data.total / 25)} value={page} onChange={setPage} />}
      <Modal opened={!!resetting} onClose={() => setResetting(null)} title={resetting?.kind === 'password' ? 'Reset the password' : 'Reset two-step sign-in'}>
        <Stack>
          <Text size="sm">{resetting?.kind === 'password'
            ? `${resetting?.user.name} is signed out everywhere and mailed a link to choose a new password (valid 24 hours). Their current password stops working now.`
            : `${resetting?.user.name}'s authenticator app is removed and they are signed out everywhere. ${resetting?.user.role === 'patient' ? 'They can set up a new app on their account page.' : 'They set up a new app at their next sign-in.'} Do this only after checking who is asking.`}</Text>
          <ErrorNote error={reset.error} />
          <Group><Button color="red" loading={reset.isPending} onClick={() => resetting && reset.mutate(resetting)}>Reset</Button><Button variant="subtle" onClick={() => setResetting(null)}>Cancel</Button></Group>
        </Stack>
      </Modal>
      <Modal opened={creating} onClose={() => setCreating(false)} title="Create a staff account">
        <form onSubmit={(e) => { e.preventDefault(); create.mutate(); }}>
          <Stack>
            <TextInput label="Full name" required value={form.name} onChange={(e) => setForm({ ...form, name: e.currentTarget.value })} />
            <TextInput label="Email" type="email" required value={form.email} onChange={(e) => setForm({ ...form, email: e.currentTarget.value })} />
            <NativeSelect label="Role" data={STAFF.map((r) => ({ value: r, label: roleLabel(r) }))} value={form.role} onChange={(e) => {
              const { interprets: _dropped, ...rest } = form;
              setForm(e.currentTarget.value === 'interpreter' ? { ...rest, role: e.currentTarget.value, interprets: [] } : { ...rest, role: e.currentTarget.value });
            }} />
            {form.role === 'interpreter' && <MultiSelect label="Languages they interpret" required searchable data={languageOptions()} value={form.interprets ?? []} onChange={(v) => setForm({ ...form, interprets: v })} />}
            <Text size="xs" c="dimmed">We email a link to choose a password. Two-step sign-in is set up at the first sign-in.</Text>
            <ErrorNote error={create.error} />
            <Button type="submit" loading={create.isPending}>Create</Button>
          </Stack>
        </form>
      </Modal>
    </Stack>
  );
}
