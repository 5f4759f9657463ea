import { Alert, Badge, Button, Card, Center, Code, Group, Image, PasswordInput, Stack, Text, TextInput, Title } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { api, formatDate, get, post, type GetResult } from '../api.ts';
import type { Me } from '../auth.tsx';
import { ErrorNote } from '../components.tsx';
import { PASSWORD_HINT, PasswordStrength } from './PasswordStrength.tsx';



/** The person's own sign-in: two-step sign-in, password, and the places they are signed in. */
export function AccountPage({ me }: { me: Me }) {
  return (
    <Stack maw={720}>
      <Title order={2}>Sign-in and security</Title>
      <Text size="sm" c="dimmed">Signed in as {me.user.email}. Changes here are mailed to you, so you notice if someone else makes them.</Text>
      <Authenticator me={me} />
      <ChangePassword me={me} />
      <Sessions />
    </Stack>
  );
}

/** A 6-digit code field, shared by the steps that ask for one. */
function CodeInput({ label, value, onChange }: { label: string; value: string; onChange: (v: string) => void }) {
  return <TextInput label={label} required inputMode="numeric" autoComplete="one-time-code" maxLength={6} minLength={6} value={value} onChange={(e) => onChange(e.currentTarget.value.replace(/\D/g, ''))} />;
}

function Authenticator({ me }: { me: Me }) {
  const qc = useQueryClient();
  const [password, setPassword] = useState('');
  const [currentCode, setCurrentCode] = useState('');
  const [newCode, setNewCode] = useState('');
  const [open, setOpen] = useState(false);
  const [turningOff, setTurningOff] = useState(false);
  const disable = useMutation({
    mutationFn: () => post('/auth/mfa/disable', { password, code: currentCode }),
    onSuccess: async () => {
      setTurningOff(false);
      setPassword(''); setCurrentCode('');
      await qc.invalidateQueries({ queryKey: ['me'] });
    },
  });
  const setup = useMutation({ mutationFn: () => post<{ secret: string; qrDataUrl: string }>('/auth/mfa/setup', { password, ...(me.user.mfaEnabled ? { code: currentCode } : {}) }) });
  const enable = useMutation({
    mutationFn: () => post('/auth/mfa/enable', { code: newCode }),
    onSuccess: async () => {
      setOpen(false);
      setPassword(''); setCurrentCode(''); setNewCode('');
      setup.reset();
      await qc.invalidateQueries({ queryKey: ['me'] });
    },
  });
  return (
    <Card withBorder>
      <Stack>
        <Group justify="space-between">
          <Title order={3} size="h4">Two-step sign-in</Title>
          <Badge color={me.user.mfaEnabled ? 'teal' : 'gray'}>{me.user.mfaEnabled ? 'On' : 'Off'}</Badge>
        </Group>
        <Text size="sm">{me.user.mfaEnabled ? 'Each sign-in asks for a code from your authenticator app. If you have a new phone, set up the app again here.' : 'Add a code from an authenticator app (for example on your phone) to each sign-in, so a password alone is not enough.'}</Text>
        {enable.isSuccess && <Alert color="green">Your authenticator app is set up. Use its codes from now on.</Alert>}
        {!open && (
          <Group>
            <Button variant="light" onClick={() => { setOpen(true); disable.reset(); }}>{me.user.mfaEnabled ? 'Set up a new authenticator app' : 'Turn on two-step sign-in'}</Button>
            {me.user.mfaEnabled && me.user.role === 'patient' && <Button variant="subtle" color="red" onClick={() => setTurningOff(!turningOff)}>Turn off</Button>}
          </Group>
        )}
        {turningOff && !open && (
          <form onSubmit={(e) => { e.preventDefault(); disable.mutate(); }}>
            <Stack>
              <Text size="sm">Without two-step sign-in, your password alone opens your account. Confirm it is you.</Text>
              <PasswordInput label="Your password" autoComplete="current-password" required value={password} onChange={(e) => setPassword(e.currentTarget.value)} />
              <CodeInput label="Code from your authenticator app" value={currentCode} onChange={setCurrentCode} />
              <ErrorNote error={disable.error} />
              <Group><Button type="submit" color="red" loading={disable.isPending}>Turn off two-step sign-in</Button><Button variant="subtle" onClick={() => setTurningOff(false)}>Cancel</Button></Group>
            </Stack>
          </form>
        )}
        {disable.isSuccess && <Alert color="blue">Two-step sign-in is off. You can turn it on again here at any time.</Alert>}
        {open && !setup.data && (
          <form onSubmit={(e) => { e.preventDefault(); setup.mutate(); }}>
            <Stack>
              <Text size="sm">First, confirm it is you.</Text>
              <PasswordInput label="Your password" autoComplete="current-password" required value={password} onChange={(e) => setPassword(e.currentTarget.value)} />
              {me.user.mfaEnabled && <CodeInput label="Code from your current authenticator app" value={currentCode} onChange={setCurrentCode} />}
              <ErrorNote error={setup.error} />
              <Group><Button type="submit" loading={setup.isPending}>Continue</Button><Button variant="subtle" onClick={() => setOpen(false)}>Cancel</Button></Group>
            </Stack>
          </form>
        )}
        {setup.data && (
          <form onSubmit={(e) => { e.preventDefault(); enable.mutate(); }}>
            <Stack>
              <Text size="sm">Scan this with your authenticator app, then enter the 6-digit code it shows.</Text>
              <Center><Stack align="center" gap="xs">
                <Image src={setup.data.qrDataUrl} alt="QR code for your authenticator app" w={180} h={180} />
                <Text size="xs">Or type this key: <Code data-testid="totp-secret">{setup.data.secret}</Code></Text>
              </Stack></Center>
              <CodeInput label="Code from the app you just set up" value={newCode} onChange={setNewCode} />
              <ErrorNote error={enable.error} />
              <Group>
                <Button type="submit" loading={enable.isPending} disabled={newCode.length !== 6}>Finish</Button>
                <Button variant="subtle" onClick={() => { setOpen(false); setup.reset(); setNewCode(''); }}>Cancel</Button>
              </Group>
            </Stack>
          </form>
        )}
      </Stack>
    </Card>
  );
}

function ChangePassword({ me }: { me: Me }) {
  const qc = useQueryClient();
  const [form, setForm] = useState({ currentPassword: '', code: '', newPassword: '' });
  const change = useMutation({
    mutationFn: () => post('/auth/password', { currentPassword: form.currentPassword, newPassword: form.newPassword, ...(me.user.mfaEnabled ? { code: form.code } : {}) }),
    onSuccess: () => {
      setForm({ currentPassword: '', code: '', newPassword: '' });
      void qc.invalidateQueries({ queryKey: ['sessions'] });
    },
  });
  return (
    <Card withBorder>
      <form onSubmit={(e) => { e.preventDefault(); change.mutate(); }}>
        <Stack>
          <Title order={3} size="h4">Password</Title>
          <Text size="sm">Changing your password signs you out everywhere else.</Text>
          {change.isSuccess && <Alert color="green">Your password is changed, and your other sessions are signed out.</Alert>}
          <PasswordInput label="Current password" autoComplete="current-password" required value={form.currentPassword} onChange={(e) => setForm({ ...form, currentPassword: e.currentTarget.value })} />
          {me.user.mfaEnabled && <CodeInput label="Code from your authenticator app" value={form.code} onChange={(code) => setForm({ ...form, code })} />}
          <PasswordInput label="New password" description={PASSWORD_HINT} autoComplete="new-password" required value={form.newPassword} onChange={(e) => { setForm({ ...form, newPassword: e.currentTarget.value }); if (change.isError) change.reset(); }} />
          <PasswordStrength password={form.newPassword} email={me.user.email} name={me.user.name} />
          <ErrorNote error={change.error} />
          <Button type="submit" loading={change.isPending} w="fit-content">Change password</Button>
        </Stack>
      </form>
    </Card>
  );
}

function Sessions() {
  const qc = useQueryClient();
  const sessions = useQuery({ queryKey: ['sessions'], queryFn: () => get<GetResult<'/api/auth/sessions'>>('/auth/sessions') });
  const refresh = () => qc.invalidateQueries({ queryKey: ['sessions'] });
  const endOne = useMutation({ mutationFn: (id: string) => api('DELETE', `/auth/sessions/${id}`), onSuccess: refresh });
  const endOthers = useMutation({ mutationFn: () => api('DELETE', '/auth/sessions'), onSuccess: refresh });
  const others = (sessions.data ?? []).filter((s) => !s.current);
  return (
    <Card withBorder>
      <Stack>
        <Title order={3} size="h4">Where you are signed in</Title>
        <Text size="sm">If you see a device or place you do not know, sign it out and change your password.</Text>
        {(sessions.data ?? []).map((s) => (
          <Group key={s.id} justify="space-between" wrap="nowrap" align="start" data-testid="session">
            <Stack gap={0}>
              <Group gap="xs"><Text fw={500}>{s.device}</Text>{s.current && <Badge size="sm" color="teal">This device</Badge>}</Group>
              <Text size="xs" c="dimmed">{s.ipAddress ? `From ${s.ipAddress} · ` : ''}signed in {formatDate(s.createdAt)} · last used {formatDate(s.lastUsedAt)}</Text>
            </Stack>
            {!s.current && <Button size="xs" variant="subtle" color="red" style={{ flexShrink: 0 }} loading={endOne.isPending && endOne.variables === s.id} onClick={() => endOne.mutate(s.id)} aria-label={`Sign out ${s.device}`}>Sign out</Button>}
          </Group>
        ))}
        {others.length > 0 && <Button variant="light" color="red" w="fit-content" loading={endOthers.isPending} onClick={() => endOthers.mutate()}>Sign out everywhere else</Button>}
        {sessions.isSuccess && others.length === 0 && <Text size="sm" c="dimmed">You are signed in only here.</Text>}
        <ErrorNote error={sessions.error ?? endOne.error ?? endOthers.error} />
      </Stack>
    </Card>
  );
}
