import { Anchor, AppShell, Burger, Button, Center, Group, Loader, NavLink, Text, Title } from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import { useQueryClient } from '@tanstack/react-query';
import { Link, Navigate, Route, Routes, useLocation, useNavigate } from 'react-router';
import { post, ROLE_LABELS } from './api.ts';
import { useMe, type Me } from './auth.tsx';
import { AccountPage } from './pages/Account.tsx';
import { AdminAuditPage } from './pages/AdminAudit.tsx';
import { AssessPage } from './pages/assess/AssessPage.tsx';
import { AssessRulesPage } from './pages/assess/AssessRules.tsx';
import { AdminOutboxPage } from './pages/AdminOutbox.tsx';
import { AdminUsersPage } from './pages/AdminUsers.tsx';
import { CasePage } from './pages/CasePage.tsx';
import { HomePage } from './pages/Home.tsx';
import { InvitationPage } from './pages/Invitation.tsx';
import { ForgotPasswordPage, LoginPage, MfaPage, RegisterPage, SetPasswordPage, VerifyEmailPage } from './pages/Auth.tsx';
import { DirectoryPage } from './pages/experts/DirectoryPage.tsx';
import { InboxPage } from './pages/experts/InboxPage.tsx';
import { ProfilePage } from './pages/experts/ProfilePage.tsx';
import { MyCasesPage } from './pages/MyCases.tsx';
import { NotificationBell, NotificationsPage } from './pages/Notifications.tsx';
import { QueuePage } from './pages/Queue.tsx';
import { ViewerPage } from './pages/imaging/ViewerPage.tsx';
import { OutcomesPage } from './pages/opinion/OutcomesPage.tsx';

function navFor(me: Me) {
  const role = me.user.role;
  const items: { to: string; label: string }[] = [];
  if (role === 'coordinator') items.push({ to: '/queue', label: 'Case queue' });
  if (role === 'expert') items.push({ to: '/inbox', label: 'My inbox' }, { to: '/profile', label: 'My directory profile' });
  if (role === 'coordinator' || role === 'admin') items.push({ to: '/directory', label: 'Expert directory' }, { to: '/outcomes', label: 'Outcomes' });
  if (['patient', 'referring_physician', 'expert', 'board_chair'].includes(role)) items.push({ to: '/cases', label: role === 'patient' ? 'My requests' : 'My cases' });
  if (role === 'admin') items.push({ to: '/admin/users', label: 'Users' }, { to: '/admin/audit', label: 'Audit trail' }, { to: '/admin/outbox', label: 'Mail outbox' });
  if (role === 'patient') items.push({ to: '/assess', label: 'Should I get a second opinion?' });
  if (role !== 'admin') items.push({ to: '/notifications', label: 'Notifications' });
  items.push({ to: '/account', label: 'Sign-in and security' });
  return items;
}

function Shell({ me, children }: { me: Me; children: React.ReactNode }) {
  const [opened, { toggle, close }] = useDisclosure();
  const location = useLocation();
  const navigate = useNavigate();
  const qc = useQueryClient();
  const signOut = async () => {
    await post('/auth/logout');
    qc.clear();
    qc.setQueryData(['me'], null);
    navigate('/login');
  };
  return (
    <AppShell header={{ height: 56 }} navbar={{ width: 220, breakpoint: 'sm', collapsed: { mobile: !opened } }} padding="md">
      <AppShell.Header>
        <Group h="100%" px="md" justify="space-between">
          <Group>
            <Burger opened={opened} onClick={toggle} hiddenFrom="sm" size="sm" aria-label="Menu" />
            <Anchor component={Link} to="/" underline="never"><Title order={3}>Consilium</Title></Anchor>
          </Group>
          <Group gap="sm">
            {me.user.role !== 'admin' && <NotificationBell />}
            <Text size="sm" visibleFrom="sm" data-testid="whoami">{me.user.name} · {ROLE_LABELS[me.user.role]}</Text>
            <Button variant="subtle" size="xs" onClick={signOut}>Sign out</Button>
          </Group>
        </Group>
      </AppShell.Header>
      <AppShell.Navbar p="sm" aria-label="Main">
        {navFor(me).map((i) => <NavLink key={i.to} component={Link} to={i.to} label={i.label} active={location.pathname.startsWith(i.to)} onClick={close} />)}
      </AppShell.Navbar>
      <AppShell.Main>{children}</AppShell.Main>
    </AppShell>
  );
}

function home(me: Me) {
  return me.user.role === 'coordinator' ? '/queue' : me.user.role === 'admin' ? '/admin/users' : me.user.role === 'expert' ? '/inbox' : '/cases';
}

/** Routes by sign-in state: public pages, the MFA step, then the role's workspace. */
export function App() {
  const { data: me, isLoading } = useMe();
  const location = useLocation();
  if (isLoading) return <Center h="100vh"><Loader aria-label="Loading" /></Center>;
  const publicRoutes = (
    <>
      <Route path="/register" element={<RegisterPage />} />
      <Route path="/verify-email" element={<VerifyEmailPage />} />
      <Route path="/set-password" element={<SetPasswordPage />} />
      <Route path="/forgot-password" element={<ForgotPasswordPage />} />
      <Route path="/invitations/:token" element={<InvitationPage />} />
      <Route path="/assess" element={<AssessPage me={me} />} />
      <Route path="/assess/rules" element={<AssessRulesPage />} />
    </>
  );
  if (!me) {
    return (
      <Routes>
        <Route path="/" element={<HomePage />} />
        <Route path="/login" element={<LoginPage />} />
        {publicRoutes}
        <Route path="*" element={<Navigate to={`/login?next=${encodeURIComponent(location.pathname + location.search)}`} replace />} />
      </Routes>
    );
  }
  if (me.session.mfaState !== 'ok') return <MfaPage me={me} />;
  return (
    <Shell me={me}>
      <Routes>
        <Route path="/" element={<Navigate to={home(me)} replace />} />
        <Route path="/login" element={<Navigate to={home(me)} replace />} />
        {publicRoutes}
        <Route path="/cases" element={<MyCasesPage me={me} />} />
        <Route path="/cases/:id" element={<CasePage me={me} />} />
        <Route path="/cases/:id/viewer" element={<ViewerPage me={me} />} />
        <Route path="/queue" element={<QueuePage />} />
        <Route path="/inbox" element={<InboxPage />} />
        <Route path="/profile" element={<ProfilePage />} />
        <Route path="/directory" element={<DirectoryPage me={me} />} />
        <Route path="/outcomes" element={<OutcomesPage />} />
        <Route path="/admin/users" element={<AdminUsersPage />} />
        <Route path="/admin/audit" element={<AdminAuditPage />} />
        <Route path="/admin/outbox" element={<AdminOutboxPage />} />
        <Route path="/notifications" element={<NotificationsPage />} />
        <Route path="/account" element={<AccountPage me={me} />} />
        <Route path="/account/security" element={<Navigate to="/account" replace />} />
        <Route path="*" element={<Text>There is nothing at this address. <Anchor component={Link} to="/">Go home</Anchor></Text>} />
      </Routes>
    </Shell>
  );
}
