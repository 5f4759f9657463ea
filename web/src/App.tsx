import { Anchor, AppShell, Box, Burger, Button, Center, Container, Group, Loader, NavLink, Stack, Text, Title } from '@mantine/core';
import { useDisclosure, useHotkeys } from '@mantine/hooks';
import { useQueryClient } from '@tanstack/react-query';
import { Component, lazy, Suspense } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, Navigate, Route, Routes, useLocation, useNavigate } from 'react-router';
import { post } from './api.ts';
import i18n from './i18n.ts';
import { roleLabel } from './labels.ts';
import { rememberSignedIn, useMe, type Me } from './auth.tsx';
import { LanguageSwitcher, useAccountLanguage } from './LanguageSwitcher.tsx';
import { HomePage } from './pages/Home.tsx';
import { ForgotPasswordPage, LoginPage, MfaPage, RegisterPage, SetPasswordPage, VerifyEmailPage } from './pages/Auth.tsx';
// The bell sits in every signed-in header, and its page is small: both come with the first load.
import { NotificationBell, NotificationsPage } from './pages/Notifications.tsx';

/**
 * Every other page is fetched when it is first opened, so the home page, sign-in and the public
 * assessment do not download the image viewer, the upload widget or the staff workspaces.
 */
const AccountPage = lazy(() => import('./pages/Account.tsx').then((m) => ({ default: m.AccountPage })));
const AdminAuditPage = lazy(() => import('./pages/AdminAudit.tsx').then((m) => ({ default: m.AdminAuditPage })));
const AdminKnowledgePage = lazy(() => import('./pages/AdminKnowledge.tsx').then((m) => ({ default: m.AdminKnowledgePage })));
const AdminTrialsPage = lazy(() => import('./pages/trials/AdminTrials.tsx').then((m) => ({ default: m.AdminTrialsPage })));
const AdminFeesPage = lazy(() => import('./pages/costs/AdminFees.tsx').then((m) => ({ default: m.AdminFeesPage })));
const AdminBillingReportPage = lazy(() => import('./pages/costs/AdminBillingReport.tsx').then((m) => ({ default: m.AdminBillingReportPage })));
const AdminOutboxPage = lazy(() => import('./pages/AdminOutbox.tsx').then((m) => ({ default: m.AdminOutboxPage })));
const AdminUsersPage = lazy(() => import('./pages/AdminUsers.tsx').then((m) => ({ default: m.AdminUsersPage })));
const AssessPage = lazy(() => import('./pages/assess/AssessPage.tsx').then((m) => ({ default: m.AssessPage })));
const AssessRulesPage = lazy(() => import('./pages/assess/AssessRules.tsx').then((m) => ({ default: m.AssessRulesPage })));
const CasePage = lazy(() => import('./pages/CasePage.tsx').then((m) => ({ default: m.CasePage })));
const DirectoryPage = lazy(() => import('./pages/experts/DirectoryPage.tsx').then((m) => ({ default: m.DirectoryPage })));
const InboxPage = lazy(() => import('./pages/experts/InboxPage.tsx').then((m) => ({ default: m.InboxPage })));
const InvitationPage = lazy(() => import('./pages/Invitation.tsx').then((m) => ({ default: m.InvitationPage })));
const MyCasesPage = lazy(() => import('./pages/MyCases.tsx').then((m) => ({ default: m.MyCasesPage })));
const OutcomesPage = lazy(() => import('./pages/opinion/OutcomesPage.tsx').then((m) => ({ default: m.OutcomesPage })));
const ProfilePage = lazy(() => import('./pages/experts/ProfilePage.tsx').then((m) => ({ default: m.ProfilePage })));
const QueuePage = lazy(() => import('./pages/Queue.tsx').then((m) => ({ default: m.QueuePage })));
const BoardsPage = lazy(() => import('./pages/boards/BoardsPage.tsx').then((m) => ({ default: m.BoardsPage })));
const BoardSessionPage = lazy(() => import('./pages/boards/SessionPage.tsx').then((m) => ({ default: m.SessionPage })));
const VisitRoomPage = lazy(() => import('./pages/visits/VisitRoomPage.tsx').then((m) => ({ default: m.VisitRoomPage })));
const MyVisitsPage = lazy(() => import('./pages/visits/MyVisitsPage.tsx').then((m) => ({ default: m.MyVisitsPage })));
const ViewerPage = lazy(() => import('./pages/imaging/ViewerPage.tsx').then((m) => ({ default: m.ViewerPage })));
const SlideViewerPage = lazy(() => import('./pages/pathology/SlideViewerPage.tsx').then((m) => ({ default: m.SlideViewerPage })));

function PageLoading() {
  const { t } = useTranslation();
  return <Center py="xl"><Loader role="status" aria-label={t('common:loading')} /></Center>;
}

/**
 * A page whose file could not be fetched (the connection dropped) says so in plain words with a
 * way to try again, instead of leaving a blank screen.
 */
class PageLoadBoundary extends Component<{ children: React.ReactNode }, { failed: boolean }> {
  override state = { failed: false };
  static getDerivedStateFromError() {
    return { failed: true };
  }
  override render() {
    if (!this.state.failed) return this.props.children;
    return (
      <Center py="xl">
        <Stack align="center" gap="sm">
          <Text>{i18n.t('common:pageLoad.failed')}</Text>
          <Button onClick={() => window.location.reload()}>{i18n.t('common:pageLoad.retry')}</Button>
        </Stack>
      </Center>
    );
  }
}

/** Pages fetched on first use, with a spinner meanwhile and a plain message if fetching fails. */
function Pages({ children }: { children: React.ReactNode }) {
  // Keyed by address: going elsewhere tries afresh.
  const { pathname } = useLocation();
  return <PageLoadBoundary key={pathname}><Suspense fallback={<PageLoading />}>{children}</Suspense></PageLoadBoundary>;
}

type NavItem = keyof typeof import('./messages/en/common.json')['nav']['item'];

/** The menu of a role: where each entry leads and the catalogue word for it. */
function navFor(me: Me) {
  const role = me.user.role;
  const items: { to: string; item: NavItem }[] = [];
  if (role === 'coordinator') items.push({ to: '/queue', item: 'queue' });
  if (role === 'expert') items.push({ to: '/inbox', item: 'inbox' }, { to: '/profile', item: 'profile' });
  if (role === 'coordinator' || role === 'admin') items.push({ to: '/directory', item: 'directory' }, { to: '/outcomes', item: 'outcomes' });
  if (role === 'board_chair' || role === 'expert') items.push({ to: '/boards', item: 'boards' });
  if (role === 'expert' || role === 'interpreter') items.push({ to: '/visits', item: 'visits' });
  if (['patient', 'referring_physician', 'expert', 'board_chair'].includes(role)) items.push({ to: '/cases', item: role === 'patient' ? 'myRequests' : 'myCases' });
  if (role === 'admin') items.push({ to: '/admin/users', item: 'users' }, { to: '/admin/audit', item: 'audit' }, { to: '/admin/outbox', item: 'outbox' }, { to: '/admin/fees', item: 'fees' }, { to: '/admin/billing', item: 'billing' }, { to: '/admin/trials', item: 'trials' }, { to: '/admin/knowledge', item: 'knowledge' });
  if (role === 'patient') items.push({ to: '/assess', item: 'assess' });
  if (role !== 'admin') items.push({ to: '/notifications', item: 'notifications' });
  items.push({ to: '/account', item: 'account' });
  return items;
}

function Shell({ me, children }: { me: Me; children: React.ReactNode }) {
  const [opened, { toggle, close }] = useDisclosure();
  // Escape closes the phone's menu, as it closes any other panel laid over the page.
  useHotkeys([['Escape', close]]);
  const location = useLocation();
  const navigate = useNavigate();
  const qc = useQueryClient();
  const { t } = useTranslation();
  const signOut = async () => {
    await post('/auth/logout');
    rememberSignedIn(false);
    qc.clear();
    qc.setQueryData(['me'], null);
    navigate('/login');
  };
  return (
    <AppShell header={{ height: 56 }} navbar={{ width: 220, breakpoint: 'sm', collapsed: { mobile: !opened } }} padding="md">
      <AppShell.Header>
        <Group h="100%" px="md" justify="space-between">
          <Group>
            <Burger opened={opened} onClick={toggle} hiddenFrom="sm" size="sm" aria-label={t('common:nav.menu')} aria-expanded={opened} />
            <Anchor component={Link} to="/" underline="never"><Title order={3}>{t('common:brand')}</Title></Anchor>
          </Group>
          <Group gap="sm" wrap="nowrap">
            {/* On a phone the header has no room for it: it is in the menu there. */}
            <Box visibleFrom="sm"><LanguageSwitcher me={me} /></Box>
            {me.user.role !== 'admin' && <NotificationBell />}
            <Text size="sm" visibleFrom="sm" data-testid="whoami">{t('common:nav.whoami', { name: me.user.name, role: roleLabel(me.user.role) })}</Text>
            <Button variant="subtle" size="xs" onClick={signOut}>{t('common:nav.signOut')}</Button>
          </Group>
        </Group>
      </AppShell.Header>
      <AppShell.Navbar p="sm" aria-label={t('common:nav.label')}>
        {navFor(me).map((i) => <NavLink key={i.to} component={Link} to={i.to} label={t(`common:nav.item.${i.item}`)} active={location.pathname.startsWith(i.to)} onClick={close} />)}
        <Box hiddenFrom="sm" px="sm" pt="md"><LanguageSwitcher me={me} /></Box>
      </AppShell.Navbar>
      <AppShell.Main>{children}</AppShell.Main>
    </AppShell>
  );
}

/** Above the pages read before signing in (and the sign-in's second step): the language switcher. */
function PublicBar({ me }: { me?: Me }) {
  return <Group justify="flex-end" px="md" pt="xs" component="nav" aria-label={i18n.t('common:language.label')}><LanguageSwitcher me={me} /></Group>;
}

/** The pages some roles only use, each said in the catalogue with who uses it. */
type StaffPage = 'queue' | 'inbox' | 'profile' | 'directory' | 'outcomes' | 'users' | 'audit' | 'outbox' | 'fees' | 'billing' | 'trials' | 'knowledge' | 'boards' | 'visits';

/** A page for some roles only: anyone else is told so in words, with the way to their own home page. */
function ForRoles({ me, roles, page, children }: { me: Me; roles: Me['user']['role'][]; page: StaffPage; children: React.ReactNode }) {
  const { t } = useTranslation();
  if (roles.includes(me.user.role)) return <>{children}</>;
  return (
    <Stack gap="xs" data-testid="not-for-role">
      <Title order={2}>{t('common:notForRole.title')}</Title>
      <Text>{t(`common:notForRole.${page}`)}</Text>
      <Anchor component={Link} to={home(me)}>{t('common:notForRole.home')}</Anchor>
    </Stack>
  );
}

function home(me: Me) {
  return me.user.role === 'coordinator' ? '/queue' : me.user.role === 'admin' ? '/admin/users' : me.user.role === 'expert' ? '/inbox' : me.user.role === 'board_chair' ? '/boards' : me.user.role === 'interpreter' ? '/visits' : '/cases';
}

/** The pages behind sign-in (by address): a signed-out visitor opening one is asked to sign in first. */
const SIGNED_IN_PAGES = ['/cases/*', '/queue', '/inbox', '/profile', '/directory', '/boards/*', '/outcomes', '/admin/*', '/visits/*', '/notifications', '/account/*'];

/** An address that is no page: said in plain words, with the way home (and to sign in, when signed out). */
function NotFound({ signedIn }: { signedIn: boolean }) {
  const { t } = useTranslation();
  const body = (
    <Stack gap="xs" data-testid="not-found">
      <Text>{t('common:notFound.text')}</Text>
      <Group gap="md">
        <Anchor component={Link} to="/">{t('common:notFound.home')}</Anchor>
        {!signedIn && <Anchor component={Link} to="/login">{t('common:notFound.signIn')}</Anchor>}
      </Group>
    </Stack>
  );
  return signedIn ? body : <Container size={440} py="xl">{body}</Container>;
}

/** Routes by sign-in state: public pages, the MFA step, then the role's workspace. */
export function App() {
  const { data: me, isLoading } = useMe();
  const location = useLocation();
  const { t } = useTranslation();
  useAccountLanguage(me);
  if (isLoading) return <Center h="100vh"><Loader role="status" aria-label={t('common:loading')} /></Center>;
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
      <>
      <PublicBar />
      <Pages>
        <Routes>
          <Route path="/" element={<HomePage />} />
          <Route path="/login" element={<LoginPage />} />
          {publicRoutes}
          {/* A signed-in page asks to sign in first; an address that is no page says so. */}
          {SIGNED_IN_PAGES.map((p) => <Route key={p} path={p} element={<Navigate to={`/login?next=${encodeURIComponent(location.pathname + location.search)}`} replace />} />)}
          <Route path="*" element={<NotFound signedIn={false} />} />
        </Routes>
      </Pages>
      </>
    );
  }
  if (me.session.mfaState !== 'ok') return <><PublicBar me={me} /><MfaPage me={me} /></>;
  return (
    <Shell me={me}>
      <Pages>
        <Routes>
          <Route path="/" element={<Navigate to={home(me)} replace />} />
          <Route path="/login" element={<Navigate to={home(me)} replace />} />
          {publicRoutes}
          <Route path="/cases" element={<MyCasesPage me={me} />} />
          <Route path="/cases/:id" element={<CasePage me={me} />} />
          <Route path="/cases/:id/viewer" element={<ViewerPage me={me} />} />
          <Route path="/cases/:id/slides/:slideId" element={<SlideViewerPage me={me} />} />
          <Route path="/queue" element={<ForRoles me={me} roles={['coordinator']} page="queue"><QueuePage /></ForRoles>} />
          <Route path="/inbox" element={<ForRoles me={me} roles={['expert']} page="inbox"><InboxPage /></ForRoles>} />
          <Route path="/profile" element={<ForRoles me={me} roles={['expert']} page="profile"><ProfilePage /></ForRoles>} />
          <Route path="/directory" element={<ForRoles me={me} roles={['coordinator', 'admin']} page="directory"><DirectoryPage me={me} /></ForRoles>} />
          <Route path="/boards" element={<ForRoles me={me} roles={['board_chair', 'expert']} page="boards"><BoardsPage me={me} /></ForRoles>} />
          <Route path="/boards/:sessionId" element={<ForRoles me={me} roles={['board_chair', 'expert']} page="boards"><BoardSessionPage me={me} /></ForRoles>} />
          <Route path="/outcomes" element={<ForRoles me={me} roles={['coordinator', 'admin']} page="outcomes"><OutcomesPage /></ForRoles>} />
          <Route path="/admin/users" element={<ForRoles me={me} roles={['admin']} page="users"><AdminUsersPage /></ForRoles>} />
          <Route path="/admin/audit" element={<ForRoles me={me} roles={['admin']} page="audit"><AdminAuditPage /></ForRoles>} />
          <Route path="/admin/outbox" element={<ForRoles me={me} roles={['admin']} page="outbox"><AdminOutboxPage /></ForRoles>} />
          <Route path="/admin/knowledge" element={<ForRoles me={me} roles={['admin']} page="knowledge"><AdminKnowledgePage /></ForRoles>} />
          <Route path="/admin/fees" element={<ForRoles me={me} roles={['admin']} page="fees"><AdminFeesPage /></ForRoles>} />
          <Route path="/admin/billing" element={<ForRoles me={me} roles={['admin']} page="billing"><AdminBillingReportPage /></ForRoles>} />
          <Route path="/admin/trials" element={<ForRoles me={me} roles={['admin']} page="trials"><AdminTrialsPage /></ForRoles>} />
          <Route path="/visits" element={<ForRoles me={me} roles={['expert', 'interpreter']} page="visits"><MyVisitsPage /></ForRoles>} />
          <Route path="/visits/:visitId" element={<VisitRoomPage />} />
          <Route path="/notifications" element={<NotificationsPage />} />
          <Route path="/account" element={<AccountPage me={me} />} />
          <Route path="/account/security" element={<Navigate to="/account" replace />} />
          <Route path="*" element={<NotFound signedIn />} />
        </Routes>
      </Pages>
    </Shell>
  );
}
