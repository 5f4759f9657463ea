import { Alert, Badge, Button, Card, Center, Code, Group, Image, PasswordInput, Stack, Text, TextInput, Title } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, formatDate, get, post, type GetResult } from '../api.ts';
import type { Me } from '../auth.tsx';
import { ErrorNote } from '../components.tsx';
import { PasswordStrength } from './PasswordStrength.tsx';

/** The person's own sign-in: two-step sign-in, password, and the places they are signed in. */
export function AccountPage({ me }: { me: Me }) {
  const { t } = useTranslation();
  return (
    <Stack maw={720}>
      <Title order={2}>{t('account:title')}</Title>
      <Text size="sm" c="dimmed">{t('account:signedInAs', { email: me.user.email })}</Text>
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
  const { t } = useTranslation();
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
          <Title order={3} size="h4">{t('account:mfa.title')}</Title>
          <Badge color={me.user.mfaEnabled ? 'teal' : 'gray'}>{me.user.mfaEnabled ? t('account:mfa.on') : t('account:mfa.off')}</Badge>
        </Group>
        <Text size="sm">{me.user.mfaEnabled ? t('account:mfa.onText') : t('account:mfa.offText')}</Text>
        {enable.isSuccess && <Alert color="green">{t('account:mfa.enabled')}</Alert>}
        {!open && (
          <Group>
            <Button variant="light" onClick={() => { setOpen(true); disable.reset(); }}>{me.user.mfaEnabled ? t('account:mfa.setUpNew') : t('account:mfa.turnOn')}</Button>
            {me.user.mfaEnabled && me.user.role === 'patient' && <Button variant="subtle" color="red" onClick={() => setTurningOff(!turningOff)}>{t('account:mfa.turnOff')}</Button>}
          </Group>
        )}
        {turningOff && !open && (
          <form onSubmit={(e) => { e.preventDefault(); disable.mutate(); }}>
            <Stack>
              <Text size="sm">{t('account:mfa.turnOffWarning')}</Text>
              <PasswordInput label={t('account:yourPassword')} autoComplete="current-password" required value={password} onChange={(e) => setPassword(e.currentTarget.value)} />
              <CodeInput label={t('account:codeFromApp')} value={currentCode} onChange={setCurrentCode} />
              <ErrorNote error={disable.error} />
              <Group><Button type="submit" color="red" loading={disable.isPending}>{t('account:mfa.turnOffSubmit')}</Button><Button variant="subtle" onClick={() => setTurningOff(false)}>{t('account:cancel')}</Button></Group>
            </Stack>
          </form>
        )}
        {disable.isSuccess && <Alert color="blue">{t('account:mfa.turnedOff')}</Alert>}
        {open && !setup.data && (
          <form onSubmit={(e) => { e.preventDefault(); setup.mutate(); }}>
            <Stack>
              <Text size="sm">{t('account:mfa.confirmFirst')}</Text>
              <PasswordInput label={t('account:yourPassword')} autoComplete="current-password" required value={password} onChange={(e) => setPassword(e.currentTarget.value)} />
              {me.user.mfaEnabled && <CodeInput label={t('account:mfa.currentCode')} value={currentCode} onChange={setCurrentCode} />}
              <ErrorNote error={setup.error} />
              <Group><Button type="submit" loading={setup.isPending}>{t('account:continue')}</Button><Button variant="subtle" onClick={() => setOpen(false)}>{t('account:cancel')}</Button></Group>
            </Stack>
          </form>
        )}
        {setup.data && (
          <form onSubmit={(e) => { e.preventDefault(); enable.mutate(); }}>
            <Stack>
              <Text size="sm">{t('account:mfa.scan')}</Text>
              <Center><Stack align="center" gap="xs">
                <Image src={setup.data.qrDataUrl} alt={t('account:mfa.qr')} w={180} h={180} />
                <Text size="xs">{t('account:mfa.typeKey')} <Code data-testid="totp-secret">{setup.data.secret}</Code></Text>
              </Stack></Center>
              <CodeInput label={t('account:mfa.newCode')} value={newCode} onChange={setNewCode} />
              <ErrorNote error={enable.error} />
              <Group>
                <Button type="submit" loading={enable.isPending} disabled={newCode.length !== 6}>{t('account:mfa.finish')}</Button>
                <Button variant="subtle" onClick={() => { setOpen(false); setup.reset(); setNewCode(''); }}>{t('account:cancel')}</Button>
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
  const { t } = useTranslation();
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
          <Title order={3} size="h4">{t('account:password.title')}</Title>
          <Text size="sm">{t('account:password.intro')}</Text>
          {change.isSuccess && <Alert color="green">{t('account:password.changed')}</Alert>}
          <PasswordInput label={t('account:password.current')} autoComplete="current-password" required value={form.currentPassword} onChange={(e) => setForm({ ...form, currentPassword: e.currentTarget.value })} />
          {me.user.mfaEnabled && <CodeInput label={t('account:codeFromApp')} value={form.code} onChange={(code) => setForm({ ...form, code })} />}
          <PasswordInput label={t('account:password.new')} description={t('auth:strength.hint')} autoComplete="new-password" required value={form.newPassword} onChange={(e) => { setForm({ ...form, newPassword: e.currentTarget.value }); if (change.isError) change.reset(); }} />
          <PasswordStrength password={form.newPassword} email={me.user.email} name={me.user.name} />
          <ErrorNote error={change.error} />
          <Button type="submit" loading={change.isPending} w="fit-content">{t('account:password.submit')}</Button>
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
  const { t } = useTranslation();
  return (
    <Card withBorder>
      <Stack>
        <Title order={3} size="h4">{t('account:sessions.title')}</Title>
        <Text size="sm">{t('account:sessions.intro')}</Text>
        {(sessions.data ?? []).map((s) => (
          <Group key={s.id} justify="space-between" wrap="nowrap" align="start" data-testid="session">
            <Stack gap={0}>
              <Group gap="xs"><Text fw={500}>{s.device}</Text>{s.current && <Badge size="sm" color="teal">{t('account:sessions.thisDevice')}</Badge>}</Group>
              <Text size="xs" c="dimmed">{s.ipAddress ? t('account:sessions.from', { address: s.ipAddress }) : ''}{t('account:sessions.times', { signedIn: formatDate(s.createdAt), lastUsed: formatDate(s.lastUsedAt) })}</Text>
            </Stack>
            {!s.current && <Button size="xs" variant="subtle" color="red" style={{ flexShrink: 0 }} loading={endOne.isPending && endOne.variables === s.id} onClick={() => endOne.mutate(s.id)} aria-label={t('account:sessions.signOutDevice', { device: s.device })}>{t('account:sessions.signOut')}</Button>}
          </Group>
        ))}
        {others.length > 0 && <Button variant="light" color="red" w="fit-content" loading={endOthers.isPending} onClick={() => endOthers.mutate()}>{t('account:sessions.signOutOthers')}</Button>}
        {sessions.isSuccess && others.length === 0 && <Text size="sm" c="dimmed">{t('account:sessions.onlyHere')}</Text>}
        <ErrorNote error={sessions.error ?? endOne.error ?? endOthers.error} />
      </Stack>
    </Card>
  );
}
