import { ActionIcon, Alert, Anchor, Badge, Button, Card, Checkbox, Grid, Group, List, Loader, NumberInput, Radio, SegmentedControl, Select, Stack, Switch, Text, Textarea, TextInput, Title } from '@mantine/core';
import { useMediaQuery } from '@mantine/hooks';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useParams } from 'react-router';
import { api, get, post, put, type GetResult, type Schema } from '../../api.ts';
import type { Me } from '../../auth.tsx';
import { ErrorNote } from '../../components.tsx';
import { sessionTime } from './BoardsPage.tsx';
import { SessionChange } from './SessionChange.tsx';
import { SharedViewer, type ViewerPosition } from './SharedViewer.tsx';

type Session = GetResult<'/api/boards/sessions/{sessionId}'>;
type Presentation = GetResult<'/api/boards/sessions/{sessionId}/cases/{caseId}'>;
type View = Schema<'BoardPresentationState'>;
type Minutes = Schema<'BoardMinutesDraft'>;

const sessionKey = (id: string) => ['boards', 'session', id] as const;
const caseKey = (id: string, caseId: string) => ['boards', 'session', id, 'case', caseId] as const;

/**
 * The board room's live link: what the presenter shows (and who presents), kept current over a
 * WebSocket that reconnects by itself; agenda, member and minutes changes refresh the page.
 */
function useBoardRoom(sessionId: string, myId: string) {
  const qc = useQueryClient();
  const [shared, setShared] = useState<{ view: View | null; presenterId: string | null }>({ view: null, presenterId: null });
  const [status, setStatus] = useState<'connecting' | 'live' | 'offline' | 'closed'>('connecting');
  const [problem, setProblem] = useState<string | null>(null);
  const socket = useRef<WebSocket | null>(null);
  // Signals can overtake one another between servers: an older view never replaces a newer one.
  const lastSeq = useRef(0);
  useEffect(() => {
    let stopped = false;
    let retry: ReturnType<typeof setTimeout> | undefined;
    let attempt = 0;
    const open = () => {
      const ws = new WebSocket(`${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/api/boards/sessions/${sessionId}/live`);
      socket.current = ws;
      ws.onmessage = (e) => {
        const m = JSON.parse(String(e.data));
        if (m.type === 'hello') {
          attempt = 0;
          setStatus('live');
          lastSeq.current = m.seq ?? 0;
          setShared({ view: m.state ?? null, presenterId: m.presenterId });
        } else if (m.type === 'state') {
          if (m.seq <= lastSeq.current) return;
          lastSeq.current = m.seq;
          // The presenter's own moves come back too; their page already shows a newer one.
          if (m.presenterId === myId) return;
          setShared({ view: m.state, presenterId: m.presenterId });
        } else if (m.type === 'ack') lastSeq.current = Math.max(lastSeq.current, m.seq);
        else if (m.type === 'changed') {
          if (m.kind === 'presenter') setShared((s) => ({ ...s, presenterId: m.presenterId }));
          void qc.invalidateQueries({ queryKey: m.kind === 'minutes' ? caseKey(sessionId, m.caseId) : sessionKey(sessionId) });
          if (m.kind === 'minutes') void qc.invalidateQueries({ queryKey: sessionKey(sessionId) });
        } else if (m.type === 'error') setProblem(m.detail);
      };
      ws.onclose = (e) => {
        if (stopped) return;
        // Not (or no longer) a member: reconnecting would not help.
        if (e.code === 4403 || e.code === 4404) {
          setStatus('closed');
          return;
        }
        setStatus('offline');
        retry = setTimeout(open, Math.min(10_000, 500 * 2 ** attempt++));
      };
    };
    open();
    return () => {
      stopped = true;
      clearTimeout(retry);
      socket.current?.close();
    };
  }, [sessionId, qc, myId]);
  const present = useCallback((view: View) => {
    setProblem(null);
    setShared((s) => ({ ...s, view }));
    if (socket.current?.readyState === WebSocket.OPEN) socket.current.send(JSON.stringify({ type: 'present', state: view }));
    else void put<{ seq: number }>(`/boards/sessions/${sessionId}/presentation`, view).catch((e: Error) => setProblem(e.message));
  }, [sessionId]);
  return { shared, status, problem, present };
}

/** Sends the latest of a quick run of moves (scrolling a stack) at most every `ms`. */
function useThrottled<T>(fn: (v: T) => void, ms: number) {
  const last = useRef(0);
  const pending = useRef<{ v: T } | null>(null);
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  useEffect(() => () => clearTimeout(timer.current), []);
  return useCallback((v: T) => {
    pending.current = { v };
    const wait = last.current + ms - Date.now();
    if (wait <= 0) {
      last.current = Date.now();
      fn(v);
      pending.current = null;
    } else if (!timer.current) {
      timer.current = setTimeout(() => {
        timer.current = undefined;
        last.current = Date.now();
        if (pending.current) fn(pending.current.v);
        pending.current = null;
      }, wait);
    }
  }, [fn, ms]);
}

export function SessionPage({ me }: { me: Me }) {
  const { t } = useTranslation();
  const { sessionId = '' } = useParams();
  const session = useQuery({ queryKey: sessionKey(sessionId), queryFn: () => get<Session>(`/boards/sessions/${sessionId}`) });
  const room = useBoardRoom(sessionId, me.user.id);
  const [following, setFollowing] = useState(true);
  const [own, setOwn] = useState<View>({ caseId: null, section: 'summary' });
  if (session.isLoading) return <Loader role="status" aria-label={t('boards:session.loading')} />;
  if (session.error || !session.data) return <ErrorNote error={session.error} />;
  const s = session.data;
  // A cancelled session is a record, not a room: no presenting, inviting or quorum to chase.
  if (s.status === 'cancelled') {
    return (
      <Stack gap="md">
        <Anchor component={Link} to="/boards" size="sm">{t('boards:session.back')}</Anchor>
        <Title order={2}>{s.title}</Title>
        <Text size="sm">{t('boards:session.when', { time: sessionTime(s.startsAt, s.timeZone), chair: s.chairName })}</Text>
        <Alert color="red" title={t('boards:session.cancelled.title')} data-testid="session-cancelled">{t('boards:session.cancelled.text')}</Alert>
      </Stack>
    );
  }
  const presenting = (room.shared.presenterId ?? s.presenterId ?? s.chairId) === me.user.id;
  // The presenter's own moves are the shared view; a member follows it, or looks around alone.
  const view: View = presenting ? (room.shared.view ?? own) : following ? (room.shared.view ?? { caseId: null, section: 'summary' }) : own;
  const move = (next: View) => (presenting ? room.present(next) : setOwn(next));
  const lookAlone = (next: View) => {
    setFollowing(false);
    setOwn(next);
  };
  const change = presenting ? move : lookAlone;
  return (
    <Stack gap="md">
      <Group justify="space-between" align="start" wrap="wrap">
        <Stack gap={2}>
          <Anchor component={Link} to="/boards" size="sm">{t('boards:session.back')}</Anchor>
          <Title order={2}>{s.title}</Title>
          <Text size="sm">{t('boards:session.when', { time: sessionTime(s.startsAt, s.timeZone), chair: s.chairName })}</Text>
          {s.you.chair && <SessionChange s={s} />}
        </Stack>
        <Group gap="xs">
          <Badge color={room.status === 'live' ? 'green' : room.status === 'closed' ? 'red' : 'gray'} data-testid="room-status">
            {room.status === 'live' ? t('boards:session.room.live') : room.status === 'closed' ? t('boards:session.room.closed') : t('boards:session.room.offline')}
          </Badge>
        </Group>
      </Group>
      <Quorum q={s.quorum} seatLabels={s.seatLabels} />
      {room.problem && <Alert color="red" withCloseButton={false}>{room.problem}</Alert>}
      <Grid>
        {/* On a phone the shared view comes first: it is what the meeting looks at. */}
        <Grid.Col span={{ base: 12, md: 4 }} order={{ base: 2, md: 1 }}>
          <Stack gap="md">
            <Agenda s={s} current={view.caseId} onOpen={(caseId) => change({ caseId, section: 'summary' })} />
            <Members s={s} />
          </Stack>
        </Grid.Col>
        <Grid.Col span={{ base: 12, md: 8 }} order={{ base: 1, md: 2 }}>
          <Card withBorder>
            <Group justify="space-between" mb="sm" wrap="wrap">
              <Text size="sm" fw={600} data-testid="presenting-line">
                {presenting ? t('boards:session.presenting') : following ? t('boards:session.following') : t('boards:session.alone')}
              </Text>
              {!presenting && <Switch label={t('boards:session.follow')} checked={following} onChange={(e) => setFollowing(e.currentTarget.checked)} data-testid="follow-switch" />}
              {s.you.chair && s.members.length > 0 && <PresenterChoice s={s} presenterId={room.shared.presenterId ?? s.chairId} />}
            </Group>
            {view.caseId ? <Stage sessionId={sessionId} view={view} onChange={change} steering={presenting || !following} canWrite={presenting || s.you.chair} chair={s.you.chair} s={s} />
              : <Text c="dimmed">{presenting ? t('boards:session.chooseCase') : t('boards:session.notOpened')}</Text>}
          </Card>
        </Grid.Col>
      </Grid>
    </Stack>
  );
}

function Quorum({ q, seatLabels }: { q: Session['quorum']; seatLabels: Session['seatLabels'] }) {
  const { t } = useTranslation();
  const seats = q.missing.map((seat) => seatLabels[seat] ?? seat).join(', ');
  return q.complete
    ? <Alert color="green" data-testid="quorum">{q.basis === 'attending' ? t('boards:session.quorum.attending') : t('boards:session.quorum.invited')}</Alert>
    : <Alert color="orange" data-testid="quorum" title={t('boards:session.quorum.none')}>{q.basis === 'attending' ? t('boards:session.quorum.missingAttending', { seats }) : t('boards:session.quorum.missingInvited', { seats })}</Alert>;
}

function PresenterChoice({ s, presenterId }: { s: Session; presenterId: string }) {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const hand = useMutation({ mutationFn: (userId: string) => put(`/boards/sessions/${s.id}/presenter`, { userId }), onSuccess: () => qc.invalidateQueries({ queryKey: sessionKey(s.id) }) });
  return <Select size="xs" aria-label={t('boards:session.presenter')} w={220} value={presenterId} allowDeselect={false} onChange={(v) => v && hand.mutate(v)}
    data={[{ value: s.chairId, label: t('boards:session.chairOption', { name: s.chairName }) }, ...s.members.map((m) => ({ value: m.userId, label: m.name }))]} />;
}

function Agenda({ s, current, onOpen }: { s: Session; current: string | null; onOpen: (caseId: string) => void }) {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const refresh = () => qc.invalidateQueries({ queryKey: sessionKey(s.id) });
  const order = useMutation({ mutationFn: (caseIds: string[]) => put(`/boards/sessions/${s.id}/agenda`, { caseIds }), onSuccess: refresh });
  const time = useMutation({ mutationFn: (p: { caseId: string; minutes: number }) => api('PATCH', `/boards/sessions/${s.id}/agenda/${p.caseId}`, { minutes: p.minutes }), onSuccess: refresh });
  const remove = useMutation({ mutationFn: (caseId: string) => api('DELETE', `/boards/sessions/${s.id}/agenda/${caseId}`), onSuccess: refresh });
  const [dragged, setDragged] = useState<string | null>(null);
  const ids = s.agenda.map((a) => a.caseId);
  const moveTo = (caseId: string, index: number) => {
    const rest = ids.filter((x) => x !== caseId);
    rest.splice(Math.max(0, Math.min(rest.length, index)), 0, caseId);
    order.mutate(rest);
  };
  const total = s.agenda.reduce((n, a) => n + a.minutes, 0);
  const counts = { cases: t('boards:count.cases', { count: s.agenda.length }), minutes: t('boards:count.minutes', { count: total }) };
  return (
    <Card withBorder>
      <Title order={3} size="h4">{t('boards:session.agenda.title')}</Title>
      <Text size="xs" c="dimmed" mb="xs">{s.you.chair && s.agenda.length > 1 ? t('boards:session.agenda.summaryDrag', counts) : t('boards:session.agenda.summary', counts)}</Text>
      {s.agenda.length === 0 && <Text size="sm" c="dimmed">{s.you.chair ? t('boards:session.agenda.noneChair') : t('boards:session.agenda.none')}</Text>}
      <Stack gap={6} data-testid="agenda">
        {s.agenda.map((a, i) => (
          <Card key={a.caseId} withBorder padding="xs" bg={current === a.caseId ? 'var(--mantine-color-grape-light)' : undefined}
            draggable={s.you.chair} onDragStart={() => setDragged(a.caseId)} onDragOver={(e) => e.preventDefault()}
            onDrop={() => { if (dragged && dragged !== a.caseId) moveTo(dragged, i); setDragged(null); }}>
            <Stack gap={0} style={{ minWidth: 0 }}>
              <Anchor component="button" type="button" onClick={() => onOpen(a.caseId)} fw={600} size="sm" ta="left">{i + 1}. {a.reference}</Anchor>
              <Text size="xs" c="dimmed" truncate>{a.condition}</Text>
              <Text size="xs">{a.minutesStatus === 'confirmed' ? t('boards:session.agenda.confirmed') : a.minutesStatus === 'draft' ? t('boards:session.agenda.draft') : t('boards:session.agenda.length', { minutes: a.minutes })}</Text>
            </Stack>
            {s.you.chair && (
              <Group gap={2} wrap="nowrap" mt={4}>
                <ActionIcon variant="subtle" aria-label={t('boards:session.agenda.up', { reference: a.reference })} disabled={i === 0} onClick={() => moveTo(a.caseId, i - 1)}>↑</ActionIcon>
                <ActionIcon variant="subtle" aria-label={t('boards:session.agenda.down', { reference: a.reference })} disabled={i === s.agenda.length - 1} onClick={() => moveTo(a.caseId, i + 1)}>↓</ActionIcon>
                <NumberInput aria-label={t('boards:session.agenda.minutes', { reference: a.reference })} size="xs" w={72} value={a.minutes} min={1} max={240} suffix=" min" onBlur={(e) => { const v = parseInt(e.currentTarget.value, 10); if (v && v !== a.minutes) time.mutate({ caseId: a.caseId, minutes: v }); }} />
                <ActionIcon variant="subtle" color="red" aria-label={t('boards:session.agenda.remove', { reference: a.reference })} onClick={() => remove.mutate(a.caseId)}>✕</ActionIcon>
              </Group>
            )}
          </Card>
        ))}
      </Stack>
      <ErrorNote error={order.error ?? time.error ?? remove.error} />
    </Card>
  );
}

/** The seat the server gives a case's reviewers when they are invited as such. */
const CASE_REVIEWER = 'Case reviewer';

function Members({ s }: { s: Session }) {
  const { t } = useTranslation();
  const seatLabel = (seat: string) => (seat === CASE_REVIEWER ? t('boards:session.members.caseReviewer') : s.seatLabels[seat] ?? seat);
  const qc = useQueryClient();
  const refresh = () => qc.invalidateQueries({ queryKey: sessionKey(s.id) });
  const [q, setQ] = useState('');
  const directory = useQuery({ queryKey: ['directory', 'board', q], queryFn: () => get<GetResult<'/api/directory/experts'>>(`/directory/experts?pageSize=20${q ? `&q=${encodeURIComponent(q)}` : ''}`), enabled: s.you.chair });
  const [pick, setPick] = useState<string | null>(null);
  const [seat, setSeat] = useState<string | null>(null);
  const invite = useMutation({ mutationFn: () => post(`/boards/sessions/${s.id}/members`, { userId: pick, ...(seat ? { seat } : {}) }), onSuccess: () => { setPick(null); return refresh(); } });
  const reviewers = useMutation({ mutationFn: () => post<{ invited: number }>(`/boards/sessions/${s.id}/members/reviewers`), onSuccess: refresh });
  const attend = useMutation({ mutationFn: (p: { userId: string; attended: boolean }) => put(`/boards/sessions/${s.id}/members/${p.userId}/attendance`, { attended: p.attended }), onSuccess: refresh });
  const remove = useMutation({ mutationFn: (userId: string) => api('DELETE', `/boards/sessions/${s.id}/members/${userId}`), onSuccess: refresh });
  const invited = new Set(s.members.map((m) => m.userId));
  return (
    <Card withBorder>
      <Title order={3} size="h4">{t('boards:session.members.title')}</Title>
      <Stack gap={4} mt="xs" data-testid="members">
        {s.members.length === 0 && <Text size="sm" c="dimmed">{t('boards:session.members.none')}</Text>}
        {s.members.map((m) => (
          <Group key={m.userId} justify="space-between" wrap="nowrap" gap="xs">
            <Stack gap={0} style={{ minWidth: 0 }}>
              <Text size="sm">{m.name}</Text>
              <Text size="xs" c="dimmed" truncate>{[...new Set([m.seat && seatLabel(m.seat), ...m.specialties.map(seatLabel)].filter(Boolean))].join(' · ')}</Text>
            </Stack>
            {s.you.chair ? (
              <Group gap={4} wrap="nowrap">
                <Checkbox label={t('boards:session.members.present')} checked={m.attended} onChange={(e) => attend.mutate({ userId: m.userId, attended: e.currentTarget.checked })} />
                <ActionIcon variant="subtle" color="red" aria-label={t('boards:session.members.remove', { name: m.name })} onClick={() => remove.mutate(m.userId)}>✕</ActionIcon>
              </Group>
            ) : <Badge variant="light" color={m.attended ? 'green' : 'gray'}>{m.attended ? t('boards:session.members.present') : t('boards:session.members.invited')}</Badge>}
          </Group>
        ))}
      </Stack>
      {s.you.chair && (
        <Stack gap="xs" mt="sm">
          <Button size="xs" variant="light" onClick={() => reviewers.mutate()} loading={reviewers.isPending} disabled={s.agenda.length === 0}>{t('boards:session.members.inviteReviewers')}</Button>
          {reviewers.data && <Text size="xs" role="status">{reviewers.data.invited === 0 ? t('boards:session.members.allInvited') : t('boards:session.members.invitedCount', { count: reviewers.data.invited })}</Text>}
          <TextInput size="xs" label={t('boards:session.members.find')} placeholder={t('boards:session.members.findHint')} value={q} onChange={(e) => setQ(e.currentTarget.value)} />
          <Select size="xs" label={t('boards:session.members.expert')} searchable value={pick} onChange={setPick} nothingFoundMessage={t('boards:session.members.nobody')}
            data={(directory.data?.items ?? []).filter((e) => !invited.has(e.userId)).map((e) => ({ value: e.userId, label: `${e.name} — ${e.taxonomy.map((x) => x.display).join(', ')}` }))} />
          <Select size="xs" label={t('boards:session.members.seat')} clearable value={seat} onChange={setSeat} placeholder={t('boards:session.members.anySeat')}
            data={[...s.quorum.seats.map((x) => x.seat), CASE_REVIEWER].map((x) => ({ value: x, label: seatLabel(x) }))} />
          <Button size="xs" onClick={() => invite.mutate()} disabled={!pick} loading={invite.isPending}>{t('boards:session.members.invite')}</Button>
          <ErrorNote error={invite.error ?? reviewers.error ?? attend.error ?? remove.error} />
        </Stack>
      )}
    </Card>
  );
}

const SECTIONS = ['summary', 'documents', 'images', 'minutes'] as const satisfies readonly View['section'][];

/** `steering`: this page moves the view (the presenter, or a member looking on their own); otherwise it follows. */
function Stage({ sessionId, view, onChange, steering, canWrite, chair, s }: { sessionId: string; view: View; onChange: (v: View) => void; steering: boolean; canWrite: boolean; chair: boolean; s: Session }) {
  const { t } = useTranslation();
  const caseId = view.caseId!;
  const p = useQuery({ queryKey: caseKey(sessionId, caseId), queryFn: () => get<Presentation>(`/boards/sessions/${sessionId}/cases/${caseId}`) });
  const throttled = useThrottled(onChange, 120);
  if (p.isLoading) return <Loader role="status" aria-label={t('boards:session.loadingCase')} />;
  if (p.error || !p.data) return <ErrorNote error={p.error} />;
  const d = p.data;
  return (
    <Stack gap="sm" data-testid="stage" data-case={d.reference}>
      <Group justify="space-between" wrap="wrap">
        <Title order={3} size="h4">{d.reference}</Title>
        <SegmentedControl size="xs" value={view.section} onChange={(v) => onChange({ caseId, section: v as View['section'] })} data={SECTIONS.map((value) => ({ value, label: t(`boards:session.section.${value}`) }))} aria-label={t('boards:session.section.label')} />
      </Group>
      {view.section === 'summary' && <Summary d={d} />}
      {view.section === 'documents' && <Records d={d} view={view} onChange={onChange} />}
      {view.section === 'images' && <Images d={d} view={view} onMove={steering ? throttled : undefined} onChange={onChange} />}
      {view.section === 'minutes' && <MinutesEditor sessionId={sessionId} d={d} canWrite={canWrite} chair={chair} s={s} />}
    </Stack>
  );
}

function Linked({ items }: { items: { text: string; documentId: string | null; documentName: string | null }[] }) {
  const { t } = useTranslation();
  return <List size="sm" spacing={2}>{items.map((x, i) => <List.Item key={i}>{x.text}{x.documentName && <Text span size="xs" c="dimmed">{' '}{t('boards:session.summary.from', { name: x.documentName })}</Text>}</List.Item>)}</List>;
}

const BIOMARKER_STATES = ['done', 'missing', 'recommended'] as const;
const isBiomarkerState = (x: string): x is (typeof BIOMARKER_STATES)[number] => (BIOMARKER_STATES as readonly string[]).includes(x);

function Summary({ d }: { d: Presentation }) {
  const { t } = useTranslation();
  const block = (title: string, body: React.ReactNode, empty: boolean) => (
    <Stack gap={2}><Text fw={600} size="sm">{title}</Text>{empty ? <Text size="sm" c="dimmed">{t('boards:session.summary.nothing')}</Text> : body}</Stack>
  );
  return (
    <Stack gap="sm" data-testid="case-summary">
      {block(t('boards:session.summary.question'), <List size="sm">{d.question.map((q, i) => <List.Item key={i}>{q}</List.Item>)}</List>, !d.question.length)}
      {block(t('boards:session.summary.history'), <Linked items={d.history} />, !d.history.length)}
      {block(t('boards:session.summary.pathology'), <Linked items={d.pathology} />, !d.pathology.length)}
      {block(t('boards:session.summary.staging'), <List size="sm">{d.staging.map((x, i) => <List.Item key={i}>{x.text} ({x.by})</List.Item>)}</List>, !d.staging.length)}
      {block(t('boards:session.summary.biomarkers'), <List size="sm">{d.biomarkers.map((b, i) => <List.Item key={i}>{b.name}: {isBiomarkerState(b.status) ? t(`boards:session.summary.biomarker.${b.status}`) : b.status}{b.by ? ` (${b.by})` : ''}</List.Item>)}</List>, !d.biomarkers.length)}
      {d.missing.length > 0 && block(t('boards:session.summary.missing'), <List size="sm">{d.missing.map((m, i) => <List.Item key={i}>{m}</List.Item>)}</List>, false)}
      {block(t('boards:session.summary.imaging'), <List size="sm">{d.imaging.map((st) => <List.Item key={st.studyUid}>{st.description}{st.measurements.map((m, i) => <Text key={i} size="xs">{m.text}</Text>)}</List.Item>)}</List>, !d.imaging.length)}
      {block(t('boards:session.summary.treatments'), <Linked items={d.treatments} />, !d.treatments.length)}
      {block(t('boards:session.summary.priorities'), <List size="sm">{d.priorities.map((x, i) => <List.Item key={i}>{x}</List.Item>)}</List>, !d.priorities.length)}
      {block(t('boards:session.summary.parts'), <Stack gap={4}>{d.reviewerParts.map((r, i) => <Stack key={i} gap={0}><Text size="sm">{r.status === 'signed' ? t('boards:session.summary.partSigned', { author: r.author, role: r.role }) : t('boards:session.summary.partDraft', { author: r.author, role: r.role })}</Text>{r.summary.map((x, j) => <Text key={j} size="xs">{x}</Text>)}</Stack>)}</Stack>, !d.reviewerParts.length)}
    </Stack>
  );
}

function Records({ d, view, onChange }: { d: Presentation; view: View; onChange: (v: View) => void }) {
  const { t } = useTranslation();
  const doc = d.documents.find((x) => x.id === view.documentId) ?? null;
  const page = view.page ?? 1;
  const go = (documentId: string | undefined, p: number) => onChange({ caseId: d.caseId, section: 'documents', ...(documentId ? { documentId, page: p } : {}) });
  return (
    <Stack gap="xs">
      <Group align="end" wrap="wrap">
        <Select label={t('boards:session.records.label')} placeholder={d.documents.length ? t('boards:session.records.choose') : t('boards:session.records.none')} data={d.documents.map((x) => ({ value: x.id, label: x.name }))} value={doc?.id ?? null} onChange={(v) => go(v ?? undefined, 1)} w="100%" maw={320} />
        {doc?.pdf && (
          <Group gap={4} align="end">
            <Button size="xs" variant="default" onClick={() => go(doc.id, Math.max(1, page - 1))} disabled={page <= 1}>{t('boards:session.records.previous')}</Button>
            <Text size="sm" data-testid="doc-page">{t('boards:session.records.page', { page })}</Text>
            <Button size="xs" variant="default" onClick={() => go(doc.id, page + 1)}>{t('boards:session.records.next')}</Button>
          </Group>
        )}
      </Group>
      {doc && <iframe key={doc.id} title={t('boards:session.records.frame', { name: doc.name })} data-testid="shared-document" src={`/api/cases/${d.caseId}/documents/${doc.id}/content?inline=true#page=${page}`} style={{ width: '100%', height: '60vh', border: '1px solid #ddd' }} />}
    </Stack>
  );
}

function Images({ d, view, onMove, onChange }: { d: Presentation; view: View; onMove?: (v: View) => void; onChange: (v: View) => void }) {
  const { t } = useTranslation();
  const series = d.imaging.filter((st) => st.seriesUid);
  const current = view.viewer ?? null;
  const choose = (value: string | null) => {
    const st = series.find((x) => x.studyUid === value);
    if (st) onChange({ caseId: d.caseId, section: 'images', viewer: { studyUid: st.studyUid, seriesUid: st.seriesUid!, index: 0 } });
  };
  const position: ViewerPosition | null = current ? { index: current.index, ...(current.voi ? { voi: current.voi } : {}) } : null;
  const [showSop, setShowSop] = useState<{ sop: string; at: number } | null>(null);
  const measured = useMemo(() => d.imaging.find((st) => st.studyUid === current?.studyUid)?.measurements.filter((m) => m.seriesUid === current?.seriesUid) ?? [],
    [d.imaging, current?.studyUid, current?.seriesUid]);
  return (
    <Stack gap="xs">
      <Select label={t('boards:session.images.study')} placeholder={series.length ? t('boards:session.images.choose') : t('boards:session.images.none')} data={series.map((x) => ({ value: x.studyUid, label: x.description }))} value={current?.studyUid ?? null} onChange={choose} w="100%" maw={360} />
      {current && (
        // Remounted when the page starts or stops steering: a follower's viewer takes no mouse input.
        <SharedViewer key={onMove ? 'steer' : 'follow'} studyUid={current.studyUid} seriesUid={current.seriesUid} position={position}
          onMove={onMove && ((p) => onMove({ caseId: d.caseId, section: 'images', viewer: { ...current, index: p.index, ...(p.voi ? { voi: p.voi } : {}) } }))} showSop={onMove ? showSop : null} measurements={measured} />
      )}
      {measured.length > 0 && (
        <Stack gap={2}>
          <Text size="sm" fw={600}>{t('boards:session.images.measured')}</Text>
          {measured.map((m, i) => (
            <Group key={i} gap="xs">
              <Text size="sm">{m.text}</Text>
              {onMove && <Button size="compact-xs" variant="subtle" onClick={() => setShowSop({ sop: m.sopInstanceUid, at: Date.now() })}>{t('boards:session.images.show')}</Button>}
            </Group>
          ))}
        </Stack>
      )}
    </Stack>
  );
}

const STANCES = ['agree', 'modify', 'alternative'] as const;
const ACTION_KINDS = ['rebiopsy', 'extra_testing', 'imaging', 'trial_screening', 'referral', 'other'] as const;
const SURGERY = ['yes', 'no', 'uncertain'] as const;

function MinutesEditor({ sessionId, d, canWrite, chair, s }: { sessionId: string; d: Presentation; canWrite: boolean; chair: boolean; s: Session }) {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const [m, setM] = useState<Minutes>(d.minutes ?? {});
  // What the writer typed and has not saved yet is kept when the page refreshes around it.
  const dirty = useRef(false);
  useEffect(() => {
    if (!dirty.current) setM(d.minutes ?? {});
  }, [d.minutes]);
  const people = [{ value: s.chairId, label: t('boards:session.chairOption', { name: s.chairName }) }, ...s.members.map((x) => ({ value: x.userId, label: x.name }))];
  const refresh = () => Promise.all([qc.invalidateQueries({ queryKey: caseKey(sessionId, d.caseId) }), qc.invalidateQueries({ queryKey: sessionKey(sessionId) })]);
  // Rows left empty are not part of the minutes.
  const cleaned = (): Minutes => ({
    ...m, dissent: m.dissent?.filter((x) => x.text.trim()), actions: m.actions?.filter((x) => x.text.trim()),
    ...(m.consensus ? { consensus: { ...m.consensus, options: m.consensus.options?.filter((o) => o.option.trim()) } } : {}),
  });
  const save = useMutation({
    mutationFn: () => put<{ missing: string[] }>(`/boards/sessions/${sessionId}/cases/${d.caseId}/minutes`, cleaned()),
    onSuccess: () => {
      dirty.current = false;
      return refresh();
    },
  });
  const confirm = useMutation({ mutationFn: () => post(`/boards/sessions/${sessionId}/cases/${d.caseId}/minutes/confirm`), onSuccess: refresh });
  const readOnly = !canWrite || d.minutesConfirmed;
  // Three choices side by side do not fit a phone's width: there they stand in a column.
  const narrow = useMediaQuery('(max-width: 36em)');
  const c = m.consensus ?? {};
  const set = (patch: Partial<Minutes>) => {
    dirty.current = true;
    setM((x) => ({ ...x, ...patch }));
  };
  return (
    <Stack gap="sm" data-testid="minutes">
      {d.minutesConfirmed && <Alert color="green" data-testid="minutes-confirmed">{t('boards:session.minutes.confirmed')}</Alert>}
      <SegmentedControl orientation={narrow ? 'vertical' : 'horizontal'} disabled={readOnly} value={c.treatmentStance ?? ''} onChange={(v) => set({ consensus: { ...c, treatmentStance: v as 'agree' } })} data={STANCES.map((value) => ({ value, label: t(`boards:session.minutes.stance.${value}`) }))} aria-label={t('boards:session.minutes.stance.label')} />
      <Textarea label={t('boards:session.minutes.consensus')} readOnly={readOnly} autosize minRows={2} value={c.recommendation ?? ''} onChange={(e) => set({ consensus: { ...c, recommendation: e.currentTarget.value } })} />
      <Stack gap={4}>
        <Text size="sm" fw={600}>{t('boards:session.minutes.options')}</Text>
        {(c.options ?? []).map((o, i) => (
          <Group key={i} align="end" wrap="wrap">
            <TextInput size="xs" label={t('boards:session.minutes.option')} value={o.option} readOnly={readOnly} onChange={(e) => { const option = e.currentTarget.value; set({ consensus: { ...c, options: (c.options ?? []).map((x, j) => (j === i ? { ...x, option } : x)) } }); }} style={{ flex: 1 }} miw={200} />
            <TextInput size="xs" label={t('boards:session.minutes.why')} value={o.rationale ?? ''} readOnly={readOnly} onChange={(e) => { const rationale = e.currentTarget.value; set({ consensus: { ...c, options: (c.options ?? []).map((x, j) => (j === i ? { ...x, rationale } : x)) } }); }} style={{ flex: 1 }} miw={200} />
          </Group>
        ))}
        {!readOnly && <Button size="xs" variant="subtle" onClick={() => set({ consensus: { ...c, options: [...(c.options ?? []), { option: '' }] } })}>{t('boards:session.minutes.addOption')}</Button>}
      </Stack>
      <Select label={t('boards:session.minutes.surgery.label')} readOnly={readOnly} clearable data={SURGERY.map((value) => ({ value, label: t(`boards:session.minutes.surgery.${value}`) }))} value={c.surgery ?? null}
        onChange={(v) => set({ consensus: { ...c, surgery: (v ?? undefined) as typeof c.surgery } })} w={220} />
      <Textarea label={t('boards:session.minutes.rationale')} readOnly={readOnly} autosize minRows={2} value={m.rationale ?? ''} onChange={(e) => set({ rationale: e.currentTarget.value })} />
      <Radio.Group label={t('boards:session.minutes.guidelines')} value={m.guideline ? (m.guideline.concordant ? 'yes' : 'no') : ''} onChange={(v) => set({ guideline: { concordant: v === 'yes', deviationReason: m.guideline?.deviationReason } })}>
        <Group mt={4}><Radio value="yes" label={t('boards:session.minutes.follows')} disabled={readOnly} /><Radio value="no" label={t('boards:session.minutes.deviates')} disabled={readOnly} /></Group>
      </Radio.Group>
      {m.guideline && !m.guideline.concordant && <TextInput label={t('boards:session.minutes.deviation')} readOnly={readOnly} value={m.guideline.deviationReason ?? ''} onChange={(e) => set({ guideline: { concordant: false, deviationReason: e.currentTarget.value } })} />}
      <Stack gap={4}>
        <Text size="sm" fw={600}>{t('boards:session.minutes.dissent')}</Text>
        {(m.dissent ?? []).map((x, i) => (
          <Group key={i} align="end" wrap="wrap">
            <Select size="xs" label={t('boards:session.minutes.heldBy')} data={people} value={x.memberId} readOnly={readOnly} onChange={(v) => set({ dissent: (m.dissent ?? []).map((y, j) => (j === i ? { ...y, memberId: v ?? y.memberId } : y)) })} w={200} />
            <TextInput size="xs" label={t('boards:session.minutes.view')} value={x.text} readOnly={readOnly} onChange={(e) => { const text = e.currentTarget.value; set({ dissent: (m.dissent ?? []).map((y, j) => (j === i ? { ...y, text } : y)) }); }} style={{ flex: 1 }} miw={200} />
          </Group>
        ))}
        {!readOnly && <Button size="xs" variant="subtle" onClick={() => set({ dissent: [...(m.dissent ?? []), { memberId: people[0]!.value, text: '' }] })}>{t('boards:session.minutes.addDissent')}</Button>}
      </Stack>
      <Stack gap={4}>
        <Text size="sm" fw={600}>{t('boards:session.minutes.actions')}</Text>
        {(m.actions ?? []).map((x, i) => (
          <Group key={i} align="end" wrap="wrap">
            <Select size="xs" label={t('boards:session.minutes.kind')} data={ACTION_KINDS.map((value) => ({ value, label: t(`boards:session.minutes.action.${value}`) }))} value={x.kind} readOnly={readOnly} onChange={(v) => set({ actions: (m.actions ?? []).map((y, j) => (j === i ? { ...y, kind: (v ?? y.kind) as typeof y.kind } : y)) })} w={150} />
            <TextInput size="xs" label={t('boards:session.minutes.what')} value={x.text} readOnly={readOnly} onChange={(e) => { const text = e.currentTarget.value; set({ actions: (m.actions ?? []).map((y, j) => (j === i ? { ...y, text } : y)) }); }} style={{ flex: 1 }} miw={180} />
            <Select size="xs" label={t('boards:session.minutes.owner')} data={people} value={x.ownerId} readOnly={readOnly} onChange={(v) => set({ actions: (m.actions ?? []).map((y, j) => (j === i ? { ...y, ownerId: v ?? y.ownerId } : y)) })} w={180} />
          </Group>
        ))}
        {!readOnly && <Button size="xs" variant="subtle" onClick={() => set({ actions: [...(m.actions ?? []), { kind: 'extra_testing', text: '', ownerId: people[0]!.value }] })}>{t('boards:session.minutes.addAction')}</Button>}
      </Stack>
      {!readOnly && (
        <Group>
          <Button variant="default" onClick={() => save.mutate()} loading={save.isPending}>{t('boards:session.minutes.save')}</Button>
          {chair && <Button color="grape" onClick={async () => { await save.mutateAsync(); confirm.mutate(); }} loading={confirm.isPending}>{t('boards:session.minutes.confirm')}</Button>}
        </Group>
      )}
      {!d.minutesConfirmed && d.minutesMissing.length > 0 && <Text size="xs" c="dimmed">{t('boards:session.minutes.before', { missing: d.minutesMissing.join(' ') })}</Text>}
      {save.isSuccess && !d.minutesConfirmed && <Text size="xs" role="status">{t('boards:session.minutes.saved')}</Text>}
      <ErrorNote error={save.error ?? confirm.error} />
    </Stack>
  );
}
