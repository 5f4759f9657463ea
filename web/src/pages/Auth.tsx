import { Alert, Anchor, Button, Center, Code, Container, Image, Loader, Paper, PasswordInput, Stack, Text, TextInput, Title } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { Trans, useTranslation } from 'react-i18next';
import { Link, Navigate, useLocation, useNavigate, useSearchParams } from 'react-router';
import { ApiError, post, type PostResult } from '../api.ts';
import { rememberSignedIn, sessionEndedHere, type Me } from '../auth.tsx';
import { ErrorNote } from '../components.tsx';
import { PasswordStrength } from './PasswordStrength.tsx';

/** A signed-out page's frame: a way back to the home page (these pages have no header), a title and the form. */
function Card({ title, children, homeLink = true }: { title: string; children: React.ReactNode; homeLink?: boolean }) {
  const { t } = useTranslation();
  return (
    <Container size={440} py="xl">
      {homeLink && <Anchor component={Link} to="/" size="sm" display="inline-block" mb="sm"><span aria-hidden="true">← </span>{t('auth:backHome')}</Anchor>}
      <Title order={2} ta="center" mb="md">{title}</Title>
      <Paper withBorder p="lg" shadow="sm">{children}</Paper>
    </Container>
  );
}

export function LoginPage() {
  const [params] = useSearchParams();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const qc = useQueryClient();
  const navigate = useNavigate();
  const { t } = useTranslation();
  const login = useMutation({
    mutationFn: () => post('/auth/login', { email, password }),
    onSuccess: async () => {
      await qc.invalidateQueries({ queryKey: ['me'] });
      navigate(params.get('next') ?? '/', { replace: true });
    },
  });
  return (
    <Card title={t('auth:login.title')}>
      <form onSubmit={(e) => { e.preventDefault(); login.mutate(); }}>
        <Stack>
          {/* Only someone whose session ended is told so; anyone else is just asked to sign in. */}
          {params.get('next') && params.get('next') !== '/' && <Alert color="blue">{sessionEndedHere() ? t('auth:login.sessionEnded') : t('auth:login.toContinue')}</Alert>}
          <TextInput label={t('auth:email')} type="email" autoComplete="username" required value={email} onChange={(e) => setEmail(e.currentTarget.value)} />
          <PasswordInput label={t('auth:password')} autoComplete="current-password" required value={password} onChange={(e) => setPassword(e.currentTarget.value)} />
          <Anchor component={Link} to="/forgot-password" state={{ email }} size="sm" mt={-8}>{t('auth:login.forgot')}</Anchor>
          <ErrorNote error={login.error} />
          <Button type="submit" loading={login.isPending}>{t('auth:signIn')}</Button>
          <Text size="sm">{t('auth:login.newHere')} <Anchor component={Link} to="/register">{t('auth:login.register')}</Anchor></Text>
        </Stack>
      </form>
    </Card>
  );
}

export function RegisterPage() {
  const [form, setForm] = useState({ name: '', email: '', password: '' });
  const register = useMutation({ mutationFn: () => post('/auth/register', form) });
  const { t } = useTranslation();
  if (register.isSuccess) {
    return (
      <Card title={t('auth:register.sent.title')}>
        <Text><Trans t={t} i18nKey="auth:register.sent.text" values={{ email: form.email }} components={{ b: <b /> }} /></Text>
      </Card>
    );
  }
  const set = (k: keyof typeof form) => (e: React.ChangeEvent<HTMLInputElement>) => {
    setForm({ ...form, [k]: e.currentTarget.value });
    // An error about the previous try must not stay beside a new answer.
    if (register.isError) register.reset();
  };
  return (
    <Card title={t('auth:register.title')}>
      <form onSubmit={(e) => { e.preventDefault(); register.mutate(); }}>
        <Stack>
          <Text size="sm" c="dimmed">{t('auth:register.who')}</Text>
          <TextInput label={t('auth:register.name')} required value={form.name} onChange={set('name')} autoComplete="name" />
          <TextInput label={t('auth:email')} type="email" required value={form.email} onChange={set('email')} autoComplete="email" />
          <PasswordInput label={t('auth:password')} description={t('auth:strength.hint')} required value={form.password} onChange={set('password')} autoComplete="new-password" />
          <PasswordStrength password={form.password} email={form.email} name={form.name} />
          <ErrorNote error={register.error} />
          <Button type="submit" loading={register.isPending}>{t('auth:register.submit')}</Button>
          <Text size="sm">{t('auth:register.already')} <Anchor component={Link} to="/login">{t('auth:signIn')}</Anchor></Text>
        </Stack>
      </form>
    </Card>
  );
}

export function VerifyEmailPage() {
  const [params] = useSearchParams();
  const verify = useMutation({ mutationFn: () => post('/auth/verify-email', { token: params.get('token') ?? '' }) });
  const { mutate } = verify;
  const { t } = useTranslation();
  useEffect(() => mutate(), [mutate]);
  return (
    <Card title={t('auth:verify.title')}>
      {verify.isPending && <Text>{t('auth:verify.pending')}</Text>}
      {verify.isSuccess && <Stack><Text>{t('auth:verify.done')}</Text><Button component={Link} to="/login">{t('auth:signIn')}</Button></Stack>}
      {/* A damaged or old link is said in words, whatever the server found wrong with it. */}
      {verify.isError && (
        <Stack data-testid="error">
          <Text>{t('auth:verify.broken')}</Text>
          <Text size="sm">{t('auth:verify.newLink')}</Text>
          <Button component={Link} to="/login" variant="default">{t('auth:signIn')}</Button>
        </Stack>
      )}
    </Card>
  );
}

/** "Forgot password?": asks for the address and says the same thing whether or not it has an account. */
export function ForgotPasswordPage() {
  const location = useLocation();
  const [email, setEmail] = useState(() => (location.state as { email?: string } | null)?.email ?? '');
  const ask = useMutation({ mutationFn: () => post<PostResult<'/api/auth/forgot-password'>>('/auth/forgot-password', { email }) });
  const { t } = useTranslation();
  if (ask.isSuccess) {
    return (
      <Card title={t('auth:forgot.sent.title')}>
        <Stack>
          <Text><Trans t={t} i18nKey="auth:forgot.sent.text" values={{ email }} components={{ b: <b /> }} /></Text>
          <Text>{t('auth:forgot.sent.valid', { minutes: ask.data.linkValidMinutes })}</Text>
          <Text size="sm" c="dimmed">{t('auth:forgot.sent.nothing')}</Text>
          <Button variant="default" onClick={() => ask.reset()}>{t('auth:forgot.sent.again')}</Button>
          <Text size="sm"><Anchor component={Link} to="/login">{t('auth:forgot.sent.back')}</Anchor></Text>
        </Stack>
      </Card>
    );
  }
  return (
    <Card title={t('auth:forgot.title')}>
      <form onSubmit={(e) => { e.preventDefault(); ask.mutate(); }}>
        <Stack>
          <Text size="sm">{t('auth:forgot.intro')}</Text>
          <TextInput label={t('auth:email')} type="email" autoComplete="username" required value={email} onChange={(e) => { setEmail(e.currentTarget.value); if (ask.isError) ask.reset(); }} />
          <ErrorNote error={ask.error} />
          <Button type="submit" loading={ask.isPending}>{t('auth:forgot.submit')}</Button>
          <Text size="sm">{t('auth:forgot.remembered')} <Anchor component={Link} to="/login">{t('auth:signIn')}</Anchor></Text>
        </Stack>
      </form>
    </Card>
  );
}

/** Why a link to choose a password does not work, in plain words, with a way to a new one. */
const LINK_REFUSALS = ['LINK_EXPIRED', 'LINK_USED', 'NOT_FOUND'] as const;
type LinkRefusal = (typeof LINK_REFUSALS)[number];
const isRefusalCode = (code: string): code is LinkRefusal => (LINK_REFUSALS as readonly string[]).includes(code);

function LinkRefused({ code }: { code: string }) {
  const { t } = useTranslation();
  const why = isRefusalCode(code) ? code : 'NOT_FOUND';
  return (
    <Stack>
      <Alert color="blue" title={t(`auth:link.${why}.title`)} role="alert" data-testid="link-refused">{t(`auth:link.${why}.text`)}</Alert>
      <Button component={Link} to="/forgot-password">{t('auth:link.askNew')}</Button>
      <Text size="sm">{t('auth:link.know')} <Anchor component={Link} to="/login">{t('auth:signIn')}</Anchor></Text>
    </Stack>
  );
}

const isLinkRefusal = (e: unknown): e is ApiError => e instanceof ApiError && isRefusalCode(e.code);

/** Choosing a password with a mailed link: a new staff account, a reset by an administrator, or "forgot password". */
export function SetPasswordPage() {
  const [params] = useSearchParams();
  const token = params.get('token') ?? '';
  const [password, setPassword] = useState('');
  // Checked first, so nobody types a new password into a link that no longer works.
  const link = useQuery({ queryKey: ['password-link', token], queryFn: () => post('/auth/set-password/check', { token }), enabled: token.length >= 10, staleTime: Infinity });
  const set = useMutation({ mutationFn: () => post('/auth/set-password', { token, password }) });
  const refused = isLinkRefusal(link.error) ? link.error : isLinkRefusal(set.error) ? set.error : null;
  const { t } = useTranslation();
  return (
    <Card title={t('auth:setPassword.title')}>
      {set.isSuccess ? (
        <Stack>
          <Text>{t('auth:setPassword.saved')}</Text>
          <Button component={Link} to="/login">{t('auth:signIn')}</Button>
        </Stack>
      ) : token.length < 10 ? (
        <LinkRefused code="NOT_FOUND" />
      ) : refused ? (
        <LinkRefused code={refused.code} />
      ) : link.isPending ? (
        <Center py="md"><Loader role="status" aria-label={t('auth:setPassword.checking')} /></Center>
      ) : link.isError ? (
        <ErrorNote error={link.error} />
      ) : (
        <form onSubmit={(e) => { e.preventDefault(); set.mutate(); }}>
          <Stack>
            <PasswordInput label={t('auth:setPassword.label')} description={t('auth:strength.hint')} required value={password} onChange={(e) => { setPassword(e.currentTarget.value); if (set.isError) set.reset(); }} autoComplete="new-password" />
            <PasswordStrength password={password} token={token} />
            <ErrorNote error={set.error} />
            <Button type="submit" loading={set.isPending}>{t('auth:setPassword.submit')}</Button>
          </Stack>
        </form>
      )}
    </Card>
  );
}

/** The second sign-in step: enrol an authenticator app, or enter its current code. */
export function MfaPage({ me }: { me: Me }) {
  const qc = useQueryClient();
  const [code, setCode] = useState('');
  const [password, setPassword] = useState('');
  const { t } = useTranslation();
  const enrolling = me.session.mfaState === 'enroll_required';
  const setup = useMutation({ mutationFn: () => post<{ secret: string; otpauthUri: string; qrDataUrl: string }>('/auth/mfa/setup', { password }) });
  const confirm = useMutation({
    mutationFn: () => post(enrolling ? '/auth/mfa/enable' : '/auth/mfa/verify', { code }),
    onSuccess: () => qc.invalidateQueries({ queryKey: ['me'] }),
  });
  const signOut = async () => {
    await post('/auth/logout');
    rememberSignedIn(false);
    qc.setQueryData(['me'], null);
  };
  if (me.session.mfaState === 'ok') return <Navigate to="/account" replace />;
  return (
    <Card title={enrolling ? t('auth:mfa.setupTitle') : t('auth:mfa.codeTitle')} homeLink={false}>
      <Stack>
        {enrolling ? (
          <>
            <Text size="sm">{t('auth:mfa.staffReason')} {t('auth:mfa.scan')}</Text>
            {!setup.data && (
              <form onSubmit={(e) => { e.preventDefault(); setup.mutate(); }}>
                <Stack>
                  <PasswordInput label={t('auth:mfa.yourPassword')} description={t('auth:mfa.confirmYou')} autoComplete="current-password" required value={password} onChange={(e) => setPassword(e.currentTarget.value)} />
                  <Button type="submit" loading={setup.isPending}>{t('auth:mfa.showCode')}</Button>
                </Stack>
              </form>
            )}
            {setup.data && (
              <Center><Stack align="center" gap="xs">
                <Image src={setup.data.qrDataUrl} alt={t('auth:mfa.qr')} w={180} h={180} />
                <Text size="xs">{t('auth:mfa.typeKey')} <Code data-testid="totp-secret">{setup.data.secret}</Code></Text>
              </Stack></Center>
            )}
          </>
        ) : (
          <Stack gap={4}>
            <Text size="sm">{t('auth:mfa.openApp')}</Text>
            <Text size="xs" c="dimmed">{t('auth:mfa.lostPhone')}</Text>
          </Stack>
        )}
        {(setup.data || !enrolling) && (
          <form onSubmit={(e) => { e.preventDefault(); confirm.mutate(); }}>
            <Stack>
              <TextInput label={t('auth:mfa.code')} inputMode="numeric" autoComplete="one-time-code" maxLength={6} value={code} onChange={(e) => setCode(e.currentTarget.value.replace(/\D/g, ''))} styles={{ input: { letterSpacing: '0.4em', fontSize: 20, textAlign: 'center' } }} />
              <ErrorNote error={confirm.error} />
              <Button type="submit" loading={confirm.isPending} disabled={code.length !== 6}>{t('auth:mfa.continue')}</Button>
            </Stack>
          </form>
        )}
        <ErrorNote error={setup.error} />
        <Anchor component="button" size="sm" onClick={signOut}>{t('auth:signOut')}</Anchor>
      </Stack>
    </Card>
  );
}
