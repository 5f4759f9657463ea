import { Alert, Anchor, Button, Center, Code, Container, Image, Loader, Paper, PasswordInput, Stack, Text, TextInput, Title } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { Link, Navigate, useLocation, useNavigate, useSearchParams } from 'react-router';
import { ApiError, post, type PostResult } from '../api.ts';
import type { Me } from '../auth.tsx';
import { ErrorNote } from '../components.tsx';
import { PASSWORD_HINT, PasswordStrength } from './PasswordStrength.tsx';

/** A signed-out page's frame: a way back to the home page (these pages have no header), a title and the form. */
function Card({ title, children, homeLink = true }: { title: string; children: React.ReactNode; homeLink?: boolean }) {
  return (
    <Container size={440} py="xl">
      {homeLink && <Anchor component={Link} to="/" size="sm" display="inline-block" mb="sm"><span aria-hidden="true">← </span>Back to home</Anchor>}
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
  const login = useMutation({
    mutationFn: () => post('/auth/login', { email, password }),
    onSuccess: async () => {
      await qc.invalidateQueries({ queryKey: ['me'] });
      navigate(params.get('next') ?? '/', { replace: true });
    },
  });
  return (
    <Card title="Sign in">
      <form onSubmit={(e) => { e.preventDefault(); login.mutate(); }}>
        <Stack>
          {params.get('next') && params.get('next') !== '/' && <Alert color="blue">Please sign in to continue. For your safety, a session ends after 15 minutes without activity, and when it is signed out from another device or the password changes.</Alert>}
          <TextInput label="Email" type="email" autoComplete="username" required value={email} onChange={(e) => setEmail(e.currentTarget.value)} />
          <PasswordInput label="Password" autoComplete="current-password" required value={password} onChange={(e) => setPassword(e.currentTarget.value)} />
          <Anchor component={Link} to="/forgot-password" state={{ email }} size="sm" mt={-8}>Forgot password?</Anchor>
          <ErrorNote error={login.error} />
          <Button type="submit" loading={login.isPending}>Sign in</Button>
          <Text size="sm">New here? <Anchor component={Link} to="/register">Create an account</Anchor></Text>
        </Stack>
      </form>
    </Card>
  );
}

export function RegisterPage() {
  const [form, setForm] = useState({ name: '', email: '', password: '' });
  const register = useMutation({ mutationFn: () => post('/auth/register', form) });
  if (register.isSuccess) {
    return (
      <Card title="Check your email">
        <Text>We sent a link to <b>{form.email}</b>. Open it to confirm your address, then sign in.</Text>
      </Card>
    );
  }
  const set = (k: keyof typeof form) => (e: React.ChangeEvent<HTMLInputElement>) => {
    setForm({ ...form, [k]: e.currentTarget.value });
    // An error about the previous try must not stay beside a new answer.
    if (register.isError) register.reset();
  };
  return (
    <Card title="Create your account">
      <form onSubmit={(e) => { e.preventDefault(); register.mutate(); }}>
        <Stack>
          <Text size="sm" c="dimmed">Patients and caregivers register here. Use your own name: you will sign documents with it.</Text>
          <TextInput label="Your full name" required value={form.name} onChange={set('name')} autoComplete="name" />
          <TextInput label="Email" type="email" required value={form.email} onChange={set('email')} autoComplete="email" />
          <PasswordInput label="Password" description={PASSWORD_HINT} required value={form.password} onChange={set('password')} autoComplete="new-password" />
          <PasswordStrength password={form.password} email={form.email} name={form.name} />
          <ErrorNote error={register.error} />
          <Button type="submit" loading={register.isPending}>Create account</Button>
          <Text size="sm">Already registered? <Anchor component={Link} to="/login">Sign in</Anchor></Text>
        </Stack>
      </form>
    </Card>
  );
}

export function VerifyEmailPage() {
  const [params] = useSearchParams();
  const verify = useMutation({ mutationFn: () => post('/auth/verify-email', { token: params.get('token') ?? '' }) });
  const { mutate } = verify;
  useEffect(() => mutate(), [mutate]);
  return (
    <Card title="Confirm your email">
      {verify.isPending && <Text>Confirming…</Text>}
      {verify.isSuccess && <Stack><Text>Thank you, your email address is confirmed.</Text><Button component={Link} to="/login">Sign in</Button></Stack>}
      {/* A damaged or old link is said in words, whatever the server found wrong with it. */}
      {verify.isError && (
        <Stack data-testid="error">
          <Text>This confirmation link does not work. It may be cut short, or already used.</Text>
          <Text size="sm">Open the newest link in your email, or sign in: you will be offered a new link.</Text>
          <Button component={Link} to="/login" variant="default">Sign in</Button>
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
  if (ask.isSuccess) {
    return (
      <Card title="Check your email">
        <Stack>
          <Text>If <b>{email}</b> belongs to an account, we have sent it a link to choose a new password.</Text>
          <Text>The link works once, for {ask.data.linkValidMinutes} minutes. Until you use it, your current password stays as it is.</Text>
          <Text size="sm" c="dimmed">Nothing after a few minutes? Look in your spam folder, check the address, or ask again.</Text>
          <Button variant="default" onClick={() => ask.reset()}>Ask again</Button>
          <Text size="sm"><Anchor component={Link} to="/login">Back to sign in</Anchor></Text>
        </Stack>
      </Card>
    );
  }
  return (
    <Card title="Forgot your password?">
      <form onSubmit={(e) => { e.preventDefault(); ask.mutate(); }}>
        <Stack>
          <Text size="sm">Enter the email address you sign in with. We will send you a link to choose a new password.</Text>
          <TextInput label="Email" type="email" autoComplete="username" required value={email} onChange={(e) => { setEmail(e.currentTarget.value); if (ask.isError) ask.reset(); }} />
          <ErrorNote error={ask.error} />
          <Button type="submit" loading={ask.isPending}>Send me a link</Button>
          <Text size="sm">Remembered it? <Anchor component={Link} to="/login">Sign in</Anchor></Text>
        </Stack>
      </form>
    </Card>
  );
}

/** Why a link to choose a password does not work, in plain words, with a way to a new one. */
const LINK_REFUSALS: Record<string, { title: string; text: string }> = {
  LINK_EXPIRED: { title: 'This link has expired', text: 'For your safety, a link to choose a password works only for a short time. Ask for a new one: it comes by email within a minute or two.' },
  LINK_USED: { title: 'This link was used already', text: 'Each link works once, and this one (or a newer one) has been used. If you did not choose a new password yourself, ask for a new link now and choose one.' },
  NOT_FOUND: { title: 'This link does not work', text: 'The link may be incomplete: open it again from the email, or ask for a new one.' },
};

function LinkRefused({ code }: { code: string }) {
  const why = LINK_REFUSALS[code] ?? LINK_REFUSALS.NOT_FOUND!;
  return (
    <Stack>
      <Alert color="blue" title={why.title} role="alert" data-testid="link-refused">{why.text}</Alert>
      <Button component={Link} to="/forgot-password">Ask for a new link</Button>
      <Text size="sm">Know your password? <Anchor component={Link} to="/login">Sign in</Anchor></Text>
    </Stack>
  );
}

const isLinkRefusal = (e: unknown): e is ApiError => e instanceof ApiError && e.code in LINK_REFUSALS;

/** Choosing a password with a mailed link: a new staff account, a reset by an administrator, or "forgot password". */
export function SetPasswordPage() {
  const [params] = useSearchParams();
  const token = params.get('token') ?? '';
  const [password, setPassword] = useState('');
  // Checked first, so nobody types a new password into a link that no longer works.
  const link = useQuery({ queryKey: ['password-link', token], queryFn: () => post('/auth/set-password/check', { token }), enabled: token.length >= 10, staleTime: Infinity });
  const set = useMutation({ mutationFn: () => post('/auth/set-password', { token, password }) });
  const refused = isLinkRefusal(link.error) ? link.error : isLinkRefusal(set.error) ? set.error : null;
  return (
    <Card title="Choose your password">
      {set.isSuccess ? (
        <Stack>
          <Text>Your new password is saved. For your safety, every place where you were signed in has been signed out.</Text>
          <Button component={Link} to="/login">Sign in</Button>
        </Stack>
      ) : token.length < 10 ? (
        <LinkRefused code="NOT_FOUND" />
      ) : refused ? (
        <LinkRefused code={refused.code} />
      ) : link.isPending ? (
        <Center py="md"><Loader aria-label="Checking the link" /></Center>
      ) : link.isError ? (
        <ErrorNote error={link.error} />
      ) : (
        <form onSubmit={(e) => { e.preventDefault(); set.mutate(); }}>
          <Stack>
            <PasswordInput label="New password" description={PASSWORD_HINT} required value={password} onChange={(e) => { setPassword(e.currentTarget.value); if (set.isError) set.reset(); }} autoComplete="new-password" />
            <PasswordStrength password={password} token={token} />
            <ErrorNote error={set.error} />
            <Button type="submit" loading={set.isPending}>Save password</Button>
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
  const enrolling = me.session.mfaState === 'enroll_required';
  const setup = useMutation({ mutationFn: () => post<{ secret: string; otpauthUri: string; qrDataUrl: string }>('/auth/mfa/setup', { password }) });
  const confirm = useMutation({
    mutationFn: () => post(enrolling ? '/auth/mfa/enable' : '/auth/mfa/verify', { code }),
    onSuccess: () => qc.invalidateQueries({ queryKey: ['me'] }),
  });
  const signOut = async () => {
    await post('/auth/logout');
    qc.setQueryData(['me'], null);
  };
  if (me.session.mfaState === 'ok') return <Navigate to="/account" replace />;
  return (
    <Card title={enrolling ? 'Set up two-step sign-in' : 'Enter your code'} homeLink={false}>
      <Stack>
        {enrolling ? (
          <>
            <Text size="sm">{me.session.mfaState === 'enroll_required' ? 'Staff accounts protect patients’ health information with a second step. ' : ''}Scan the code with an authenticator app (for example on your phone), then enter the 6-digit code it shows.</Text>
            {!setup.data && (
              <form onSubmit={(e) => { e.preventDefault(); setup.mutate(); }}>
                <Stack>
                  <PasswordInput label="Your password" description="To keep your account safe, confirm it is you." autoComplete="current-password" required value={password} onChange={(e) => setPassword(e.currentTarget.value)} />
                  <Button type="submit" loading={setup.isPending}>Show my code</Button>
                </Stack>
              </form>
            )}
            {setup.data && (
              <Center><Stack align="center" gap="xs">
                <Image src={setup.data.qrDataUrl} alt="QR code for your authenticator app" w={180} h={180} />
                <Text size="xs">Or type this key: <Code data-testid="totp-secret">{setup.data.secret}</Code></Text>
              </Stack></Center>
            )}
          </>
        ) : (
          <Stack gap={4}>
            <Text size="sm">Open your authenticator app and enter the 6-digit code for Consilium.</Text>
            <Text size="xs" c="dimmed">Lost your phone or changed it? Contact the service: after checking who you are, they can reset two-step sign-in so you can set it up again.</Text>
          </Stack>
        )}
        {(setup.data || !enrolling) && (
          <form onSubmit={(e) => { e.preventDefault(); confirm.mutate(); }}>
            <Stack>
              <TextInput label="6-digit code" inputMode="numeric" autoComplete="one-time-code" maxLength={6} value={code} onChange={(e) => setCode(e.currentTarget.value.replace(/\D/g, ''))} styles={{ input: { letterSpacing: '0.4em', fontSize: 20, textAlign: 'center' } }} />
              <ErrorNote error={confirm.error} />
              <Button type="submit" loading={confirm.isPending} disabled={code.length !== 6}>Continue</Button>
            </Stack>
          </form>
        )}
        <ErrorNote error={setup.error} />
        <Anchor component="button" size="sm" onClick={signOut}>Sign out</Anchor>
      </Stack>
    </Card>
  );
}
