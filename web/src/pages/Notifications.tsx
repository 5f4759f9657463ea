import { formatLocale } from '../i18n.ts';
import { ActionIcon, Anchor, Badge, Box, Button, Divider, Group, Indicator, Loader, Paper, Popover, SegmentedControl, Stack, Text, Title, UnstyledButton, VisuallyHidden } from '@mantine/core';
import { useInfiniteQuery, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate, useSearchParams } from 'react-router';
import { get, post, type GetResult, type PostResult } from '../api.ts';
import { ErrorNote, WholeReferences } from '../components.tsx';
import { caseKeys } from '../queryKeys.ts';

/** A page of notices, each worded by the server for the reader (in their language). */
type NoticePage = GetResult<'/api/notifications'>;
type Notice = NoticePage['items'][number];

const KEY = ['notifications'] as const;
// News arrives live (server-sent events); the count is also checked now and then, and whenever
// the window comes back into view, in case the live line was down.
const POLL_MS = 60_000;

function timeAgo(iso: string, now = Date.now()): string {
  const seconds = Math.round((new Date(iso).getTime() - now) / 1000);
  const rtf = new Intl.RelativeTimeFormat(formatLocale(), { numeric: 'auto' });
  const steps: [Intl.RelativeTimeFormatUnit, number][] = [['second', 60], ['minute', 60], ['hour', 24], ['day', 7], ['week', 4.35], ['month', 12], ['year', Infinity]];
  let value = seconds;
  for (const [unit, size] of steps) {
    if (Math.abs(value) < size) return rtf.format(Math.round(value), unit);
    value /= size;
  }
  return rtf.format(Math.round(value), 'year');
}

function useMarkRead() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (which: { ids: number[] } | { all: true }) => post<PostResult<'/api/notifications/read'>>('/notifications/read', which),
    onSuccess: () => qc.invalidateQueries({ queryKey: KEY }),
  });
}

function NoticeRow({ n, onOpen }: { n: Notice; onOpen: (n: Notice) => void }) {
  const { t } = useTranslation();
  return (
    <UnstyledButton onClick={() => onOpen(n)} p="xs" style={{ borderRadius: 4 }} w="100%" data-testid="notice">
      <Group gap="xs" wrap="nowrap" align="start">
        <Box w={8} h={8} mt={7} style={{ borderRadius: 4, flex: 'none', background: n.read ? 'transparent' : 'var(--mantine-color-blue-6)' }} />
        <Stack gap={0} style={{ minWidth: 0 }}>
          {/* The name a screen reader reads is what is shown, with "Unread" said for the dot. */}
          <Text size="sm" fw={n.read ? 400 : 600} style={{ overflowWrap: 'anywhere' }}>{!n.read && <VisuallyHidden>{t('notices:unreadMark')}</VisuallyHidden>}<WholeReferences text={n.title} /></Text>
          <Text size="xs" c="dimmed">{timeAgo(n.createdAt)}</Text>
        </Stack>
      </Group>
    </UnstyledButton>
  );
}

function useOpenNotice(after?: () => void) {
  const navigate = useNavigate();
  const markRead = useMarkRead();
  return (n: Notice) => {
    if (!n.read) markRead.mutate({ ids: [n.id] });
    after?.();
    navigate(n.link);
  };
}

/** The bell in the header: how many notices are unread, and the newest of them in a popover. */
export function NotificationBell() {
  const [opened, setOpened] = useState(false);
  const unread = useQuery({ queryKey: [...KEY, 'unread'], queryFn: () => get<GetResult<'/api/notifications/unread'>>('/notifications/unread'), refetchInterval: POLL_MS, refetchOnWindowFocus: true });
  const latest = useQuery({ queryKey: [...KEY, 'latest'], queryFn: () => get<NoticePage>('/notifications?limit=8'), enabled: opened });
  const markRead = useMarkRead();
  const open = useOpenNotice(() => setOpened(false));
  const count = unread.data?.unread ?? 0;
  const { t } = useTranslation();
  // Something happened on a case: the bell and whatever page of that case is open refresh at once.
  const qc = useQueryClient();
  useEffect(() => {
    const stream = new EventSource('/api/notifications/live');
    stream.addEventListener('notice', (e) => {
      const { caseId, kind } = JSON.parse((e as MessageEvent<string>).data) as { caseId: string; kind: string };
      // 'refresh': the case changed (a slide became viewable) with no notice for the bell.
      if (kind !== 'refresh') void qc.invalidateQueries({ queryKey: KEY });
      void qc.invalidateQueries({ queryKey: caseKeys.all(caseId) });
    });
    return () => stream.close();
  }, [qc]);
  return (
    // The indicator wraps the popover, so the popover's ARIA attributes land on the button itself.
    <Indicator label={count > 99 ? '99+' : count} size={18} disabled={count === 0} offset={4} color="red">
      <Popover opened={opened} onChange={setOpened} position="bottom-end" width={340} shadow="md" withinPortal trapFocus returnFocus closeOnEscape>
        <Popover.Target>
          <ActionIcon variant="subtle" size="lg" onClick={() => setOpened((o) => !o)} aria-label={count ? t('notices:bellUnread', { count }) : t('notices:bell')} data-testid="bell">
            <svg width="20" height="20" viewBox="0 0 24 24" fill="none" stroke="currentColor" strokeWidth="2" strokeLinecap="round" strokeLinejoin="round" aria-hidden="true">
              <path d="M6 8a6 6 0 0 1 12 0c0 7 3 9 3 9H3s3-2 3-9" /><path d="M10.3 21a1.94 1.94 0 0 0 3.4 0" />
            </svg>
          </ActionIcon>
        </Popover.Target>
        <Popover.Dropdown p="xs" aria-label={t('notices:bell')}>
          <Group justify="space-between" px="xs" pb={4}>
            <Text fw={600} size="sm">{t('notices:title')}</Text>
            {count > 0 && <Button variant="subtle" size="compact-xs" onClick={() => markRead.mutate({ all: true })}>{t('notices:markAllRead')}</Button>}
          </Group>
          <Divider />
          {latest.isLoading && <Loader size="sm" m="sm" role="status" aria-label={t('notices:loading')} />}
          {latest.error && <ErrorNote error={latest.error} />}
          {latest.data && latest.data.items.length === 0 && <Text size="sm" c="dimmed" p="sm">{t('notices:nothingNew')}</Text>}
          <Stack gap={0} mah={360} style={{ overflowY: 'auto' }}>
            {latest.data?.items.map((n) => <NoticeRow key={n.id} n={n} onOpen={open} />)}
          </Stack>
          <Divider />
          <Anchor component={Link} to="/notifications" size="sm" display="block" p="xs" onClick={() => setOpened(false)}>{t('notices:seeAll')}</Anchor>
        </Popover.Dropdown>
      </Popover>
    </Indicator>
  );
}

/** Every notice, newest first, a page at a time, with a filter for the unread ones. */
export function NotificationsPage() {
  // The filter is in the address, so Back from a notice returns to the same list.
  const [params, setParams] = useSearchParams();
  const filter = params.get('show') === 'unread' ? 'unread' : 'all';
  const setFilter = (v: 'all' | 'unread') => setParams(v === 'unread' ? { show: 'unread' } : {}, { replace: true });
  const markRead = useMarkRead();
  const open = useOpenNotice();
  const list = useInfiniteQuery({
    queryKey: [...KEY, 'page', filter],
    queryFn: ({ pageParam }) => get<NoticePage>(`/notifications?limit=20${filter === 'unread' ? '&unread=true' : ''}${pageParam ? `&before=${pageParam}` : ''}`),
    initialPageParam: 0,
    getNextPageParam: (last) => last.nextBefore ?? undefined,
  });
  const items = list.data?.pages.flatMap((p) => p.items) ?? [];
  const unread = list.data?.pages[0]?.unread ?? 0;
  const { t } = useTranslation();
  return (
    <Stack maw={720}>
      <Group justify="space-between">
        <Title order={2}>{t('notices:title')}</Title>
        <Group gap="xs">
          {unread > 0 && <Badge color="red" variant="light">{t('notices:unreadCount', { count: unread })}</Badge>}
          <Button variant="light" size="xs" disabled={unread === 0} loading={markRead.isPending} onClick={() => markRead.mutate({ all: true })}>{t('notices:markAllRead')}</Button>
        </Group>
      </Group>
      <SegmentedControl value={filter} onChange={(v) => setFilter(v as 'all' | 'unread')} data={[{ value: 'all', label: t('notices:show.all') }, { value: 'unread', label: t('notices:show.unread') }]} w="fit-content" />
      {list.isLoading && <Loader role="status" aria-label={t('notices:loading')} />}
      {list.error && <ErrorNote error={list.error} />}
      {list.data && items.length === 0 && (
        <Text c="dimmed">{filter === 'unread' ? t('notices:allRead') : t('notices:none')}</Text>
      )}
      {items.length > 0 && (
        <Paper withBorder p="xs">
          <Stack gap={0}>{items.map((n) => <NoticeRow key={n.id} n={n} onOpen={open} />)}</Stack>
        </Paper>
      )}
      {list.hasNextPage && <Button variant="default" onClick={() => list.fetchNextPage()} loading={list.isFetchingNextPage} w="fit-content">{t('notices:older')}</Button>}
    </Stack>
  );
}
